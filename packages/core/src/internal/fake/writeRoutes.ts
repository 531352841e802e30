/**
 * FakeOpenCx's write routes: creating a session (`POST /chat/sessions`),
 * sending a message into one (`POST /chat/sessions/{session_id}/send`) and
 * updating one (`PATCH /chat/sessions/{session_id}`). Each changes the world
 * the read routes serve:
 *
 * - a created session is in the list (its `created_at` and `updated_at` are
 *   the fake's clock), `get` returns it, its history is what was sent into
 *   it, its contact (a new one, or the one `contact_id` names) is in
 *   `/contacts`;
 * - a sent message is appended to the history with its sender (the contact,
 *   or a human agent); an agent taking over adds `human_agent_takeover`; the
 *   AI answers a contact's message in an open session that is not handed
 *   off; custom data is merged into the session; `updated_at` moves;
 * - an update changes `status` (closing as resolved with
 *   `generate_summary_and_sentiment_on_resolve` sets a sentiment when there
 *   is none); `ai_closure_type` stays as it was, as the server leaves it;
 *   `updated_at` moves.
 *
 * Bodies are checked with the client's own input Schemas: what the client
 * refuses before sending, the fake answers 400 to.
 *
 * @internal
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type { HistoryEventStrict, HistoryItemStrict } from "../../ChatHistory.js"
import { type ChatSessionStrict, ChatSessionStrict as ChatSessionStrictSchema, type ContactStrict } from "../../ChatSession.js"
import * as SessionWrite from "../../SessionWrite.js"
import { hash32 } from "../hash.js"
import { firstIssue } from "../schema/issues.js"
import { mix, prng, uuidFrom } from "./data.js"
import type { Route } from "./edge.js"
import * as Http from "./http.js"
import { historyOfSession, sessionNotFound, type SessionsWorld } from "./sessionsRoutes.js"
import * as FakeStore from "./store.js"

const invalidBody = (error: ParseResult.ParseError): Http.Reply => {
  const issue = firstIssue(error)
  const field = issue.path.map(String).join(".")
  return Http.badRequest(field === "" ? `Invalid body: ${issue.message}` : `Invalid body field "${field}": ${issue.message}`)
}

const validate = Schema.encodeEither(ChatSessionStrictSchema)

/** puts a session back into the store, checked against the spec as every served session is */
const save = (world: SessionsWorld, session: ChatSessionStrict) =>
  Either.match(validate(session), {
    onLeft: (error) => Effect.succeed(Http.error(500, `FakeOpenCx would hold a session that breaks the spec: ${error.message}`)),
    onRight: () => Effect.as(Ref.update(world.store, (store) => FakeStore.upsert(FakeStore.remove(store, session.id), session)), undefined)
  })

/** the contact of some session with this id (scanning lazily), if any */
const findContact = (store: FakeStore.Store, id: string): ContactStrict | undefined => {
  let after: FakeStore.Key | undefined
  while (true) {
    const page = FakeStore.page(store, after, {}, 500)
    const found = page.items.find((session) => session.contact?.id === id)
    if (found !== undefined) return found.contact
    if (page.next === undefined) return undefined
    after = page.next
  }
}

const asStrings = (data: { readonly [key: string]: string | number | boolean }) =>
  Object.fromEntries(Object.entries(data).map(([key, value]) => [key, String(value)]))

/** sets a session's explicit history: what it was (frozen) and the new events */
const setHistory = (world: SessionsWorld, sessionId: string, events: ReadonlyArray<HistoryItemStrict>) =>
  Ref.update(world.histories, (all) => new Map(all).set(sessionId, events))

/** makes a session's history explicit before a write moves its `updated_at` */
const freezeHistory = (world: SessionsWorld, session: ChatSessionStrict) =>
  Effect.flatMap(Ref.get(world.histories), (all) =>
    all.has(session.id) ? Effect.void : setHistory(world, session.id, historyOfSession(world, session, all)))

/** `POST /chat/sessions` */
export const create = (world: SessionsWorld): Route => ({
  method: "POST",
  pattern: "/chat/sessions",
  handle: (input) =>
    Effect.gen(function*() {
      const decoded = Schema.decodeUnknownEither(SessionWrite.CreateChatSessionInput)(input.body ?? {})
      if (Either.isLeft(decoded)) return invalidBody(decoded.left)
      const body = decoded.right
      const store = yield* Ref.get(world.store)
      const n = yield* Ref.updateAndGet(world.created, (k) => k + 1)
      const next = prng(mix(world.seed ^ 0x5e551015, n))
      const iso = new Date(input.now).toISOString()
      let contact: ContactStrict | undefined
      if (body.contact_id !== undefined) {
        contact = findContact(store, body.contact_id)
        if (contact === undefined) return Http.badRequest(`Invalid body field "contact_id": no contact ${body.contact_id}`)
      } else if (body.contact !== undefined) {
        const verified = body.verified === true
        const given = body.contact
        contact = {
          id: uuidFrom(next),
          email: verified ? given.email ?? null : null,
          phone_number: given.phone_number ?? null,
          name: verified ? given.name ?? null : null,
          custom_data: verified && given.custom_data !== undefined ? asStrings(given.custom_data) : null,
          created_at: iso,
          updated_at: iso,
          non_verified_name: verified ? null : given.name ?? null,
          non_verified_email: verified ? null : given.email ?? null,
          non_verified_custom_data: !verified && given.custom_data !== undefined ? given.custom_data : null
        }
      }
      const session: ChatSessionStrict = {
        id: uuidFrom(next),
        status: "open",
        ai_closure_type: null,
        sentiment: null,
        channel: { type: body.channel?.type ?? "api" },
        ...(contact === undefined ? {} : { contact }),
        ...(body.custom_data === undefined ? {} : { custom_data: body.custom_data }),
        ticket_number: FakeStore.size(store) + 1,
        assist_mode: false,
        created_at: DateTime.unsafeMake(input.now),
        updated_at: DateTime.unsafeMake(input.now)
      }
      const failed = yield* save(world, session)
      if (failed !== undefined) return failed
      // its history is what is sent into it
      yield* setHistory(world, session.id, [])
      return Http.json(201, { id: session.id })
    })
})

/** `POST /chat/sessions/{session_id}/send` */
export const send = (world: SessionsWorld): Route => ({
  method: "POST",
  pattern: "/chat/sessions/:session_id/send",
  handle: (input) =>
    Effect.gen(function*() {
      const id = input.params.session_id!
      const decoded = Schema.decodeUnknownEither(SessionWrite.SendMessageInput)(input.body ?? {})
      if (Either.isLeft(decoded)) return invalidBody(decoded.left)
      const body = decoded.right
      const session = FakeStore.get(yield* Ref.get(world.store), id)
      if (session === undefined) return sessionNotFound(id)
      const existing = historyOfSession(world, session, yield* Ref.get(world.histories))
      const next = prng(mix(world.seed ^ 0x5e9d, hash32(`${id}:${existing.length}`)))
      const at = DateTime.unsafeMake(input.now)
      const item = (event: HistoryEventStrict): HistoryItemStrict => ({ id: uuidFrom(next), created_at: at, event })
      const contactName = body.contact?.name ?? session.contact?.name ?? session.contact?.non_verified_name ?? undefined
      const sender = body.sender === "agent"
        ? { type: "human_agent" as const, ...(body.agent === undefined ? {} : { name: body.agent.name }) }
        : { type: "contact" as const, ...(contactName === undefined || contactName === null ? {} : { name: contactName }) }
      const events: Array<HistoryItemStrict> = []
      if (body.sender === "agent" && body.should_take_over_session_from_ai === true) {
        events.push(item({ type: "human_agent_takeover", human_agent_id: body.agent?.id ?? 0 }))
      }
      const attachments = body.message.attachments?.map((a) => ({
        id: uuidFrom(next),
        name: a.name,
        size: a.base64 === undefined ? 0 : Math.floor((a.base64.length * 3) / 4),
        type: a.mime_type,
        url: a.url ?? `https://files.open.cx/attachments/${a.name}`
      }))
      const message = item({
        type: "message",
        sender,
        content: { type: "text", text: body.message.text },
        ...(attachments === undefined ? {} : { attachments })
      })
      events.push(message)
      const handedOff = session.handoff !== undefined || session.ai_closure_type === "handed_off" ||
        existing.some((e) => e.event.type === "human_agent_takeover")
      if (body.sender === "contact" && session.status === "open" && !handedOff) {
        events.push(item({
          type: "message",
          sender: { type: "ai", name: "AI Agent" },
          content: { type: "text", text: "Thanks for your message. Let me look into that for you." }
        }))
      }
      const updated: ChatSessionStrict = {
        ...session,
        ...(body.custom_data === undefined ? {} : { custom_data: { ...session.custom_data, ...body.custom_data } }),
        updated_at: at
      }
      const failed = yield* save(world, updated)
      if (failed !== undefined) return failed
      yield* setHistory(world, id, [...existing, ...events])
      return Http.json(201, { success: true, data: { message: { id: message.id } } })
    })
})

/** `PATCH /chat/sessions/{session_id}` */
export const update = (world: SessionsWorld): Route => ({
  method: "PATCH",
  pattern: "/chat/sessions/:session_id",
  handle: (input) =>
    Effect.gen(function*() {
      const id = input.params.session_id!
      const decoded = Schema.decodeUnknownEither(SessionWrite.UpdateChatSessionInput)(input.body ?? {})
      if (Either.isLeft(decoded)) return invalidBody(decoded.left)
      const body = decoded.right
      const session = FakeStore.get(yield* Ref.get(world.store), id)
      if (session === undefined) return sessionNotFound(id)
      const status = body.status ?? session.status
      const summarise = status === "closed_resolved" && body.generate_summary_and_sentiment_on_resolve === true
      yield* freezeHistory(world, session)
      const updated: ChatSessionStrict = {
        ...session,
        status,
        sentiment: summarise && session.sentiment === null ? "neutral" : session.sentiment,
        updated_at: DateTime.unsafeMake(input.now)
      }
      const failed = yield* save(world, updated)
      if (failed !== undefined) return failed
      return { status: 200, body: "", contentType: "application/json", headers: {} }
    })
})
