import { ChatSession, FakeOpenCx } from "@opencx-effect/core"
import { HttpClient } from "@effect/platform"
import { assert, describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Either, Exit, Fiber, Option, ParseResult, Redacted, Schema, TestClock } from "effect"
import { baseUrl, decodePage, errorBody, getPage, walk } from "./utils/walk.js"

type Session = ChatSession.ChatSessionStrict

const handedOff = (s: Session) => s.handoff !== undefined || s.ai_closure_type === "handed_off"
const millis = (s: string) => Date.parse(s)

/** The filters, written independently of the fake, to check it against. */
const reference = (query: Readonly<Record<string, string>>) => (s: Session) => {
  const created = DateTime.toEpochMillis(s.created_at)
  const updated = DateTime.toEpochMillis(s.updated_at)
  return (query.status === undefined || s.status === query.status) &&
    (query.channel_type === undefined || s.channel.type === query.channel_type) &&
    (query.handed_off === undefined || handedOff(s) === (query.handed_off === "true")) &&
    (query.created_after === undefined || created > millis(query.created_after)) &&
    (query.created_before === undefined || created < millis(query.created_before)) &&
    (query.updated_after === undefined || updated > millis(query.updated_after)) &&
    (query.updated_before === undefined || updated < millis(query.updated_before))
}

const withFake = (options: FakeOpenCx.Options) => Effect.provide(FakeOpenCx.layerHttpClient(options))

describe("FakeOpenCx", () => {
  describe("generated data", () => {
    it.effect("is deterministic per seed, and differs across seeds", () =>
      Effect.gen(function*() {
        const a = yield* FakeOpenCx.make({ generate: { count: 50, seed: 7 } })
        const b = yield* FakeOpenCx.make({ generate: { count: 50, seed: 7 } })
        const c = yield* FakeOpenCx.make({ generate: { count: 50, seed: 8 } })
        const encode = Schema.encodeSync(Schema.Array(ChatSession.ChatSessionStrict))
        expect(encode(yield* a.sessions)).toEqual(encode(yield* b.sessions))
        expect(encode(yield* a.sessions)).not.toEqual(encode(yield* c.sessions))
      }))

    it.effect("has a realistic spread, ordered by created_at, with increasing ticket numbers", () =>
      Effect.gen(function*() {
        const fake = yield* FakeOpenCx.make({ generate: { count: 2000, seed: 3 } })
        const sessions = yield* fake.sessions
        expect(sessions.length).toBe(2000)
        expect(yield* fake.count).toBe(2000)
        const distinct = <A>(f: (s: Session) => A) => new Set(sessions.map(f))
        expect(distinct((s) => s.channel.type).size).toBe(10)
        expect(distinct((s) => s.status).size).toBe(3)
        expect(distinct((s) => s.sentiment)).toEqual(new Set(["happy", "neutral", "angry", null]))
        expect(distinct((s) => s.ai_closure_type)).toEqual(new Set(["resolved", "assumed_resolved", "handed_off", null]))
        expect(sessions.some((s) => s.contact === undefined)).toBe(true)
        expect(sessions.some((s) => s.contact?.email === null)).toBe(true)
        expect(sessions.some((s) => s.contact?.custom_data === null)).toBe(true)
        expect(sessions.some((s) => s.handoff !== undefined && s.handoff.sentiment === undefined)).toBe(true)
        expect(sessions.some((s) => s.ticketing_system !== undefined)).toBe(true)
        expect(distinct((s) => s.team?.name).size).toBe(6) // five teams, and none
        expect(sessions.some((s) => s.assignee_id === null) && sessions.some((s) => "assignee_id" in s === false))
          .toBe(true)
        for (let i = 1; i < sessions.length; i++) {
          expect(DateTime.lessThan(sessions[i - 1]!.created_at, sessions[i]!.created_at)).toBe(true)
          expect(sessions[i]!.ticket_number).toBeGreaterThan(sessions[i - 1]!.ticket_number)
          expect(DateTime.lessThanOrEqualTo(sessions[i]!.created_at, sessions[i]!.updated_at)).toBe(true)
        }
        expect(new Set(sessions.map((s) => s.id)).size).toBe(2000)
      }))
  })

  describe("paging and filters, walked with a raw HttpClient", () => {
    const queries: ReadonlyArray<Readonly<Record<string, string>>> = [
      {},
      { status: "open" },
      { status: "closed_resolved" },
      { channel_type: "email" },
      { handed_off: "true" },
      { handed_off: "false" },
      { created_after: "2024-06-01T00:00:00.000Z" },
      { created_before: "2024-06-01T00:00:00.000Z" },
      { updated_after: "2025-01-01T00:00:00.000Z" },
      { updated_before: "2024-09-01T00:00:00.000Z" },
      { status: "closed_unresolved", handed_off: "true" },
      { channel_type: "web", created_after: "2024-03-01T00:00:00.000Z", created_before: "2025-03-01T00:00:00.000Z" },
      {
        status: "closed_resolved",
        channel_type: "web",
        handed_off: "false",
        updated_after: "2024-05-01T00:00:00.000Z",
        updated_before: "2025-09-01T00:00:00.000Z"
      },
      { created_after: "2030-01-01T00:00:00.000Z" }
    ]
    const sizes = [1, 7, 25, 100]

    it.effect("every matching session exactly once, in order, for each filter, combination and page size", () =>
      Effect.gen(function*() {
        for (const pageSize of sizes) {
          const fake = yield* FakeOpenCx.make({ generate: { count: 240, seed: 11 }, pageSize })
          const all = yield* fake.sessions
          for (const query of queries) {
            const { items, pages } = yield* walk(query).pipe(
              Effect.provideService(HttpClient.HttpClient, FakeOpenCx.httpClient(fake))
            )
            const expected = all.filter(reference(query)).map((s) => s.id)
            expect(items.map((s) => s.id), JSON.stringify({ pageSize, query })).toEqual(expected)
            expect(pages).toBe(Math.max(1, Math.ceil(expected.length / pageSize)))
            for (const item of items) expect(reference(query)(item)).toBe(true)
          }
        }
      }), 60_000)

    it.effect("explicit sessions, and sessions changed between pages, are each served once", () =>
      Effect.gen(function*() {
        const fake = yield* FakeOpenCx.make({ generate: { count: 60, seed: 5 }, pageSize: 10 })
        const client = FakeOpenCx.httpClient(fake)
        const first = yield* getPage({}).pipe(Effect.flatMap(decodePage), Effect.provideService(HttpClient.HttpClient, client))
        // between pages: an update, a removal, an insertion at the end
        const all = yield* fake.sessions
        yield* fake.update(all[30]!.id, (s) => ({ ...s, status: "open", updated_at: DateTime.unsafeMake("2027-01-01T00:00:00Z") }))
        yield* fake.remove(all[40]!.id)
        const late: Session = { ...all[0]!, id: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", created_at: DateTime.unsafeMake("2028-01-01T00:00:00Z"), updated_at: DateTime.unsafeMake("2028-01-01T00:00:00Z") }
        yield* fake.upsert(late)
        const rest = yield* walkFrom(first.next!).pipe(Effect.provideService(HttpClient.HttpClient, client))
        const ids = [...first.items, ...rest].map((s) => s.id)
        expect(new Set(ids).size).toBe(ids.length)
        expect(ids.length).toBe(60 - 1 + 1)
        expect(ids).toContain(all[30]!.id)
        expect(ids).not.toContain(all[40]!.id)
        expect(ids[ids.length - 1]).toBe(late.id)
        expect(Option.map(yield* fake.get(all[30]!.id), (s) => s.status)).toEqual(Option.some("open"))
      }))
  })

  describe("auth", () => {
    it.effect("a missing or wrong token gets 401 with an ErrorDto; the scheme is case-insensitive", () =>
      Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const none = yield* client.get(`${baseUrl}/chat/sessions`)
        expect(none.status).toBe(401)
        expect(yield* errorBody(none)).toEqual({ statusCode: 401, message: "Unauthorized", error: "Unauthorized" })
        expect((yield* getPage({}, "wrong")).status).toBe(401)
        const lower = yield* client.get(`${baseUrl}/chat/sessions`, { headers: { authorization: "bearer secret-1" } })
        expect(lower.status).toBe(200)
      }).pipe(withFake({ apiKey: Redacted.make("secret-1") })))
  })

  describe("the query", () => {
    it.effect.each([
      ["status", { status: "archived" }],
      ["channel_type", { channel_type: "telegram" }],
      ["created_after", { created_after: "yesterday" }],
      ["handed_off", { handed_off: "yes" }],
      ["created_after", { created_after: "2025-02-01", created_before: "2025-01-01" }],
      ["limit", { limit: "10" }]
    ] as const)("a bad %s gets 400 with an ErrorDto naming it", ([name, query]) =>
      Effect.gen(function*() {
        const response = yield* getPage(query)
        expect(response.status).toBe(400)
        const body = yield* errorBody(response)
        expect(body.statusCode).toBe(400)
        expect(body.error).toBe("Bad Request")
        expect(body.message).toContain(`"${name}"`)
      }).pipe(withFake({})))

    it.effect("a parameter given twice gets 400", () =>
      Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const response = yield* client.get(`${baseUrl}/chat/sessions?status=open&status=closed_resolved`, {
          headers: { authorization: `Bearer ${FakeOpenCx.defaultApiKey}` }
        })
        expect(response.status).toBe(400)
        expect((yield* errorBody(response)).message).toContain(`"status"`)
      }).pipe(withFake({})))

    it.effect("other paths get 404 and other methods 405", () =>
      Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        expect((yield* client.get(`${baseUrl}/chat/session`)).status).toBe(404)
        // POST /chat/sessions creates a session: DELETE is another method
        const response = yield* client.del(`${baseUrl}/chat/sessions`)
        expect(response.status).toBe(405)
        expect(response.headers["allow"]).toBe("GET, POST")
      }).pipe(withFake({})))
  })

  describe("cursors", () => {
    it.effect("are opaque, stable, and null on the last page", () =>
      Effect.gen(function*() {
        const a = yield* walk()
        const b = yield* walk()
        expect(a.cursors).toEqual(b.cursors)
        expect(a.cursors.length).toBe(3)
        for (const cursor of a.cursors) {
          expect(cursor).not.toMatch(/^\d+$/)
          expect(cursor.length).toBeGreaterThan(16)
        }
      }).pipe(withFake({ generate: { count: 40, seed: 1 }, pageSize: 10 })))

    it.effect("a tampered cursor, a foreign one, or one with other filters gets 400", () =>
      Effect.gen(function*() {
        const fake = yield* FakeOpenCx.make({ generate: { count: 40, seed: 1 }, pageSize: 10 })
        const other = yield* FakeOpenCx.make({ generate: { count: 40, seed: 1 }, pageSize: 10, cursorSecret: "another" })
        const onFake = Effect.provideService(HttpClient.HttpClient, FakeOpenCx.httpClient(fake))
        const first = yield* getPage({ status: "closed_resolved" }).pipe(Effect.flatMap(decodePage), onFake)
        const cursor = first.next!
        const tampered = cursor.slice(0, 5) + (cursor[5] === "A" ? "B" : "A") + cursor.slice(6)
        const foreign = yield* getPage({ status: "closed_resolved" }).pipe(
          Effect.flatMap(decodePage),
          Effect.provideService(HttpClient.HttpClient, FakeOpenCx.httpClient(other))
        )
        const cases = [
          { cursor: tampered, status: "closed_resolved" },
          { cursor: foreign.next!, status: "closed_resolved" },
          { cursor, status: "open" },
          { cursor },
          { cursor: "not a cursor" }
        ]
        for (const query of cases) {
          const response = yield* getPage(query).pipe(onFake)
          expect(response.status, JSON.stringify(query)).toBe(400)
          expect((yield* errorBody(response).pipe(onFake)).message).toContain(`"cursor"`)
        }
        expect((yield* getPage({ cursor, status: "closed_resolved" }).pipe(onFake)).status).toBe(200)
      }))
  })

  describe("rate limit", () => {
    it.effect("counts a sliding window per token and sets Retry-After in seconds", () =>
      Effect.gen(function*() {
        const fake = yield* FakeOpenCx.FakeOpenCx
        const status = Effect.map(getPage({}), (r) => r.status)
        expect(yield* status).toBe(200) // t = 0
        yield* TestClock.adjust("4 seconds")
        expect(yield* status).toBe(200) // t = 4
        yield* TestClock.adjust("2 seconds")
        expect(yield* status).toBe(200) // t = 6
        const limited = yield* getPage({}) // t = 6: three in the last 10 s
        expect(limited.status).toBe(429)
        expect(limited.headers["retry-after"]).toBe("4") // the request of t = 0 leaves the window at t = 10
        expect((yield* errorBody(limited)).statusCode).toBe(429)
        yield* TestClock.adjust("3999 millis")
        expect(yield* status).toBe(429) // t = 9.999
        yield* TestClock.adjust("2 millis")
        expect(yield* status).toBe(200) // t = 10.001: the window slid past t = 0
        expect(yield* status).toBe(429) // t = 10.001: 4, 6, 10.001 are in the window
        // a 401 does not count against the token
        expect((yield* getPage({}, "wrong")).status).toBe(401)
        const log = yield* fake.requests
        expect(log.map((r) => r.status)).toEqual([200, 200, 200, 429, 429, 200, 429, 401])
      }).pipe(withFake({ rateLimit: { limit: 3, window: "10 seconds" } })))
  })

  describe("faults, in-process", () => {
    const F = FakeOpenCx.Fault
    const faulty = (rule: FakeOpenCx.FaultRule) => withFake({ generate: { count: 30, seed: 2 }, pageSize: 10, faults: [rule] })

    it.effect.each([408, 429, 500, 502, 503, 504, 401, 403])("status %i, with an ErrorDto", (status) =>
      Effect.gen(function*() {
        const response = yield* getPage({})
        expect(response.status).toBe(status)
        expect(response.headers["x-request-id"]).toBe("fake-1")
        expect(yield* errorBody(response)).toMatchObject({ statusCode: status })
        expect((yield* getPage({})).status).toBe(200) // request 2 is not faulted
      }).pipe(faulty(FakeOpenCx.onRequest(1, F.status(status)))))

    it.effect("429 with Retry-After in seconds, and without", () =>
      Effect.gen(function*() {
        const first = yield* getPage({})
        expect(first.status).toBe(429)
        expect(first.headers["retry-after"]).toBe("7")
        const second = yield* getPage({})
        expect(second.status).toBe(429)
        expect(second.headers["retry-after"]).toBeUndefined()
      }).pipe(withFake({
        faults: [
          FakeOpenCx.onRequest(1, F.status(429, { retryAfter: FakeOpenCx.RetryAfter.seconds(7) })),
          FakeOpenCx.onRequest(2, F.status(429))
        ]
      })))

    it.effect("429 with Retry-After as an HTTP-date, from the fake's clock", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(Date.parse("2026-03-01T12:00:00Z"))
        const response = yield* getPage({})
        expect(response.status).toBe(429)
        expect(response.headers["retry-after"]).toBe("Sun, 01 Mar 2026 12:00:30 GMT")
      }).pipe(faulty(FakeOpenCx.onRequest(1, F.status(429, { retryAfter: FakeOpenCx.RetryAfter.httpDate("30 seconds") })))))

    it.effect("extra headers, such as X-RateLimit-Reset", () =>
      Effect.gen(function*() {
        const response = yield* getPage({})
        expect(response.headers["x-ratelimit-reset"]).toBe("12")
      }).pipe(faulty(FakeOpenCx.onRequest(1, F.status(429, { headers: { "x-ratelimit-reset": "12" } })))))

    it.effect("latency, on the fake's clock", () =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(getPage({}))
        yield* TestClock.adjust("2999 millis")
        expect(fiber.unsafePoll()).toBeNull()
        yield* TestClock.adjust("1 millis")
        const response = yield* Fiber.join(fiber)
        expect(response.status).toBe(200)
      }).pipe(faulty(FakeOpenCx.onRequest(1, F.latency("3 seconds")))))

    it.effect("malformed JSON", () =>
      Effect.gen(function*() {
        const response = yield* getPage({})
        expect(response.status).toBe(200)
        const text = yield* response.text
        expect(text.length).toBeGreaterThan(10)
        expect(() => JSON.parse(text)).toThrow()
      }).pipe(faulty(FakeOpenCx.onRequest(1, F.malformedJson))))

    it.effect("an HTML error page", () =>
      Effect.gen(function*() {
        const response = yield* getPage({})
        expect(response.status).toBe(502)
        expect(response.headers["content-type"]).toContain("text/html")
        expect(yield* response.text).toContain("<html>")
      }).pipe(faulty(FakeOpenCx.onRequest(1, F.html(502)))))

    it.effect("an empty body", () =>
      Effect.gen(function*() {
        const response = yield* getPage({})
        expect(response.status).toBe(200)
        expect(yield* response.text).toBe("")
      }).pipe(faulty(FakeOpenCx.onRequest(1, F.emptyBody()))))

    it.effect("a page whose one item breaks the schema", () =>
      Effect.gen(function*() {
        const response = yield* getPage({})
        const body = yield* response.json
        const strict = Schema.decodeUnknownEither(ChatSession.ListChatSessionsOutputStrict)(body)
        const tolerant = Schema.decodeUnknownEither(ChatSession.ListChatSessionsOutput)(body)
        assert(Either.isLeft(strict) && Either.isLeft(tolerant))
        expect(ParseResult.ArrayFormatter.formatErrorSync(tolerant.left)[0]?.path).toEqual(["items", 3, "ticket_number"])
      }).pipe(faulty(FakeOpenCx.onRequest(1, F.invalidItem(3)))))

    it.effect("an empty page with a non-null next, which resumes where it was", () =>
      Effect.gen(function*() {
        const first = yield* getPage({}).pipe(Effect.flatMap(decodePage))
        const empty = yield* getPage({ cursor: first.next! }).pipe(Effect.flatMap(decodePage))
        expect(empty.items).toEqual([])
        assert(empty.next !== null)
        expect(empty.next).not.toBe(first.next)
        const second = yield* getPage({ cursor: empty.next }).pipe(Effect.flatMap(decodePage))
        expect(second.items[0]!.ticket_number).toBe(11)
      }).pipe(faulty(FakeOpenCx.onRequest(2, F.emptyPageWithNext))))

    it.effect("a next equal to the cursor just used", () =>
      Effect.gen(function*() {
        const first = yield* getPage({}).pipe(Effect.flatMap(decodePage))
        const second = yield* getPage({ cursor: first.next! }).pipe(Effect.flatMap(decodePage))
        expect(second.items[0]!.ticket_number).toBe(11)
        expect(second.next).toBe(first.next)
      }).pipe(faulty(FakeOpenCx.onRequest(2, F.repeatCursor))))

    it.effect("a connection reset mid-body: the status and headers arrive, the body breaks", () =>
      Effect.gen(function*() {
        const fake = yield* FakeOpenCx.FakeOpenCx
        const response = yield* getPage({})
        expect(response.status).toBe(200)
        const body = yield* Effect.either(response.text)
        assert(Either.isLeft(body))
        expect((yield* fake.requests)[0]).toMatchObject({ outcome: "reset", fault: "ConnectionReset" })
      }).pipe(faulty(FakeOpenCx.onRequest(1, F.connectionReset))))

    it.effect("a response that never comes; the client giving up is logged as aborted", () =>
      Effect.gen(function*() {
        const fake = yield* FakeOpenCx.FakeOpenCx
        const fiber = yield* Effect.fork(getPage({}))
        yield* TestClock.adjust("1 hour")
        expect(fiber.unsafePoll()).toBeNull()
        yield* Fiber.interrupt(fiber)
        expect((yield* fake.requests)[0]).toMatchObject({ number: 1, outcome: "aborted", status: undefined })
      }).pipe(faulty(FakeOpenCx.onRequest(1, F.noResponse))))

    it.effect("faults by predicate, with a cap on how often", () =>
      Effect.gen(function*() {
        const statuses: Array<number> = []
        for (let i = 0; i < 4; i++) statuses.push((yield* getPage({ status: "open" })).status)
        expect(statuses).toEqual([503, 503, 200, 200])
        expect((yield* getPage({})).status).toBe(200)
      }).pipe(faulty(FakeOpenCx.when((r) => r.query.status === "open", F.status(503), 2))))

    it.effect("random faults are reproducible from their seed", () =>
      Effect.gen(function*() {
        const run = Effect.gen(function*() {
          const statuses: Array<number> = []
          for (let i = 0; i < 200; i++) statuses.push((yield* getPage({})).status)
          return statuses
        })
        const rules = FakeOpenCx.randomFaults({ rate: 0.1, seed: 99, faults: [F.status(500), F.status(503)] })
        const a = yield* run.pipe(withFake({ faults: rules }))
        const b = yield* run.pipe(withFake({ faults: rules }))
        expect(a).toEqual(b)
        const failed = a.filter((s) => s !== 200).length
        expect(failed).toBeGreaterThan(5)
        expect(failed).toBeLessThan(40)
        expect(new Set(a)).toEqual(new Set([200, 500, 503]))
      }))
  })

  describe("the request log", () => {
    it.effect("records method, URL, query, headers and arrival time, never the token", () =>
      Effect.gen(function*() {
        const fake = yield* FakeOpenCx.FakeOpenCx
        yield* TestClock.setTime(1_000)
        yield* getPage({ status: "open" }, "very-secret-token")
        yield* TestClock.adjust("5 seconds")
        yield* getPage({ status: "open" }, "wrong-token-value")
        const log = yield* fake.requests
        expect(log).toHaveLength(2)
        expect(log[0]).toMatchObject({
          number: 1,
          method: "GET",
          url: "/chat/sessions?status=open",
          query: { status: "open" },
          arrivedAt: 1_000,
          status: 200,
          outcome: "responded"
        })
        expect(log[0]!.headers.authorization).toBe("<redacted>")
        expect(log[1]).toMatchObject({ arrivedAt: 6_000, status: 401 })
        const text = JSON.stringify(log)
        expect(text).not.toContain("very-secret-token")
        expect(text).not.toContain("wrong-token-value")
        yield* fake.clearRequests
        expect(yield* fake.requests).toEqual([])
      }).pipe(withFake({ apiKey: "very-secret-token" })))

    it.effect("the token given to the layer is used, from a header the test sets", () =>
      getPage({}, "very-secret-token").pipe(
        Effect.map((r) => expect(r.status).toBe(200)),
        withFake({ apiKey: "very-secret-token" })
      ))
  })

  describe("everything served is spec-valid", () => {
    it.effect.prop(
      "for any seed, filters and page size, every page decodes with the strict schemas",
      {
        seed: Schema.Int.pipe(Schema.between(0, 1_000_000)),
        pageSize: Schema.Int.pipe(Schema.between(1, 60)),
        status: Schema.UndefinedOr(ChatSession.SessionStatusStrict),
        channel: Schema.UndefinedOr(ChatSession.SessionChannelStrict),
        handedOff: Schema.UndefinedOr(Schema.Boolean)
      },
      ({ channel, handedOff, pageSize, seed, status }) =>
        Effect.gen(function*() {
          const query: Record<string, string> = {}
          if (status !== undefined) query.status = status
          if (channel !== undefined) query.channel_type = channel
          if (handedOff !== undefined) query.handed_off = String(handedOff)
          const { items } = yield* walk(query)
          for (const item of items) expect(reference(query)(item)).toBe(true)
        }).pipe(withFake({ generate: { count: 120, seed }, pageSize })),
      { fastCheck: { numRuns: 25 } }
    )
  })

  it.effect("a store of explicit sessions is checked with the strict schema", () =>
    Effect.gen(function*() {
      const generated = yield* FakeOpenCx.make({ generate: { count: 3, seed: 1 } })
      const [one] = yield* generated.sessions
      const bad = yield* Effect.exit(FakeOpenCx.make({ sessions: [{ ...one!, id: "not-a-uuid" }] }))
      expect(Exit.isFailure(bad)).toBe(true)
      const good = yield* FakeOpenCx.make({ sessions: [one!] })
      expect(yield* good.count).toBe(1)
    }))
})

const walkFrom = (cursor: string) =>
  Effect.gen(function*() {
    const items: Array<Session> = []
    let next: string | null = cursor
    while (next !== null) {
      const page: ChatSession.ListChatSessionsOutputStrict = yield* getPage({ cursor: next }).pipe(Effect.flatMap(decodePage))
      items.push(...page.items)
      next = page.next
    }
    return items
  })
