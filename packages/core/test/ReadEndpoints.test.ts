/**
 * The read endpoints beyond the list: one session, a session's history and
 * the contacts, against the in-process fake, all through one client.
 */
import {
  ChatHistory,
  ChatSession,
  Contact,
  ContactsService,
  FakeOpenCx,
  OpenCxClient,
  SessionsService,
  TestSessions
} from "@opencx-effect/core"
import { assert, describe, expect, it } from "@effect/vitest"
import { Chunk, DateTime, Effect, Either, Exit, Fiber, Option, Schema, Stream, TestClock } from "effect"
import { drive, settle } from "./utils/drive.js"
import { windowCounts } from "../../../test-utils/windows.js"

const F = FakeOpenCx.Fault
const on = FakeOpenCx.onRequest

const sessions = SessionsService.SessionsService
const contacts = ContactsService.ContactsService
const fake = FakeOpenCx.FakeOpenCx
const fakeLog = Effect.flatMap(fake, (f) => f.requests)
const allSessions = Effect.flatMap(fake, (f) => f.sessions)

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

/** the fake's history of a session, as the tolerant reader gives it */
const servedHistory = (id: string) =>
  Effect.flatMap(fake, (f) =>
    Effect.map(f.history(id), (history) => {
      const items = Option.getOrThrow(history)
      const json = Schema.encodeSync(Schema.Array(ChatHistory.HistoryItemStrict))(items)
      return Schema.decodeUnknownSync(Schema.Array(ChatHistory.HistoryItem))(json)
    }))

const world = { generate: { count: 60, seed: 11 }, pageSize: 10, historyPageSize: 3 } as const
const withWorld = (options: TestSessions.FakeOptions = world) => Effect.provide(TestSessions.layerFake(options))

const handedOff = (s: ChatSession.ChatSessionStrict) => s.handoff !== undefined || s.ai_closure_type === "handed_off"

describe("SessionsService.get", () => {
  it.effect("returns exactly the session the list serves", () =>
    Effect.gen(function*() {
      const s = yield* sessions
      const listed = yield* collect(s.stream())
      for (const session of listed.slice(0, 20)) expect(yield* s.get(session.id)).toEqual(session)
    }).pipe(withWorld()))

  it.effect("a session that does not exist is NotFound, with its id", () =>
    Effect.gen(function*() {
      const id = "3f1c2a4e-8b7d-4c6e-9a1b-2c3d4e5f6a7b"
      const error = yield* Effect.flip((yield* sessions).get(id))
      assert(error._tag === "NotFound")
      expect(error.id).toBe(id)
      expect(error.resource).toBe("chat session")
      expect(error.status).toBe(404)
      expect(error.message).toContain(id)
    }).pipe(withWorld()))

  it.effect.each(["", " ", ".", "..", "a\nb", "\u001b[2J", " padded", "x".repeat(257)])(
    "the id %j is InvalidParams, before any request",
    (id) =>
      Effect.gen(function*() {
        const s = yield* sessions
        const error = yield* Effect.flip(s.get(id))
        assert(error._tag === "InvalidParams")
        expect(error.field).toBe("sessionId")
        const history = yield* Effect.flip(Stream.runDrain(s.history(id)))
        expect(history._tag).toBe("InvalidParams")
        expect(yield* fakeLog).toHaveLength(0)
      }).pipe(withWorld())
  )

  it.effect.each(["../contacts", "../../chat/sessions", "a?status=open", "a#fragment", "a%2Fb", "a/b", "%2e%2e"])(
    "the id %j cannot change the path: it is sent encoded, as one segment",
    (id) =>
      Effect.gen(function*() {
        const s = yield* sessions
        const error = yield* Effect.flip(s.get(id))
        assert(error._tag === "NotFound")
        expect(error.id).toBe(id)
        const [request] = yield* fakeLog
        expect(request!.url).toBe(`/chat/sessions/${encodeURIComponent(id)}`)
        expect(request!.query).toEqual({})
        const history = yield* Effect.flip(Stream.runDrain(s.history(id)))
        expect(history._tag).toBe("NotFound")
        expect((yield* fakeLog)[1]!.url).toBe(`/chat/sessions/${encodeURIComponent(id)}/history`)
      }).pipe(withWorld())
  )

  it.effect("faults on the route: a 503 is retried, a 401 is not", () =>
    Effect.gen(function*() {
      const s = yield* sessions
      const [first] = yield* allSessions
      expect((yield* drive(s.get(first!.id))).id).toBe(first!.id)
      expect((yield* fakeLog).map((r) => r.status)).toEqual([503, 200])
      const f = yield* fake
      yield* f.addFaults(FakeOpenCx.when(() => true, F.status(401)))
      expect((yield* Effect.flip(s.get(first!.id)))._tag).toBe("Unauthorized")
    }).pipe(withWorld({ ...world, faults: [on(1, F.status(503))] })))
})

describe("SessionsService.history", () => {
  it.effect("every event exactly once, oldest first, over many pages", () =>
    Effect.gen(function*() {
      const s = yield* sessions
      for (const session of (yield* allSessions).slice(0, 15)) {
        const f = yield* fake
        yield* f.clearRequests
        const items = yield* collect(s.history(session.id))
        expect(items).toEqual(yield* servedHistory(session.id))
        expect((yield* fakeLog).length).toBe(Math.max(1, Math.ceil(items.length / 3)))
        const times = items.map((item) => DateTime.toEpochMillis(item.created_at!))
        expect(times).toEqual([...times].sort((a, b) => a - b))
      }
    }).pipe(withWorld()))

  it.effect("lazy: nothing is sent until pulled; Stream.take(k) asks for ceil(k / page size) pages", () =>
    Effect.gen(function*() {
      const s = yield* sessions
      const [session] = yield* allSessions
      const stream = s.history(session!.id)
      expect(yield* fakeLog).toHaveLength(0)
      yield* collect(Stream.take(stream, 4))
      expect(yield* fakeLog).toHaveLength(2)
    }).pipe(withWorld()))

  it.effect("each generated conversation agrees with its session", () =>
    Effect.gen(function*() {
      const f = yield* fake
      for (const session of yield* allSessions) {
        const items = Option.getOrThrow(yield* f.history(session.id))
        const events = items.map((item) => item.event)
        const first = events[0]!
        assert(first.type === "message")
        expect(first.sender.type).toBe("contact")
        expect(events.some((e) => e.type === "message" && e.sender.type === "ai")).toBe(true)
        expect(events.some((e) => e.type === "handoff")).toBe(handedOff(session))
        expect(events.some((e) => e.type === "human_agent_joined")).toBe(handedOff(session))
        expect(events.some((e) => e.type === "message" && e.sender.type === "human_agent")).toBe(handedOff(session))
        expect(events.some((e) => e.type === "ai_resolved_issue")).toBe(
          !handedOff(session) && session.ai_closure_type === "resolved"
        )
        if (events.some((e) => e.type === "human_agent_takeover")) expect(session.status).toBe("open")
        const times = items.map((item) => DateTime.toEpochMillis(item.created_at!))
        expect(times[0]!).toBeGreaterThanOrEqual(DateTime.toEpochMillis(session.created_at))
        expect(times.at(-1)).toBe(DateTime.toEpochMillis(session.updated_at))
      }
    }).pipe(withWorld({ generate: { count: 300, seed: 5 } })))

  it.effect("a million sessions cost no memory: the last one's history is computed when asked for", () =>
    Effect.gen(function*() {
      const s = yield* sessions
      const f = yield* fake
      expect(yield* f.count).toBe(1_000_000)
      const last = yield* collect(Stream.take(s.stream({ created_after: "2025-12-31T23:00:00Z" }), 1))
      const items = yield* collect(s.history(last[0]!.id))
      expect(items.length).toBeGreaterThan(1)
    }).pipe(withWorld({ generate: { count: 1_000_000, seed: 3 } })))

  it.effect("an event type this version does not know is kept, with its fields; strict refuses it", () =>
    Effect.gen(function*() {
      const body = {
        items: [
          { id: "e1", created_at: "2025-03-02T10:00:00Z", event: { type: "message", sender: { type: "contact" }, content: { type: "text", text: "hi" } } },
          { created_at: null, event: { type: "status_changed", from: "open", to: "closed_resolved", __proto__: 1 } },
          { id: "e3", created_at: "2025-03-02T10:02:00.123456Z", event: { type: "message", sender: { type: "bot", name: null }, content: { type: "markdown", text: "**ok**" }, context: { lang: "en" } } }
        ],
        next: null
      }
      const text = JSON.stringify(body).replace(`"to":"closed_resolved"`, `"to":"closed_resolved","__proto__":{"x":1}`)
      const f = yield* fake
      yield* f.addFaults(on([1, 2], F.body(200, text)))
      const s = yield* sessions
      const [session] = yield* allSessions
      const items = yield* collect(s.history(session!.id))
      const unknown = items[1]!.event
      expect(ChatHistory.isUnknown(unknown)).toBe(true)
      assert(!ChatHistory.isKnown(unknown))
      expect(unknown.type).toBe("status_changed")
      expect(unknown.to).toBe("closed_resolved")
      expect(Object.getPrototypeOf(unknown)).toBe(Object.prototype)
      expect(Object.hasOwn(unknown, "__proto__")).toBe(true)
      expect(items[1]!.created_at).toBeNull()
      const message = items[2]!.event
      assert(ChatHistory.isMessage(message))
      expect(message.sender.type).toBe("bot")
      expect(message.content.type).toBe("markdown")
      // as the API sent it
      const encoded = yield* collect(s.historyEncoded(session!.id))
      expect(JSON.stringify(encoded)).toBe(JSON.stringify(JSON.parse(text).items))
      expect(Either.isLeft(Schema.decodeUnknownEither(ChatHistory.ListChatHistoryOutputStrict)(JSON.parse(text)))).toBe(true)
    }).pipe(withWorld()))

  it.effect("a known event that breaks its shape is a Decode error, not an unknown event", () =>
    Effect.gen(function*() {
      const f = yield* fake
      const body = { items: [{ created_at: "2025-03-02T10:00:00Z", event: { type: "message", sender: { type: "ai" } } }], next: null }
      yield* f.addFaults(on(1, F.body(200, JSON.stringify(body))))
      const [session] = yield* allSessions
      const error = yield* Effect.flip(Stream.runDrain((yield* sessions).history(session!.id)))
      assert(error._tag === "Decode")
      expect(error.path).toContain("items[0].event")
    }).pipe(withWorld()))

  const retried: ReadonlyArray<readonly [string, FakeOpenCx.Fault]> = [
    ["a connection reset", F.connectionReset],
    ["a timeout", F.latency("31 seconds")],
    ["429", F.status(429)],
    ["503", F.status(503)],
    ["502 (an HTML page)", F.html(502)]
  ]

  it.effect.each(retried)("%s on a history page is retried: every event once", ([, fault]) =>
    Effect.gen(function*() {
      const [session] = yield* allSessions
      const items = yield* drive(collect((yield* sessions).history(session!.id)))
      expect(items).toEqual(yield* servedHistory(session!.id))
    }).pipe(withWorld({ ...world, faults: [on(2, fault)] })))

  it.effect.each([
    ["an invalid item", F.invalidItem(0), "Decode"],
    ["a repeated cursor", F.repeatCursor, "CursorLoop"],
    ["401", F.status(401), "Unauthorized"]
  ] as const)("%s on a history page: %s", ([, fault, tag]) =>
    Effect.gen(function*() {
      const [session] = yield* allSessions
      const error = yield* Effect.flip(Stream.runDrain((yield* sessions).history(session!.id)))
      expect(error._tag).toBe(tag)
    }).pipe(withWorld({ ...world, faults: [on(2, fault)] })))

  it.effect("empty history pages with a next are followed; events repeated across pages are skipped", () =>
    Effect.gen(function*() {
      const [session] = yield* allSessions
      const items = yield* collect((yield* sessions).history(session!.id))
      expect(items).toEqual(yield* servedHistory(session!.id))
    }).pipe(withWorld({ ...world, faults: [on(2, F.emptyPageWithNext), on(1, F.overlappingNext(1))] })))

  it.effect("interrupting the consumer aborts the history request in flight", () =>
    Effect.gen(function*() {
      const [session] = yield* allSessions
      const fiber = yield* Effect.fork(collect((yield* sessions).history(session!.id)))
      yield* settle
      yield* TestClock.adjust("1 second")
      yield* Fiber.interrupt(fiber)
      const log = yield* fakeLog
      expect(log[1]).toMatchObject({ number: 2, outcome: "aborted" })
    }).pipe(withWorld({ ...world, faults: [on(2, F.latency("1 hour"))] })))

  it.effect.prop(
    "property: every generated history decodes with the strict Schemas and round-trips",
    { seed: Schema.Int.pipe(Schema.between(0, 1_000_000)), index: Schema.Int.pipe(Schema.between(0, 49)) },
    ({ index, seed }) =>
      Effect.gen(function*() {
        const f = yield* FakeOpenCx.make({ generate: { count: 50, seed } })
        const session = (yield* f.sessions)[index]!
        const items = Option.getOrThrow(yield* f.history(session.id))
        const page = { items, next: null }
        const json = JSON.parse(JSON.stringify(Schema.encodeSync(ChatHistory.ListChatHistoryOutputStrict)(page)))
        const strict = Schema.decodeUnknownSync(ChatHistory.ListChatHistoryOutputStrict)(json)
        expect(strict).toEqual(page)
        const tolerant = Schema.decodeUnknownSync(ChatHistory.ListChatHistoryOutput)(json)
        expect(Schema.encodeSync(ChatHistory.ListChatHistoryOutput)(tolerant)).toEqual(json)
      }),
    { fastCheck: { numRuns: 30 } }
  )
})

describe("ContactsService", () => {
  it.effect("every contact exactly once over many pages, as the fake lists them", () =>
    Effect.gen(function*() {
      const listed = yield* collect((yield* contacts).stream())
      const f = yield* fake
      const expected = (yield* f.contacts).map((c) => Schema.decodeUnknownSync(Contact.Contact)(c))
      expect(listed).toEqual(expected)
      expect(new Set(listed.map((c) => c.id)).size).toBe(listed.length)
      expect((yield* fakeLog).length).toBe(Math.ceil(listed.length / 10))
      // each session's contact is in /contacts
      const ids = new Set(listed.map((c) => c.id))
      for (const session of yield* allSessions) if (session.contact) expect(ids.has(session.contact.id)).toBe(true)
    }).pipe(withWorld()))

  it.effect("the date filters are sent with every cursor and select by the contact's own timestamps", () =>
    Effect.gen(function*() {
      const params = { updated_after: "2024-09-01T00:00:00Z", created_before: "2025-06-01" }
      const listed = yield* collect((yield* contacts).stream(params))
      const f = yield* fake
      const expected = (yield* f.contacts).filter((c) =>
        Date.parse(c.updated_at) > Date.parse(params.updated_after) && Date.parse(c.created_at) < Date.parse("2025-06-01T00:00:00Z")
      )
      expect(listed.map((c) => c.id)).toEqual(expected.map((c) => c.id))
      const log = yield* fakeLog
      expect(log.length).toBeGreaterThan(1)
      for (const request of log) {
        expect(request.query).toMatchObject({ updated_after: "2024-09-01T00:00:00.000Z", created_before: "2025-06-01T00:00:00.000Z" })
      }
    }).pipe(withWorld({ generate: { count: 200, seed: 2 }, pageSize: 10 })))

  it.effect.each([
    [{ created_after: "last week" }, "created_after"],
    [{ updated_after: "2025-02-01", updated_before: "2025-01-01" }, "updated_after"],
    [{ status: "open" }, "status"],
    [{ cursor: "" }, "cursor"]
  ] as const)("bad input %j is InvalidParams naming %s, before any request", ([params, field]) =>
    Effect.gen(function*() {
      const input = Schema.decodeUnknownSync(Schema.Object)(params)
      const error = yield* Effect.flip((yield* contacts).list(input))
      assert(error._tag === "InvalidParams")
      expect(error.field).toBe(field)
      expect(yield* fakeLog).toHaveLength(0)
    }).pipe(withWorld()))

  it.effect("a 503 on a page is retried; every contact once", () =>
    Effect.gen(function*() {
      const listed = yield* drive(collect((yield* contacts).stream()))
      const f = yield* fake
      expect(listed.map((c) => c.id)).toEqual((yield* f.contacts).map((c) => c.id))
    }).pipe(withWorld({ ...world, faults: [on(2, F.status(503))] })))

  it.effect("property: every contact the fake lists decodes with the strict Schema", () =>
    Effect.gen(function*() {
      const f = yield* fake
      const json = JSON.parse(JSON.stringify(Schema.encodeSync(Contact.ListContactsOutputStrict)({ items: yield* f.contacts, next: null })))
      expect(Either.isRight(Schema.decodeUnknownEither(Contact.ListContactsOutputStrict)(json))).toBe(true)
    }).pipe(withWorld({ generate: { count: 500, seed: 8 } })))
})

describe("one client, one limit", () => {
  it.effect("the list, histories and contacts walked concurrently through one client never exceed the limit, at ≥ 95% of it", () =>
    Effect.gen(function*() {
      const s = yield* sessions
      const c = yield* contacts
      const withHistories = s.stream({ status: "closed_resolved" }).pipe(
        Stream.mapEffect((session) => Stream.runCount(s.history(session.id)))
      )
      yield* drive(
        Effect.all([
          Stream.runDrain(withHistories),
          Stream.runDrain(c.stream()),
          Stream.runDrain(s.stream({ status: "open" }))
        ], { concurrency: "unbounded" })
      )
      const log = yield* fakeLog
      const paths = new Set(log.map((r) => r.url.replace(/\/chat\/sessions\/[^/?]+/, "/chat/sessions/:id").split("?")[0]))
      expect(paths).toEqual(new Set(["/chat/sessions", "/chat/sessions/:id/history", "/contacts"]))
      const times = log.map((r) => r.arrivedAt)
      expect(times.length).toBeGreaterThan(300)
      expect(Math.max(...windowCounts(times, 60_000))).toBeLessThanOrEqual(100)
      const sorted = [...times].sort((a, b) => a - b)
      const rate = 299 / (sorted[299]! - sorted[0]!) * 60_000
      expect(rate).toBeGreaterThanOrEqual(95)
    }).pipe(withWorld({
      generate: { count: 400, seed: 12 },
      pageSize: 5,
      historyPageSize: 4,
      client: { rateLimit: OpenCxClient.defaults.rateLimit }
    })), 60_000)

  it.effect("a 429 with a hint on a history request pauses the list and contacts walks too", () =>
    Effect.gen(function*() {
      const s = yield* sessions
      const c = yield* contacts
      const [session] = yield* allSessions
      yield* drive(Effect.all([
        Stream.runDrain(s.history(session!.id)),
        Stream.runDrain(c.stream()),
        Stream.runDrain(s.stream())
      ], { concurrency: "unbounded" }))
      const log = yield* fakeLog
      const limited = log.find((r) => r.status === 429)!
      const after = log.filter((r) => r.number !== limited.number && r.arrivedAt > limited.endedAt)
      expect(after.length).toBeGreaterThan(0)
      expect(Math.min(...after.map((r) => r.arrivedAt)) - limited.endedAt).toBeGreaterThanOrEqual(10_000)
    }).pipe(withWorld({
      ...world,
      latency: "100 millis",
      faults: [FakeOpenCx.when((r) => r.path.endsWith("/history"), F.status(429, { retryAfter: FakeOpenCx.RetryAfter.seconds(10) }), 1)]
    })))
})

it.effect("TestSessions.layer takes a history function for code that reads history", () =>
  Effect.gen(function*() {
    const item = Schema.decodeUnknownSync(ChatHistory.HistoryItem)({
      created_at: "2025-03-02T10:00:00Z",
      event: { type: "message", sender: { type: "contact" }, content: { type: "text", text: "hello" } }
    })
    const texts = yield* SessionsService.history("any").pipe(
      Stream.map((i) => i.event),
      Stream.filter(ChatHistory.isMessage),
      Stream.map((e) => e.content.text),
      Stream.runCollect,
      Effect.provide(TestSessions.layer({ history: () => Stream.make(item) }))
    )
    expect(Chunk.toReadonlyArray(texts)).toEqual(["hello"])
    const missing = yield* Effect.exit(SessionsService.get("x").pipe(Effect.provide(TestSessions.layer({}))))
    expect(Exit.isFailure(missing)).toBe(true)
  }))
