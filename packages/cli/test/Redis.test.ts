/**
 * `--redis URL` (or `OPENCX_REDIS_URL`) on every command that talks to the
 * API: the client's rate limit kept in Redis. A Redis that is down fails each
 * request with RateLimiterUnavailable, nothing sent (exit 1), unless
 * `--redis-fallback N` lets this process go on alone at the limit / N. A
 * URL that is not redis:// or rediss:// is a usage error before any
 * request. The Redis client (ioredis) is loaded only when asked for. The
 * two-process test is in RedisShared.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import * as FakeOpenCx from "@opencx-effect/core/FakeOpenCx"
import * as NodeFakeOpenCx from "@opencx-effect/platform-node/NodeFakeOpenCx"
import { Effect, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Cli from "./utils/cli.js"
import { freePort, testRedisUrl } from "./utils/redis.js"

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "opencx-cli-redis-"))

const onFake = (options: FakeOpenCx.Options) =>
  Effect.provide(NodeFakeOpenCx.layer({ ...options, apiKey: `opencx-redis-${process.pid}-${Date.now()}` }))
const fakeOf = FakeOpenCx.FakeOpenCx
const requests = Effect.flatMap(fakeOf, (fake) => fake.requests)

const envOf = Effect.map(NodeFakeOpenCx.NodeFakeOpenCx, ({ fake, url }) => ({
  OPENCX_API_KEY: Redacted.value(fake.apiKey),
  OPENCX_BASE_URL: url
}))

const password = "Redis-Pw-5e9d"
const deadRedis = Effect.map(freePort, (port) => ({ port, url: `redis://:${password}@127.0.0.1:${port}` }))

const reportIoredis = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "fixtures/report-ioredis.mjs")

/** every command that talks to the API, with what it needs besides */
const apiCommands: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ["sessions export", ["sessions", "export", "-o", "out.ndjson"]],
  ["sessions sync", ["sessions", "sync", "--db", "sqlite:out.db"]],
  ["sessions stats", ["sessions", "stats"]],
  ["sessions history", ["sessions", "history", "79c30a15-6f0b-4c4f-ad13-000000000000"]],
  ["sessions create", ["sessions", "create", "--contact-email", "ada@example.com"]],
  ["sessions send", ["sessions", "send", "79c30a15-6f0b-4c4f-ad13-000000000000", "--text", "hi"]],
  ["sessions close", ["sessions", "close", "79c30a15-6f0b-4c4f-ad13-000000000000"]],
  ["sessions reopen", ["sessions", "reopen", "79c30a15-6f0b-4c4f-ad13-000000000000"]]
]

describe("--redis: what is refused before any request", () => {
  it.live.each(apiCommands)("%s: a URL that is not redis:// or rediss:// exits 2, never showing its password", ([, command]) =>
    Effect.gen(function*() {
      const dir = tmp()
      const env = yield* envOf
      const viaFlag = yield* Cli.run([...command, "--redis", `http://me:${password}@redis.internal:6379`], env, { cwd: dir })
      const viaEnv = yield* Cli.run(command, { ...env, OPENCX_REDIS_URL: `redis:${password}` }, { cwd: dir })
      expect(viaFlag.code).toBe(2)
      expect(viaFlag.stderr).toBe(
        "opencx: Invalid --redis: expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] (or rediss:// for TLS), got http://redis.internal:6379\n"
      )
      expect(viaEnv.code).toBe(2)
      expect(viaEnv.stderr).toBe(
        "opencx: Invalid OPENCX_REDIS_URL: expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] (or rediss:// for TLS), got redis:… (no host)\n"
      )
      for (const result of [viaFlag, viaEnv]) expect(`${result.stdout}${result.stderr}`).not.toContain(password)
      expect(fs.readdirSync(dir)).toEqual([])
      expect(yield* requests).toHaveLength(0)
    }).pipe(onFake({ generate: { count: 3, seed: 1 } })))

  it.live("--redis-fallback without a Redis, and --redis with --rate-limit 0: exit 2", () =>
    Effect.gen(function*() {
      const env = yield* envOf
      const redis = yield* testRedisUrl
      const fallbackAlone = yield* Cli.run(["sessions", "stats", "--redis-fallback", "2"], env)
      expect(fallbackAlone.code).toBe(2)
      expect(fallbackAlone.stderr).toBe(
        "opencx: --redis-fallback is what to do when the Redis of --redis (or OPENCX_REDIS_URL) fails: give a Redis too\n"
      )
      const noLimit = yield* Cli.run(["sessions", "stats", "--rate-limit", "0"], { ...env, OPENCX_REDIS_URL: redis })
      expect(noLimit.code).toBe(2)
      expect(noLimit.stderr).toBe(
        "opencx: OPENCX_REDIS_URL shares the client-side rate limit, and --rate-limit 0 turns it off: give one of them\n"
      )
      const zero = yield* Cli.run(["sessions", "stats", "--redis", redis, "--redis-fallback", "0"], env)
      expect(zero.code).toBe(2)
      expect(zero.stderr).toContain("Invalid --redis-fallback: expected an integer of at least 1, got \"0\"")
      expect(yield* requests).toHaveLength(0)
    }).pipe(onFake({ generate: { count: 3, seed: 1 } })))
})

describe("--redis: a Redis that is down", () => {
  it.live("by default: exit 1 with RateLimiterUnavailable, nothing sent, the store named without its password", () =>
    Effect.gen(function*() {
      const dead = yield* deadRedis
      const dir = tmp()
      const result = yield* Cli.run(["sessions", "export", "-o", path.join(dir, "out.ndjson"), "--redis", dead.url], yield* envOf)
      expect(result.code).toBe(1)
      const store = `redis://127.0.0.1:${dead.port}`
      expect(result.stderr).toContain(`opencx: the rate limit (100 requests a minute) is shared through ${store} (--redis)`)
      expect(result.stderr).toMatch(
        new RegExp(`\\nopencx: GET http://127\\.0\\.0\\.1:\\d+/chat/sessions was not sent: the shared rate limit's store \\(${store.replace(/\./g, "\\.")}\\) failed: not connected`)
      )
      expect(result.stderr).toContain("give --redis-fallback N (N: the processes sharing the key)")
      // the CLI's remedy, not the library's option, nor ioredis's wording
      expect(result.stderr).not.toContain("rateLimit.onStoreFailure")
      expect(result.stderr).not.toContain("enableOfflineQueue")
      expect(`${result.stdout}${result.stderr}`).not.toContain(password)
      expect(yield* requests).toHaveLength(0)
    }).pipe(onFake({ generate: { count: 60, seed: 72 } })))

  it.live("with --redis-fallback 2: a warning, then the export completes at half the limit, in this process", () =>
    Effect.gen(function*() {
      const dead = yield* deadRedis
      const dir = tmp()
      const output = path.join(dir, "out.ndjson")
      const result = yield* Cli.run(["sessions", "export", "-o", output, "--redis", dead.url, "--redis-fallback", "2"], yield* envOf)
      expect(result.code).toBe(0)
      expect(result.stderr).toContain("if Redis fails, this process goes on alone at 50 a minute")
      expect(result.stderr).toContain("falling back to a limit of this process until it answers")
      expect(result.stderr).toMatch(/\nexported to \S+: 60 sessions in 3 pages, /)
      expect(fs.readFileSync(output, "utf8").trimEnd().split("\n")).toHaveLength(60)
      expect(`${result.stdout}${result.stderr}`).not.toContain(password)
      expect((yield* requests).map((r) => r.status)).toEqual([200, 200, 200])
    }).pipe(onFake({ generate: { count: 60, seed: 73 }, pageSize: 25 })), 150_000)
})

describe("--redis: the Redis client is loaded only when asked for", () => {
  it.live("export without it does not load ioredis; sync with it does, and shares the limit", () =>
    Effect.gen(function*() {
      const redis = yield* testRedisUrl
      const env = yield* envOf
      const dir = tmp()
      const without = yield* Cli.run(["sessions", "export", "-o", path.join(dir, "out.ndjson"), "-q"], env, {
        nodeArgs: ["--import", reportIoredis]
      })
      expect(without.code).toBe(0)
      expect(without.stderr).toBe("ioredis loaded: false\n")
      const withIt = yield* Cli.run(["sessions", "sync", "--db", `sqlite:${path.join(dir, "out.db")}`, "--redis", redis], env, {
        nodeArgs: ["--import", reportIoredis]
      })
      expect(withIt.code).toBe(0)
      expect(withIt.stderr).toContain(`opencx: the rate limit (100 requests a minute) is shared through ${redis} (--redis)`)
      expect(withIt.stderr).toMatch(/\nsynced into sqlite:\S+: 30 sessions in 2 pages, /)
      expect(withIt.stderr).toMatch(/\nioredis loaded: true\n$/)
    }).pipe(onFake({ generate: { count: 30, seed: 74 }, pageSize: 25 })), 120_000)
})
