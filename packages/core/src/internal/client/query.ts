/**
 * A user's query, checked and encoded before any request: a bad parameter
 * is an `InvalidParams` naming it.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import { InvalidParams } from "../../OpenCxError.js"

export const toInvalidParams = (error: ParseResult.ParseError): InvalidParams => InvalidParams.fromParseError(error)

/** the query's filters as URL parameters, and its cursor apart */
export const prepare = <I, A>(
  input: I,
  codec: {
    readonly decode: (input: I) => Effect.Effect<A, ParseResult.ParseError>
    readonly encodeUrlParams: (params: A) => Effect.Effect<Record<string, string>, ParseResult.ParseError>
  }
): Effect.Effect<{ readonly filters: Readonly<Record<string, string>>; readonly cursor: string | null }, InvalidParams> =>
  codec.decode(input).pipe(
    Effect.flatMap(codec.encodeUrlParams),
    Effect.mapError(toInvalidParams),
    Effect.map(({ cursor, ...filters }) => ({ filters, cursor: cursor ?? null }))
  )
