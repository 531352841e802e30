/**
 * The query of `GET /chat/sessions`, as one Schema.
 *
 * - Its **encoded** side is what a user writes (and what a URL carries):
 *   dates as a `DateTime`, a `Date` or an ISO 8601 string; `handed_off` as a
 *   boolean or `"true"` / `"false"`.
 * - Its **type** side is the normalised query: dates as `DateTime.Utc`,
 *   `handed_off` as a boolean, `status` and `channel_type` as the spec's
 *   closed enums.
 * - **Encoding** yields exactly the URL parameters the spec names, as
 *   strings, absent ones omitted: dates as ISO 8601 UTC (`…Z`), booleans as
 *   `true` / `false`. **Decoding** parses them back, which is how FakeOpenCx
 *   reads a request.
 *
 * Bad input (an unknown status or channel, an unparsable date, an empty
 * cursor, an unknown parameter, `created_after` later than `created_before`)
 * is a `ParseError` whose path names the parameter. An unknown `status` or
 * `channel_type` names every allowed value: `Expected one of "open",
 * "closed_resolved", "closed_unresolved"; got "archived"`.
 *
 * Bounds: the spec does not say whether `…_after` / `…_before` are inclusive.
 * FakeOpenCx treats `after` as exclusive and `before` as exclusive, which is
 * what the words mean; do not rely on either for the real API.
 *
 * @example
 * ```ts
 * import { ListChatSessionsParams } from "@opencx-effect/core"
 * import { Effect } from "effect"
 *
 * const program = ListChatSessionsParams.toUrlParams({
 *   status: "open",
 *   handed_off: false,
 *   created_after: new Date("2025-01-01T00:00:00Z")
 * })
 * // Effect.runSync(program)
 * // => { status: "open", handed_off: "false", created_after: "2025-01-01T00:00:00.000Z" }
 * ```
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { SessionChannelStrict, SessionStatusStrict } from "./ChatSession.js"
import { checkRanges, urlParamsCodec } from "./internal/schema/params.js"
import { parseIso8601, Utc } from "./internal/schema/timestamp.js"

const AnyDateTime = Schema.declare(DateTime.isDateTime, {
  identifier: "DateTime",
  description: "a DateTime"
})

/**
 * A date filter: a `DateTime`, a valid `Date` or an ISO 8601 string (a date
 * alone is midnight UTC; a date-time without offset is UTC) ⇄ `DateTime.Utc`,
 * encoded as ISO 8601 UTC.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DateFilter = Schema.transformOrFail(
  Schema.Union(Schema.String, Schema.ValidDateFromSelf, AnyDateTime),
  Utc,
  {
    strict: true,
    decode: (input, _, ast) => {
      if (typeof input === "string") {
        const millis = parseIso8601(input)
        return millis === undefined
          ? ParseResult.fail(
            new ParseResult.Type(
              ast,
              input,
              `Expected an ISO 8601 date or date-time (e.g. 2025-01-31 or 2025-01-31T12:00:00Z), got ${
                JSON.stringify(input)
              }`
            )
          )
          : ParseResult.succeed(DateTime.unsafeMake(millis))
      }
      return ParseResult.succeed(input instanceof Date ? DateTime.unsafeFromDate(input) : DateTime.toUtc(input))
    },
    encode: (utc) => ParseResult.succeed(DateTime.formatIso(utc))
  }
).annotations({ identifier: "DateFilter" })

/**
 * `handed_off`: a boolean, or `"true"` / `"false"` as the URL carries it ⇄
 * boolean, encoded as `"true"` / `"false"`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BooleanParam = Schema.transform(
  Schema.Union(Schema.Boolean, Schema.Literal("true", "false")),
  Schema.Boolean,
  {
    strict: true,
    decode: (input) => input === true || input === "true",
    encode: (b) => (b ? "true" : "false")
  }
).annotations({ identifier: "BooleanParam" })

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

const Fields = Schema.Struct({
  cursor: optional(Schema.String.pipe(Schema.minLength(1, { message: () => "cursor must not be empty" }))),
  handed_off: optional(BooleanParam),
  status: optional(SessionStatusStrict),
  channel_type: optional(SessionChannelStrict),
  created_after: optional(DateFilter),
  created_before: optional(DateFilter),
  updated_after: optional(DateFilter),
  updated_before: optional(DateFilter)
}).annotations({ parseOptions: { onExcessProperty: "error", exact: true } })

/**
 * The query of `GET /chat/sessions`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ListChatSessionsParams = Fields.pipe(
  Schema.filter(checkRanges)
).annotations({ identifier: "ListChatSessionsParams" })

/**
 * The normalised query.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListChatSessionsParams extends Schema.Schema.Type<typeof ListChatSessionsParams> {}

/**
 * The query as a user writes it: every field optional, dates as `DateTime`,
 * `Date` or ISO 8601 string.
 *
 * @since 0.1.0
 * @category models
 */
export interface Input extends Schema.Schema.Encoded<typeof ListChatSessionsParams> {}

/**
 * The names of the filters (every parameter but `cursor`).
 *
 * @since 0.1.0
 * @category constants
 */
export const filterNames = [
  "handed_off",
  "status",
  "channel_type",
  "created_after",
  "created_before",
  "updated_after",
  "updated_before"
] as const

const codec = urlParamsCodec(ListChatSessionsParams)

/**
 * Validates and normalises a user's query.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode: (input: Input) => Effect.Effect<ListChatSessionsParams, ParseResult.ParseError> = codec.decode

/**
 * Decodes URL query parameters (what a server receives).
 *
 * @since 0.1.0
 * @category decoding
 */
export const fromUrlParams: (
  params: Readonly<Record<string, string>>
) => Effect.Effect<ListChatSessionsParams, ParseResult.ParseError> = codec.decode

/**
 * Encodes a normalised query into the URL parameters the spec names, as
 * strings; absent parameters are omitted.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeUrlParams: (
  params: ListChatSessionsParams
) => Effect.Effect<Record<string, string>, ParseResult.ParseError> = codec.encodeUrlParams

/**
 * Validates a user's query and encodes it into URL parameters.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toUrlParams: (input: Input) => Effect.Effect<Record<string, string>, ParseResult.ParseError> =
  codec.toUrlParams
