/**
 * What only the Redis store has: its keys and their expiry, Redis's clock,
 * the fresh start after a restart, a dead or silent Redis (fast failures,
 * never a hang, reconnection), passwords kept out of messages, scripts sent
 * again after a flush, a client of yours, the layer from `Config`.
 */
import { RateLimitStore } from "@opencx-effect/core"
import { RedisRateLimitStore } from "@opencx-effect/redis"
import { assert, describe, expect, it } from "@effect/vitest"
import { Cause, Clock, ConfigProvider, Effect, Exit, Layer, Logger, Redacted, Schedule } from "effect"
import { Cluster, Redis } from "ioredis"
import { admin, ownRedis, testRedisUrl, uptimeAtLeast } from "./utils/redis.js"

let unique = 0
const namespace = () => `redis${Date.now().toString(36)}x${++unique}`
const prefix = (test: string) => `opencx:test:${test}:${process.pid}`

const admitted = (acquired: RateLimitStore.Acquired): string => {
  assert(acquired._tag === "Admitted", `expected Admitted, got ${JSON.stringify(acquired)}`)
  return acquired.lease
}
const waits = (acquired: RateLimitStore.Acquired): number => {
  assert(acquired._tag === "Wait", `expected Wait, got ${JSON.stringify(acquired)}`)
  return acquired.millis
}

/** asks until the store answers (it may be reconnecting), and how long that took */
const untilAnswered = <A>(operation: Effect.Effect<A, RateLimitStore.RateLimitStoreError>) =>
  operation.pipe(Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.upTo("10 seconds"))))


describe("keys", () => {
  it.scopedLive("three keys per namespace, under the prefix, hash-tagged by the namespace, all expiring; gone when idle", () =>
    Effect.gen(function*() {
      const url = testRedisUrl()
      yield* uptimeAtLeast(url, 2)
      const redis = yield* admin(url)
      const store = yield* RedisRateLimitStore.make({ url, prefix: prefix("keys") })
      const ns = namespace()
      const windowMillis = 300
      const leaseMillis = 200
      const lease = admitted(yield* store.acquire({ namespace: ns, limit: 5, windowMillis, leaseMillis }))
      admitted(yield* store.acquire({ namespace: ns, limit: 5, windowMillis, leaseMillis }))
      yield* store.release({ namespace: ns, lease, windowMillis })
      yield* store.pause({ namespace: ns, millis: 100 })
      const keys = (yield* Effect.promise(() => redis.keys(`${prefix("keys")}:*`))).sort()
      expect(keys).toEqual(["ended", "inflight", "meta"].map((k) => `${prefix("keys")}:{${ns}}:${k}`))
      for (const key of keys) {
        const ttl = yield* Effect.promise(() => redis.pttl(key))
        expect(ttl, key).toBeGreaterThan(0)
        expect(ttl, key).toBeLessThanOrEqual(windowMillis + leaseMillis + 1_000)
      }
      // an idle namespace disappears: a lease and a window (and the margin) after its last write
      yield* Effect.sleep(windowMillis + leaseMillis + 1_100)
      expect(yield* Effect.promise(() => redis.keys(`${prefix("keys")}:*`))).toEqual([])
    }))

  it.scopedLive("a pause longer than a window and a lease keeps its key as long", () =>
    Effect.gen(function*() {
      const url = testRedisUrl()
      const redis = yield* admin(url)
      const store = yield* RedisRateLimitStore.make({ url, prefix: prefix("pause-ttl") })
      const ns = namespace()
      yield* store.pause({ namespace: ns, millis: 30_000 })
      yield* store.acquire({ namespace: ns, limit: 5, windowMillis: 300, leaseMillis: 200 })
      expect(yield* Effect.promise(() => redis.pttl(`${prefix("pause-ttl")}:{${ns}}:meta`))).toBeGreaterThan(29_000)
    }))

  it.scopedLive("a namespace that would break the hash tag is refused", () =>
    Effect.gen(function*() {
      const store = yield* RedisRateLimitStore.make({ url: testRedisUrl(), prefix: prefix("ns") })
      for (const bad of ["", "a}b", "{x}", "a b"]) {
        const error = yield* Effect.flip(store.acquire({ namespace: bad, limit: 1, windowMillis: 100, leaseMillis: 100 }))
        expect(error._tag).toBe("RateLimitStoreError")
      }
    }))
})

describe("Redis's clock, and a fresh start", () => {
  it.scopedLive("a Redis that just started admits nothing until it has been up for a window", () =>
    Effect.gen(function*() {
      const server = yield* ownRedis()
      const startedAt = yield* Clock.currentTimeMillis
      const store = yield* RedisRateLimitStore.make({ url: server.url })
      const ns = namespace()
      // a window long enough that a slow start of this busy machine cannot use it up before the first acquire
      const acquire = store.acquire({ namespace: ns, limit: 5, windowMillis: 5_000, leaseMillis: 10_000 })
      const wait = waits(yield* acquire)
      expect(wait).toBeGreaterThan(0)
      expect(wait).toBeLessThanOrEqual(5_000)
      yield* Effect.sleep(wait + 20)
      admitted(yield* acquire)
      expect((yield* Clock.currentTimeMillis) - startedAt).toBeGreaterThanOrEqual(4_000)
    }))

  it.scopedLive("a restart with persistence off forgets the counts: the store waits a window from the restart, fails fast meanwhile, and reconnects", () =>
    Effect.gen(function*() {
      const server = yield* ownRedis()
      yield* uptimeAtLeast(server.url, 2)
      const store = yield* RedisRateLimitStore.make({ url: server.url })
      const ns = namespace()
      const windowMillis = 1_500
      const acquire = store.acquire({ namespace: ns, limit: 3, windowMillis, leaseMillis: 10_000 })
      for (let i = 0; i < 3; i++) {
        yield* store.release({ namespace: ns, lease: admitted(yield* acquire), windowMillis })
      }
      waits(yield* acquire)

      yield* server.kill
      // down: an error at once, never a hang
      const before = yield* Clock.currentTimeMillis
      const error = yield* Effect.flip(acquire)
      expect(error._tag).toBe("RateLimitStoreError")
      expect((yield* Clock.currentTimeMillis) - before).toBeLessThan(500)
      expect(error.store).toBe(server.url)

      yield* server.start
      const restartedAt = yield* Clock.currentTimeMillis
      // the counts are gone, and so is what they said of the last window: nothing before a window has passed
      const first = yield* untilAnswered(acquire)
      expect(first._tag).toBe("Wait")
      const admittedAt = yield* untilAnswered(acquire).pipe(
        Effect.filterOrFail((a) => a._tag === "Admitted"),
        Effect.retry(Schedule.spaced("25 millis").pipe(Schedule.upTo("5 seconds"))),
        Effect.zipRight(Clock.currentTimeMillis)
      )
      expect(admittedAt - restartedAt).toBeGreaterThanOrEqual(windowMillis - 100)
    }))

  it.scopedLive("a restart that reloads a snapshot (RDB) brings back stale counts: the store waits a window from the restart all the same", () =>
    Effect.gen(function*() {
      const server = yield* ownRedis()
      yield* uptimeAtLeast(server.url, 2)
      const root = yield* admin(server.url)
      const store = yield* RedisRateLimitStore.make({ url: server.url, prefix: prefix("rdb") })
      const ns = namespace()
      const windowMillis = 1_500
      const acquire = store.acquire({ namespace: ns, limit: 3, windowMillis, leaseMillis: 10_000 })
      yield* store.release({ namespace: ns, lease: admitted(yield* acquire), windowMillis })
      // the snapshot holds one request; the two after it are lost with the kill
      yield* Effect.promise(() => root.save())
      admitted(yield* acquire)
      admitted(yield* acquire)
      yield* server.kill
      yield* server.start
      const restartedAt = yield* Clock.currentTimeMillis
      const check = yield* admin(server.url)
      expect(yield* Effect.promise(() => check.zcard(`${prefix("rdb")}:{${ns}}:ended`))).toBe(1)
      const first = yield* untilAnswered(acquire)
      expect(first._tag).toBe("Wait")
      const admittedAt = yield* untilAnswered(acquire).pipe(
        Effect.filterOrFail((a) => a._tag === "Admitted"),
        Effect.retry(Schedule.spaced("25 millis").pipe(Schedule.upTo("5 seconds"))),
        Effect.zipRight(Clock.currentTimeMillis)
      )
      expect(admittedAt - restartedAt).toBeGreaterThanOrEqual(windowMillis - 100)
    }))

  it.scopedLive("a user whose ACL refuses INFO: a namespace first seen waits one window (the conservative fresh start)", () =>
    Effect.gen(function*() {
      const server = yield* ownRedis()
      const root = yield* admin(server.url)
      yield* Effect.promise(() => root.call("ACL", "SETUSER", "limited", "on", ">limited-pass-77", "~*", "+@all", "-info"))
      yield* uptimeAtLeast(server.url, 2)
      const store = yield* RedisRateLimitStore.make({ url: `redis://limited:limited-pass-77@127.0.0.1:${server.port}` })
      expect(store.name).toBe(`redis://limited@127.0.0.1:${server.port}`)
      const ns = namespace()
      const acquire = store.acquire({ namespace: ns, limit: 5, windowMillis: 800, leaseMillis: 10_000 })
      const wait = waits(yield* acquire)
      expect(wait).toBeGreaterThan(700)
      yield* Effect.sleep(wait + 20)
      admitted(yield* acquire)
      // the server has been up for seconds: the default user (INFO allowed) waits for nothing
      const full = yield* RedisRateLimitStore.make({ url: server.url })
      admitted(yield* full.acquire({ namespace: namespace(), limit: 5, windowMillis: 800, leaseMillis: 10_000 }))
    }))
})

describe("a Redis that is down, or silent", () => {
  it.scopedLive("down when the store is made: a warning, operations fail fast, and it works once Redis is up", () =>
    Effect.gen(function*() {
      const server = yield* ownRedis()
      yield* server.kill
      const warnings: Array<string> = []
      const logger = Logger.make(({ logLevel, message }) => {
        if (logLevel._tag === "Warning") warnings.push(String(message))
      })
      const store = yield* RedisRateLimitStore.make({ url: server.url, connectTimeout: "500 millis" }).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      expect(warnings.join("\n")).toContain(`${server.url} is not reachable yet`)
      const ns = namespace()
      const acquire = store.acquire({ namespace: ns, limit: 5, windowMillis: 300, leaseMillis: 10_000 })
      const before = yield* Clock.currentTimeMillis
      const error = yield* Effect.flip(acquire)
      expect((yield* Clock.currentTimeMillis) - before).toBeLessThan(300)
      expect(error.reason).toContain("ECONNREFUSED")
      yield* server.start
      yield* untilAnswered(acquire)
    }))

  it.scopedLive("a Redis that does not answer: the operation fails within the command timeout", () =>
    Effect.gen(function*() {
      const server = yield* ownRedis()
      const root = yield* admin(server.url)
      const store = yield* RedisRateLimitStore.make({ url: server.url, commandTimeout: "300 millis" })
      yield* Effect.promise(() => root.call("CLIENT", "PAUSE", "2000", "ALL"))
      const before = yield* Clock.currentTimeMillis
      const exit = yield* Effect.exit(store.acquire({ namespace: namespace(), limit: 5, windowMillis: 300, leaseMillis: 1_000 }))
      const elapsed = (yield* Clock.currentTimeMillis) - before
      assert(Exit.isFailure(exit))
      const error = Cause.failureOption(exit.cause)
      assert(error._tag === "Some")
      expect(error.value._tag).toBe("RateLimitStoreError")
      expect(elapsed).toBeGreaterThanOrEqual(250)
      expect(elapsed).toBeLessThan(1_000)
    }))

  it.scopedLive("a wrong password: the errors name the store, never the password", () =>
    Effect.gen(function*() {
      const server = yield* ownRedis(["--requirepass", "the-right-one"])
      const secret = "WRONG-pass-4242"
      const store = yield* RedisRateLimitStore.make({
        url: Redacted.make(`redis://default:${secret}@127.0.0.1:${server.port}/0`),
        connectTimeout: "500 millis"
      })
      expect(store.name).toBe(`redis://default@127.0.0.1:${server.port}/0`)
      const error = yield* Effect.flip(store.acquire({ namespace: namespace(), limit: 5, windowMillis: 300, leaseMillis: 1_000 }))
      expect(error.message).toContain(`redis://default@127.0.0.1:${server.port}/0`)
      expect(JSON.stringify(error)).not.toContain(secret)
      expect(error.message).not.toContain(secret)
    }))
})

describe("the scripts", () => {
  it.scopedLive("after SCRIPT FLUSH (as after a restart), the scripts are sent whole again", () =>
    Effect.gen(function*() {
      const url = testRedisUrl()
      yield* uptimeAtLeast(url, 2)
      const root = yield* admin(url)
      const store = yield* RedisRateLimitStore.make({ url, prefix: prefix("flush") })
      const ns = namespace()
      const lease = admitted(yield* store.acquire({ namespace: ns, limit: 5, windowMillis: 300, leaseMillis: 1_000 }))
      yield* Effect.promise(() => root.script("FLUSH"))
      yield* store.release({ namespace: ns, lease, windowMillis: 300 })
      yield* Effect.promise(() => root.script("FLUSH"))
      yield* store.pause({ namespace: ns, millis: 10 })
      yield* Effect.promise(() => root.script("FLUSH"))
      admitted(yield* Effect.delay(store.acquire({ namespace: ns, limit: 5, windowMillis: 300, leaseMillis: 1_000 }), "20 millis"))
    }))
})

describe("options", () => {
  it("the name of a URL drops the password and the query", () => {
    expect(RedisRateLimitStore.nameOf("redis://:p4ss@host:6379/2?password=x")).toBe("redis://host:6379/2")
    expect(RedisRateLimitStore.nameOf("rediss://user:p4ss@host")).toBe("rediss://user@host")
    expect(RedisRateLimitStore.nameOf("not a url")).toBeUndefined()
  })

  it.scopedLive("a URL that is not Redis's fails make, without the password", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(RedisRateLimitStore.make({ url: "http://u:secret-999@host" }))
      expect(error.store).toBe("http://u@host")
      expect(JSON.stringify(error)).not.toContain("secret-999")
      expect((yield* Effect.flip(RedisRateLimitStore.make({ url: "::" }))).reason).toContain("does not parse")
      // a password that does not percent-decode (ioredis refuses it): an error, not a defect, and still kept out
      const odd = yield* Effect.flip(RedisRateLimitStore.make({ url: "redis://u:%zz-secret@127.0.0.1:6379" }))
      expect(odd.store).toBe("redis://u@127.0.0.1:6379")
      expect(odd.reason).toContain("refused")
      expect(JSON.stringify(odd)).not.toContain("secret")
    }))

  it.scopedLive("a client of yours: used, and neither opened nor closed by the store", () =>
    Effect.gen(function*() {
      const url = testRedisUrl()
      yield* uptimeAtLeast(url, 2)
      const client = new Redis(url, { enableOfflineQueue: false, lazyConnect: true })
      yield* Effect.addFinalizer(() => Effect.sync(() => client.disconnect()))
      yield* Effect.promise(() => client.connect())
      yield* Effect.scoped(Effect.gen(function*() {
        const store = yield* RedisRateLimitStore.make({ client, name: "redis (mine)", prefix: prefix("client") })
        expect(store.name).toBe("redis (mine)")
        admitted(yield* store.acquire({ namespace: namespace(), limit: 5, windowMillis: 300, leaseMillis: 1_000 }))
      }))
      expect(client.status).toBe("ready")
      // an ioredis Cluster is a client too (type-checked only: no cluster here)
      const asClient = (c: Cluster): RedisRateLimitStore.Client => c
      void asClient
    }))

  it.scopedLive("layerConfig reads OPENCX_REDIS_URL (as Redacted); without it, a ConfigError", () =>
    Effect.gen(function*() {
      const url = testRedisUrl()
      const store = yield* Effect.provide(
        RateLimitStore.RateLimitStore,
        Layer.provide(RedisRateLimitStore.layerConfig(), Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["OPENCX_REDIS_URL", url]]))))
      )
      expect(store.name).toBe(url)
      const missing = yield* Effect.exit(Effect.provide(
        RateLimitStore.RateLimitStore,
        Layer.provide(RedisRateLimitStore.layerConfig(), Layer.setConfigProvider(ConfigProvider.fromMap(new Map())))
      ))
      assert(Exit.isFailure(missing))
      expect(Cause.pretty(missing.cause)).toContain("OPENCX_REDIS_URL")
    }))
})
