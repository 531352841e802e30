/**
 * The fault matrix, on a real socket: every fault kind FakeOpenCx has, at the
 * first, a middle and the last page. Each walk yields every session exactly
 * once, or fails with the documented tagged error after a prefix of them;
 * none hangs (each runs under a deadline); none yields a duplicate; and the
 * API key is in no error, log line or span, with the log level at Debug and
 * tracing on. RELIABILITY.md summarises this table.
 */
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { FakeOpenCx, type OpenCxError, SessionsService } from "@opencx-effect/core"
import { NodeFakeOpenCx, NodeSessionsService } from "@opencx-effect/platform-node"
import { Effect, Either, Layer, Logger, LogLevel, Ref, Stream, Tracer } from "effect"

const F = FakeOpenCx.Fault
const key = "sk-live-FAULT-MATRIX-5e2b7c"

type Expected = "complete" | OpenCxError.OpenCxError["_tag"]

/** [fault, what a walk must end with, when the fault is on the first page (no cursor yet)] */
const faults: ReadonlyArray<readonly [string, FakeOpenCx.Fault, Expected, Expected?]> = [
  ["408", F.status(408), "complete"],
  ["429 without Retry-After", F.status(429), "complete"],
  ["429, Retry-After in seconds", F.status(429, { retryAfter: FakeOpenCx.RetryAfter.seconds(1) }), "complete"],
  ["429, Retry-After as an HTTP-date", F.status(429, { retryAfter: FakeOpenCx.RetryAfter.httpDate("1 second") }), "complete"],
  ["429, Retry-After over 60 s", F.status(429, { retryAfter: FakeOpenCx.RetryAfter.seconds(90) }), "RateLimited"],
  ["429, X-RateLimit-Reset", F.status(429, { headers: { "x-ratelimit-reset": "1" } }), "complete"],
  ["500", F.status(500), "complete"],
  ["502", F.status(502), "complete"],
  ["503", F.status(503), "complete"],
  ["504", F.status(504), "complete"],
  ["400", F.status(400), "BadRequest"],
  ["401", F.status(401), "Unauthorized"],
  ["403", F.status(403), "Forbidden"],
  ["404", F.status(404), "BadRequest"],
  ["501", F.status(501), "ServerError"],
  ["a redirect", F.status(302, { headers: { location: "https://elsewhere.example/chat/sessions" } }), "BadRequest"],
  ["latency beyond the timeout", F.latency("1500 millis"), "complete"],
  ["malformed JSON", F.malformedJson, "Decode"],
  ["an HTML error page (502)", F.html(502), "complete"],
  ["an empty body (200)", F.emptyBody(200), "Decode"],
  ["an invalid item", F.invalidItem(), "Decode"],
  ["an empty page with next", F.emptyPageWithNext, "complete"],
  ["a repeated cursor", F.repeatCursor, "CursorLoop", "complete"],
  ["a connection reset mid-body", F.connectionReset, "complete"],
  ["a response that never comes", F.noResponse, "complete"]
]

// 100 sessions, 20 a page: pages 1 to 5; the fault hits the first request for that page
const positions = [["first", 1], ["middle", 3], ["last", 5]] as const

const cases = faults.flatMap(([name, fault, expected, onFirst]) =>
  positions.map(([position, request]) => ({
    name: `${name}, ${position} page`,
    fault,
    request,
    expected: position === "first" && onFirst !== undefined ? onFirst : expected
  }))
)

/** a tracer that records every span it starts */
const recording = (spans: Array<Tracer.Span>) =>
  Effect.map(Effect.tracer, (base) =>
    Tracer.make({
      span: (...args) => {
        const span = base.span(...args)
        spans.push(span)
        return span
      },
      context: (f, fiber) => base.context(f, fiber)
    }))

describe("fault matrix over a real socket", () => {
  it.live.each(cases)("$name: $expected", ({ expected, fault, request }) =>
    Effect.gen(function*() {
      const { fake, url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      const all = (yield* fake.sessions).map((s) => s.id)
      const lines: Array<string> = []
      const spans: Array<Tracer.Span> = []
      const tracer = yield* recording(spans)
      const seen = yield* Ref.make<ReadonlyArray<string>>([])
      const layer = NodeSessionsService.layer({
        apiKey: key,
        baseUrl: url,
        rateLimit: false,
        timeout: "700 millis",
        retry: { baseDelay: "20 millis", maxDelay: "100 millis" }
      })
      const result = yield* SessionsService.stream().pipe(
        Stream.runForEach((session) => Ref.update(seen, (ids) => [...ids, session.id])),
        Effect.provide(layer),
        Effect.withTracer(tracer),
        Logger.withMinimumLogLevel(LogLevel.Debug),
        Effect.provide(Logger.replace(Logger.defaultLogger, Logger.make((o) => void lines.push(Logger.stringLogger.log(o))))),
        Effect.timeoutFail({ duration: "15 seconds", onTimeout: () => "the walk hung" as const }),
        Effect.either
      )
      const ids = yield* Ref.get(seen)
      expect(new Set(ids).size).toBe(ids.length) // never a duplicate
      expect(ids).toEqual(all.slice(0, ids.length)) // in order, a prefix
      if (expected === "complete") {
        expect(Either.isRight(result), Either.isLeft(result) ? String(result.left) : "").toBe(true)
        expect(ids).toEqual(all)
      } else {
        if (Either.isRight(result)) return expect.fail(`expected ${expected}, the walk completed`)
        const error = result.left
        expect(error === "the walk hung" ? error : error._tag).toBe(expected)
      }
      const texts = [
        ...lines,
        ...spans.map((s) => JSON.stringify({ name: s.name, attributes: [...s.attributes] })),
        Either.isLeft(result) ? `${String(result.left)} ${JSON.stringify(result.left)}` : ""
      ]
      for (const text of texts) expect(text).not.toContain(key)
      expect(spans.some((s) => s.name === "SessionsService.page")).toBe(true)
    }).pipe(
      Effect.provide(
        NodeFakeOpenCx.layer({
          generate: { count: 100, seed: 77 },
          pageSize: 20,
          apiKey: key,
          faults: [FakeOpenCx.onRequest(request, fault)]
        })
      )
    ))

  it.live("a redirect to another origin never carries the key there: it is not followed", () =>
    Effect.gen(function*() {
      const elsewhere = yield* NodeFakeOpenCx.serve(yield* FakeOpenCx.make({ generate: { count: 5 } }))
      const { fake, url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      yield* fake.addFaults(FakeOpenCx.onRequest(1, F.status(307, { headers: { location: `${elsewhere.url}/chat/sessions` } })))
      const error = yield* SessionsService.list().pipe(
        Effect.provide(NodeSessionsService.layer({ apiKey: key, baseUrl: url, rateLimit: false })),
        Effect.flip
      )
      expect(error._tag).toBe("BadRequest")
      expect(error.message).toContain("redirects are not followed")
      expect(yield* elsewhere.fake.requests).toHaveLength(0)
    }).pipe(Effect.scoped, Effect.provide(NodeFakeOpenCx.layer({ generate: { count: 5 }, apiKey: key }))))

  it.live("with a fetch-based HttpClient, which follows redirects, the key is dropped at another origin", () =>
    Effect.gen(function*() {
      const elsewhere = yield* NodeFakeOpenCx.serve(yield* FakeOpenCx.make({ generate: { count: 5 } }))
      const { fake, url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      yield* fake.addFaults(FakeOpenCx.onRequest(1, F.status(307, { headers: { location: `${elsewhere.url}/chat/sessions` } })))
      const result = yield* SessionsService.list().pipe(
        Effect.provide(
          SessionsService.layer({ apiKey: key, baseUrl: url, rateLimit: false }).pipe(Layer.provide(FetchHttpClient.layer))
        ),
        Effect.either
      )
      // the other origin answered 401: it never got the key
      expect(Either.isLeft(result) && result.left._tag).toBe("Unauthorized")
      const log = yield* elsewhere.fake.requests
      expect(log).toHaveLength(1)
      expect(log[0]!.headers.authorization).toBeUndefined()
    }).pipe(Effect.scoped, Effect.provide(NodeFakeOpenCx.layer({ generate: { count: 5 }, apiKey: key }))))

  it.live("the matrix covers every fault kind FakeOpenCx has (but Body, a free-form response)", () =>
    Effect.sync(() => {
      const kinds = new Set(faults.map(([, fault]) => fault._tag))
      expect([...kinds].sort()).toEqual([
        "ConnectionReset",
        "EmptyBody",
        "EmptyPageWithNext",
        "Html",
        "InvalidItem",
        "Latency",
        "MalformedJson",
        "NoResponse",
        "RepeatCursor",
        "Status"
      ])
      expect(cases).toHaveLength(faults.length * 3)
    }))
})
