/**
 * Spawns the built `opencx` (packages/cli/dist/bin.js): the tests exercise
 * the command exactly as a user runs it.
 */
import { Effect } from "effect"
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/bin.js")

export interface Result {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * an environment without the developer's own OpenCX settings, and with a
 * cache of totals of its own (a fresh directory: no run sees another's
 * totals unless a test gives them the same OPENCX_CACHE_DIR)
 */
const cleanEnv = () => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("OPENCX_") && key !== "NO_COLOR") env[key] = value
  }
  env.OPENCX_CACHE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "opencx-cache-"))
  return env
}

export interface Running {
  readonly child: ChildProcess
  readonly result: Effect.Effect<Result>
}

export interface Options {
  /** the working directory (default: this process's) */
  readonly cwd?: string | undefined
  /** flags for node itself, before the script (`--import`) */
  readonly nodeArgs?: ReadonlyArray<string> | undefined
  /**
   * a file descriptor to give the CLI as its stdout, as a shell redirect does
   * (`> /dev/full`); by default a pipe this process reads
   */
  readonly stdout?: number | undefined
  /** text to give the CLI on stdin (closed after it); by default stdin is /dev/null */
  readonly stdin?: string | undefined
}

export const start = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {},
  options: Options = {}
) =>
  Effect.sync((): Running => {
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first`)
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), bin, ...args], {
      env: { ...cleanEnv(), ...env },
      cwd: options.cwd ?? process.cwd(),
      stdio: [options.stdin === undefined ? "ignore" : "pipe", options.stdout ?? "pipe", "pipe"]
    })
    if (options.stdin !== undefined) child.stdin!.end(options.stdin)
    let stdout = ""
    let stderr = ""
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const done = new Promise<Result>((resolve) => {
      child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
    })
    return { child, result: Effect.promise(() => done) }
  })

export const run = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {},
  options: Options = {}
) => Effect.flatMap(start(args, env, options), (running) => running.result)

/**
 * Linux's /dev/full (every write to it fails with ENOSPC), for the tests of
 * a full disk. CI runs on Linux: those tests always run, and fail saying so
 * where it is missing (they are never skipped).
 */
export const requireDevFull: Effect.Effect<void> = Effect.suspend(() =>
  fs.existsSync("/dev/full")
    ? Effect.void
    : Effect.dieMessage("/dev/full is missing: the tests of a full disk need Linux's /dev/full")
)

/** a preload that makes stderr claim to be a terminal */
export const forceTty = path.resolve(path.dirname(bin), "../test/fixtures/force-tty.mjs")
/** a preload that makes stdout claim to be a terminal */
export const forceTtyStdout = path.resolve(path.dirname(bin), "../test/fixtures/force-tty-stdout.mjs")

/** python3 with its pty module, to run the CLI on a real pseudo-terminal */
export const hasPty = process.platform !== "win32" &&
  spawnSync("python3", ["-c", "import pty"], { stdio: "ignore" }).status === 0

/** fails the test, saying why, where there is no pseudo-terminal to run it on (never a skip) */
export const requirePty: Effect.Effect<void> = Effect.suspend(() =>
  hasPty
    ? Effect.void
    : Effect.dieMessage("no pseudo-terminal: the terminal tests need python3 with its pty module (.ci/run installs it)")
)

const terminalRunner = path.resolve(path.dirname(bin), "../test/fixtures/terminal.py")

/** what came from the terminal, and when (Date.now()) */
export interface Chunk {
  readonly at: number
  readonly text: string
}

export interface OnTerminal {
  readonly child: ChildProcess
  /** what the terminal showed so far, chunk by chunk, as it came */
  readonly chunks: ReadonlyArray<Chunk>
  /** types on the terminal's keyboard ("\x03" is Ctrl-C) */
  readonly type: (text: string) => void
  readonly result: Effect.Effect<{ readonly code: number | null; readonly output: string }>
}

/**
 * Runs the CLI on a pseudo-terminal (160 columns, see fixtures/terminal.py):
 * stdout and stderr are that terminal, as when a person runs it.
 */
export const startOnTerminal = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {},
  options: Options = {}
) =>
  Effect.sync((): OnTerminal => {
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first`)
    const child = spawn("python3", [terminalRunner, process.execPath, bin, ...args], {
      env: { ...cleanEnv(), TERM: "xterm-256color", ...env },
      cwd: options.cwd ?? process.cwd(),
      stdio: ["pipe", "pipe", "inherit"]
    })
    const chunks: Array<Chunk> = []
    child.stdout!.setEncoding("utf8").on("data", (text: string) => chunks.push({ at: Date.now(), text }))
    const done = new Promise<{ code: number | null; output: string }>((resolve) => {
      child.on("close", (code) => resolve({ code, output: chunks.map((c) => c.text).join("") }))
    })
    return { child, chunks, type: (text) => void child.stdin!.write(text), result: Effect.promise(() => done) }
  })
