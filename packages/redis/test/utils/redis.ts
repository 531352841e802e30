/**
 * The Redis the tests run against: `OPENCX_TEST_REDIS_URL`, set by
 * `scripts/with-redis.sh`. Without it the tests FAIL (in CI and outside):
 * they are always run through the script, never skipped.
 *
 * Tests that kill and restart a Redis start their own, with the
 * `redis-server` the script found (`OPENCX_TEST_REDIS_SERVER`).
 */
import { Data, Effect, Schedule, type Scope } from "effect"
import { Redis } from "ioredis"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { freePort } from "../../../../test-utils/net.js"

const howToRun = "run the tests through scripts/with-redis.sh (e.g. `scripts/with-redis.sh npx vitest run --project redis`)"

/** the URL of the shared test Redis; throws (the test fails) when there is none */
export const testRedisUrl = (): string => {
  const url = process.env.OPENCX_TEST_REDIS_URL
  if (url === undefined || url === "") throw new Error(`OPENCX_TEST_REDIS_URL is not set: ${howToRun}`)
  return url
}

/** the redis-server binary, to start Redis servers of a test's own */
export const redisServerBinary = (): string => {
  const binary = process.env.OPENCX_TEST_REDIS_SERVER
  if (binary === undefined || binary === "") throw new Error(`OPENCX_TEST_REDIS_SERVER is not set: ${howToRun}`)
  return binary
}

/** a client for looking into Redis (normal options: it waits for its connection) */
export const admin = (url: string): Effect.Effect<Redis, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => new Redis(url, { maxRetriesPerRequest: 1 })),
    (redis) => Effect.sync(() => redis.disconnect())
  )

/** waits until the Redis has been up for `seconds` (its fresh-start window behind it) */
export const uptimeAtLeast = (url: string, seconds: number): Effect.Effect<void> =>
  Effect.scoped(Effect.gen(function*() {
    const redis = yield* admin(url)
    yield* Effect.promise(() => redis.info("server")).pipe(
      Effect.map((info) => Number(/uptime_in_seconds:(\d+)/.exec(info)?.[1] ?? 0)),
      Effect.filterOrFail((uptime) => uptime >= seconds),
      Effect.retry(Schedule.spaced("200 millis").pipe(Schedule.upTo(`${seconds + 10} seconds`))),
      Effect.orDie
    )
  }))

/** a port nobody listens on */
export { freePort }

class ServerFailed extends Data.TaggedError("ServerFailed")<{ readonly message: string }> {}

const ping = (port: number): Effect.Effect<void, ServerFailed> =>
  Effect.async<void, ServerFailed>((resume) => {
    const socket = net.connect(port, "127.0.0.1")
    socket.on("connect", () => socket.write("PING\r\n"))
    socket.on("data", (data) => {
      socket.destroy()
      // up: it answers (NOAUTH too, when it wants a password)
      const text = String(data)
      resume(text.startsWith("+PONG") || text.startsWith("-NOAUTH") ? Effect.void : Effect.fail(new ServerFailed({ message: text })))
    })
    socket.on("error", (error) => resume(Effect.fail(new ServerFailed({ message: error.message }))))
    return Effect.sync(() => socket.destroy())
  })

/** a Redis of the test's own, which it may kill and start again (on the same port, empty) */
export interface OwnRedis {
  readonly url: string
  readonly port: number
  /** SIGKILL: no goodbye to the clients, nothing saved */
  readonly kill: Effect.Effect<void>
  /** starts it again, on the same port, with nothing in it */
  readonly start: Effect.Effect<void>
}

/** starts a redis-server on a free port (persistence off), killed when the scope closes */
export const ownRedis = (args: ReadonlyArray<string> = []): Effect.Effect<OwnRedis, never, Scope.Scope> =>
  Effect.gen(function*() {
    const port = yield* freePort
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opencx-redis-test-"))
    let child: ChildProcess | undefined
    const kill = Effect.async<void>((resume) => {
      const running = child
      child = undefined
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) return resume(Effect.void)
      running.once("exit", () => resume(Effect.void))
      running.kill("SIGKILL")
    })
    const start = Effect.gen(function*() {
      child = spawn(redisServerBinary(), [
        "--bind",
        "127.0.0.1",
        "--port",
        String(port),
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
        ...args
      ], { stdio: "ignore" })
      yield* ping(port).pipe(Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.upTo("5 seconds"))), Effect.orDie)
    })
    yield* Effect.addFinalizer(() => Effect.zipRight(kill, Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))))
    yield* start
    return { url: `redis://127.0.0.1:${port}`, port, kill, start }
  })

/** every key of a Redis and everything in it, as text (to look for what must not be there) */
export const dumpAll = (redis: Redis): Effect.Effect<ReadonlyArray<{ readonly key: string; readonly text: string }>> =>
  Effect.promise(async () => {
    const out: Array<{ key: string; text: string }> = []
    let cursor = "0"
    do {
      const [next, keys] = await redis.scan(cursor, "COUNT", "1000")
      cursor = next
      for (const key of keys) {
        const type = await redis.type(key)
        const value = type === "string"
          ? await redis.get(key)
          : type === "hash"
          ? await redis.hgetall(key)
          : type === "zset"
          ? await redis.zrange(key, "0", "-1", "WITHSCORES")
          : type === "set"
          ? await redis.smembers(key)
          : type === "list"
          ? await redis.lrange(key, 0, -1)
          : `<${type}>`
        // and the serialised value, whatever its type
        const dumped = await redis.dumpBuffer(key)
        out.push({ key, text: `${JSON.stringify(value)} ${dumped?.toString("latin1") ?? ""}` })
      }
    } while (cursor !== "0")
    return out
  })
