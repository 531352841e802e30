/**
 * The rate limit over a shared store: several clients (as several processes
 * would) on one key share one limit. Here with the in-memory store and
 * TestClock; `@opencx-effect/redis` runs the same contract against a real
 * Redis and real processes.
 */
import { FakeOpenCx, OpenCxClient, RateLimitStore, SessionsService } from "@opencx-effect/core"
import { HttpClient } from "@effect/platform"
import { assert, describe, expect, it } from "@effect/vitest"
import { Effect, Logger, Ref, Stream, TestClock } from "effect"
import { drive } from "./utils/drive.js"
import { windowCounts } from "../../../test-utils/windows.js"

const key = "ocx_live_SHARED-key-0042"

/** a sessions service on a client of its own (a "process"), over the fake, with the store given */
const processOn = (
  fake: FakeOpenCx.Service,
  store: RateLimitStore.Service,
  rateLimit: Partial<OpenCxClient.RateLimitOptions> = {}
) =>
  SessionsService.make.pipe(
    Effect.provide(OpenCxClient.layer({
      apiKey: fake.apiKey,
      rateLimit: { limit: 20, interval: "2 seconds", store, ...rateLimit }
    })),
    Effect.provideService(HttpClient.HttpClient, FakeOpenCx.httpClient(fake))
  )

describe("a rate limit shared through a store", () => {
  it.effect("three clients walking concurrently never exceed the limit in any sliding window, and reach ≥ 90% of it; no 429", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.make({
        apiKey: key,
        generate: { count: 300, seed: 3 },
        pageSize: 2,
        rateLimit: { limit: 20, window: "2 seconds" }
      })
      const store = yield* RateLimitStore.memory
      const processes = yield* Effect.all([processOn(fake, store), processOn(fake, store), processOn(fake, store)])
      const walks = processes.flatMap((s) => [
        Stream.runDrain(s.stream({ status: "open" })),
        Stream.runDrain(s.stream({ status: "closed_resolved" }))
      ])
      yield* drive(Effect.all(walks, { concurrency: "unbounded" }))
      const log = yield* fake.requests
      expect(log.filter((r) => r.status === 429)).toHaveLength(0)
      const times = log.map((r) => r.arrivedAt)
      expect(times.length).toBeGreaterThan(100)
      expect(Math.max(...windowCounts(times, 2_000))).toBeLessThanOrEqual(20)
      const sorted = [...times].sort((a, b) => a - b)
      const rate = (100 / (sorted[100]! - sorted[0]!)) * 2_000
      expect(rate).toBeGreaterThanOrEqual(18)
    }))

  it.effect("spread, then burst: the slots a client spread over a window are not given again at its edge", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.make({ apiKey: key, generate: { count: 100, seed: 4 }, pageSize: 1 })
      const store = yield* RateLimitStore.memory
      const [a, b] = yield* Effect.all([processOn(fake, store, { limit: 10, interval: "10 seconds" }), processOn(fake, store, { limit: 10, interval: "10 seconds" })])
      // a spreads 10 requests over 9 s; then both burst just after a fixed window would have reset
      yield* drive(Effect.forEach(Array.from({ length: 10 }, (_, i) => i), (i) =>
        Effect.zipRight(Effect.sleep(i === 0 ? 0 : 1_000), a!.list({ status: "open" }))))
      yield* TestClock.adjust(1_500)
      yield* drive(Effect.all([
        Effect.replicateEffect(a!.list(), 5),
        Effect.replicateEffect(b!.list(), 5)
      ], { concurrency: "unbounded" }))
      const times = (yield* fake.requests).map((r) => r.arrivedAt)
      expect(times).toHaveLength(20)
      expect(Math.max(...windowCounts(times, 10_000))).toBeLessThanOrEqual(10)
    }))

  it.effect("a 429 with a hint received by one client pauses the others", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.make({
        apiKey: key,
        generate: { count: 60, seed: 5 },
        pageSize: 2,
        latency: "50 millis",
        faults: [FakeOpenCx.onRequest(3, FakeOpenCx.Fault.status(429, { retryAfter: FakeOpenCx.RetryAfter.seconds(10) }))]
      })
      const store = yield* RateLimitStore.memory
      const [a, b] = yield* Effect.all([processOn(fake, store, { limit: 100 }), processOn(fake, store, { limit: 100 })])
      yield* drive(Effect.all([Stream.runDrain(a!.stream({ status: "open" })), Stream.runDrain(b!.stream())], { concurrency: "unbounded" }))
      const log = yield* fake.requests
      const limited = log.find((r) => r.status === 429)!
      const after = log.filter((r) => r.number !== limited.number && r.arrivedAt > limited.endedAt)
      expect(after.length).toBeGreaterThan(5)
      expect(Math.min(...after.map((r) => r.arrivedAt)) - limited.endedAt).toBeGreaterThanOrEqual(10_000)
      expect(new Set(after.map((r) => r.query.status ?? "all"))).toEqual(new Set(["open", "all"]))
    }))

  it.effect("the store sees a hash of the key, never the key", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.make({ apiKey: key, generate: { count: 10, seed: 1 } })
      const inner = yield* RateLimitStore.memory
      const seen = yield* Ref.make<ReadonlyArray<string>>([])
      const spy: RateLimitStore.Service = {
        ...inner,
        acquire: (request) => Effect.zipRight(Ref.update(seen, (all) => [...all, JSON.stringify(request)]), inner.acquire(request)),
        release: (request) => Effect.zipRight(Ref.update(seen, (all) => [...all, JSON.stringify(request)]), inner.release(request))
      }
      const s = yield* processOn(fake, spy)
      yield* drive(Stream.runDrain(s.stream()))
      const calls = yield* Ref.get(seen)
      expect(calls.length).toBeGreaterThan(0)
      for (const call of calls) {
        expect(call).not.toContain(key)
        expect(JSON.parse(call).namespace).toMatch(/^[0-9a-f]{32}$/)
      }
    }))

  const failing: RateLimitStore.Service = {
    name: "redis://127.0.0.1:1",
    acquire: () => Effect.fail(new RateLimitStore.RateLimitStoreError({ store: "redis://127.0.0.1:1", reason: "connect ECONNREFUSED" })),
    release: () => Effect.void,
    pause: () => Effect.void
  }
  const hanging: RateLimitStore.Service = { name: "slow", acquire: () => Effect.never, release: () => Effect.never, pause: () => Effect.never }

  it.effect.each([["failing", failing], ["hanging", hanging]] as const)(
    "a %s store, onStoreFailure \"fail\" (the default): RateLimiterUnavailable, no request, no hang",
    ([, store]) =>
      Effect.gen(function*() {
        const fake = yield* FakeOpenCx.make({ apiKey: key, generate: { count: 10, seed: 1 } })
        const s = yield* processOn(fake, store)
        const error = yield* drive(Effect.flip(s.list()))
        assert(error._tag === "RateLimiterUnavailable")
        expect(error.store).toBe(store.name)
        expect(error.message).toContain("was not sent")
        expect(yield* fake.requests).toHaveLength(0)
      })
  )

  it.effect("a failing store with a fallback: requests go on at limit / processes, with one warning", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.make({ apiKey: key, generate: { count: 40, seed: 1 }, pageSize: 1 })
      const warnings: Array<string> = []
      const logger = Logger.make((options) => {
        if (options.logLevel._tag === "Warning") warnings.push(String(options.message))
      })
      const s = yield* processOn(fake, failing, { limit: 20, interval: "2 seconds", onStoreFailure: { fallback: "local", processes: 4 } })
      yield* drive(Stream.runDrain(Stream.take(s.pages(), 20))).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      const times = (yield* fake.requests).map((r) => r.arrivedAt)
      expect(times).toHaveLength(20)
      expect(Math.max(...windowCounts(times, 2_000))).toBeLessThanOrEqual(5)
      expect(warnings.filter((w) => w.includes("falling back"))).toHaveLength(1)
    }))
})
