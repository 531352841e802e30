/**
 * Sync runs in processes of their own (test/fixtures/sync-child.mjs, over the
 * built packages), killed at will.
 */
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const script = path.join(here, "..", "fixtures", "sync-child.mjs")
const dist = path.join(here, "..", "..", "dist", "index.js")

/** the child runs the built package: say so plainly when it is not built */
export const requireBuild = Effect.suspend(() =>
  fs.existsSync(dist)
    ? Effect.void
    : Effect.dieMessage("packages/sql/dist is missing: run `npm run build` first (npm test does)")
)

export interface ChildOutcome {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly pid: number
  /** the JSON line the child printed, if it got that far */
  readonly result: ChildResult | undefined
  readonly stderr: string
  /** milliseconds from spawn to exit */
  readonly elapsed: number
  /** milliseconds from the start of the sync (its modules loaded) to exit */
  readonly walked: number
  /** milliseconds from the start of the sync to its first committed page */
  readonly firstCommit: number | undefined
}

export interface ChildResult {
  readonly ok: boolean
  readonly pid: number
  readonly tag?: string
  readonly message?: string
  readonly owner?: string
  readonly summary?: {
    readonly sessions: number
    readonly pages: number
    readonly resumed: boolean
    readonly done: boolean
    readonly watermark: string | null
    readonly events: number
  }
}

export interface ChildArgs {
  readonly db: string
  readonly baseUrl: string
  readonly apiKey: string
  readonly options?: Record<string, unknown>
  /**
   * SIGKILL `delay` milliseconds after the child reported its `afterCommits`-th
   * committed page (0: after it started, its modules loaded)
   */
  readonly killAt?: { readonly afterCommits: number; readonly delay: number }
  /** called when the child reports its first committed page */
  readonly onFirstCommit?: () => void
}

/** runs one sync in a child process until it exits (or is killed) */
export const runChild = (args: ChildArgs): Effect.Effect<ChildOutcome> =>
  Effect.async<ChildOutcome>((resume) => {
    const started = performance.now()
    const child = spawn(
      process.execPath,
      [script, args.db, args.baseUrl, args.apiKey, JSON.stringify(args.options ?? {})],
      { stdio: ["ignore", "pipe", "pipe"] }
    )
    let out = ""
    let err = ""
    let startedAt: number | undefined
    let firstCommitAt: number | undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    const killAt = args.killAt
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk
      if (startedAt === undefined && out.includes(`{"started":true}`)) startedAt = performance.now()
      if (firstCommitAt === undefined && out.includes(`{"committed":`)) {
        firstCommitAt = performance.now()
        args.onFirstCommit?.()
      }
      const commits = out.split(`{"committed":`).length - 1
      if (killAt !== undefined && timer === undefined && startedAt !== undefined && commits >= killAt.afterCommits) {
        timer = setTimeout(() => child.kill("SIGKILL"), killAt.delay)
      }
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk))
    child.on("exit", (code, signal) => {
      if (timer !== undefined) clearTimeout(timer)
      const line = out.trim().split("\n").filter((l) => l.startsWith(`{"ok"`)).pop()
      resume(Effect.succeed({
        code,
        signal,
        pid: child.pid ?? -1,
        result: line === undefined ? undefined : JSON.parse(line) as ChildResult,
        stderr: err,
        elapsed: performance.now() - started,
        walked: performance.now() - (startedAt ?? started),
        firstCommit: firstCommitAt === undefined ? undefined : firstCommitAt - (startedAt ?? started)
      }))
    })
    return Effect.sync(() => {
      if (timer !== undefined) clearTimeout(timer)
      child.kill("SIGKILL")
    })
  })
