/**
 * FakeOpenCx's contacts route: `GET /contacts`, the contacts of the world's
 * sessions (each session's `contact`), in the order of their sessions, with
 * the date filters on the contact's own timestamps (exclusive bounds).
 *
 * @internal
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type { ChatSessionStrict } from "../../ChatSession.js"
import { type ContactStrict, ListContactsOutputStrict } from "../../Contact.js"
import * as ListContactsParams from "../../ListContactsParams.js"
import type { Route } from "./edge.js"
import * as Http from "./http.js"
import { canonical, servePage } from "./lists.js"
import type { SessionsWorld } from "./sessionsRoutes.js"
import { describeQueryError } from "./sessionsRoutes.js"
import * as FakeStore from "./store.js"

const encodePage = Schema.encodeEither(ListContactsOutputStrict)

/** the contact of a session, as `GET /contacts` lists it */
export const contactOf = (session: ChatSessionStrict): ContactStrict | undefined => {
  const contact = session.contact
  if (contact === undefined) return undefined
  return {
    id: contact.id,
    email: contact.email,
    phone_number: contact.phone_number,
    name: contact.name,
    custom_data: contact.custom_data,
    created_at: contact.created_at,
    updated_at: contact.updated_at
  }
}

interface Listed {
  readonly contact: ContactStrict
  /** the key of its session in the store */
  readonly key: FakeStore.Key
}

const millisOf = (value: DateTime.Utc | undefined) => (value === undefined ? undefined : DateTime.toEpochMillis(value))

/** `GET /contacts` */
export const list = (world: SessionsWorld): Route => ({
  method: "GET",
  pattern: "/contacts",
  handle: (input) =>
    Effect.gen(function*() {
      const decoded = yield* Effect.either(ListContactsParams.fromUrlParams(input.query))
      if (Either.isLeft(decoded)) return Http.badRequest(describeQueryError(decoded.left))
      const params = decoded.right
      const urlParams = yield* Effect.orDie(ListContactsParams.encodeUrlParams(params))
      const bounds = {
        createdAfter: millisOf(params.created_after),
        createdBefore: millisOf(params.created_before),
        updatedAfter: millisOf(params.updated_after),
        updatedBefore: millisOf(params.updated_before)
      }
      const matches = (contact: ContactStrict) => {
        const created = Date.parse(contact.created_at)
        const updated = Date.parse(contact.updated_at)
        return (bounds.createdAfter === undefined || created > bounds.createdAfter) &&
          (bounds.createdBefore === undefined || created < bounds.createdBefore) &&
          (bounds.updatedAfter === undefined || updated > bounds.updatedAfter) &&
          (bounds.updatedBefore === undefined || updated < bounds.updatedBefore)
      }
      const store = yield* Ref.get(world.store)
      const keyOfSession = (session: ChatSessionStrict): FakeStore.Key => ({
        created: DateTime.toEpochMillis(session.created_at),
        id: session.id
      })
      return servePage<Listed>({
        route: input,
        secret: world.secret,
        filters: `contacts&${canonical(urlParams)}`,
        page: (after) => {
          // walk the sessions in order from the cursor's, keeping the contacts that match
          let from: FakeStore.Key | undefined = after !== null && typeof after[0] === "number" && typeof after[1] === "string"
            ? { created: after[0], id: after[1] }
            : undefined
          const items: Array<Listed> = []
          while (true) {
            const chunk = FakeStore.page(store, from, {}, 200)
            for (const session of chunk.items) {
              const contact = contactOf(session)
              if (contact === undefined || !matches(contact)) continue
              if (items.length === world.pageSize) {
                const last = items[items.length - 1]!.key
                return { items, next: [last.created, last.id] }
              }
              items.push({ contact, key: keyOfSession(session) })
            }
            if (chunk.next === undefined) return { items, next: undefined }
            from = chunk.next
          }
        },
        encode: (page) => encodePage({ items: page.items.map((listed) => listed.contact), next: page.next }),
        breakItem: (item) => ({ ...item, email: 42 }),
        keyOf: (listed) => [listed.key.created, listed.key.id]
      })
    })
})
