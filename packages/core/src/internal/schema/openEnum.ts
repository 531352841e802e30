/**
 * Enums: closed ones (the spec's literals, with an error that names every
 * allowed value) and open ones (for reading: the literals or any other
 * string, typed `Known | (string & {})` so the literals stay visible for
 * completion).
 *
 * @internal
 */
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * A value as an error message shows it, never throwing and never long: a
 * string quoted (JSON escapes control characters, so no terminal escape gets
 * through) and cut at 100 characters, other primitives as written, objects
 * and arrays by kind (printing them could be huge, or throw when nested too
 * deep).
 */
const describeValue = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(u.length > 100 ? `${u.slice(0, 100)}…` : u)
  if (u === null || typeof u === "number" || typeof u === "boolean" || typeof u === "undefined") return String(u)
  if (typeof u === "bigint") return `${u}n`
  if (Array.isArray(u)) return "an array"
  return typeof u === "object" ? "an object" : `a ${typeof u}`
}

const listed = (literals: ReadonlyArray<string>): string => literals.map((l) => JSON.stringify(l)).join(", ")

/**
 * A closed enum: exactly the given literals. A value outside them fails with
 * `Expected one of "a", "b", "c"; got "x"` (effect's own message would name
 * only the first literal: `Expected "a", actual "x"`). The message overrides
 * the per-member issues, in every formatter.
 */
export const closedEnum = <Literals extends readonly [string, ...Array<string>]>(
  ...literals: Literals
): Schema.Literal<[...Literals]> =>
  Schema.Literal(...literals).annotations({
    message: (issue: ParseResult.ParseIssue) => ({
      message: `Expected one of ${listed(literals)}; got ${describeValue(issue.actual)}`,
      override: true
    })
  })

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
 * Its type (both sides) is `Known | (string & {})`. A value that is not a
 * string fails with a message naming the known values.
 */
export const openEnum = <const Literals extends readonly [string, ...Array<string>]>(
  known: Schema.Literal<Literals>
): Schema.Union<[Schema.Literal<Literals>, typeof OtherString]> =>
  Schema.Union(known, OtherString).annotations({
    message: (issue: ParseResult.ParseIssue) => ({
      message: `Expected a string (known values: ${listed(known.literals)}); got ${describeValue(issue.actual)}`,
      override: true
    })
  })
