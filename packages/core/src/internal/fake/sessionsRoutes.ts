/**
 * FakeOpenCx's chat-session routes: `GET /chat/sessions`.
 *
 * @internal
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import { type ChatSessionStrict, ListChatSessionsOutputStrict } from "../../ChatSession.js"
import * as ListChatSessionsParams from "../../ListChatSessionsParams.js"
import { firstIssue } from "../schema/issues.js"
import type { Route } from "./edge.js"
import * as Http from "./http.js"
import { canonical, servePage } from "./lists.js"
import * as FakeStore from "./store.js"

export interface SessionsWorld {
  readonly store: Ref.Ref<FakeStore.Store>
  readonly secret: string
  readonly pageSize: number
}

const encodePage = Schema.encodeEither(ListChatSessionsOutputStrict)

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
