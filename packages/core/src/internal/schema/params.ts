/**
 * What the query Schemas share: the date-range check, and the codec between
 * a query and its URL parameters.
 *
 * @internal
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

type Ranges = {
  readonly created_after?: DateTime.Utc | undefined
  readonly created_before?: DateTime.Utc | undefined
  readonly updated_after?: DateTime.Utc | undefined
  readonly updated_before?: DateTime.Utc | undefined
}

const checkRange = (
  params: Ranges,
  after: "created_after" | "updated_after",
  before: "created_before" | "updated_before"
): Schema.FilterIssue | undefined => {
  const a = params[after]
  const b = params[before]
  return a !== undefined && b !== undefined && DateTime.greaterThan(a, b)
    ? { path: [after], message: `${after} (${DateTime.formatIso(a)}) is later than ${before} (${DateTime.formatIso(b)})` }
    : undefined
}

/** `created_after` not later than `created_before`, and the same for `updated_*` */
export const checkRanges = (params: Ranges): true | ReadonlyArray<Schema.FilterIssue> => {
  const issues = [
    checkRange(params, "created_after", "created_before"),
    checkRange(params, "updated_after", "updated_before")
  ].filter((issue): issue is Schema.FilterIssue => issue !== undefined)
  return issues.length === 0 ? true : issues
}

/** decode a query (as a user writes it, or as a URL carries it); encode it into URL parameters */
export const urlParamsCodec = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknown(schema)
  const encode = Schema.encode(schema)
  const encodeUrlParams = (params: A): Effect.Effect<Record<string, string>, ParseResult.ParseError> =>
    Effect.map(encode(params), (encoded) => {
      const out: Record<string, string> = {}
      for (const [key, value] of Object.entries(encoded as object)) {
        if (typeof value === "string") out[key] = value
      }
      return out
    })
  return {
    decode,
    encodeUrlParams,
    toUrlParams: (input: unknown) => Effect.flatMap(decode(input), encodeUrlParams)
  }
}
