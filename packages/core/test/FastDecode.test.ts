/**
 * `SessionsService.decodePage` (the hand-written fast path)
 * agrees with the tolerant Schema on every input: same acceptance, equal
 * values.
 */
import { ChatSession, SessionsService } from "@opencx-effect/core"
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, DateTime, Either, FastCheck, Schema } from "effect"
import { isDeepStrictEqual } from "node:util"
import { fullPage } from "./fixtures/sessions.js"
import { containers } from "./utils/json.js"

const schemaDecode = Schema.decodeUnknownEither(ChatSession.ListChatSessionsOutput)
const encode = Schema.encodeSync(ChatSession.ListChatSessionsOutput)

/**
 * Every object in a decoded tree (but the `DateTime`s) has the plain
 * prototype (arrays: `Array.prototype`): a `__proto__` key never becomes one.
 */
const plainTree = (root: unknown): boolean => {
  const walk = (node: unknown): boolean => {
    if (typeof node !== "object" || node === null || DateTime.isDateTime(node)) return true
    const proto: unknown = Object.getPrototypeOf(node)
    if (proto !== (Array.isArray(node) ? Array.prototype : Object.prototype)) return false
    return Reflect.ownKeys(node).every((key) => walk(Reflect.get(node, key)))
  }
  return walk(root)
}

const agree = (input: unknown): boolean => {
  const fast = SessionsService.decodePage(input)
  const slow = schemaDecode(input)
  if (Either.isLeft(fast) || Either.isLeft(slow)) return Either.isLeft(fast) === Either.isLeft(slow)
  // isDeepStrictEqual compares own enumerable keys (a __proto__ key among them) and prototypes
  return plainTree(fast.right) && plainTree(slow.right) && isDeepStrictEqual(encode(fast.right), encode(slow.right))
}

const replacements: ReadonlyArray<unknown> = [null, 0, -1.5, "", "x", true, {}, [], "2024-02-30T00:00:00Z", "not a date"]

/** the values a `__proto__` key gets: every JSON kind, and objects that would lend keys to a prototype chain */
const protoValues: ReadonlyArray<unknown> = [
  ...replacements,
  { polluted: true },
  { language: "from the prototype", ticket_number: 1 },
  [1, "a"]
]

/** sets a key as data: `node[key] = value` would set the prototype when the key is `__proto__` */
const define = (node: object, key: string, value: unknown) =>
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true })

/** applies a mutation chosen by numbers: drop, retype or add a key, or add a `__proto__` key, somewhere in the tree */
const mutate = (json: unknown, picks: ReadonlyArray<readonly [number, number, number]>): unknown => {
  // JSON.stringify writes an own __proto__ key, and JSON.parse reads it back as one
  const copy: unknown = JSON.parse(JSON.stringify(json))
  for (const [where, what, how] of picks) {
    const nodes = containers(copy)
    const node = nodes[where % nodes.length]!
    const keys = Object.keys(node)
    if (how % 4 === 0 && keys.length > 0) {
      const key = keys[what % keys.length]!
      if (Array.isArray(node)) node.splice(Number(key), 1)
      else delete node[key]
    } else if (how % 4 === 1 && keys.length > 0) {
      const key = keys[what % keys.length]!
      const value = structuredClone(replacements[how % replacements.length])
      if (Array.isArray(node)) node[Number(key)] = value
      else define(node, key, value)
    } else if (how % 4 === 2 && !Array.isArray(node)) {
      define(node, "__proto__", structuredClone(protoValues[what % protoValues.length]))
    } else if (!Array.isArray(node)) {
      node[`extra_${what}`] = structuredClone(replacements[what % replacements.length])
    }
  }
  return copy
}

describe("SessionsService.decodePage", () => {
  it("agrees with the Schema on the fixtures", () => {
    expect(agree(fullPage)).toBe(true)
    expect(Either.isRight(SessionsService.decodePage(fullPage))).toBe(true)
    expect(agree({ items: [], next: null })).toBe(true)
    for (const bad of [null, [], "x", { items: {} }, { items: [], next: 1 }, { next: null }]) {
      expect(agree(bad)).toBe(true)
      expect(Either.isLeft(SessionsService.decodePage(bad))).toBe(true)
    }
  })

  it("agrees on contacts without the non_verified_* keys (older payloads): both accept, equal values", () => {
    const keys = ["non_verified_name", "non_verified_email", "non_verified_custom_data"] as const
    const encodeStrict = Schema.encodeSync(ChatSession.ListChatSessionsOutputStrict)
    FastCheck.assert(
      FastCheck.property(
        Arbitrary.make(ChatSession.ListChatSessionsOutputStrict),
        FastCheck.subarray([...keys]),
        (page, dropped) => {
          const json = JSON.parse(JSON.stringify(encodeStrict(page)), (key, value: unknown) => {
            if (key === "contact" && typeof value === "object" && value !== null) {
              return Object.fromEntries(Object.entries(value).filter(([k]) => !dropped.some((d) => d === k)))
            }
            return value
          })
          return Either.isRight(SessionsService.decodePage(json)) && agree(json)
        }
      ),
      { numRuns: 200 }
    )
  })

  it("property: on arbitrary valid pages (through JSON), the same value", () => {
    const encodeStrict = Schema.encodeSync(ChatSession.ListChatSessionsOutputStrict)
    FastCheck.assert(
      FastCheck.property(Arbitrary.make(ChatSession.ListChatSessionsOutputStrict), (page) => {
        const json: unknown = JSON.parse(JSON.stringify(encodeStrict(page)))
        return Either.isRight(SessionsService.decodePage(json)) && agree(json)
      }),
      { numRuns: 300 }
    )
  })

  it("property: on mutated pages (keys dropped, retyped, added), the same verdict and value", () => {
    const encodeStrict = Schema.encodeSync(ChatSession.ListChatSessionsOutputStrict)
    const pick = FastCheck.tuple(FastCheck.nat(), FastCheck.nat(), FastCheck.nat())
    FastCheck.assert(
      FastCheck.property(
        Arbitrary.make(ChatSession.ListChatSessionsOutputStrict),
        FastCheck.array(pick, { minLength: 1, maxLength: 3 }),
        (page, picks) => agree(mutate(JSON.parse(JSON.stringify(encodeStrict(page))), picks))
      ),
      { numRuns: 2000 }
    )
  })

  it("property: a __proto__ key anywhere (every object of a valid page, any JSON value) is data on both paths", () => {
    const encodeStrict = Schema.encodeSync(ChatSession.ListChatSessionsOutputStrict)
    FastCheck.assert(
      FastCheck.property(
        Arbitrary.make(ChatSession.ListChatSessionsOutputStrict),
        FastCheck.nat(),
        FastCheck.jsonValue({ maxDepth: 2 }),
        (page, where, value) => {
          const json: unknown = JSON.parse(JSON.stringify(encodeStrict(page)))
          const objects = containers(json).filter((node) => !Array.isArray(node))
          const node = objects[where % objects.length]!
          define(node, "__proto__", value)
          // through JSON text, as a body would come
          const input: unknown = JSON.parse(JSON.stringify(json))
          const fast = SessionsService.decodePage(input)
          const slow = schemaDecode(input)
          if (!agree(input)) return false
          // accepted unless it landed in custom data with a value that is not a primitive there
          if (Either.isLeft(slow)) return Either.isLeft(fast)
          // nothing lost: the encoded page is the input, the __proto__ key included
          return Either.isRight(fast) &&
            isDeepStrictEqual(JSON.parse(JSON.stringify(encode(slow.right))), JSON.parse(JSON.stringify(input)))
        }
      ),
      { numRuns: 500 }
    )
  })

  it("property: timestamps in any form parse to the same instant on both paths", () => {
    const forms = (d: Date) => {
      const iso = d.toISOString()
      return [iso, iso.replace(/\.\d{3}Z$/, "Z"), iso.replace("Z", "+00:00"), iso.slice(0, 10), iso.replace("T", " ")]
    }
    FastCheck.assert(
      FastCheck.property(
        FastCheck.date({ min: new Date("0100-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true }),
        (date) =>
          forms(date).every((form) => {
            const page = { items: [validItem(form)], next: null }
            const fast = SessionsService.decodePage(page)
            const slow = schemaDecode(page)
            return Either.isRight(fast) && Either.isRight(slow) &&
              DateTime.Equivalence(fast.right.items[0]!.created_at, slow.right.items[0]!.created_at)
          })
      ),
      { numRuns: 500 }
    )
  })
})

const validItem = (timestamp: string) => ({
  id: "x",
  status: "open",
  ai_closure_type: null,
  sentiment: null,
  channel: { type: "web" },
  ticket_number: 1,
  assist_mode: false,
  created_at: timestamp,
  updated_at: timestamp
})
