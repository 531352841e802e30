/**
 * JSON objects whose keys are data, `__proto__` included.
 *
 * `JSON.parse` makes a key named `"__proto__"` an own property like any
 * other. Effect's stock Schemas build their output with assignments
 * (`out[key] = value`), and assigning `__proto__` does not create a key: it
 * sets the output's prototype when the value is an object or `null` (the
 * decoded value then inherits whatever the payload put there) and is ignored
 * otherwise (the key is lost). That happens in `Schema.Record` and in
 * `Schema.Struct` for the excess keys that `onExcessProperty: "preserve"`
 * carries through. The Schemas here keep such a key as an own data property
 * with its value, and return only objects whose prototype is
 * `Object.prototype`.
 *
 * @internal
 */
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"

type Primitive = string | number | boolean

const isObject = (u: unknown): u is { readonly [key: string]: unknown } =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const protoKey = "__proto__"

/**
 * A JSON object whose values are primitives, as the spec's `custom_data`
 * fields are. It validates every own enumerable key and returns the input
 * object itself: the values are primitives, so there is nothing to transform
 * and nothing to copy. An input whose prototype is not `Object.prototype`
 * (not from `JSON.parse`: `Object.create(null)`, a class instance) is copied
 * into a plain object, own keys only.
 */
export const JsonRecord = <A extends Primitive>(
  value: Schema.Schema<A>,
  options: { readonly identifier: string; readonly valueJsonSchema: object }
): Schema.Schema<{ readonly [key: string]: A }> => {
  const validate = ParseResult.validateEither(value)
  const parse = (input: unknown, ast: Schema.declare<{ readonly [key: string]: A }>["ast"]) => {
    if (!isObject(input)) return ParseResult.fail(new ParseResult.Type(ast, input))
    const issues: Array<ParseResult.ParseIssue> = []
    const keys = Object.keys(input)
    for (const key of keys) {
      const result = validate(input[key])
      if (Either.isLeft(result)) issues.push(new ParseResult.Pointer(key, input, result.left))
    }
    const [first, ...rest] = issues
    if (first !== undefined) {
      return ParseResult.fail(new ParseResult.Composite(ast, input, rest.length === 0 ? first : [first, ...rest]))
    }
    // validated: every value is an A. Object.fromEntries defines its keys (no assignment), __proto__ included.
    const record = input as { readonly [key: string]: A }
    return ParseResult.succeed(
      Object.getPrototypeOf(input) === Object.prototype ? record : Object.fromEntries(keys.map((k) => [k, record[k]]))
    )
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

/**
 * `output` with the `__proto__` key of `input` (when it has one as its own)
 * as an own data property, and `Object.prototype` as its prototype again.
 * `output` is the fresh object a struct's parser just built, so changing it
 * in place is safe.
 */
const keepProtoKey = <O extends object>(output: O, input: unknown): O => {
  if (typeof input !== "object" || input === null || !Object.hasOwn(input, protoKey)) return output
  // the own property shadows Object.prototype's accessor: this reads the data
  const value: unknown = Reflect.get(input, protoKey)
  Object.setPrototypeOf(output, Object.prototype)
  Object.defineProperty(output, protoKey, { value, enumerable: true, writable: true, configurable: true })
  return output
}

/**
 * A `Schema.Struct` that carries its excess keys through (its
 * `onExcessProperty: "preserve"`), a `__proto__` key included: see the module
 * documentation. Same Type, Encoded, issues and instance API (`fields`,
 * `records`, `make`, `pick`, `omit`, `annotations`) as the struct it wraps;
 * `make` keeps a `__proto__` key too; `pick` and `omit` are the struct's
 * (plain structs of some of the fields, as `Schema.Struct` gives).
 *
 * It is a declaration with the struct as its type parameter: decoding and
 * encoding run the struct, then put the `__proto__` key back as data. The
 * struct is also its surrogate, so JSON Schema, `Schema.pick`, `Schema.omit`
 * and `Schema.keyof` see the struct; arbitraries, equivalences and pretty
 * printers are the struct's. `Schema.extend`, `Schema.partial` and
 * `Schema.required` do not take a declaration: build a new struct from
 * `fields` instead.
 */
export interface OpenStruct<Fields extends Schema.Struct.Fields> extends
  Schema.AnnotableClass<
    OpenStruct<Fields>,
    Schema.Schema.Type<Schema.Struct<Fields>>,
    Schema.Schema.Encoded<Schema.Struct<Fields>>,
    Schema.Struct.Context<Fields>
  >
{
  readonly fields: Readonly<Fields>
  readonly records: readonly []
  readonly make: Schema.Struct<Fields>["make"]
  readonly pick: Schema.Struct<Fields>["pick"]
  readonly omit: Schema.Struct<Fields>["omit"]
}

const makeOpenStructClass = <Fields extends Schema.Struct.Fields>(
  struct: Schema.Struct<Fields>,
  ast: AST.AST
): OpenStruct<Fields> => {
  type A = Schema.Schema.Type<Schema.Struct<Fields>>
  type I = Schema.Schema.Encoded<Schema.Struct<Fields>>
  type R = Schema.Struct.Context<Fields>
  return class OpenStructClass extends Schema.make<A, I, R>(ast) {
    static override annotations(annotations: Schema.Annotations.Schema<A>): OpenStruct<Fields> {
      // Schema.make(...).annotations merges them into the AST as effect does for its own classes
      return makeOpenStructClass(struct, Schema.make<A, I, R>(this.ast).annotations(annotations).ast)
    }
    static fields = struct.fields
    static records = struct.records
    static make: Schema.Struct<Fields>["make"] = (props, options) => keepProtoKey(struct.make(props, options), props)
    static pick: Schema.Struct<Fields>["pick"] = (...keys) => struct.pick(...keys)
    static omit: Schema.Struct<Fields>["omit"] = (...keys) => struct.omit(...keys)
  }
}

/**
 * Wraps a struct that preserves its excess keys so that a `__proto__` key is
 * kept as data (see `OpenStruct`). The struct's own annotations (its
 * `parseOptions` among them) stay on it; its identifier is copied to the
 * wrapper, for messages.
 */
export const openStruct = <Fields extends Schema.Struct.Fields>(struct: Schema.Struct<Fields>): OpenStruct<Fields> => {
  const declaration = Schema.declare([struct], {
    decode: (inner) => {
      const decode = ParseResult.decodeUnknown(inner)
      return (input, options) => ParseResult.map(decode(input, options), (output) => keepProtoKey(output, input))
    },
    encode: (inner) => {
      const encode = ParseResult.encodeUnknown(inner)
      return (input, options) => ParseResult.map(encode(input, options), (output) => keepProtoKey(output, input))
    }
  }, {
    arbitrary: (arbitrary) => arbitrary,
    equivalence: (equivalence) => equivalence,
    pretty: (pretty) => pretty
  })
  const identifier = AST.getIdentifierAnnotation(struct.ast)
  return makeOpenStructClass(
    struct,
    AST.annotations(declaration.ast, {
      [AST.SurrogateAnnotationId]: struct.ast,
      ...(Option.isSome(identifier) ? { [AST.IdentifierAnnotationId]: identifier.value } : {})
    })
  )
}

/** the object itself when it is plain, else a plain copy of its own keys (defined, so `__proto__` stays data) */
const plain = (input: { readonly [key: string]: unknown }): { readonly [key: string]: unknown } =>
  Object.getPrototypeOf(input) === Object.prototype ? input : Object.fromEntries(Object.keys(input).map((k) => [k, input[k]]))

/**
 * Any JSON object, kept as it came: its own keys, a `__proto__` key as data,
 * values not looked at.
 */
export const JsonObject: Schema.Schema<{ readonly [key: string]: unknown }> = Schema.declare([], {
  decode: () => (input, _, ast) => isObject(input) ? ParseResult.succeed(plain(input)) : ParseResult.fail(new ParseResult.Type(ast, input)),
  encode: () => (input, _, ast) => isObject(input) ? ParseResult.succeed(plain(input)) : ParseResult.fail(new ParseResult.Type(ast, input))
}, {
  identifier: "JsonObject",
  description: "a JSON object",
  jsonSchema: { type: "object", additionalProperties: {} },
  arbitrary: () => (fc) => fc.dictionary(fc.string(), fc.jsonValue())
})

/**
 * A JSON object with a `type` that `type` accepts, and any other keys, kept
 * as they came (own keys, a `__proto__` key as data): the shape of an event
 * this version of the client does not know.
 */
export const TypedObject = <T extends string>(
  type: Schema.Schema<T, string>,
  options: { readonly identifier: string }
): Schema.Schema<{ readonly type: T; readonly [key: string]: unknown }> => {
  const validate = ParseResult.validateEither(type)
  const parse = (input: unknown, ast: AST.Declaration) => {
    if (!isObject(input)) return ParseResult.fail(new ParseResult.Type(ast, input))
    const checked = validate(input.type)
    if (Either.isLeft(checked)) {
      return ParseResult.fail(new ParseResult.Composite(ast, input, new ParseResult.Pointer("type", input, checked.left)))
    }
    // validated: `type` is a T; the other keys are any values
    return ParseResult.succeed(plain(input) as { readonly type: T; readonly [key: string]: unknown })
  }
  return Schema.declare([], {
    decode: () => (input, _, ast) => parse(input, ast),
    encode: () => (input, _, ast) => parse(input, ast)
  }, {
    identifier: options.identifier,
    jsonSchema: { type: "object", properties: { type: { type: "string" } }, required: ["type"] },
    arbitrary: () => (fc) =>
      fc.tuple(Arbitrary.make(type), fc.dictionary(fc.string(), fc.jsonValue())).map(([t, rest]) => ({ ...rest, type: t }))
  })
}

/**
 * An object of a model in one of its two modes: an `OpenStruct` in the
 * tolerant mode (unknown keys carried through as data), the plain
 * `Schema.Struct` in the strict mode (which refuses them).
 */
export type ModeObject<Tolerant extends boolean, F extends Schema.Struct.Fields> = Tolerant extends true ? OpenStruct<F>
  : Schema.Struct<F>
