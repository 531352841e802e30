/**
 * The OpenCX contacts service: one page (`list`), every page (`pages`) or
 * every contact (`stream`) of `GET /contacts`, with the filters
 * `created_after`, `created_before`, `updated_after` and `updated_before`.
 *
 * A thin layer over `OpenCxClient` and `Paginator`, as `SessionsService`
 * is: lazy, complete (empty pages followed, loops and endless empty pages
 * refused, a contact repeated from the previous page skipped), retried per
 * page, and within the client's one rate limit, shared with every other
 * service built on the same client.
 *
 * @example
 * ```ts
 * import { ContactsService } from "@opencx-effect/core"
 * import { Stream } from "effect"
 *
 * // the contacts updated since June, with an email
 * const reachable = ContactsService.stream({ updated_after: "2025-06-01" }).pipe(
 *   Stream.filter((contact) => contact.email !== null),
 *   Stream.runCount
 * )
 * ```
 *
 * @since 0.2.0
 */
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { type Contact, ListContactsOutput } from "./Contact.js"
import * as Query from "./internal/client/query.js"
import * as ListContactsParams from "./ListContactsParams.js"
import * as OpenCxClient from "./OpenCxClient.js"
import type { OpenCxError } from "./OpenCxError.js"
import * as Paginator from "./Paginator.js"
import type { StreamOptions } from "./SessionsService.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /** one page */
  readonly list: (params?: ListContactsParams.Input) => Effect.Effect<ListContactsOutput, OpenCxError>
  /** every page from `params.cursor` (or the start) until `next` is null */
  readonly pages: (
    params?: ListContactsParams.Input,
    options?: StreamOptions
  ) => Stream.Stream<ListContactsOutput, OpenCxError>
  /** every contact of those pages, in order */
  readonly stream: (params?: ListContactsParams.Input, options?: StreamOptions) => Stream.Stream<Contact, OpenCxError>
}

/**
 * @since 0.2.0
 * @category tags
 */
export class ContactsService extends Context.Tag("@opencx-effect/core/ContactsService")<ContactsService, Service>() {}

const decodePage = Schema.decodeUnknownEither(ListContactsOutput)

const prepare = (params: ListContactsParams.Input | undefined) => Query.prepare(params ?? {}, ListContactsParams)

/**
 * Builds the service over the `OpenCxClient` in context.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, OpenCxClient.OpenCxClient> = Effect.gen(function*() {
  const client = yield* OpenCxClient.OpenCxClient
  const path = "/contacts"
  const url = client.urlOf({ path })

  const fetchPage = (filters: Readonly<Record<string, string>>) =>
  (cursor: string | null, index: number): Effect.Effect<ListContactsOutput, OpenCxError> =>
    Effect.map(
      client.executeResponse(
        {
          method: "GET",
          path,
          urlParams: cursor === null ? filters : { ...filters, cursor },
          cursor,
          span: {
            name: "ContactsService.page",
            attributes: { "opencx.page.index": index, "opencx.page.cursor_sent": cursor !== null }
          }
        },
        decodePage,
        (response) => ({ "opencx.page.items": response.value.items.length, "opencx.page.attempts": response.attempts })
      ),
      (response) => response.value
    )

  const pages = (params: ListContactsParams.Input | undefined, options: StreamOptions | undefined) =>
    Stream.unwrap(
      Effect.map(prepare(params), ({ cursor, filters }) =>
        Paginator.pages({ method: "GET", url, fetch: fetchPage(filters) }, {
          key: (contact) => contact.id,
          maxEmptyPages: options?.maxEmptyPages,
          prefetch: options?.prefetch,
          start: options?.start ?? { cursor }
        }))
    )

  return {
    list: (params) => Effect.flatMap(prepare(params), ({ cursor, filters }) => fetchPage(filters)(cursor, 0)),
    pages,
    stream: (params, options) =>
      Stream.mapConcatChunk(pages(params, options), (page) => Chunk.unsafeFromArray(page.items))
  }
})

/**
 * The service over the `OpenCxClient` in context (sharing its limiter).
 *
 * @since 0.2.0
 * @category layers
 */
export const layerClient: Layer.Layer<ContactsService, never, OpenCxClient.OpenCxClient> = Layer.effect(
  ContactsService,
  make
)

/**
 * One page, with the service from context.
 *
 * @since 0.2.0
 * @category accessors
 */
export const list = (params?: ListContactsParams.Input): Effect.Effect<ListContactsOutput, OpenCxError, ContactsService> =>
  Effect.flatMap(ContactsService, (service) => service.list(params))

/**
 * Every page, with the service from context.
 *
 * @since 0.2.0
 * @category accessors
 */
export const pages = (
  params?: ListContactsParams.Input,
  options?: StreamOptions
): Stream.Stream<ListContactsOutput, OpenCxError, ContactsService> =>
  Stream.unwrap(Effect.map(ContactsService, (service) => service.pages(params, options)))

/**
 * Every contact, with the service from context.
 *
 * @since 0.2.0
 * @category accessors
 */
export const stream = (
  params?: ListContactsParams.Input,
  options?: StreamOptions
): Stream.Stream<Contact, OpenCxError, ContactsService> =>
  Stream.unwrap(Effect.map(ContactsService, (service) => service.stream(params, options)))
