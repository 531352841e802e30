/**
 * Real processes sharing a key through Redis: each runs
 * `fixtures/walker.mjs` (plain Node ESM over the BUILT packages: run `npm
 * run build` first, as `npm test` does) and says what it did on its last
 * line.
 */
import { Data, Deferred, Duration, Effect, type Scope } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
export const walkerScript = path.resolve(here, "../fixtures/walker.mjs")
const built = path.resolve(here, "../../dist/index.js")

/** what `walker.mjs` takes (see its header) */
export interface WalkerOptions {
  readonly baseUrl: string
  readonly apiKey: string
  readonly redisUrl: string
  /** no store: each process with a limiter of its own (the baseline) */
  readonly noStore?: boolean
  readonly prefix?: string
  readonly limit: number
  readonly intervalMs: number
  readonly onStoreFailure?: "fail" | { readonly fallback: "local"; readonly processes: number }
  readonly storeTimeoutMs?: number
  readonly mode: "walk" | "spread" | "burst"
  readonly walks?: number
  readonly params?: ReadonlyArray<Record<string, string>>
  readonly maxPages?: number
  readonly retryUnavailable?: boolean
  readonly retryMillis?: number
  /** wait for the common start (see `inStep`) */
  readonly synchronized?: boolean
  /** start this long after the common start */
  readonly startOffset?: number
  readonly count?: number
  readonly spacingMs?: number
}

/** what a walker says it did */
export interface WalkerResult {
  readonly pages: number
  readonly items: number
  /** requests refused with RateLimiterUnavailable (each asked again when `retryUnavailable`) */
  readonly unavailable: number
  readonly unavailableAt: ReadonlyArray<number>
  /** the tags of the errors the run ended with */
  readonly errors: ReadonlyArray<string>
  readonly exit: "Success" | "Failure"
  readonly ms: number
  /** what it logged */
  readonly stderr: string
}

export class WalkerFailed extends Data.TaggedError("WalkerFailed")<{ readonly message: string }> {}

/** a walker running */
export interface Walker {
  /** its client and store are up (with `synchronized`) */
  readonly ready: Effect.Effect<void, WalkerFailed>
  /** starts a synchronized walker at these epoch milliseconds (plus its offset) */
  readonly go: (startAt: number) => Effect.Effect<void>
  readonly result: Effect.Effect<WalkerResult, WalkerFailed>
}

/**
 * Starts a walker, killed when the scope closes; one still running after
 * `timeout` is killed and fails.
 */
export const spawnWalker = (
  options: WalkerOptions,
  timeout: Duration.DurationInput = "60 seconds"
): Effect.Effect<Walker, WalkerFailed, Scope.Scope> =>
  Effect.gen(function*() {
    if (!fs.existsSync(built)) return yield* new WalkerFailed({ message: `${built} is missing: run \`npm run build\` first` })
    const ready = yield* Deferred.make<void, WalkerFailed>()
    const result = yield* Deferred.make<WalkerResult, WalkerFailed>()
    const child = yield* Effect.acquireRelease(
      Effect.sync(() => spawn(process.execPath, [walkerScript, JSON.stringify(options)], { stdio: ["pipe", "pipe", "pipe"] })),
      (child) => Effect.sync(() => child.kill("SIGKILL"))
    )
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      if (stdout.includes("READY\n")) Deferred.unsafeDone(ready, Effect.void)
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill("SIGKILL"), Duration.toMillis(Duration.decode(timeout)))
    yield* Effect.addFinalizer(() => Effect.sync(() => clearTimeout(timer)))
    child.on("exit", (code, signal) => {
      clearTimeout(timer)
      const line = stdout.split("\n").find((l) => l.startsWith("RESULT "))
      const outcome = line === undefined || code !== 0
        ? Effect.fail(new WalkerFailed({ message: `walker exited (${code ?? signal}) without a result:\n${stdout}\n${stderr}` }))
        : Effect.succeed({ ...JSON.parse(line.slice("RESULT ".length)), stderr } as WalkerResult)
      Deferred.unsafeDone(ready, Effect.asVoid(outcome))
      Deferred.unsafeDone(result, outcome)
    })
    return {
      ready: Deferred.await(ready),
      go: (startAt) => Effect.sync(() => child.stdin.end(`${startAt}\n`)),
      result: Deferred.await(result)
    }
  })

/** runs one walker to its end */
export const walker = (options: WalkerOptions, timeout?: Duration.DurationInput): Effect.Effect<WalkerResult, WalkerFailed> =>
  Effect.scoped(Effect.flatMap(spawnWalker(options, timeout), (w) => w.result))

/**
 * Runs walkers in step: each starts its client and store, and once every
 * one is ready, all start together (each at its `startOffset`), `lead` from
 * then.
 */
export const inStep = (
  options: ReadonlyArray<WalkerOptions>,
  lead: Duration.DurationInput = "200 millis"
): Effect.Effect<{ readonly startAt: number; readonly results: ReadonlyArray<WalkerResult> }, WalkerFailed> =>
  Effect.scoped(Effect.gen(function*() {
    const walkers = yield* Effect.all(options.map((o) => spawnWalker({ ...o, synchronized: true })))
    yield* Effect.all(walkers.map((w) => w.ready), { concurrency: "unbounded" })
    const startAt = Date.now() + Duration.toMillis(Duration.decode(lead))
    yield* Effect.all(walkers.map((w) => w.go(startAt)))
    const results = yield* Effect.all(walkers.map((w) => w.result), { concurrency: "unbounded" })
    return { startAt, results }
  }))

/** for each request time, how many requests started in the window that opens with it */
export { windowCounts } from "../../../../test-utils/windows.js"

/**
 * The rate reached over a walk, as a fraction of the limit. A limiter at
 * the limit sends `limit` requests at once, then one as each leaves the
 * window: request k·limit is the first of the (k+1)-th window's worth, k
 * windows after the first. So: the largest k·limit below the count, over
 * the time from the first request to that one, in windows.
 */
export const fractionOfLimit = (times: ReadonlyArray<number>, limit: number, window: number): number => {
  const sorted = [...times].sort((a, b) => a - b)
  const k = Math.floor((sorted.length - 1) / limit) * limit
  if (k === 0) return Number.NaN
  return (k / limit) / ((sorted[k]! - sorted[0]!) / window)
}
