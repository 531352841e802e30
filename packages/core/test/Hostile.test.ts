/**
 * A hostile server: hints that mean "retry now, for ever", endless empty
 * pages, repeated items, escape codes, the key echoed back, binary bodies,
 * deep nesting. Every walk ends, with a typed error or the sessions, and
 * nothing the server sends reaches a message unsanitised.
 */
import { ChatSession, FakeOpenCx, OpenCxError, Paginator, SessionsService, TestSessions } from "@opencx-effect/core"
import { assert, describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Logger, LogLevel, Metric, Random, Schema, Stream, TestClock } from "effect"
import { drive } from "./utils/drive.js"

const F = FakeOpenCx.Fault
const on = FakeOpenCx.onRequest
const always = (fault: FakeOpenCx.Fault) => FakeOpenCx.when(() => true, fault)

const service = SessionsService.SessionsService
const fakeLog = Effect.flatMap(FakeOpenCx.FakeOpenCx, (fake) => fake.requests)
const allIds = Effect.flatMap(FakeOpenCx.FakeOpenCx, (fake) => Effect.map(fake.sessions, (s) => s.map((x) => x.id)))
const collectIds = Effect.flatMap(service, (s) => Stream.runCollect(s.stream())).pipe(
  Effect.map((chunk) => Chunk.toReadonlyArray(chunk).map((session) => session.id))
)
const walkError = Effect.flip(Effect.flatMap(service, (s) => Stream.runDrain(s.stream())))

const small = { generate: { count: 50, seed: 21 }, pageSize: 10 } as const
const now = Date.parse("2026-05-01T00:00:00Z")

/** any C0/C1 control character, but none of the escapes we write */
const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/

describe("1. every retry is bounded, whatever the hints say", () => {
  // hints that are no hints: zero, negative, unparseable, or already past
  const noHints: ReadonlyArray<readonly [string, Record<string, string>]> = [
    ["Retry-After: 0", { "retry-after": "0" }],
    ["Retry-After: -5", { "retry-after": "-5" }],
    ["Retry-After: soon", { "retry-after": "soon" }],
    ["Retry-After: a date in the past", { "retry-after": new Date(now - 60_000).toUTCString() }],
    ["retry-after-ms: 0", { "retry-after-ms": "0" }],
    ["X-RateLimit-Reset: 0", { "x-ratelimit-reset": "0" }],
    ["X-RateLimit-Reset: epoch seconds in the past", { "x-ratelimit-reset": String(Math.floor(now / 1000) - 10) }],
    ["X-RateLimit-Reset: epoch milliseconds in the past", { "x-ratelimit-reset": String(now - 10_000) }],
    ["RateLimit-Reset: 0", { "ratelimit-reset": "0" }],
    ["RateLimit: limit=100, remaining=0, reset=0", { "ratelimit": "limit=100, remaining=0, reset=0" }],
    ["RateLimit: \"default\";r=0;t=0", { "ratelimit": "\"default\";r=0;t=0" }]
  ]

  // 429 on every request: 1 s doubling (1, 2, 4, 8, 16 s) within the 60 s budget (31 s, and 30 more
  // would pass it): 6 requests without jitter (7 at most with it), all within 60 s
  it.effect.each(noHints)("429 with %s on every request: RateLimited after at most 6 requests, within 60 s", ([, headers]) =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const error = yield* drive(walkError).pipe(Effect.withRandom(Random.fixed([1])))
      assert(error._tag === "RateLimited")
      expect(error.retryAfter).toBeUndefined()
      const log = yield* fakeLog
      expect(log.length).toBeLessThanOrEqual(6)
      expect(log.at(-1)!.arrivedAt - now).toBeLessThanOrEqual(60_000)
      // each wait at least the base delay (1 s for a 429, jittered down by at most a quarter)
      for (let i = 1; i < log.length; i++) expect(log[i]!.arrivedAt - log[i - 1]!.arrivedAt).toBeGreaterThanOrEqual(750)
    }).pipe(Effect.provide(TestSessions.layerFake({ ...small, faults: [always(F.status(429, { headers }))] }))))

  it.effect.each(noHints)("503 with %s on every request: ServerError after 3 requests, backing off", ([, headers]) =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const error = yield* drive(walkError).pipe(Effect.withRandom(Random.fixed([1])))
      expect(error._tag).toBe("ServerError")
      const log = yield* fakeLog
      expect(log.map((r) => r.arrivedAt - now)).toEqual([0, 500, 1500])
    }).pipe(Effect.provide(TestSessions.layerFake({ ...small, faults: [always(F.status(503, { headers }))] }))))

  it.effect("with the client-side limiter on, a 429 with Retry-After: 0 for ever is still at most 7 requests, not 100 a minute", () =>
    Effect.gen(function*() {
      // jittered down by at most a quarter, the waits 0.75, 1.5, 3, 6, 12 and 22.5 s fit in 60 s: 6 retries at most
      const error = yield* drive(walkError)
      expect(error._tag).toBe("RateLimited")
      expect((yield* fakeLog).length).toBeLessThanOrEqual(7)
    }).pipe(Effect.provide(TestSessions.layerFake({
      ...small,
      faults: [always(F.status(429, { headers: { "retry-after": "0" } }))],
      client: { rateLimit: { limit: 100, interval: "1 minute" } }
    }))))

  it.effect("a hint of 1 s on every 429 is a minimum: the waits still grow (1, 2, 4, 8, 16 s)", () =>
    Effect.gen(function*() {
      const error = yield* drive(walkError).pipe(Effect.withRandom(Random.fixed([1])))
      expect(error._tag).toBe("RateLimited")
      const times = (yield* fakeLog).map((r) => r.arrivedAt)
      expect(times.length).toBe(6)
      const waits = times.slice(1).map((t, i) => t - times[i]!)
      expect(waits.map((w) => Math.round(w / 1000))).toEqual([1, 2, 4, 8, 16])
    }).pipe(Effect.provide(TestSessions.layerFake({ ...small, faults: [always(F.status(429, { headers: { "retry-after": "1" } }))] }))))

  // the reset rule: below 10^9 seconds to wait, below 10^12 epoch seconds, from 10^12 epoch milliseconds
  const resets: ReadonlyArray<readonly [string, Record<string, string>, number]> = [
    ["X-RateLimit-Reset in seconds to wait", { "x-ratelimit-reset": "5" }, 5_000],
    ["X-RateLimit-Reset in epoch seconds", { "x-ratelimit-reset": String(now / 1000 + 7) }, 7_000],
    ["X-RateLimit-Reset in epoch milliseconds", { "x-ratelimit-reset": String(now + 9_000) }, 9_000],
    ["RateLimit-Reset (IETF)", { "ratelimit-reset": "4" }, 4_000],
    ["RateLimit: limit=100, remaining=0, reset=6", { "ratelimit": "limit=100, remaining=0, reset=6" }, 6_000],
    ["RateLimit: \"default\";r=0;t=8", { "ratelimit": "\"default\";r=0;t=8" }, 8_000],
    ["retry-after-ms", { "retry-after-ms": "3500" }, 3_500]
  ]

  it.effect.each(resets)("%s is read as the wait it means", ([, headers, wait]) =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      expect(yield* drive(collectIds)).toEqual(yield* allIds)
      const [first, second] = yield* fakeLog
      const waited = second!.arrivedAt - first!.arrivedAt
      expect(waited).toBeGreaterThanOrEqual(wait)
      expect(waited).toBeLessThan(wait + 1_000)
    }).pipe(Effect.provide(TestSessions.layerFake({ ...small, faults: [on(1, F.status(429, { headers }))] }))))

  it.effect("an absurd hint fails that request at once, and pauses no other caller", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const s = yield* service
      const failed = yield* Effect.flip(s.list({ status: "open" }))
      assert(failed._tag === "RateLimited")
      expect(failed.retryAfter).toBeDefined()
      // the next call goes at once: a hint the client will not honour pauses nobody
      yield* drive(s.list({ status: "closed_resolved" }))
      const log = yield* fakeLog
      expect(log).toHaveLength(2)
      expect(log[1]!.arrivedAt).toBe(now)
    }).pipe(Effect.provide(TestSessions.layerFake({
      ...small,
      faults: [on(1, F.status(429, { headers: { "x-ratelimit-reset": String(now * 1000) } }))],
      client: { rateLimit: { limit: 100, interval: "1 minute" } }
    }))))
})

describe("2. pagination the client cannot be fooled by", () => {
  it.effect("an endless chain of empty pages fails with EmptyPages after maxEmptyPages (1,000 by default)", () =>
    Effect.gen(function*() {
      const error = yield* walkError
      assert(error._tag === "EmptyPages")
      expect(error.pages).toBe(1_000)
      expect(error.message).toContain("1,000 empty pages in a row")
      expect((yield* fakeLog).length).toBe(1_000)
    }).pipe(Effect.provide(TestSessions.layerFake({ ...small, faults: [always(F.emptyPageWithNext)] }))))

  it.effect("maxEmptyPages is configurable; a shorter run of empty pages is followed", () =>
    Effect.gen(function*() {
      const s = yield* service
      const error = yield* Effect.flip(Stream.runDrain(s.stream({}, { maxEmptyPages: 5 })))
      assert(error._tag === "EmptyPages")
      expect((yield* fakeLog).length).toBe(5)
    }).pipe(Effect.provide(TestSessions.layerFake({ ...small, faults: [always(F.emptyPageWithNext)] }))))

  it.effect("four empty pages in a row, under a limit of five, are followed to the end", () =>
    Effect.gen(function*() {
      const s = yield* service
      const ids = yield* Stream.runCollect(s.stream({}, { maxEmptyPages: 5 }))
      expect(Chunk.toReadonlyArray(ids).map((x) => x.id)).toEqual(yield* allIds)
    }).pipe(Effect.provide(TestSessions.layerFake({ ...small, faults: [on([2, 3, 4, 5], F.emptyPageWithNext)] }))))

  it.effect("sessions repeated from the previous page are skipped, counted and logged at Debug", () =>
    Effect.gen(function*() {
      const before = (yield* Metric.value(Paginator.metrics.duplicatesSkipped)).count
      const lines: Array<string> = []
      const logger = Logger.make((options) => void lines.push(Logger.stringLogger.log(options)))
      const s = yield* service
      const steps = yield* Stream.runCollect(s.steps()).pipe(
        Logger.withMinimumLogLevel(LogLevel.Debug),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      const ids = Chunk.toReadonlyArray(steps).flatMap((step) => step.page.items.map((x) => x.id))
      expect(ids).toEqual(yield* allIds)
      expect(new Set(ids).size).toBe(ids.length)
      expect(Chunk.toReadonlyArray(steps).map((step) => step.skipped)).toEqual([0, 3, 0, 3, 0, 0])
      expect((yield* Metric.value(Paginator.metrics.duplicatesSkipped)).count - before).toBe(6)
      expect(lines.some((line) => line.includes("repeated 3 item(s) of the previous page"))).toBe(true)
    }).pipe(Effect.provide(TestSessions.layerFake({ ...small, faults: [on([1, 3], F.overlappingNext(3))] }))))

  it.effect("a loop of period 2 (A → B → A) fails with CursorLoop after B's sessions", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.FakeOpenCx
      // page 1 → cursor A; page A → cursor B; page B answers with next = A
      const s = yield* service
      const pages = yield* Stream.runCollect(Stream.take(s.pages(), 3))
      const [, a] = Chunk.toReadonlyArray(pages).map((p) => p.next)
      yield* fake.clearRequests
      yield* fake.addFaults(on(3 + 3, F.body(200, JSON.stringify({ items: [], next: a }))))
      const error = yield* walkError
      assert(error._tag === "CursorLoop")
      expect(error.cursor).toBe(a)
      expect(error.pageIndex).toBe(2)
    }).pipe(Effect.provide(TestSessions.layerFake(small))))

  it.effect("a walk resumed with the cursors it had used detects the loop at once, without a request", () =>
    Effect.gen(function*() {
      const s = yield* service
      const steps = Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.take(s.steps(), 2)))
      const used = steps.flatMap((step) => (step.fingerprint === null ? [] : [step.fingerprint]))
      const fake = yield* FakeOpenCx.FakeOpenCx
      yield* fake.clearRequests
      // resuming at the cursor page 1 was fetched with: already used
      const error = yield* Effect.flip(
        Stream.runDrain(s.stream({}, { start: { cursor: steps[1]!.cursor, used, index: 2 } }))
      )
      expect(error._tag).toBe("CursorLoop")
      expect(yield* fakeLog).toHaveLength(0)
    }).pipe(Effect.provide(TestSessions.layerFake(small))))
})

describe("4. nothing the server sends reaches a message unsanitised", () => {
  const key = "ocx_live_SECRET-echoed-7f3a9c"
  const withKey = { ...small, apiKey: key, client: { apiKey: key } }
  const aSession = {
    id: "3f1c2a4e-8b7d-4c6e-9a1b-2c3d4e5f6a7b",
    status: "open",
    ai_closure_type: null,
    sentiment: null,
    channel: { type: "web" },
    ticket_number: 1,
    assist_mode: false,
    created_at: "2025-03-02T10:00:00Z",
    updated_at: "2025-03-02T10:45:12Z"
  }
  const escapes = "\u001b]0;pwned\u0007\u001b[2J\u001b[31mred\u009b1m\u202eevil"

  const texts = (error: OpenCxError.OpenCxError) => [
    error.message,
    String(error),
    JSON.stringify(Schema.encodeSync(OpenCxError.OpenCxError)(error))
  ]

  it.effect.each([
    ["an ErrorDto message", F.status(400, { message: `bad ${escapes}` })],
    ["an HTML page", F.body(502, `<html>${escapes}</html>`, "text/html")],
    ["a text body", F.body(418, `teapot ${escapes}`, "text/plain")],
    ["a non-JSON 200", F.body(200, `oops ${escapes}`, "application/json")],
    // a header cannot carry C0 controls, but latin-1 bytes read as C1 controls (0x9b is CSI)
    ["an x-request-id header", F.status(403, { headers: { "x-request-id": "id\u009b2J\u009b31mred" } })]
  ] as const)("control characters in %s are escaped in the error", ([, fault]) =>
    Effect.gen(function*() {
      const error = yield* drive(walkError)
      for (const text of texts(error)) expect(text).not.toMatch(controls)
      expect(error.message).toMatch(/\\u00(1b|9b)/)
    }).pipe(Effect.provide(TestSessions.layerFake({ ...small, faults: [on([1, 2, 3], fault)] }))))

  it.effect.each([
    ["a 400 ErrorDto", F.status(400, { message: `Invalid header Authorization: Bearer ${key}` })],
    ["a 502 page", F.body(502, `<pre>GET /chat/sessions\nAuthorization: Bearer ${key}</pre>`, "text/html")],
    ["a non-JSON 200", F.body(200, `debug: token=${key}`, "text/plain")],
    ["an invalid item", F.body(200, JSON.stringify({ items: [{ ...aSession, ticket_number: key }], next: null }))],
    ["a URL-encoded echo", F.status(400, { message: `bad token ${encodeURIComponent(key)}` })]
  ] as const)("the API key echoed in %s is scrubbed from the error and the logs", ([, fault]) =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const logger = Logger.make((options) => void lines.push(Logger.stringLogger.log(options)))
      const error = yield* drive(walkError).pipe(
        Logger.withMinimumLogLevel(LogLevel.Debug),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      for (const text of [...texts(error), ...lines]) expect(text).not.toContain(key)
      expect(texts(error).some((text) => text.includes("<redacted>"))).toBe(true)
    }).pipe(Effect.provide(TestSessions.layerFake({ ...withKey, faults: [on([1, 2, 3], fault)] }))))

  it.effect.each([
    ["application/octet-stream", new Uint8Array([0, 1, 2, 255, 254, 10, 13, 27])],
    ["image/png", new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 0])]
  ] as const)("a %s body is described, not dumped", ([contentType, bytes]) =>
    Effect.gen(function*() {
      const error = yield* drive(walkError)
      assert(error._tag === "ServerError")
      expect(error.body).toBe(`<${bytes.length} bytes of ${contentType}>`)
      expect(error.message).toContain(`<${bytes.length} bytes of ${contentType}>`)
    }).pipe(Effect.provide(TestSessions.layerFake({
      ...small,
      faults: [on([1, 2, 3], F.body(500, bytes, contentType))]
    }))))

  it.effect("a long body is cut, saying so", () =>
    Effect.gen(function*() {
      const error = yield* walkError
      assert(error._tag === "BadRequest")
      expect(error.body!.length).toBeLessThan(2_100)
      expect(error.body).toContain("more characters")
      expect(error.message.length).toBeLessThan(500)
    }).pipe(Effect.provide(TestSessions.layerFake({ ...small, faults: [on(1, F.body(400, "x".repeat(100_000), "text/plain"))] }))))

  const deep = (levels: number) => {
    let value = "1"
    for (let i = 0; i < levels; i++) value = `{"x":${value}}`
    return value
  }

  it.effect.each([10_000, 100_000])("an unknown field nested %i levels deep is kept, without overflowing the stack", (levels) =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.FakeOpenCx
      const [first] = yield* fake.sessions
      const item = JSON.stringify(Schema.encodeSync(ChatSession.ChatSessionStrict)(first!))
      const body = `{"items":[${item.slice(0, -1)},"deep":${deep(levels)}}],"next":null}`
      yield* fake.addFaults(on(1, F.body(200, body)))
      const s = yield* service
      const sessions = Chunk.toReadonlyArray(yield* Stream.runCollect(s.stream()))
      expect(sessions.map((x) => x.id)).toEqual([first!.id])
      const encoded = Chunk.toReadonlyArray(yield* Stream.runCollect(s.streamEncoded()))
      expect(encoded[0]!.id).toBe(first!.id)
    }).pipe(Effect.provide(TestSessions.layerFake(small))))

  it.effect("a known field nested 10,000 levels deep is a Decode error naming the path", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.FakeOpenCx
      const [first] = yield* fake.sessions
      const item = JSON.stringify({ ...Schema.encodeSync(ChatSession.ChatSessionStrict)(first!), custom_data: { a: "here" } })
        .replace(`"a":"here"`, `"a":${deep(10_000)}`)
      yield* fake.addFaults(on(1, F.body(200, `{"items":[${item}],"next":null}`)))
      const error = yield* walkError
      assert(error._tag === "Decode")
      expect(error.path).toBe("items[0].custom_data.a")
      expect(error.itemIndex).toBe(0)
    }).pipe(Effect.provide(TestSessions.layerFake(small))))
})

describe("5. what the API sent is what the user gets", () => {
  it.effect("streamEncoded gives each session exactly as served: every fractional digit, unknown fields and values", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.FakeOpenCx
      const [first, second] = yield* fake.sessions
      const served = [
        {
          ...Schema.encodeSync(ChatSession.ChatSessionStrict)(first!),
          created_at: "2025-03-02T10:00:00.123456789Z",
          updated_at: "2025-03-02T10:45:12.654321+02:00",
          channel: { type: "telegram", since: 2026 },
          summary: "a field the spec does not have",
          status: "archived"
        },
        Schema.encodeSync(ChatSession.ChatSessionStrict)(second!)
      ]
      const body = JSON.stringify({ items: served, next: null })
      yield* fake.addFaults(on(1, F.body(200, body)))
      const s = yield* service
      const encoded = Chunk.toReadonlyArray(yield* Stream.runCollect(s.streamEncoded()))
      expect(encoded).toEqual(served)
      expect(JSON.stringify(encoded[0])).toBe(JSON.stringify(served[0]))
      // the decoded form parses the same timestamps (to the millisecond)
      yield* fake.addFaults(on(2, F.body(200, body)))
      const decoded = Chunk.toReadonlyArray(yield* Stream.runCollect(s.stream()))
      expect(decoded[0]!.status).toBe("archived")
    }).pipe(Effect.provide(TestSessions.layerFake(small))))

  it.effect("streamEncoded still refuses what the tolerant Schema refuses", () =>
    Effect.gen(function*() {
      const s = yield* service
      const result = yield* Effect.either(Stream.runDrain(s.streamEncoded()))
      assert(Either.isLeft(result))
      expect(result.left._tag).toBe("Decode")
    }).pipe(Effect.provide(TestSessions.layerFake({ ...small, faults: [on(1, F.invalidItem(2))] }))))
})
