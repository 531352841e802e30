/**
 * @internal
 */
import * as Schema from "effect/Schema"

/**
 * Any string that is not one of the known values.
 *
 * Its TypeScript type is `string & {}` on purpose: in `Known | (string & {})`
 * TypeScript keeps the literals (for completion), where `Known | string`
 * collapses to `string`. It is written as a type annotation, not a
 * `Schema.filter` type guard: `filter` types its result as `C & B`, the
 * schema's own type intersected with the guard's, and `string & (string &
 * {})` simplifies to plain `string`, which is how the literals were lost.
 * `string` and `string & {}` are mutually assignable, so no cast is needed.
 */
const OtherString: Schema.Schema<string & {}> = Schema.String.annotations({
  description: "a value this version of the client does not know"
})

/**
 * An enum that is open for reading: the spec's literals, or any other string.
 * Its type (both sides) is `Known | (string & {})`.
 */
export const openEnum = <const Literals extends readonly [string, ...Array<string>]>(
  known: Schema.Literal<Literals>
): Schema.Union<[Schema.Literal<Literals>, typeof OtherString]> => Schema.Union(known, OtherString)
