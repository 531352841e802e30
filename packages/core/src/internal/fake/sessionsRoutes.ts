/**
 * FakeOpenCx's chat-session routes: the list (`GET /chat/sessions`), one
 * session (`GET /chat/sessions/{session_id}`) and its history (`GET
 * /chat/sessions/{session_id}/history`), all from one world: the store of
 * sessions, each session's generated history and what was appended to it.
 *
 * @internal
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import { type HistoryItemStrict, ListChatHistoryOutputStrict } from "../../ChatHistory.js"
import { type ChatSessionStrict, ChatSessionStrict as ChatSessionStrictSchema, ListChatSessionsOutputStrict } from "../../ChatSession.js"
import * as ListChatSessionsParams from "../../ListChatSessionsParams.js"
import { firstIssue } from "../schema/issues.js"
import type { Route } from "./edge.js"
import * as Http from "./http.js"
import { historyOf } from "./history.js"
import { canonical, servePage } from "./lists.js"
import * as FakeStore from "./store.js"

export interface SessionsWorld {
  readonly store: Ref.Ref<FakeStore.Store>
  /**
   * the histories writes made explicit, by session id: a created session's
   * (what was sent into it), and a written session's (its generated
   * conversation as it was when first written, then what was appended;
   * frozen, since a generated conversation is spread up to `updated_at`,
   * which writes move)
   */
  readonly histories: Ref.Ref<ReadonlyMap<string, ReadonlyArray<HistoryItemStrict>>>
  /** how many sessions were created through the API */
  readonly created: Ref.Ref<number>
  readonly secret: string
  readonly pageSize: number
  readonly historyPageSize: number
  /** the seed of the generated histories */
  readonly seed: number
}

const encodePage = Schema.encodeEither(ListChatSessionsOutputStrict)
const encodeSession = Schema.encodeEither(ChatSessionStrictSchema)
const encodeHistoryPage = Schema.encodeEither(ListChatHistoryOutputStrict)

/** a session's whole history: the explicit one writes made, or else its generated conversation */
export const historyOfSession = (
  world: SessionsWorld,
  session: ChatSessionStrict,
  histories: ReadonlyMap<string, ReadonlyArray<HistoryItemStrict>>
): ReadonlyArray<HistoryItemStrict> => histories.get(session.id) ?? historyOf(session, world.seed)

export const sessionNotFound = (id: string) => Http.notFound(`Chat session ${id} not found`)

/** `Invalid query parameter "status": …` */
export const describeQueryError = (error: Parameters<typeof firstIssue>[0]): string => {
  const issue = firstIssue(error)
  const name = issue.path[0]
  return name === undefined ? `Invalid query: ${issue.message}` : `Invalid query parameter "${String(name)}": ${issue.message}`
}

const toStoreKey = (key: ReadonlyArray<string | number> | null): FakeStore.Key | undefined =>
  key !== null && typeof key[0] === "number" && typeof key[1] === "string" ? { created: key[0], id: key[1] } : undefined

const millisOf = (value: DateTime.Utc | undefined) => (value === undefined ? undefined : DateTime.toEpochMillis(value))

/** `GET /chat/sessions`: the spec's filters, keyset pages in `created_at` then `id` order */
export const list = (world: SessionsWorld): Route => ({
  method: "GET",
  pattern: "/chat/sessions",
  handle: (input) =>
    Effect.gen(function*() {
      const decoded = yield* Effect.either(ListChatSessionsParams.fromUrlParams(input.query))
      if (Either.isLeft(decoded)) return Http.badRequest(describeQueryError(decoded.left))
      const params = decoded.right
      const urlParams = yield* Effect.orDie(ListChatSessionsParams.encodeUrlParams(params))
      const store = yield* Ref.get(world.store)
      const filter: FakeStore.Filter = {
        status: params.status,
        channel: params.channel_type,
        handedOff: params.handed_off,
        createdAfter: millisOf(params.created_after),
        createdBefore: millisOf(params.created_before),
        updatedAfter: millisOf(params.updated_after),
        updatedBefore: millisOf(params.updated_before)
      }
      return servePage<ChatSessionStrict>({
        route: input,
        secret: world.secret,
        filters: canonical(urlParams),
        page: (after) => {
          const page = FakeStore.page(store, toStoreKey(after), filter, world.pageSize)
          return { items: page.items, next: page.next === undefined ? undefined : [page.next.created, page.next.id] }
        },
        encode: encodePage,
        breakItem: (item) => ({ ...item, ticket_number: "not-a-number" }),
        keyOf: (session) => [DateTime.toEpochMillis(session.created_at), session.id]
      })
    })
})

/** `GET /chat/sessions/{session_id}`: the session, exactly as the list serves it */
export const get = (world: SessionsWorld): Route => ({
  method: "GET",
  pattern: "/chat/sessions/:session_id",
  handle: (input) =>
    Effect.map(Ref.get(world.store), (store) => {
      const id = input.params.session_id!
      const session = FakeStore.get(store, id)
      if (session === undefined) return sessionNotFound(id)
      const encoded = encodeSession(session)
      return Either.isLeft(encoded)
        ? Http.error(500, `FakeOpenCx holds a session that breaks the spec: ${encoded.left.message}`)
        : Http.json(200, encoded.right)
    })
})

/** `GET /chat/sessions/{session_id}/history`: the session's events, oldest first, in keyset pages */
export const history = (world: SessionsWorld): Route => ({
  method: "GET",
  pattern: "/chat/sessions/:session_id/history",
  handle: (input) =>
    Effect.gen(function*() {
      const id = input.params.session_id!
      const unknown = Object.keys(input.query).find((key) => key !== "cursor")
      if (unknown !== undefined) return Http.badRequest(`Invalid query parameter "${unknown}": not a parameter of this endpoint`)
      if (input.query.cursor === "") return Http.badRequest(`Invalid query parameter "cursor": must not be empty`)
      const session = FakeStore.get(yield* Ref.get(world.store), id)
      if (session === undefined) return sessionNotFound(id)
      const events = historyOfSession(world, session, yield* Ref.get(world.histories))
      return servePage<HistoryItemStrict>({
        route: input,
        secret: world.secret,
        // the session is part of what a cursor is valid for
        filters: `session=${id}`,
        page: (after) => {
          const from = after !== null && typeof after[0] === "number" ? after[0] + 1 : 0
          const items = events.slice(from, from + world.historyPageSize)
          const last = from + items.length - 1
          return { items, next: last < events.length - 1 ? [last] : undefined }
        },
        encode: encodeHistoryPage,
        breakItem: (item) => ({ ...item, event: "not-an-event" }),
        keyOf: (item) => [events.indexOf(item)]
      })
    })
})
