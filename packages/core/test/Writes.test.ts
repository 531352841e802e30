/**
 * The write side: create, send, update (close, reopen), against the fake.
 * Every write shows through the reads; bad input never reaches the server;
 * and no write is ever performed twice because the client retried it.
 */
import { ChatHistory, ContactsService, FakeOpenCx, OpenCxClient, SessionsService, TestSessions } from "@opencx-effect/core"
import { HttpClient, HttpClientError } from "@effect/platform"
import { assert, describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, DateTime, Effect, Exit, Fiber, Logger, LogLevel, Option, Ref, Schema, Stream, TestClock } from "effect"
import { drive, settle } from "./utils/drive.js"

const F = FakeOpenCx.Fault
const on = FakeOpenCx.onRequest

const sessions = SessionsService.SessionsService
const fake = FakeOpenCx.FakeOpenCx
const fakeLog = Effect.flatMap(fake, (f) => f.requests)
const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)
const writes = Effect.map(fakeLog, (log) => log.filter((r) => r.method === "POST" || r.method === "PATCH"))

const world = { generate: { count: 30, seed: 6 }, pageSize: 10 } as const
const withWorld = (options: TestSessions.FakeOptions = world) => Effect.provide(TestSessions.layerFake(options))
const now = Date.parse("2026-11-29T12:00:00Z")

const messagesOf = (items: ReadonlyArray<ChatHistory.HistoryItem>) =>
  items.flatMap(({ event }) => (ChatHistory.isMessage(event) ? [[event.sender.type, event.content.text] as const] : []))

describe("create", () => {
  it.effect("a created session is listed, returned by get, with its new contact in /contacts and an empty history", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const s = yield* sessions
      const { id } = yield* s.create({
        channel: { type: "whatsapp" },
        verified: true,
        custom_data: { order: "A-1", total: 12.5, gift: false },
        contact: { email: "ada@example.com", name: "Ada Lovelace", custom_data: { plan: "pro" } }
      })
      const session = yield* s.get(id)
      expect(session).toMatchObject({
        id,
        status: "open",
        ai_closure_type: null,
        channel: { type: "whatsapp" },
        custom_data: { order: "A-1", total: 12.5, gift: false },
        contact: { email: "ada@example.com", name: "Ada Lovelace", custom_data: { plan: "pro" } }
      })
      expect(DateTime.toEpochMillis(session.created_at)).toBe(now)
      const listed = yield* collect(s.stream())
      expect(listed.filter((x) => x.id === id)).toEqual([session])
      // and by updated_at, as a --since-last run asks
      const recent = yield* collect(s.stream({ updated_after: new Date(now - 1000) }))
      expect(recent.map((x) => x.id)).toContain(id)
      expect(yield* collect(s.history(id))).toEqual([])
      const contacts = yield* collect((yield* ContactsService.ContactsService).stream())
      expect(contacts.map((c) => c.id)).toContain(session.contact!.id)
      // the request as the fake received it
      const [write] = yield* writes
      expect(write!.body).toMatchObject({ channel: { type: "whatsapp" }, verified: true })
    }).pipe(withWorld()))

  it.effect("an unverified contact's details go to the non_verified fields; contact_id links an existing contact", () =>
    Effect.gen(function*() {
      const s = yield* sessions
      const created = yield* s.create({ contact: { email: "x@example.org", name: "X", custom_data: { vip: true } } })
      const session = yield* s.get(created.id)
      expect(session.contact).toMatchObject({ email: null, non_verified_email: "x@example.org", non_verified_custom_data: { vip: true } })
      const linked = yield* s.create({ contact_id: session.contact!.id })
      expect((yield* s.get(linked.id)).contact!.id).toBe(session.contact!.id)
    }).pipe(withWorld()))

  it.effect.each([
    [{ custom_data: { nested: { a: 1 } } }, "custom_data.nested"],
    [{ custom_data: { list: [1, 2] } }, "custom_data.list"],
    [{ contact: { custom_data: { deep: { x: "y" } } } }, "contact.custom_data.deep"],
    [{ channel: { type: "fax" } }, "channel.type"],
    [{ verified: "yes" }, "verified"],
    [{ surprise: 1 }, "surprise"]
  ] as const)("bad input %j is InvalidParams naming %s, before any request", ([input, field]) =>
    Effect.gen(function*() {
      const error = yield* Effect.flip((yield* sessions).create(Schema.decodeUnknownSync(Schema.Object)(input)))
      assert(error._tag === "InvalidParams")
      expect(error.field).toBe(field)
      expect(yield* fakeLog).toHaveLength(0)
    }).pipe(withWorld()))
})

describe("send", () => {
  it.effect("a contact's message and an agent's appear in the history with their senders; the AI answers the contact", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const s = yield* sessions
      const { id } = yield* s.create({ contact: { name: "Grace" } })
      const sent = yield* s.send(id, { sender: "contact", message: { type: "text", text: "Where is my parcel?" } })
      expect(sent.messageId).toBeDefined()
      yield* s.send(id, {
        sender: "agent",
        agent: { id: 7, name: "Sam Carter" },
        message: { type: "text", text: "On its way!" },
        should_take_over_session_from_ai: true,
        custom_data: { ticket: "T-9" }
      })
      const items = yield* collect(s.history(id))
      expect(messagesOf(items)).toEqual([
        ["contact", "Where is my parcel?"],
        ["ai", "Thanks for your message. Let me look into that for you."],
        ["human_agent", "On its way!"]
      ])
      expect(items.some((i) => i.event.type === "human_agent_takeover")).toBe(true)
      const message = items.find((i) => i.id === sent.messageId)!.event
      assert(ChatHistory.isMessage(message))
      expect(message.sender).toEqual({ type: "contact", name: "Grace" })
      expect((yield* s.get(id)).custom_data).toEqual({ ticket: "T-9" })
    }).pipe(withWorld()))

  it.effect("a message to a generated session comes after its conversation; updated_at moves", () =>
    Effect.gen(function*() {
      const s = yield* sessions
      const [first] = yield* collect(Stream.take(s.stream({ status: "closed_resolved" }), 1))
      yield* TestClock.setTime(DateTime.toEpochMillis(first!.updated_at) + 60_000)
      const before = yield* collect(s.history(first!.id))
      yield* s.send(first!.id, { sender: "contact", message: { type: "text", text: "One more thing" } })
      const after = yield* collect(s.history(first!.id))
      expect(after.slice(0, before.length)).toEqual(before)
      expect(messagesOf(after.slice(before.length))).toEqual([["contact", "One more thing"]])
      expect(DateTime.toEpochMillis((yield* s.get(first!.id)).updated_at)).toBe(DateTime.toEpochMillis(first!.updated_at) + 60_000)
    }).pipe(withWorld()))

  it.effect("the answer's shape may grow or move: the message id is found, the rest kept as it came", () =>
    Effect.gen(function*() {
      const s = yield* sessions
      const f = yield* fake
      const [session] = yield* f.sessions
      const shapes = [
        { success: true, data: { message: { id: "m-1" }, extra: [1] } },
        { success: true, data: { success: true, code: "ok", autopilotResponse: { text: "hi" }, id: "m-2" } },
        { success: true, message: { id: "m-3" } },
        { ai_response: { text: "hello" } },
        "accepted"
      ]
      for (const [k, shape] of shapes.entries()) {
        yield* f.addFaults(on(k + 1, F.body(201, JSON.stringify(shape))))
        const result = yield* s.send(session!.id, { sender: "contact", message: { type: "text", text: "hi" } })
        expect(result.response).toEqual(shape)
        expect(result.messageId).toBe(k < 3 ? `m-${k + 1}` : undefined)
      }
      yield* f.addFaults(on(6, F.emptyBody(201)))
      expect((yield* s.send(session!.id, { sender: "contact", message: { type: "text", text: "hi" } })).response).toBeUndefined()
    }).pipe(withWorld()))

  it.effect.each([
    [{ sender: "bot", message: { type: "text", text: "hi" } }, "sender"],
    [{ sender: "contact", message: { type: "text", text: "  " } }, "message.text"],
    [{ sender: "contact", message: { type: "text" } }, "message.text"],
    [{ sender: "contact", message: { type: "html", text: "<b>" } }, "message.type"],
    [{ sender: "contact", message: { type: "text", text: "hi" }, custom_data: { a: { b: 1 } } }, "custom_data.a"],
    [{ sender: "contact", message: { type: "text", text: "hi", attachments: [{ name: "a.png", mime_type: "image/png" }] } }, "message.attachments.0"]
  ] as const)("bad input %j is InvalidParams naming %s, before any request", ([input, field]) =>
    Effect.gen(function*() {
      const [session] = yield* Effect.flatMap(fake, (f) => f.sessions)
      const error = yield* Effect.flip((yield* sessions).send(session!.id, Schema.decodeUnknownSync(Schema.Any)(input)))
      assert(error._tag === "InvalidParams")
      expect(error.field).toBe(field)
      expect(yield* fakeLog).toHaveLength(0)
    }).pipe(withWorld()))

  it.effect.each(["", "..", "a\u0000b"])("a malformed id %j is InvalidParams, before any request", (id) =>
    Effect.gen(function*() {
      const s = yield* sessions
      expect((yield* Effect.flip(s.send(id, { sender: "contact", message: { type: "text", text: "hi" } })))._tag).toBe("InvalidParams")
      expect((yield* Effect.flip(s.close(id, { resolved: true })))._tag).toBe("InvalidParams")
      expect(yield* fakeLog).toHaveLength(0)
    }).pipe(withWorld()))

  it.effect("to a session that does not exist: NotFound", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        (yield* sessions).send("3f1c2a4e-8b7d-4c6e-9a1b-2c3d4e5f6a7b", { sender: "contact", message: { type: "text", text: "hi" } })
      )
      expect(error._tag).toBe("NotFound")
    }).pipe(withWorld()))
})

describe("update, close, reopen", () => {
  it.effect("close as resolved, then reopen: status and updated_at change; ai_closure_type stays", () =>
    Effect.gen(function*() {
      const s = yield* sessions
      const [open] = yield* collect(Stream.take(s.stream({ status: "open" }), 1))
      yield* TestClock.setTime(now)
      yield* s.close(open!.id, { resolved: true, generateSummaryAndSentiment: true })
      const closed = yield* s.get(open!.id)
      expect(closed.status).toBe("closed_resolved")
      expect(closed.ai_closure_type).toBe(open!.ai_closure_type)
      expect(closed.sentiment).not.toBeNull()
      expect(DateTime.toEpochMillis(closed.updated_at)).toBe(now)
      expect((yield* collect(s.stream({ status: "closed_resolved" }))).map((x) => x.id)).toContain(open!.id)
      yield* TestClock.adjust("1 minute")
      yield* s.reopen(open!.id)
      expect((yield* s.get(open!.id)).status).toBe("open")
      yield* s.close(open!.id, { resolved: false })
      expect((yield* s.get(open!.id)).status).toBe("closed_unresolved")
      const bodies = (yield* writes).map((r) => r.body)
      expect(bodies).toEqual([
        { status: "closed_resolved", generate_summary_and_sentiment_on_resolve: true },
        { status: "open" },
        { status: "closed_unresolved" }
      ])
    }).pipe(withWorld()))

  it.effect("an unknown status is InvalidParams before any request", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip((yield* sessions).update("x", Schema.decodeUnknownSync(Schema.Any)({ status: "archived" })))
      assert(error._tag === "InvalidParams")
      expect(error.message).toContain(`"closed_unresolved"`)
      expect(yield* fakeLog).toHaveLength(0)
    }).pipe(withWorld()))
})

describe("retries on writes: never twice", () => {
  const text = (t: string) => ({ sender: "contact" as const, message: { type: "text" as const, text: t } })

  /** how many messages with this text the session's history holds */
  const copies = (id: string, t: string) =>
    Effect.flatMap(sessions, (s) =>
      Effect.map(collect(s.history(id)), (items) => messagesOf(items).filter(([, x]) => x === t).length))

  it.effect("a 429 (refused) is retried: the write is performed once", () =>
    Effect.gen(function*() {
      const s = yield* sessions
      const [session] = yield* Effect.flatMap(fake, (f) => f.sessions)
      yield* drive(s.send(session!.id, text("after a 429")))
      expect((yield* writes).map((r) => r.status)).toEqual([429, 201])
      expect(yield* copies(session!.id, "after a 429")).toBe(1)
    }).pipe(withWorld({ ...world, faults: [on(1, F.status(429, { retryAfter: FakeOpenCx.RetryAfter.seconds(2) }))] })))

  it.effect.each([
    ["the server acted, then the connection broke", F.connectionReset, "Transport"],
    ["the server acted, then took longer than the timeout", F.stall("31 seconds"), "Timeout"],
    ["the server acted, then answered 500", F.statusAfter(500), "ServerError"],
    ["503 (the server may have acted)", F.status(503), "ServerError"],
    ["502 from the edge", F.html(502), "ServerError"]
  ] as const)("%s: not retried, a %s that says the outcome is unknown", ([, fault, tag]) =>
    Effect.gen(function*() {
      const s = yield* sessions
      const [session] = yield* Effect.flatMap(fake, (f) => f.sessions)
      const error = yield* drive(Effect.flip(s.send(session!.id, text("maybe"))))
      expect(error._tag).toBe(tag)
      assert(error._tag === "Transport" || error._tag === "Timeout" || error._tag === "ServerError")
      expect(error.outcomeUnknown).toBe(true)
      expect(error.message).toContain("outcome of this write is unknown")
      expect(yield* writes).toHaveLength(1)
      const acted = fault._tag === "ConnectionReset" || fault._tag === "Stall" || fault._tag === "StatusAfter"
      expect(yield* copies(session!.id, "maybe")).toBe(acted ? 1 : 0)
      // a read on the same client is retried as before
      yield* (yield* fake).addFaults(on(2, F.status(503)))
      yield* drive(s.get(session!.id))
    }).pipe(withWorld({ ...world, faults: [on(1, fault)] })))

  it.effect("a connection refused before the request was sent is retried: the write is performed once", () =>
    Effect.gen(function*() {
      const f = yield* FakeOpenCx.make(world)
      const refusals = yield* Ref.make(1)
      const inner = FakeOpenCx.httpClient(f)
      // an HttpClient whose first connection is refused, then the fake's
      const client = HttpClient.make((request) =>
        Effect.flatMap(Ref.getAndUpdate(refusals, (n) => n - 1), (n) =>
          n > 0
            ? Effect.fail(
              new HttpClientError.RequestError({
                request,
                reason: "Transport",
                cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { code: "ECONNREFUSED" })
              })
            )
            : inner.execute(request))
      )
      const s = yield* SessionsService.make.pipe(
        Effect.provide(OpenCxClient.layer({ apiKey: f.apiKey, rateLimit: false })),
        Effect.provideService(HttpClient.HttpClient, client)
      )
      const [session] = yield* f.sessions
      yield* drive(s.send(session!.id, text("after a refusal")))
      const log = (yield* f.requests).filter((r) => r.method === "POST")
      expect(log).toHaveLength(1)
      expect(yield* Ref.get(refusals)).toBe(-1)
      const items = yield* collect(s.history(session!.id))
      expect(messagesOf(items).filter(([, x]) => x === "after a refusal")).toHaveLength(1)
    }))

  it.effect("retry.retryWrites: false: not even a 429 is retried", () =>
    Effect.gen(function*() {
      const [session] = yield* Effect.flatMap(fake, (f) => f.sessions)
      const error = yield* Effect.flip((yield* sessions).send(session!.id, text("once")))
      expect(error._tag).toBe("RateLimited")
      expect(yield* writes).toHaveLength(1)
    }).pipe(withWorld({ ...world, faults: [on(1, F.status(429))], client: { retry: { retryWrites: false } } })))

  it.effect("interrupting a write in flight: an interruption, and the log says the request was aborted", () =>
    Effect.gen(function*() {
      const [session] = yield* Effect.flatMap(fake, (f) => f.sessions)
      const fiber = yield* Effect.fork((yield* sessions).send(session!.id, text("interrupted")))
      yield* settle
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.interrupt(fiber)
      assert(Exit.isFailure(exit))
      expect(Cause.isInterruptedOnly(exit.cause)).toBe(true)
      const [write] = yield* writes
      expect(write!.outcome).toBe("aborted")
      yield* TestClock.adjust("1 hour")
      expect(yield* writes).toHaveLength(1)
    }).pipe(withWorld({ ...world, faults: [on(1, F.latency("1 hour"))] })))

  it.effect("secrets: the key appears in no log line or error of a write, and the fake's log redacts it from bodies", () =>
    Effect.gen(function*() {
      const key = "ocx_live_WRITE-secret-42"
      const lines: Array<string> = []
      const logger = Logger.make((options) => void lines.push(Logger.stringLogger.log(options)))
      const s = yield* sessions
      const error = yield* drive(Effect.flip(s.send("3f1c2a4e-8b7d-4c6e-9a1b-2c3d4e5f6a7b", { ...text(`my key is ${key}`) }))).pipe(
        Logger.withMinimumLogLevel(LogLevel.Debug),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      for (const line of [...lines, error.message, JSON.stringify(error)]) expect(line).not.toContain(key)
      const [write] = yield* writes
      expect(JSON.stringify(write!.body)).not.toContain(key)
      expect(JSON.stringify(write!.body)).toContain("<redacted>")
      expect(write!.headers.authorization).toBe("<redacted>")
    }).pipe(withWorld({ ...world, apiKey: "ocx_live_WRITE-secret-42", client: { apiKey: "ocx_live_WRITE-secret-42" } })))
})

it.effect("the fake's get returns a created session as Option", () =>
  Effect.gen(function*() {
    const { id } = yield* (yield* sessions).create()
    expect(Option.isSome(yield* (yield* fake).get(id))).toBe(true)
  }).pipe(withWorld()))

it.effect("a connection broken after a close was applied (an empty answer cut): Transport, outcome unknown, applied once", () =>
  Effect.gen(function*() {
    const s = yield* SessionsService.SessionsService
    const [open] = yield* Effect.map(Stream.runCollect(Stream.take(s.stream({ status: "open" }), 1)), Chunk.toReadonlyArray)
    const f = yield* FakeOpenCx.FakeOpenCx
    yield* f.addFaults(FakeOpenCx.when((r) => r.method === "PATCH", FakeOpenCx.Fault.connectionReset, 1))
    const error = yield* Effect.flip(s.close(open!.id, { resolved: true }))
    assert(error._tag === "Transport")
    expect(error.outcomeUnknown).toBe(true)
    expect((yield* s.get(open!.id)).status).toBe("closed_resolved")
    expect((yield* f.requests).filter((r) => r.method === "PATCH")).toHaveLength(1)
  }).pipe(Effect.provide(TestSessions.layerFake({ generate: { count: 30, seed: 6 }, pageSize: 10 }))))
