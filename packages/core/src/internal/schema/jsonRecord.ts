/**
 * A JSON object whose values are primitives, as the spec's `custom_data`
 * fields are.
 *
 * `Schema.Record` builds its output with assignments, which drops a key named
 * `__proto__` (the assignment sets the prototype instead): custom data is
 * user-controlled, so that would lose data. This Schema validates every own
 * key and returns the input object itself: the values are primitives, so
 * there is nothing to transform, and nothing to copy.
 *
 * @internal
 */
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

type Primitive = string | number | boolean

const isObject = (u: unknown): u is { readonly [key: string]: unknown } =>
  typeof u === "object" && u !== null && !Array.isArray(u)

export const JsonRecord = <A extends Primitive>(
  value: Schema.Schema<A>,
  options: { readonly identifier: string; readonly valueJsonSchema: object }
): Schema.Schema<{ readonly [key: string]: A }> => {
  const validate = ParseResult.validateEither(value)
  const parse = (input: unknown, ast: Schema.declare<{ readonly [key: string]: A }>["ast"]) => {
    if (!isObject(input)) return ParseResult.fail(new ParseResult.Type(ast, input))
    const issues: Array<ParseResult.ParseIssue> = []
    for (const key of Object.keys(input)) {
      const result = validate(input[key])
      if (Either.isLeft(result)) issues.push(new ParseResult.Pointer(key, input, result.left))
    }
    const [first, ...rest] = issues
    return first === undefined
      ? ParseResult.succeed(input as { readonly [key: string]: A }) // validated: every value is an A
      : ParseResult.fail(new ParseResult.Composite(ast, input, rest.length === 0 ? first : [first, ...rest]))
  }
  return Schema.declare([], {
    decode: () => (input, _, ast) => parse(input, ast),
    encode: () => (input, _, ast) => parse(input, ast)
  }, {
    identifier: options.identifier,
    description: "an object of primitive values",
    jsonSchema: { type: "object", additionalProperties: options.valueJsonSchema },
    arbitrary: () => (fc) => fc.dictionary(fc.string(), Arbitrary.make(value)),
    equivalence: () => (a, b) => {
      const keys = Object.keys(a)
      return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && (a[k] === b[k] || (Number.isNaN(a[k]) && Number.isNaN(b[k]))))
    }
  })
}
