/**
 * @internal
 */
import * as Schema from "effect/Schema"

/**
 * Any string that is not one of the known values. The refinement always
 * holds: it exists so that the TypeScript type is `string & {}`, which keeps
 * the known literals visible for completion in `Known | (string & {})`.
 */
const OtherString = Schema.String.pipe(
  Schema.filter((_s: string): _s is string & {} => true, {
    description: "a value this version of the client does not know"
  })
)

/**
 * An enum that is open for reading: the spec's literals, or any other string.
 */
export const openEnum = <const Literals extends readonly [string, ...Array<string>]>(
  known: Schema.Literal<Literals>
): Schema.Union<[Schema.Literal<Literals>, typeof OtherString]> => Schema.Union(known, OtherString)
