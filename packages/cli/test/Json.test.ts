/**
 * The iterative JSON serializer the export falls back on when a session is
 * nested too deeply for `JSON.stringify`: the same text as `JSON.stringify`
 * on any value, at any depth.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { stringify, stringifyIteratively } from "../src/internal/json.js"

/** what a serializer does with a value: its text (or undefined), or the class of what it throws */
const outcome = (serialize: (value: unknown) => string | undefined, value: unknown) => {
  try {
    return { text: serialize(value) }
  } catch (error) {
    return { threw: error instanceof Error ? error.constructor.name : typeof error }
  }
}

/** `{"x":{"x":…1…}}`, `depth` levels, built without recursion */
const nested = (depth: number, wrap: (inner: unknown) => unknown = (inner) => ({ x: inner })) => {
  let value: unknown = 1
  for (let i = 0; i < depth; i++) value = wrap(value)
  return value
}

describe("stringifyIteratively", () => {
  it.prop("writes what JSON.stringify writes, on any JSON value", [FastCheck.jsonValue()], ([value]) => {
    expect(stringifyIteratively(value)).toBe(JSON.stringify(value))
  }, { fastCheck: { numRuns: 1000 } })

  it.prop(
    "and on any JavaScript value: undefined members, -0, NaN, boxed values, dates, sparse arrays, typed arrays, maps, BigInts (thrown)",
    [FastCheck.anything({
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      withBigInt: true,
      withUnicodeString: true
    })],
    ([value]) => {
      expect(outcome(stringifyIteratively, value)).toEqual(outcome(JSON.stringify, value))
    },
    { fastCheck: { numRuns: 1000 } }
  )

  it("calls toJSON with the member's key, as JSON.stringify does", () => {
    const keyed = { toJSON: (key: string) => `key:${key}` }
    const value = { a: keyed, b: [keyed, { c: keyed }], d: new Date(0), e: new Date(Number.NaN), f: () => 1, g: Symbol("s") }
    expect(stringifyIteratively(value)).toBe(JSON.stringify(value))
    expect(stringifyIteratively(keyed)).toBe(JSON.stringify(keyed)) // the root's key is ""
    expect(stringifyIteratively(undefined)).toBe(undefined)
    expect(stringifyIteratively([undefined, () => 1])).toBe("[null,null]")
  })

  it("writes only own enumerable string keys, in their order (integer-like keys first)", () => {
    const value: Record<string | symbol, unknown> = { b: 1, 2: "two", a: undefined, 1: "one" }
    Object.defineProperty(value, "hidden", { value: "not enumerable", enumerable: false })
    value[Symbol("s")] = "a symbol key"
    const inherited: Record<string, unknown> = Object.create({ fromPrototype: true })
    inherited.own = [value]
    expect(stringifyIteratively(inherited)).toBe(JSON.stringify(inherited))
    expect(stringifyIteratively(inherited)).toBe(`{"own":[{"1":"one","2":"two","b":1}]}`)
  })

  it("throws a TypeError on a cycle, as JSON.stringify does, and accepts a value met twice without a cycle", () => {
    const cycle: { self?: unknown } = {}
    cycle.self = { inner: [cycle] }
    expect(() => stringifyIteratively(cycle)).toThrow(TypeError)
    const shared = { s: 1 }
    const twice = { a: shared, b: [shared, shared] }
    expect(stringifyIteratively(twice)).toBe(JSON.stringify(twice))
  })

  it("agrees with JSON.stringify at a depth it can reach", () => {
    for (const wrap of [(x: unknown) => ({ x }), (x: unknown) => [x], (x: unknown) => ({ a: [1, "two"], x, z: null })]) {
      const value = nested(1_000, wrap)
      expect(stringifyIteratively(value)).toBe(JSON.stringify(value))
    }
  })

  it("writes values 10,000 and 200,000 levels deep, where JSON.stringify overflows the stack", () => {
    for (const depth of [10_000, 200_000]) {
      expect(() => JSON.stringify(nested(depth))).toThrow(RangeError)
      const expected = "{\"x\":".repeat(depth) + "1" + "}".repeat(depth)
      expect(stringifyIteratively(nested(depth))).toBe(expected)
      expect(stringify(nested(depth))).toBe(expected)
      expect(stringify(nested(depth, (x) => [x]))).toBe("[".repeat(depth) + "1" + "]".repeat(depth))
    }
  })
})

describe("stringify", () => {
  it.prop("is JSON.stringify when JSON.stringify can do it", [FastCheck.jsonValue()], ([value]) => {
    expect(stringify(value)).toBe(JSON.stringify(value))
  })

  it("falls back only on a RangeError: a cycle is still a TypeError", () => {
    const cycle: { self?: unknown } = {}
    cycle.self = cycle
    expect(() => stringify(cycle)).toThrow(TypeError)
  })
})
