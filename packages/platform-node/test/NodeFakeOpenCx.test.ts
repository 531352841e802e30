import { HttpClient, HttpClientResponse } from "@effect/platform"
import { assert, describe, expect, it } from "@effect/vitest"
import { ChatSession, FakeOpenCx } from "@opencx-effect/core"
import { NodeFakeOpenCx, NodeHttp } from "@opencx-effect/platform-node"
import { Effect, Either, Layer, Schedule, Schema } from "effect"

const F = FakeOpenCx.Fault
const decodePage = HttpClientResponse.schemaBodyJson(ChatSession.ListChatSessionsOutputStrict)

const getPage = (query: Readonly<Record<string, string>> = {}) =>
  Effect.gen(function*() {
    const { url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
    const client = yield* HttpClient.HttpClient
    return yield* client.get(`${url}/chat/sessions`, {
      urlParams: query,
      headers: { authorization: `Bearer ${FakeOpenCx.defaultApiKey}` }
    })
  })

const onSocket = (options: FakeOpenCx.Options) =>
  Effect.provide(Layer.merge(NodeFakeOpenCx.layer(options), NodeHttp.layer))

const faulty = (...faults: ReadonlyArray<FakeOpenCx.FaultRule>) =>
  onSocket({ generate: { count: 30, seed: 4 }, pageSize: 10, faults })

/** waits (polling, bounded) until the fake has logged `n` requests */
const loggedRequests = (n: number) =>
  Effect.gen(function*() {
    const fake = yield* FakeOpenCx.FakeOpenCx
    const log = yield* fake.requests
    if (log.length < n) return yield* Effect.fail("not yet" as const)
    return log
  }).pipe(Effect.retry(Schedule.spaced("10 millis").pipe(Schedule.upTo("5 seconds"))))

describe("NodeFakeOpenCx", () => {
  it.live("serves every session exactly once over a real socket on 127.0.0.1", () =>
    Effect.gen(function*() {
      const { url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const fake = yield* FakeOpenCx.FakeOpenCx
      const ids: Array<string> = []
      let cursor: string | null = null
      do {
        const page: ChatSession.ListChatSessionsOutputStrict = yield* getPage(cursor === null ? {} : { cursor }).pipe(
          Effect.flatMap(decodePage)
        )
        ids.push(...page.items.map((s) => s.id))
        cursor = page.next
      } while (cursor !== null)
      expect(ids).toEqual((yield* fake.sessions).map((s) => s.id))
      const log = yield* fake.requests
      expect(log).toHaveLength(Math.ceil(137 / 20))
      expect(log.every((r) => r.headers.authorization === "<redacted>")).toBe(true)
    }).pipe(onSocket({ generate: { count: 137, seed: 9 }, pageSize: 20 })))

  describe("faults over the socket", () => {
    it.live.each([408, 429, 500, 502, 503, 504, 401, 403])("status %i", (status) =>
      Effect.gen(function*() {
        const response = yield* getPage()
        expect(response.status).toBe(status)
        expect(yield* response.json).toMatchObject({ statusCode: status })
      }).pipe(faulty(FakeOpenCx.onRequest(1, F.status(status)))))

    it.live("Retry-After in seconds and as an HTTP-date", () =>
      Effect.gen(function*() {
        expect((yield* getPage()).headers["retry-after"]).toBe("3")
        const date = (yield* getPage()).headers["retry-after"]
        assert(date !== undefined)
        expect(Date.parse(date) - Date.now()).toBeGreaterThan(50_000)
      }).pipe(faulty(
        FakeOpenCx.onRequest(1, F.status(429, { retryAfter: FakeOpenCx.RetryAfter.seconds(3) })),
        FakeOpenCx.onRequest(2, F.status(429, { retryAfter: FakeOpenCx.RetryAfter.httpDate("1 minute") }))
      )))

    it.live("latency, malformed JSON, HTML, an empty body", () =>
      Effect.gen(function*() {
        expect((yield* getPage()).status).toBe(200)
        const malformed = yield* (yield* getPage()).text
        expect(() => JSON.parse(malformed)).toThrow()
        const html = yield* getPage()
        expect(html.status).toBe(503)
        expect(yield* html.text).toContain("<html>")
        const empty = yield* getPage()
        expect(empty.status).toBe(200)
        expect(yield* empty.text).toBe("")
      }).pipe(faulty(
        FakeOpenCx.onRequest(1, F.latency("30 millis")),
        FakeOpenCx.onRequest(2, F.malformedJson),
        FakeOpenCx.onRequest(3, F.html(503)),
        FakeOpenCx.onRequest(4, F.emptyBody())
      )))

    it.live("an invalid item, an empty page with next, a repeated cursor", () =>
      Effect.gen(function*() {
        const invalid = yield* (yield* getPage()).json
        expect(Either.isLeft(Schema.decodeUnknownEither(ChatSession.ListChatSessionsOutput)(invalid))).toBe(true)
        const first = yield* getPage().pipe(Effect.flatMap(decodePage))
        const empty = yield* getPage({ cursor: first.next! }).pipe(Effect.flatMap(decodePage))
        expect(empty.items).toEqual([])
        const repeated = yield* getPage({ cursor: empty.next! }).pipe(Effect.flatMap(decodePage))
        expect(repeated.items).toHaveLength(10)
        expect(repeated.next).toBe(empty.next)
      }).pipe(faulty(
        FakeOpenCx.onRequest(1, F.invalidItem()),
        FakeOpenCx.onRequest(3, F.emptyPageWithNext),
        FakeOpenCx.onRequest(4, F.repeatCursor)
      )))

    it.live("a connection reset mid-body: headers arrive, then the socket is destroyed", () =>
      Effect.gen(function*() {
        const response = yield* getPage()
        expect(response.status).toBe(200)
        expect(Number(response.headers["content-length"])).toBeGreaterThan(100)
        const body = yield* Effect.either(response.text)
        assert(Either.isLeft(body), "the body should fail to arrive")
        const log = yield* loggedRequests(1)
        expect(log[0]).toMatchObject({ outcome: "reset", fault: "ConnectionReset" })
        expect((yield* getPage()).status).toBe(200) // the server goes on
      }).pipe(faulty(FakeOpenCx.onRequest(1, F.connectionReset))))

    it.live("a response that never comes; the server sees the client give up", () =>
      Effect.gen(function*() {
        const result = yield* getPage().pipe(Effect.timeout("300 millis"), Effect.either)
        assert(Either.isLeft(result), "no response should come")
        const log = yield* loggedRequests(1)
        expect(log[0]).toMatchObject({ number: 1, outcome: "aborted", status: undefined })
      }).pipe(faulty(FakeOpenCx.onRequest(1, F.noResponse))))
  })

  it.effect("start and stop, for callers outside Effect, with a request hanging", () =>
    Effect.promise(async () => {
      const fake = await NodeFakeOpenCx.start({
        generate: { count: 5, seed: 1 },
        faults: [FakeOpenCx.onRequest(2, F.noResponse)]
      })
      const headers = { authorization: `Bearer ${fake.apiKey}` }
      const response = await fetch(`${fake.url}/chat/sessions`, { headers })
      expect(response.status).toBe(200)
      const body: unknown = await response.json()
      expect(Schema.decodeUnknownSync(ChatSession.ListChatSessionsOutputStrict)(body).items).toHaveLength(5)
      const hanging = fetch(`${fake.url}/chat/sessions`, { headers }).catch((error: unknown) => error)
      while ((await fake.requests()).length < 1) await new Promise((r) => setTimeout(r, 5))
      await fake.stop() // closes the hanging connection too
      expect(await hanging).toBeInstanceOf(Error)
    }))
})
