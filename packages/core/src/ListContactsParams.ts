/**
 * The query of `GET /contacts`, as one Schema: `cursor` and the four date
 * filters, as `ListChatSessionsParams` has them (a `DateTime`, a `Date` or
 * an ISO 8601 string, sent as ISO 8601 UTC; a range whose `…_after` is later
 * than its `…_before` is refused; absent parameters are omitted; an unknown
 * one is refused).
 *
 * @since 0.2.0
 */
import type * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { DateFilter } from "./ListChatSessionsParams.js"
import { checkRanges, urlParamsCodec } from "./internal/schema/params.js"

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * The query of `GET /contacts`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ListContactsParams = Schema.Struct({
  cursor: optional(Schema.String.pipe(Schema.minLength(1, { message: () => "cursor must not be empty" }))),
  created_after: optional(DateFilter),
  created_before: optional(DateFilter),
  updated_after: optional(DateFilter),
  updated_before: optional(DateFilter)
}).annotations({ parseOptions: { onExcessProperty: "error", exact: true } }).pipe(
  Schema.filter(checkRanges),
  Schema.annotations({ identifier: "ListContactsParams" })
)

/**
 * The normalised query.
 *
 * @since 0.2.0
 * @category models
 */
export interface ListContactsParams extends Schema.Schema.Type<typeof ListContactsParams> {}

/**
 * The query as a user writes it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Input extends Schema.Schema.Encoded<typeof ListContactsParams> {}

/**
 * The names of the filters (every parameter but `cursor`).
 *
 * @since 0.2.0
 * @category constants
 */
export const filterNames = ["created_after", "created_before", "updated_after", "updated_before"] as const

const codec = urlParamsCodec(ListContactsParams)

/**
 * Validates and normalises a user's query.
 *
 * @since 0.2.0
 * @category decoding
 */
export const decode: (input: Input) => Effect.Effect<ListContactsParams, ParseResult.ParseError> = codec.decode

/**
 * Decodes URL query parameters (what a server receives).
 *
 * @since 0.2.0
 * @category decoding
 */
export const fromUrlParams: (
  params: Readonly<Record<string, string>>
) => Effect.Effect<ListContactsParams, ParseResult.ParseError> = codec.decode

/**
 * Encodes a normalised query into URL parameters; absent ones are omitted.
 *
 * @since 0.2.0
 * @category encoding
 */
export const encodeUrlParams: (
  params: ListContactsParams
) => Effect.Effect<Record<string, string>, ParseResult.ParseError> = codec.encodeUrlParams

/**
 * Validates a user's query and encodes it into URL parameters.
 *
 * @since 0.2.0
 * @category encoding
 */
export const toUrlParams: (input: Input) => Effect.Effect<Record<string, string>, ParseResult.ParseError> =
  codec.toUrlParams
