/**
 * Real processes sharing one key's limit through one Redis, against a fake
 * OpenCX (on a socket, in this process) with a sliding-window limit scaled
 * down to 20 requests per 2 s (10 per 3 s for the spread-then-burst case),
 * the same on the clients. Each process is `fixtures/walker.mjs` over the
 * built packages.
 */
import { FakeOpenCx } from "@opencx-effect/core"
import { NodeFakeOpenCx } from "@opencx-effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Schedule } from "effect"
import { createHash } from "node:crypto"
import { fractionOfLimit, inStep, walker, type WalkerOptions, windowCounts } from "./utils/processes.js"
import { admin, dumpAll, ownRedis, testRedisUrl, uptimeAtLeast } from "./utils/redis.js"

const apiKey = "ocx_live_DISTINCTIVE-key-7f3a9c2e-shared-by-three"
const limit = 20
const intervalMs = 2_000


/** the fake's requests, once `n` have arrived */
const requestsOnce = (n: number) =>
  Effect.flatMap(FakeOpenCx.FakeOpenCx, (fake) => fake.requests).pipe(
    Effect.filterOrFail((log) => log.length >= n),
    Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.upTo("30 seconds"))),
    Effect.orDie
  )

const fakeWithLimit = (options: FakeOpenCx.Options = {}) =>
  NodeFakeOpenCx.layer({
    apiKey,
    generate: { count: 3_000, seed: 11 },
    pageSize: 5,
    rateLimit: { limit, window: `${intervalMs} millis` },
    ...options
  })

const base = (url: string, redisUrl: string, prefix: string): Omit<WalkerOptions, "mode"> => ({
  baseUrl: url,
  apiKey,
  redisUrl,
  prefix,
  limit,
  intervalMs
})

describe("three processes, one key, one Redis", () => {
  it.scopedLive("walking concurrently (2 walks each): no 429, no window over the limit, ≥ 90% of the limit; the key is nowhere in Redis", () =>
    Effect.gen(function*() {
      const { url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      const fake = yield* FakeOpenCx.FakeOpenCx
      const redisUrl = testRedisUrl()
      yield* uptimeAtLeast(redisUrl, 3)
      const prefix = `opencx:test:shared:${process.pid}`
      const options: WalkerOptions = { ...base(url, redisUrl, prefix), mode: "walk", walks: 2, maxPages: 20 }
      const results = yield* Effect.all([walker(options), walker(options), walker(options)], { concurrency: "unbounded" })
      for (const result of results) {
        expect(result.errors).toEqual([])
        expect(result.pages).toBe(40)
      }
      const log = yield* fake.requests
      expect(log).toHaveLength(120)
      expect(log.filter((r) => r.status === 429)).toHaveLength(0)
      const times = log.map((r) => r.arrivedAt)
      expect(Math.max(...windowCounts(times, intervalMs))).toBeLessThanOrEqual(limit)
      expect(fractionOfLimit(times, limit, intervalMs)).toBeGreaterThanOrEqual(0.9)

      // the API key is in no key and no value of the whole Redis; its hash names the namespace
      const redis = yield* admin(redisUrl)
      const everything = yield* dumpAll(redis)
      const namespace = createHash("sha256").update(apiKey).digest("hex").slice(0, 32)
      expect(everything.filter((e) => e.key.startsWith(`${prefix}:{${namespace}}:`)).length).toBeGreaterThan(0)
      for (const { key, text } of everything) {
        for (const secret of [apiKey, "DISTINCTIVE", "7f3a9c2e"]) {
          expect(key).not.toContain(secret)
          expect(text).not.toContain(secret)
        }
      }
    }).pipe(Effect.provide(fakeWithLimit())), 90_000)

  it.scopedLive("spread, then burst: one process spreads the limit over a window, three burst at its edge; no window over the limit", () =>
    Effect.gen(function*() {
      const { url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      const fake = yield* FakeOpenCx.FakeOpenCx
      const redisUrl = testRedisUrl()
      yield* uptimeAtLeast(redisUrl, 4)
      const common = { ...base(url, redisUrl, `opencx:test:burst:${process.pid}`), limit: 10, intervalMs: 3_000 }
      // every process up first; then the spread starts, and the bursts go where a fixed window opened with it would reset
      const { results, startAt } = yield* inStep([
        { ...common, mode: "spread", count: 10, spacingMs: 290 },
        { ...common, mode: "burst", count: 4, startOffset: 3_050 },
        { ...common, mode: "burst", count: 4, startOffset: 3_050 },
        { ...common, mode: "burst", count: 4, startOffset: 3_050 }
      ])
      const edge = startAt + 3_050
      for (const result of results) expect(result.errors).toEqual([])
      const log = yield* fake.requests
      expect(log).toHaveLength(22)
      expect(log.filter((r) => r.status === 429)).toHaveLength(0)
      const times = log.map((r) => r.arrivedAt)
      expect(Math.max(...windowCounts(times, 3_000))).toBeLessThanOrEqual(10)
      // the burst went out as the spread requests left the window, not at once
      const burst = times.filter((t) => t >= edge).sort((a, b) => a - b)
      expect(burst).toHaveLength(12)
      expect(burst[9]! - burst[0]!).toBeGreaterThan(2_000)
    }).pipe(Effect.provide(fakeWithLimit({ rateLimit: { limit: 10, window: "3 seconds" } }))), 60_000)

  it.scopedLive("a 429 with a hint received by one process pauses the others", () =>
    Effect.gen(function*() {
      const { url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      const fake = yield* FakeOpenCx.FakeOpenCx
      const redisUrl = testRedisUrl()
      yield* uptimeAtLeast(redisUrl, 3)
      const common = { ...base(url, redisUrl, `opencx:test:pause:${process.pid}`), limit: 1_000, intervalMs: 10_000 }
      const statuses = ["open", "closed_resolved", "closed_unresolved"]
      const results = yield* Effect.all(
        statuses.map((status) => walker({ ...common, mode: "walk", walks: 2, maxPages: 15, params: [{ status }, { status }] })),
        { concurrency: "unbounded" }
      )
      for (const result of results) expect(result.errors).toEqual([])
      const log = yield* fake.requests
      const limited = log.filter((r) => r.status === 429)
      expect(limited).toHaveLength(1)
      const hint = limited[0]!
      // the pause reaches Redis when its process has read the 429: requests admitted before may still arrive
      // just after (on this 2-CPU machine, with four busy processes, up to a few hundred milliseconds)
      const during = log.filter((r) => r.arrivedAt > hint.endedAt + 500 && r.arrivedAt < hint.endedAt + 3_000)
      expect(during).toEqual([])
      const after = log.filter((r) => r.arrivedAt >= hint.endedAt + 3_000)
      expect(new Set(after.map((r) => r.query.status))).toEqual(new Set(statuses))
    }).pipe(Effect.provide(NodeFakeOpenCx.layer({
      apiKey,
      generate: { count: 3_000, seed: 12 },
      pageSize: 5,
      latency: "50 millis",
      faults: [FakeOpenCx.onRequest(20, FakeOpenCx.Fault.status(429, { retryAfter: FakeOpenCx.RetryAfter.seconds(3) }))]
    }))), 60_000)
})

describe("Redis killed mid-walk, and restarted (persistence off)", () => {
  /** three walkers on a Redis of the test's own, which dies after `killAfter` requests and comes back `outage` later */
  const killAndRestart = (
    outage: number,
    options: Partial<WalkerOptions>,
    each: ReadonlyArray<Partial<WalkerOptions>> = [{}, {}, {}]
  ) =>
    Effect.gen(function*() {
      const { url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      const fake = yield* FakeOpenCx.FakeOpenCx
      const server = yield* ownRedis()
      yield* uptimeAtLeast(server.url, 3)
      const walkerOptions: WalkerOptions = {
        ...base(url, server.url, "opencx:test:restart"),
        mode: "walk",
        walks: 2,
        maxPages: 15,
        ...options
      }
      const walkers = yield* Effect.fork(
        Effect.all(each.map((own) => walker({ ...walkerOptions, ...own })), { concurrency: "unbounded" })
      )
      yield* requestsOnce(30)
      yield* server.kill
      const killedAt = yield* Clock.currentTimeMillis
      yield* Effect.sleep(outage)
      yield* server.start
      const restartedAt = yield* Clock.currentTimeMillis
      const results = yield* walkers
      const log = yield* fake.requests
      return { results, log, killedAt, restartedAt }
    })

  it.scopedLive("onStoreFailure \"fail\": RateLimiterUnavailable at once while Redis is down (nothing sent), nothing before the new Redis has seen a window, then the walks go on", () =>
    Effect.gen(function*() {
      const { killedAt, log, restartedAt, results } = yield* killAndRestart(1_500, { retryUnavailable: true, retryMillis: 100 })
      for (const result of results) {
        expect(result.errors).toEqual([])
        expect(result.pages).toBe(30)
        // refused at once, again and again, while Redis was down: never a hang
        expect(result.unavailable).toBeGreaterThanOrEqual(5)
        expect(result.stderr).toContain("requests fail until it answers")
        expect(result.stderr).toContain("answers again")
      }
      expect(log).toHaveLength(90)
      expect(log.filter((r) => r.status === 429)).toHaveLength(0)
      const times = log.map((r) => r.arrivedAt)
      expect(Math.max(...windowCounts(times, intervalMs))).toBeLessThanOrEqual(limit)
      // nothing while Redis was down, nor before it had been up for a window
      expect(times.filter((t) => t > killedAt + 50 && t < restartedAt + intervalMs - 100)).toEqual([])
      expect(times.filter((t) => t >= restartedAt).length).toBeGreaterThan(0)
    }).pipe(Effect.provide(fakeWithLimit())), 90_000)

  it.scopedLive("a fallback to limit / 3: the walks go on through the outage at a third of the limit each, no RateLimiterUnavailable, and recover", () =>
    Effect.gen(function*() {
      const statuses = ["open", "closed_resolved", "closed_unresolved"]
      const { killedAt, log, restartedAt, results } = yield* killAndRestart(4_000, {
        onStoreFailure: { fallback: "local", processes: 3 }
      }, statuses.map((status) => ({ params: [{ status }, { status }] })))
      for (const result of results) {
        expect(result.errors).toEqual([])
        expect(result.pages).toBe(30)
        expect(result.unavailable).toBe(0)
        expect(result.stderr).toContain("falling back to a limit of this process")
      }
      const times = log.map((r) => r.arrivedAt)
      const outage = log.filter((r) => r.arrivedAt > killedAt + 50 && r.arrivedAt < restartedAt)
      // the walks went on while Redis was down, each process at most a third of the limit
      expect(outage.length).toBeGreaterThan(0)
      for (const status of statuses) {
        const mine = outage.filter((r) => r.query.status === status).map((r) => r.arrivedAt)
        expect(Math.max(0, ...windowCounts(mine, intervalMs))).toBeLessThanOrEqual(Math.floor(limit / 3))
      }
      // the hand-overs keep the limit: the fallback starts a window after the store last answered, and
      // back on the store, every process waits until the fallback's requests have left the window
      const worst = Math.max(...windowCounts(times, intervalMs))
      expect(worst).toBeLessThanOrEqual(limit)
      expect(log.filter((r) => r.status === 429)).toHaveLength(0)
    }).pipe(Effect.provide(fakeWithLimit())), 90_000)
})

