/**
 * What every cursor-paged list of FakeOpenCx shares: signed cursors bound
 * to the filters, `next` null on the last page, and the page faults (an
 * empty page with `next`, a repeated cursor, an item that breaks the spec).
 * A list route gives its store's page function, its encoder and how to
 * break an item.
 *
 * @internal
 */
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as FakeCursor from "./cursor.js"
import type { RouteInput } from "./edge.js"
import * as Http from "./http.js"

/** a page of a store: its items, and the key of the last one when more follow */
export interface StorePage<I> {
  readonly items: ReadonlyArray<I>
  readonly next: FakeCursor.Key | undefined
}

type Json = { readonly [key: string]: unknown }

export interface PageRequest<I> {
  readonly route: RouteInput
  readonly secret: string
  /** the request's filters in a canonical form: a cursor is valid only with the same */
  readonly filters: string
  /** up to a page of items after `after` (`null`: from the start) */
  readonly page: (after: FakeCursor.Key) => StorePage<I>
  /** the page as JSON, checked against the spec */
  readonly encode: (page: { readonly items: ReadonlyArray<I>; readonly next: string | null }) => Either.Either<
    { readonly items: ReadonlyArray<unknown>; readonly next: string | null },
    ParseResult.ParseError
  >
  /** an item made to break the spec (for `Fault.invalidItem`) */
  readonly breakItem: (item: Json) => Json
  /** an item's position in the list (what a cursor carries) */
  readonly keyOf: (item: I) => FakeCursor.Key
}

const isJson = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

/** `canonical({ b: "2", a: "1" })` is `a=1&b=2` */
export const canonical = (params: Readonly<Record<string, string>>): string =>
  Object.keys(params).filter((k) => k !== "cursor").sort().map((k) => `${k}=${params[k]}`).join("&")

export const servePage = <I>(request: PageRequest<I>): Http.Reply => {
  const { fault, number, query } = request.route
  const filters = FakeCursor.filtersHash(request.secret, request.filters)
  let after: FakeCursor.Key = null
  const cursor = query.cursor
  if (cursor !== undefined) {
    const decoded = FakeCursor.decode(request.secret, cursor, filters)
    if (Either.isLeft(decoded)) {
      return Http.badRequest(
        decoded.left === "other-filters"
          ? `Invalid query parameter "cursor": it was issued for other filters; send the same filters with every cursor`
          : `Invalid query parameter "cursor": not a cursor this server issued`
      )
    }
    after = decoded.right.key
  }
  if (fault?._tag === "EmptyPageWithNext") {
    const next = FakeCursor.encode(request.secret, { key: after, filters, nonce: number })
    return { ...Http.json(200, { items: [], next }), fault: fault._tag }
  }
  const page = request.page(after)
  let next = page.next === undefined ? null : FakeCursor.encode(request.secret, { key: page.next, filters })
  const repeat = fault?._tag === "RepeatCursor" && cursor !== undefined
  if (repeat) next = cursor
  const overlap = fault?._tag === "OverlappingNext" && page.next !== undefined && page.items.length > fault.count
  if (overlap) {
    const key = request.keyOf(page.items[page.items.length - 1 - fault.count]!)
    next = FakeCursor.encode(request.secret, { key, filters, nonce: number })
  }
  const encoded = request.encode({ items: page.items, next })
  if (Either.isLeft(encoded)) {
    return Http.error(500, `FakeOpenCx holds an item that breaks the spec: ${encoded.left.message}`)
  }
  if (fault?._tag === "InvalidItem") {
    const items = encoded.right.items
    const index = Math.min(Math.max(0, fault.index ?? Math.floor(items.length / 2)), Math.max(0, items.length - 1))
    const original = items[index]
    const broken = request.breakItem(isJson(original) ? original : { id: "broken" })
    const body = { ...encoded.right, items: items.length === 0 ? [broken] : items.map((item, k) => (k === index ? broken : item)) }
    return { ...Http.json(200, body), fault: fault._tag }
  }
  const applied = repeat ? "RepeatCursor" as const : overlap ? "OverlappingNext" as const : undefined
  return { ...Http.json(200, encoded.right), ...(applied === undefined ? {} : { fault: applied }) }
}
