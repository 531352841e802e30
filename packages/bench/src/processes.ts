/**
 * Child processes of the benchmark: the fake server and the scenarios, each
 * in a process of its own so that CPU time and memory are the client's.
 *
 * @since 0.1.0
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { FakeSettings } from "./fakeServer.js"
import type { Coding, PageServerSettings } from "./pageServer.js"

const here = path.dirname(fileURLToPath(import.meta.url))

/**
 * @since 0.1.0
 */
export interface Fake {
  readonly url: string
  readonly apiKey: string
  readonly stop: () => Promise<void>
}

const firstLine = (child: ChildProcess, what: string) =>
  new Promise<string>((resolve, reject) => {
    let out = ""
    let err = ""
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk
      const newline = out.indexOf("\n")
      if (newline >= 0) resolve(out.slice(0, newline))
    })
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (err += chunk))
    child.on("exit", (code) => reject(new Error(`${what} exited with ${code}: ${err}`)))
  })

/**
 * Starts a fake server process.
 *
 * @since 0.1.0
 */
export const startFake = async (settings: FakeSettings): Promise<Fake> => {
  const child = spawn(process.execPath, [path.join(here, "fakeServer.js"), JSON.stringify(settings)], {
    stdio: ["pipe", "pipe", "pipe"]
  })
  const line = await firstLine(child, "the fake server")
  const { apiKey, url } = JSON.parse(line) as { url: string; apiKey: string }
  return {
    url,
    apiKey,
    stop: () =>
      new Promise<void>((resolve) => {
        child.on("exit", () => resolve())
        child.stdin!.end()
      })
  }
}

/**
 * @since 0.2.0
 */
export interface PageServer {
  /** the base URL of the port that answers in each coding */
  readonly urls: Readonly<Record<Coding, string>>
  readonly apiKey: string
  /** pages held, and their total size as JSON text and gzipped */
  readonly pages: number
  readonly bytes: number
  readonly gzipBytes: number
  readonly stop: () => Promise<void>
}

/**
 * Starts a server of pre-encoded pages (`pageServer.ts`) in a process of its own.
 *
 * @since 0.2.0
 */
export const startPageServer = async (settings: PageServerSettings): Promise<PageServer> => {
  const child = spawn(process.execPath, [path.join(here, "pageServer.js"), JSON.stringify(settings)], {
    stdio: ["pipe", "pipe", "pipe"]
  })
  const line = await firstLine(child, "the page server")
  // what pageServer.ts prints (a boundary between two of our processes)
  const ready = JSON.parse(line) as Omit<PageServer, "stop">
  return {
    ...ready,
    stop: () =>
      new Promise<void>((resolve) => {
        child.on("exit", () => resolve())
        child.stdin!.end()
      })
  }
}

/**
 * Runs one scenario in a process of its own and returns what it printed (JSON).
 *
 * @since 0.1.0
 */
export const runScenario = (name: string, params: object, nodeArgs: ReadonlyArray<string> = []): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, path.join(here, "scenario.js"), name, JSON.stringify(params)], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    let err = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk))
    child.on("exit", (code) => {
      if (code === 0) resolve(JSON.parse(out))
      else reject(new Error(`scenario ${name} exited with ${code}: ${err}`))
    })
  })

/**
 * Runs a command and samples its peak resident memory (VmHWM, Linux) while it runs.
 *
 * @since 0.1.0
 */
export const runMeasured = (
  command: string,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>
): Promise<{ readonly code: number | null; readonly wallMs: number; readonly peakRssBytes: number | undefined; readonly stderr: string }> =>
  new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(command, [...args], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    let peak: number | undefined
    const sample = () => {
      try {
        const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8")
        const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1]
        if (kb !== undefined) peak = Math.max(peak ?? 0, Number(kb) * 1024)
      } catch {
        // the process is gone, or /proc is not there
      }
    }
    const timer = setInterval(sample, 25)
    child.on("exit", (code) => {
      clearInterval(timer)
      resolve({ code, wallMs: performance.now() - started, peakRssBytes: peak, stderr })
    })
  })
