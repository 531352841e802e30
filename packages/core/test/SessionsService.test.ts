import { ChatSession, FakeOpenCx, OpenCxError, SessionsService, TestSessions } from "@opencx-effect/core"
import { assert, describe, expect, it } from "@effect/vitest"
import {
  Chunk,
  Duration,
  Effect,
  Either,
  Exit,
  Fiber,
  Logger,
  LogLevel,
  Option,
  Random,
  Ref,
  Schedule,
  Schema,
  Scope,
  Stream,
  TestClock,
  Tracer
} from "effect"
import { drive, settle } from "./utils/drive.js"
import { windowCounts } from "../../../test-utils/windows.js"

const F = FakeOpenCx.Fault
const on = FakeOpenCx.onRequest

type Options = TestSessions.FakeOptions

const withService = (options: Options) => Effect.provide(TestSessions.layerFake(options))

const service = SessionsService.SessionsService
const fakeLog = Effect.flatMap(FakeOpenCx.FakeOpenCx, (fake) => fake.requests)
const allIds = Effect.flatMap(FakeOpenCx.FakeOpenCx, (fake) => Effect.map(fake.sessions, (s) => s.map((x) => x.id)))

const collectIds = (params?: Parameters<SessionsService.Service["stream"]>[0]) =>
  Effect.flatMap(service, (s) => Stream.runCollect(s.stream(params))).pipe(
    Effect.map((chunk) => Chunk.toReadonlyArray(chunk).map((session) => session.id))
  )

/** the error a walk fails with */
const walkError = (params?: Parameters<SessionsService.Service["stream"]>[0]) =>
  Effect.flip(Effect.flatMap(service, (s) => Stream.runDrain(s.stream(params))))

const small = { generate: { count: 50, seed: 21 }, pageSize: 10 } as const

describe("SessionsService", () => {
  describe("1. lazy", () => {
    it.effect("building a stream sends nothing; the first pull requests page 1; each pull one more page", () =>
      Effect.gen(function*() {
        const sessions = yield* service
        const stream = sessions.stream()
        expect(yield* fakeLog).toHaveLength(0)
        const scope = yield* Scope.make()
        const pull = yield* Stream.toPull(stream).pipe(Scope.extend(scope))
        expect(yield* fakeLog).toHaveLength(0)
        const first = yield* pull
        expect(first.length).toBe(10)
        expect(yield* fakeLog).toHaveLength(1)
        const second = yield* pull
        expect(second.length).toBe(10)
        expect(yield* fakeLog).toHaveLength(2)
        yield* Scope.close(scope, Exit.void)
        expect(yield* fakeLog).toHaveLength(2)
      }).pipe(withService(small)))

    it.effect.each([1, 9, 10, 11, 25, 50, 60])("Stream.take(%i) requests ceil(k / page size) pages", (k) =>
      Effect.gen(function*() {
        const taken = yield* Stream.runCollect(Stream.take((yield* service).stream(), k))
        expect(taken.length).toBe(Math.min(k, 50))
        expect((yield* fakeLog).length).toBe(Math.min(5, Math.ceil(k / 10)))
      }).pipe(withService(small)))

    it.effect("each run starts afresh", () =>
      Effect.gen(function*() {
        const stream = (yield* service).stream({ status: "closed_resolved" })
        const a = yield* Stream.runCollect(Stream.take(stream, 12))
        const b = yield* Stream.runCollect(Stream.take(stream, 12))
        expect(Chunk.toReadonlyArray(a)).toEqual(Chunk.toReadonlyArray(b))
        const log = yield* fakeLog
        expect(log.map((r) => r.query.cursor === undefined)).toEqual([true, false, true, false])
      }).pipe(withService({ generate: { count: 100, seed: 3 }, pageSize: 10 })))

    it.effect("list gets one page; pages gets every page", () =>
      Effect.gen(function*() {
        const s = yield* service
        const page = yield* s.list({ status: "open" })
        expect(page.items.length).toBeLessThanOrEqual(10)
        const pages = yield* Stream.runCollect(s.pages())
        expect(pages.length).toBe(5)
        expect(Chunk.toReadonlyArray(pages).at(-1)?.next).toBeNull()
        const next = Chunk.toReadonlyArray(pages)[0]!.next!
        const fromCursor = yield* Stream.runCollect(s.pages({ cursor: next }))
        expect(fromCursor.length).toBe(4)
      }).pipe(withService(small)))
  })

  describe("2. complete", () => {
    it.effect("every session exactly once, in the server's order", () =>
      Effect.gen(function*() {
        const ids = yield* collectIds()
        expect(ids).toEqual(yield* allIds)
        expect(new Set(ids).size).toBe(137)
      }).pipe(withService({ generate: { count: 137, seed: 8 }, pageSize: 20 })))

    it.effect("an empty page with a non-null next is followed", () =>
      Effect.gen(function*() {
        expect(yield* collectIds()).toEqual(yield* allIds)
        expect((yield* fakeLog).length).toBe(7)
      }).pipe(withService({ ...small, faults: [on([2, 4], F.emptyPageWithNext)] })))

    it.effect("the walk ends on next null, and on next \"\"", () =>
      Effect.gen(function*() {
        const fake = yield* FakeOpenCx.FakeOpenCx
        const [first] = yield* fake.sessions
        const body = JSON.stringify({ items: [Schema.encodeSync(ChatSession.ChatSessionStrict)(first!)], next: "" })
        yield* fake.addFaults(on(1, F.body(200, body)))
        expect(yield* collectIds()).toEqual([first!.id])
        expect((yield* fakeLog).length).toBe(1)
      }).pipe(withService(small)))

    it.effect("the filters are sent with every cursor", () =>
      Effect.gen(function*() {
        const params = { status: "closed_resolved", handed_off: false, created_after: "2024-02-01T00:00:00Z" } as const
        const ids = yield* collectIds(params)
        const log = yield* fakeLog
        expect(log.length).toBeGreaterThan(2)
        for (const request of log) {
          expect(request.query).toMatchObject({
            status: "closed_resolved",
            handed_off: "false",
            created_after: "2024-02-01T00:00:00.000Z"
          })
        }
        expect(log.slice(1).every((r) => r.query.cursor !== undefined)).toBe(true)
        expect(new Set(ids).size).toBe(ids.length)
      }).pipe(withService({ generate: { count: 300, seed: 5 }, pageSize: 10 })))

    it.effect("bad input is an InvalidParams naming the field, before any request", () =>
      Effect.gen(function*() {
        const bad: ReadonlyArray<[unknown, string]> = [
          [{ status: "archived" }, "status"],
          [{ channel_type: "fax" }, "channel_type"],
          [{ created_after: "last week" }, "created_after"],
          [{ handed_off: "maybe" }, "handed_off"],
          [{ updated_after: "2025-02-01", updated_before: "2025-01-01" }, "updated_after"],
          [{ cursor: "" }, "cursor"],
          [{ limit: 5 }, "limit"]
        ]
        for (const [params, field] of bad) {
          const input = Schema.decodeUnknownSync(Schema.Object)(params)
          const error = yield* walkError(input)
          assert(error._tag === "InvalidParams")
          expect(error.field).toBe(field)
          expect(error.message).toContain(field)
          const listed = yield* Effect.flip(Effect.flatMap(service, (s) => s.list(input)))
          expect(listed._tag).toBe("InvalidParams")
        }
        expect(yield* fakeLog).toHaveLength(0)
      }).pipe(withService(small)))
  })

  describe("3. cursor loop", () => {
    it.effect("a next equal to a cursor already used fails with CursorLoop, after that page's sessions", () =>
      Effect.gen(function*() {
        const s = yield* service
        const seen = yield* Ref.make<ReadonlyArray<string>>([])
        const error = yield* Effect.flip(
          Stream.runForEach(s.stream(), (session) => Ref.update(seen, (ids) => [...ids, session.id]))
        )
        assert(error._tag === "CursorLoop")
        expect(error.pageIndex).toBe(2)
        const ids = yield* Ref.get(seen)
        expect(ids).toEqual((yield* allIds).slice(0, 30))
        expect((yield* fakeLog).length).toBe(3)
        expect(error.message).toContain("already used")
      }).pipe(withService({ ...small, faults: [on(3, F.repeatCursor)] })))
  })

  describe("4. retry per page, never restarting the stream", () => {
    const retried: ReadonlyArray<readonly [string, FakeOpenCx.Fault]> = [
      ["a connection reset", F.connectionReset],
      ["a timeout", F.latency("31 seconds")],
      ["408", F.status(408)],
      ["429", F.status(429)],
      ["500", F.status(500)],
      ["502 (an HTML page)", F.html(502)],
      ["503", F.status(503)],
      ["504", F.status(504)]
    ]

    it.effect.each(retried)("%s on page 2 is retried: every session once, page 2 asked again", ([, fault]) =>
      Effect.gen(function*() {
        const ids = yield* drive(collectIds())
        expect(ids).toEqual(yield* allIds)
        const log = yield* fakeLog
        expect(log).toHaveLength(6)
        expect(log[2]!.query.cursor).toBe(log[1]!.query.cursor)
        expect(log[2]!.query.cursor).toBeDefined()
      }).pipe(withService({ ...small, faults: [on(2, fault)] })))

    const final: ReadonlyArray<readonly [string, FakeOpenCx.Fault, OpenCxError.OpenCxError["_tag"]]> = [
      ["400", F.status(400), "BadRequest"],
      ["401", F.status(401), "Unauthorized"],
      ["403", F.status(403), "Forbidden"],
      ["404", F.status(404), "BadRequest"],
      ["422", F.status(422), "BadRequest"],
      ["501", F.status(501), "ServerError"],
      ["505", F.status(505), "ServerError"],
      ["an invalid item", F.invalidItem(4), "Decode"],
      ["malformed JSON", F.malformedJson, "Decode"],
      ["an empty body", F.emptyBody(), "Decode"]
    ]

    it.effect.each(final)("%s on page 2 is not retried: %s", ([, fault, tag]) =>
      Effect.gen(function*() {
        const error = yield* walkError()
        expect(error._tag).toBe(tag)
        expect((yield* fakeLog).length).toBe(2)
      }).pipe(withService({ ...small, faults: [on(2, fault)] })))

    it.effect("a Decode error names the page's cursor, the item index and the path", () =>
      Effect.gen(function*() {
        const error = yield* walkError()
        assert(error._tag === "Decode")
        const log = yield* fakeLog
        expect(error.cursor).toBe(log[1]!.query.cursor)
        expect(error.itemIndex).toBe(4)
        expect(error.path).toBe("items[4].ticket_number")
        expect(error.requestId).toBe("fake-2")
        expect(error.message).toContain("items[4].ticket_number")
      }).pipe(withService({ ...small, faults: [on(2, F.invalidItem(4))] })))

    it.effect("errors carry the status, the ErrorDto fields or the raw body, and x-request-id", () =>
      Effect.gen(function*() {
        const unauthorized = yield* walkError()
        assert(unauthorized._tag === "Unauthorized")
        expect(unauthorized).toMatchObject({
          status: 401,
          method: "GET",
          serverMessage: "Unauthorized",
          serverError: "Unauthorized",
          requestId: "fake-1"
        })
        expect(unauthorized.url).toBe("https://api.open.cx/chat/sessions")
        expect(unauthorized.message).toContain("401")
      }).pipe(withService({ ...small, client: { apiKey: "not-the-fake-key" } })))

    it.effect("an HTML page from the edge is kept as text", () =>
      Effect.gen(function*() {
        const error = yield* drive(walkError())
        assert(error._tag === "ServerError")
        expect(error.status).toBe(502)
        expect(error.body).toContain("cloudflare")
        expect(error.serverMessage).toBeUndefined()
      }).pipe(withService({ ...small, faults: [on([1, 2, 3], F.html(502))] })))

    it.effect("transient failures back off exponentially (0.5 s, 1 s), then fail after 2 retries", () =>
      Effect.gen(function*() {
        const error = yield* drive(walkError()).pipe(Effect.withRandom(Random.fixed([1])))
        expect(error._tag).toBe("ServerError")
        const log = yield* fakeLog
        expect(log.map((r) => r.arrivedAt)).toEqual([0, 500, 1500])
      }).pipe(withService({ ...small, faults: [on([1, 2, 3], F.status(503))] })))

    it.effect("jitter scales the backoff down by at most a quarter", () =>
      Effect.gen(function*() {
        yield* drive(collectIds()).pipe(Effect.withRandom(Random.fixed([0])))
        const log = yield* fakeLog
        expect(log.slice(0, 3).map((r) => r.arrivedAt)).toEqual([0, 375, 1125])
      }).pipe(withService({ ...small, faults: [on([1, 2], F.status(503))] })))

    it.effect.each([
      ["Retry-After in seconds", F.status(429, { retryAfter: FakeOpenCx.RetryAfter.seconds(7) }), 7_000],
      ["Retry-After as an HTTP-date", F.status(429, { retryAfter: FakeOpenCx.RetryAfter.httpDate("12 seconds") }), 12_000],
      ["X-RateLimit-Reset", F.status(429, { headers: { "x-ratelimit-reset": "5" } }), 5_000],
      ["Retry-After on a 503", F.status(503, { retryAfter: FakeOpenCx.RetryAfter.seconds(3) }), 3_000]
    ] as const)("a %s hint is the minimum wait", ([, fault, wait]) =>
      Effect.gen(function*() {
        yield* TestClock.setTime(Date.parse("2026-05-01T00:00:00Z"))
        expect(yield* drive(collectIds())).toEqual(yield* allIds)
        const [first, second] = yield* fakeLog
        const waited = second!.arrivedAt - first!.arrivedAt
        expect(waited).toBeGreaterThanOrEqual(wait)
        expect(waited).toBeLessThan(wait + 1_000)
      }).pipe(withService({ ...small, faults: [on(1, fault)] })))

    it.effect("a hint over 60 s fails at once with RateLimited carrying it", () =>
      Effect.gen(function*() {
        const error = yield* walkError()
        assert(error._tag === "RateLimited")
        expect(error.retryAfter).toEqual(Duration.seconds(120))
        expect(error.message).toContain("2m")
        expect((yield* fakeLog).length).toBe(1)
      }).pipe(withService({ ...small, faults: [on(1, F.status(429, { retryAfter: FakeOpenCx.RetryAfter.seconds(120) }))] })))

    it.effect("429s without a hint back off 1 s, 2 s, 4 s … within a 60 s budget, then RateLimited", () =>
      Effect.gen(function*() {
        const error = yield* drive(walkError()).pipe(Effect.withRandom(Random.fixed([1])))
        expect(error._tag).toBe("RateLimited")
        const times = (yield* fakeLog).map((r) => r.arrivedAt)
        expect(times).toEqual([0, 1_000, 3_000, 7_000, 15_000, 31_000])
      }).pipe(withService({ ...small, faults: [FakeOpenCx.when(() => true, F.status(429))] })))

    it.effect("the defaults can be overridden per layer", () =>
      Effect.gen(function*() {
        const error = yield* walkError()
        expect(error._tag).toBe("ServerError")
        expect((yield* fakeLog).length).toBe(1)
      }).pipe(withService({ ...small, faults: [on(1, F.status(503))], client: { retry: { maxRetries: 0 } } })))

    it.effect("a Schedule of one's own, still only for retryable errors", () =>
      Effect.gen(function*() {
        expect(yield* drive(collectIds())).toEqual(yield* allIds)
        expect((yield* fakeLog).slice(0, 5).map((r) => r.arrivedAt)).toEqual([0, 100, 200, 300, 400])
        yield* (yield* FakeOpenCx.FakeOpenCx).addFaults(FakeOpenCx.when(() => true, F.status(401)))
        const error = yield* walkError()
        expect(error._tag).toBe("Unauthorized")
      }).pipe(withService({
        ...small,
        faults: [on([1, 2, 3, 4], F.status(500))],
        client: { retry: Schedule.spaced("100 millis").pipe(Schedule.intersect(Schedule.recurs(5))) }
      })))

    it.effect("the per-attempt timeout is configurable", () =>
      Effect.gen(function*() {
        const error = yield* drive(walkError())
        assert(error._tag === "Timeout")
        expect(error.timeout).toEqual(Duration.seconds(2))
        expect((yield* fakeLog).length).toBe(3)
      }).pipe(withService({
        ...small,
        faults: [FakeOpenCx.when(() => true, F.latency("3 seconds"))],
        client: { timeout: "2 seconds" }
      })))
  })

  describe("5. rate limit", () => {
    it.effect("shared by concurrent walks: never more than the limit in any sliding window, at ≥ 95% of it", () =>
      Effect.gen(function*() {
        const s = yield* service
        const walks = [
          { status: "open" as const },
          { status: "closed_resolved" as const },
          { status: "closed_unresolved" as const },
          {}
        ].map((params) => Stream.runCount(s.stream(params)))
        yield* drive(Effect.all(walks, { concurrency: "unbounded" }))
        const times = (yield* fakeLog).map((r) => r.arrivedAt)
        expect(times.length).toBeGreaterThan(400)
        expect(Math.max(...windowCounts(times, 60_000))).toBeLessThanOrEqual(100)
        // throughput: the first 400 requests within 4 windows of 60 s (plus the margin)
        const sorted = [...times].sort((a, b) => a - b)
        const rate = 399 / (sorted[399]! - sorted[0]!) * 60_000
        expect(rate).toBeGreaterThanOrEqual(95)
      }).pipe(withService({
        generate: { count: 4000, seed: 12 },
        pageSize: 5,
        client: { rateLimit: SessionsService.defaults.rateLimit }
      })), 60_000)

    it.effect("the default is 100 per minute", () =>
      Effect.gen(function*() {
        const s = yield* service
        yield* drive(Stream.runDrain(Stream.take(s.pages(), 150)))
        const times = (yield* fakeLog).map((r) => r.arrivedAt)
        expect(times.filter((t) => t < 60_000)).toHaveLength(100)
        expect(Math.max(...windowCounts(times, 60_000))).toBe(100)
      }).pipe(withService({ generate: { count: 200, seed: 1 }, pageSize: 1, client: { rateLimit: undefined } })))

    it.effect("a 429 with a hint pauses every caller of the layer, not only the one that got it", () =>
      Effect.gen(function*() {
        const s = yield* service
        yield* drive(
          Effect.all([Stream.runDrain(s.stream({ status: "open" })), Stream.runDrain(s.stream({}))], {
            concurrency: "unbounded"
          })
        )
        const log = yield* fakeLog
        const limited = log.find((r) => r.status === 429)!
        // requests sent after the client got the 429 (not those already on their way)
        const others = log.filter((r) => r.number !== limited.number && r.arrivedAt > limited.endedAt)
        expect(others.length).toBeGreaterThan(0)
        expect(Math.min(...others.map((r) => r.arrivedAt)) - limited.endedAt).toBeGreaterThanOrEqual(10_000)
        // and both walks went on after it
        expect(new Set(others.map((r) => r.query.status ?? "all"))).toEqual(new Set(["open", "all"]))
      }).pipe(withService({
        generate: { count: 100, seed: 4 },
        pageSize: 5,
        latency: "100 millis",
        faults: [on(5, F.status(429, { retryAfter: FakeOpenCx.RetryAfter.seconds(10) }))]
      })))

    it.effect("one limiter per layer: list, pages and stream calls all count", () =>
      Effect.gen(function*() {
        const s = yield* service
        yield* drive(
          Effect.all([
            Effect.replicateEffect(s.list(), 4),
            Stream.runDrain(s.pages()),
            Stream.runDrain(s.stream())
          ], { concurrency: "unbounded" })
        )
        const times = (yield* fakeLog).map((r) => r.arrivedAt)
        expect(times).toHaveLength(4 + 5 + 5)
        expect(Math.max(...windowCounts(times, 10_000))).toBeLessThanOrEqual(3)
      }).pipe(withService({ ...small, client: { rateLimit: { limit: 3, interval: "10 seconds" } } })))

    it.effect("rateLimit: false turns it off", () =>
      Effect.gen(function*() {
        yield* Stream.runDrain((yield* service).pages())
        const times = (yield* fakeLog).map((r) => r.arrivedAt)
        expect(times).toHaveLength(50)
        expect(new Set(times)).toEqual(new Set([0]))
      }).pipe(withService({ generate: { count: 50, seed: 1 }, pageSize: 1, client: { rateLimit: false } })))
  })

  describe("6. interruption", () => {
    it.effect("interrupting the consumer aborts the request in flight", () =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(collectIds())
        yield* settle
        yield* TestClock.adjust("1 second")
        expect((yield* fakeLog).length).toBe(1) // page 1 done; page 2 in flight
        yield* Fiber.interrupt(fiber)
        const log = yield* fakeLog
        expect(log[1]).toMatchObject({ number: 2, outcome: "aborted" })
        yield* TestClock.adjust("1 hour")
        expect((yield* fakeLog).length).toBe(2)
      }).pipe(withService({ ...small, faults: [on(2, F.latency("1 hour"))] })))

    it.effect("interrupting during a backoff wait ends it at once, with no further request", () =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(collectIds())
        yield* settle
        expect((yield* fakeLog).length).toBe(1)
        expect(fiber.unsafePoll()).toBeNull()
        yield* Fiber.interrupt(fiber)
        yield* TestClock.adjust("1 hour")
        expect((yield* fakeLog).length).toBe(1)
      }).pipe(withService({ ...small, faults: [on(1, F.status(429, { retryAfter: FakeOpenCx.RetryAfter.seconds(30) }))] })))

    it.effect("Stream.take and Effect.timeout stop the walk", () =>
      Effect.gen(function*() {
        const result = yield* collectIds().pipe(Effect.timeout("5 seconds"), Effect.either, drive)
        assert(Either.isLeft(result))
        const log = yield* fakeLog
        expect(log.at(-1)!.outcome).toBe("aborted")
      }).pipe(withService({ ...small, latency: "2 seconds" })))
  })

  describe("7. secrets and 8. tracing", () => {
    const key = "sk-live-DISTINCTIVE-8c1e0f"

    /** a tracer that records every span it starts, over the current one */
    const recordSpans = (spans: Array<Tracer.Span>) =>
      Effect.map(Effect.tracer, (base) =>
        Tracer.make({
          span: (name, parent, context, links, startTime, kind, options) => {
            const span = base.span(name, parent, context, links, startTime, kind, options)
            spans.push(span)
            return span
          },
          context: (f, fiber) => base.context(f, fiber)
        }))

    const spanText = (span: Tracer.Span) =>
      JSON.stringify({ name: span.name, attributes: [...span.attributes], status: String(span.status._tag) })

    it.effect("the key appears in no error, log line or span, at Debug with tracing on", () =>
      Effect.gen(function*() {
        const lines: Array<string> = []
        const spans: Array<Tracer.Span> = []
        const tracer = yield* recordSpans(spans)
        const logger = Logger.make((options) => {
          lines.push(Logger.stringLogger.log(options), Logger.jsonLogger.log(options))
        })
        const instrument = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
          effect.pipe(
            Effect.withTracer(tracer),
            Logger.withMinimumLogLevel(LogLevel.Debug),
            Effect.provide(Logger.replace(Logger.defaultLogger, logger))
          )
        const fake = yield* FakeOpenCx.FakeOpenCx
        const s = yield* service
        const errors: Array<OpenCxError.OpenCxError> = []
        const faults = [
          F.status(500),
          F.html(502),
          F.status(401),
          F.status(403),
          F.invalidItem(),
          F.malformedJson,
          F.emptyBody(),
          F.status(429, { retryAfter: FakeOpenCx.RetryAfter.seconds(300) }),
          F.connectionReset,
          F.repeatCursor
        ]
        for (const fault of faults) {
          yield* fake.clearFaults
          yield* fake.addFaults(FakeOpenCx.when((r) => r.cursor !== undefined, fault))
          const result = yield* drive(instrument(Effect.either(Stream.runDrain(s.stream()))))
          if (Either.isLeft(result)) errors.push(result.left)
        }
        errors.push(yield* Effect.flip(s.list(Schema.decodeUnknownSync(Schema.Object)({ status: key }))))
        expect(new Set(errors.map((e) => e._tag))).toEqual(
          new Set([
            "ServerError",
            "Unauthorized",
            "Forbidden",
            "Decode",
            "RateLimited",
            "Transport",
            "CursorLoop",
            "InvalidParams"
          ])
        )
        const texts = [
          ...errors.flatMap((e) => [String(e), e.message, JSON.stringify(e), JSON.stringify(Schema.encodeSync(OpenCxError.OpenCxError)(e))]),
          ...lines,
          ...spans.map(spanText)
        ]
        expect(lines.some((line) => line.includes("failed"))).toBe(true)
        expect(spans.some((span) => span.name.startsWith("http.client"))).toBe(true)
        // the key given as a (bad) parameter is the user's to see; the API key is in nothing else
        const withoutParams = texts.filter((t) => !t.includes("InvalidParams") && !t.includes("Invalid query"))
        for (const text of withoutParams) expect(text).not.toContain(key)
        expect((yield* fake.requests).every((r) => r.headers.authorization === "<redacted>")).toBe(true)
      }).pipe(withService({ ...small, apiKey: key, client: { apiKey: key } })))

    it.effect("a span per page request, with its index, cursor, items and attempts, around the HttpClient's span", () =>
      Effect.gen(function*() {
        const spans: Array<Tracer.Span> = []
        const tracer = yield* recordSpans(spans)
        yield* drive(Stream.runDrain((yield* service).stream())).pipe(Effect.withTracer(tracer))
        const pages = spans.filter((span) => span.name === "SessionsService.page")
        expect(pages).toHaveLength(5)
        expect(pages.map((span) => span.attributes.get("opencx.page.index"))).toEqual([0, 1, 2, 3, 4])
        expect(pages.map((span) => span.attributes.get("opencx.page.cursor_sent"))).toEqual([false, true, true, true, true])
        expect(pages.map((span) => span.attributes.get("opencx.page.items"))).toEqual([10, 10, 10, 10, 10])
        expect(pages.map((span) => span.attributes.get("opencx.page.attempts"))).toEqual([1, 2, 1, 1, 1])
        for (const page of pages) {
          const children = spans.filter((span) =>
            span.name.startsWith("http.client") && Option.isSome(span.parent) && span.parent.value.spanId === page.spanId
          )
          expect(children.length).toBe(page.attributes.get("opencx.page.attempts"))
        }
      }).pipe(withService({ ...small, faults: [on(2, F.status(503))] })))
  })

  it.effect("the layer refuses a base URL that would send the key in clear", () =>
    Effect.gen(function*() {
      const layer = (baseUrl: string, allowInsecureHttp?: boolean) =>
        TestSessions.layerFake({ client: { baseUrl, ...(allowInsecureHttp ? { allowInsecureHttp } : {}) } })
      const build = (baseUrl: string, allowInsecureHttp?: boolean) =>
        Effect.exit(Effect.scoped(Effect.asVoid(Effect.provide(service, layer(baseUrl, allowInsecureHttp)))))
      expect(Exit.isFailure(yield* build("http://api.example.com"))).toBe(true)
      expect(Exit.isSuccess(yield* build("http://api.example.com", true))).toBe(true)
      expect(Exit.isSuccess(yield* build("http://127.0.0.1:8080"))).toBe(true)
      expect(Exit.isSuccess(yield* build("http://localhost:8080/"))).toBe(true)
      expect(Exit.isFailure(yield* build("https://user:pass@api.open.cx"))).toBe(true)
      expect(Exit.isFailure(yield* build("not a url"))).toBe(true)
      const failure = yield* build("http://api.example.com")
      assert(Exit.isFailure(failure))
      expect(String(failure.cause)).toContain("in clear")
    }))

  it.effect("TestSessions.layerFailing and layer", () =>
    Effect.gen(function*() {
      const error = new OpenCxError.Forbidden({ method: "GET", url: "https://api.open.cx/chat/sessions", status: 403 })
      const failed = yield* walkError().pipe(Effect.provide(TestSessions.layerFailing(error)))
      expect(failed).toBe(error)
      const listed = yield* Effect.flatMap(service, (s) => s.list()).pipe(
        Effect.provide(TestSessions.layer({ list: () => Effect.succeed({ items: [], next: null }) }))
      )
      expect(listed).toEqual({ items: [], next: null })
      const missing = yield* Effect.exit(collectIds().pipe(Effect.provide(TestSessions.layer({}))))
      assert(Exit.isFailure(missing))
      expect(String(missing.cause)).toContain("SessionsService.stream was called but not implemented")
      expect(Option.isNone(Option.none())).toBe(true)
    }))
})
