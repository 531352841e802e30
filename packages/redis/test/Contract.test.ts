/**
 * The store contract, one suite run against both stores: core's
 * `RateLimitStore.memory` (the reference) and the Redis store, on the real
 * clock (Redis keeps its own time). Every case is what memory does; Redis
 * must do the same.
 */
import { RateLimitStore } from "@opencx-effect/core"
import { RedisRateLimitStore } from "@opencx-effect/redis"
import { assert, describe, expect, it } from "@effect/vitest"
import { Clock, Effect, type Scope } from "effect"
import { testRedisUrl, uptimeAtLeast } from "./utils/redis.js"

let unique = 0
const namespace = () => `contract${Date.now().toString(36)}x${++unique}`


const stores: ReadonlyArray<readonly [string, Effect.Effect<RateLimitStore.Service, never, Scope.Scope>]> = [
  ["memory", RateLimitStore.memory],
  [
    "redis",
    Effect.zipRight(
      // the Redis has been up long enough that its fresh-start window is behind it (see Redis.test.ts)
      uptimeAtLeast(testRedisUrl(), 3),
      Effect.orDie(RedisRateLimitStore.make({ url: testRedisUrl(), prefix: `opencx:test:contract:${process.pid}` }))
    )
  ]
]

const window = 600

const admitted = (acquired: RateLimitStore.Acquired): string => {
  assert(acquired._tag === "Admitted", `expected Admitted, got ${JSON.stringify(acquired)}`)
  return acquired.lease
}
const waits = (acquired: RateLimitStore.Acquired): number => {
  assert(acquired._tag === "Wait", `expected Wait, got ${JSON.stringify(acquired)}`)
  return acquired.millis
}

describe.each(stores)("the %s store", (_, makeStore) => {
  it.scopedLive("admits up to the limit, then says to look again soon while every slot is in flight", () =>
    Effect.gen(function*() {
      const store = yield* makeStore
      const ns = namespace()
      const acquire = store.acquire({ namespace: ns, limit: 3, windowMillis: window, leaseMillis: 10_000 })
      const leases = [admitted(yield* acquire), admitted(yield* acquire), admitted(yield* acquire)]
      expect(new Set(leases).size).toBe(3)
      expect(waits(yield* acquire)).toBe(RateLimitStore.pollMillis)
    }))

  it.scopedLive("a release counts the request as ended then: its slot frees a window later", () =>
    Effect.gen(function*() {
      const store = yield* makeStore
      const ns = namespace()
      const acquire = store.acquire({ namespace: ns, limit: 2, windowMillis: window, leaseMillis: 10_000 })
      const a = admitted(yield* acquire)
      admitted(yield* acquire)
      yield* store.release({ namespace: ns, lease: a, windowMillis: window })
      const releasedAt = yield* Clock.currentTimeMillis
      const wait = waits(yield* acquire)
      expect(wait).toBeGreaterThan(window - 150)
      expect(wait).toBeLessThanOrEqual(window + 5)
      yield* Effect.sleep(releasedAt + window + 50 - (yield* Clock.currentTimeMillis))
      admitted(yield* acquire)
    }))

  it.scopedLive("the wait is until the oldest end leaves the window", () =>
    Effect.gen(function*() {
      const store = yield* makeStore
      const ns = namespace()
      const acquire = store.acquire({ namespace: ns, limit: 2, windowMillis: window, leaseMillis: 10_000 })
      const a = admitted(yield* acquire)
      const b = admitted(yield* acquire)
      yield* store.release({ namespace: ns, lease: a, windowMillis: window })
      const firstEnd = yield* Clock.currentTimeMillis
      yield* Effect.sleep(250)
      yield* store.release({ namespace: ns, lease: b, windowMillis: window })
      const wait = waits(yield* acquire)
      const expected = firstEnd + window - (yield* Clock.currentTimeMillis)
      expect(Math.abs(wait - expected)).toBeLessThan(60)
      expect(wait).toBeLessThan(window - 150)
    }))

  it.scopedLive("a release of a lease it does not hold changes nothing", () =>
    Effect.gen(function*() {
      const store = yield* makeStore
      const ns = namespace()
      const acquire = store.acquire({ namespace: ns, limit: 1, windowMillis: window, leaseMillis: 10_000 })
      yield* store.release({ namespace: ns, lease: "nobody's", windowMillis: window })
      admitted(yield* acquire)
      yield* store.release({ namespace: ns, lease: "nobody's", windowMillis: window })
      expect(waits(yield* acquire)).toBe(RateLimitStore.pollMillis)
    }))

  it.scopedLive("concurrent acquires: exactly the limit are admitted", () =>
    Effect.gen(function*() {
      const store = yield* makeStore
      const ns = namespace()
      const all = yield* Effect.all(
        Array.from({ length: 25 }, () => store.acquire({ namespace: ns, limit: 7, windowMillis: 5_000, leaseMillis: 10_000 })),
        { concurrency: "unbounded" }
      )
      expect(all.filter((a) => a._tag === "Admitted")).toHaveLength(7)
    }))

  it.scopedLive("a lease that ran out counts as ended when it ran out (its process died)", () =>
    Effect.gen(function*() {
      const store = yield* makeStore
      const ns = namespace()
      const lease = 200
      const acquire = store.acquire({ namespace: ns, limit: 1, windowMillis: window, leaseMillis: lease })
      const started = yield* Clock.currentTimeMillis
      const dead = admitted(yield* acquire)
      // in flight: look again soon
      expect(waits(yield* acquire)).toBe(RateLimitStore.pollMillis)
      yield* Effect.sleep(lease + 50)
      // ran out: ended at start + lease, so free at start + lease + window
      const wait = waits(yield* acquire)
      const expected = started + lease + window - (yield* Clock.currentTimeMillis)
      expect(Math.abs(wait - expected)).toBeLessThan(60)
      // its late release does not count it again (ended now would push its end later)
      yield* store.release({ namespace: ns, lease: dead, windowMillis: window })
      expect(Math.abs(waits(yield* acquire) - wait)).toBeLessThan(60)
      yield* Effect.sleep(started + lease + window + 50 - (yield* Clock.currentTimeMillis))
      admitted(yield* acquire)
    }))

  it.scopedLive("a pause blocks every caller of the namespace (the longest pause wins), and no other namespace", () =>
    Effect.gen(function*() {
      const store = yield* makeStore
      const ns = namespace()
      const acquire = store.acquire({ namespace: ns, limit: 10, windowMillis: window, leaseMillis: 10_000 })
      admitted(yield* acquire)
      yield* store.pause({ namespace: ns, millis: 400 })
      const pausedAt = yield* Clock.currentTimeMillis
      const wait = waits(yield* acquire)
      expect(wait).toBeGreaterThan(300)
      expect(wait).toBeLessThanOrEqual(400)
      yield* store.pause({ namespace: ns, millis: 50 })
      expect(waits(yield* acquire)).toBeGreaterThan(250)
      admitted(yield* store.acquire({ namespace: namespace(), limit: 10, windowMillis: window, leaseMillis: 10_000 }))
      yield* Effect.sleep(pausedAt + 450 - (yield* Clock.currentTimeMillis))
      admitted(yield* acquire)
    }))
})
