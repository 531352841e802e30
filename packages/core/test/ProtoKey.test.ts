/**
 * A `__proto__` key in a payload is data. `JSON.parse` makes `"__proto__"` an
 * own property like any other; a reader that copies keys by assignment
 * (`out[key] = value`) instead sets the prototype of its output (an object or
 * `null` value) or drops the key (any other value). Wherever the key appears,
 * the tolerant Schema and the fast decoder keep it as an own data property
 * with its value, every object they return has `Object.prototype` as its
 * prototype, and the two agree. The strict Schema refuses the key where the
 * spec says `additionalProperties: false`, and keeps it in custom data.
 */
import { ChatSession, SessionsService } from "@opencx-effect/core"
import { assert, describe, expect, it } from "@effect/vitest"
import { DateTime, Either, JSONSchema, ParseResult, Schema } from "effect"
import { isDeepStrictEqual } from "node:util"
import { fullSession, type JsonObject, page, setPath } from "./fixtures/sessions.js"

const decodeTolerant = Schema.decodeUnknownEither(ChatSession.ListChatSessionsOutput)
const decodeStrict = Schema.decodeUnknownEither(ChatSession.ListChatSessionsOutputStrict)
const encodeTolerant = Schema.encodeSync(ChatSession.ListChatSessionsOutput)
const decodeFast = SessionsService.decodePage

const marker = "@@proto@@"

/** where the key goes: the page, or a path in the session (`[]`: the session itself) */
type Where = "page" | ReadonlyArray<string>

/**
 * `fullSession` in a page, with a `"__proto__"` key (parsed from JSON text,
 * as the API's body would be) in the object at `path`.
 */
const withProtoKey = (path: Where, valueJson: string): unknown => {
  const base: JsonObject = path === "page"
    ? { ...page([fullSession]), [marker]: 0 }
    : page([setPath(fullSession, [...path, marker], 0)])
  return JSON.parse(JSON.stringify(base).replace(`"${marker}":0`, `"__proto__":${valueJson}`))
}

const at = (root: unknown, path: ReadonlyArray<string | number>): unknown =>
  path.reduce<unknown>((node, key) => (typeof node === "object" && node !== null ? Reflect.get(node, key) : undefined), root)

/** every object or array in a decoded tree but the `DateTime`s, with its path */
const objectsIn = (root: unknown): Array<readonly [string, object]> => {
  const out: Array<readonly [string, object]> = []
  const walk = (node: unknown, path: string) => {
    if (typeof node !== "object" || node === null || DateTime.isDateTime(node)) return
    out.push([path, node])
    for (const key of Reflect.ownKeys(node)) walk(Reflect.get(node, key), `${path}.${String(key)}`)
  }
  walk(root, "$")
  return out
}

/** the objects whose prototype is not the plain one (arrays: Array.prototype) */
const oddPrototypes = (root: unknown): Array<string> =>
  objectsIn(root)
    .filter(([, o]) => Object.getPrototypeOf(o) !== (Array.isArray(o) ? Array.prototype : Object.prototype))
    .map(([path]) => path)

/** `__proto__` is an own, enumerable data property of `node`, holding `value` */
const keepsProtoKey = (node: unknown, value: unknown): boolean => {
  if (typeof node !== "object" || node === null) return false
  const descriptor = Object.getOwnPropertyDescriptor(node, "__proto__")
  return descriptor !== undefined && descriptor.enumerable === true && "value" in descriptor &&
    isDeepStrictEqual(descriptor.value, value)
}

const structs: ReadonlyArray<readonly [string, Where]> = [
  ["the page", "page"],
  ["a session", []],
  ["a contact", ["contact"]],
  ["a channel", ["channel"]],
  ["a team", ["team"]],
  ["a handoff", ["handoff"]],
  ["a ticketing_system", ["ticketing_system"]]
]

const records: ReadonlyArray<readonly [string, ReadonlyArray<string>, ReadonlyArray<string>]> = [
  ["custom_data", ["custom_data"], [`"x"`, `1.5`, `false`]],
  ["contact.custom_data", ["contact", "custom_data"], [`"x"`]],
  ["contact.non_verified_custom_data", ["contact", "non_verified_custom_data"], [`"x"`, `7`, `true`]]
]

/** the path of the object, in the input and in the decoded page */
const objectPath = (path: Where): ReadonlyArray<string | number> => (path === "page" ? [] : ["items", 0, ...path])

const values = [`"x"`, `1`, `true`, `null`, `[]`, `[1, "a"]`, `{}`, `{"polluted": true}`, `{"language": "from the prototype", "id": "x"}`]

describe("a __proto__ key in a payload is data", () => {
  describe.each(structs)("as an unknown key of %s", (_, path) => {
    it.each(values)("with the value %s: kept as an own data property; tolerant and fast agree", (value) => {
      const input = withProtoKey(path, value)
      const where = objectPath(path)
      const expected: unknown = JSON.parse(value)
      // the input is what JSON.parse makes: an own key, the plain prototype
      assert(keepsProtoKey(at(input, where), expected))

      const slow = decodeTolerant(input)
      const fast = decodeFast(input)
      assert(Either.isRight(slow), "the tolerant Schema accepts it")
      assert(Either.isRight(fast), "the fast decoder accepts it")
      for (const decoded of [slow.right, fast.right]) {
        expect(oddPrototypes(decoded)).toEqual([])
        expect(keepsProtoKey(at(decoded, where), expected)).toBe(true)
        // nothing leaks in through a prototype: a key the session lacks stays absent
        const session = decoded.items[0]
        assert(session !== undefined)
        expect(session.language).toBe("en")
        expect(Reflect.get(session, "polluted")).toBeUndefined()
      }
      expect(isDeepStrictEqual(encodeTolerant(fast.right), encodeTolerant(slow.right))).toBe(true)

      // encoding keeps it too: back to the same JSON
      const back: unknown = JSON.parse(JSON.stringify(encodeTolerant(slow.right)))
      expect(isDeepStrictEqual(back, input)).toBe(true)
      expect(keepsProtoKey(at(encodeTolerant(slow.right), where), expected)).toBe(true)
    })

    it("strict refuses it (additionalProperties: false), naming the key", () => {
      const input = withProtoKey(path, `{"a": 1}`)
      const result = decodeStrict(input)
      assert(Either.isLeft(result))
      expect(ParseResult.ArrayFormatter.formatErrorSync(result.left)[0]?.path).toEqual([...objectPath(path), "__proto__"])
    })
  })

  describe.each(records)("as a key of %s", (_, path, accepted) => {
    it.each(accepted)("with the value %s: kept in every mode, and the modes agree", (value) => {
      const input = withProtoKey(path, value)
      const where = objectPath(path)
      const expected: unknown = JSON.parse(value)
      const slow = decodeTolerant(input)
      const fast = decodeFast(input)
      const strict = decodeStrict(input)
      assert(Either.isRight(slow) && Either.isRight(fast) && Either.isRight(strict))
      for (const decoded of [slow.right, fast.right, strict.right]) {
        expect(oddPrototypes(decoded)).toEqual([])
        expect(keepsProtoKey(at(decoded, where), expected)).toBe(true)
      }
      expect(isDeepStrictEqual(encodeTolerant(fast.right), encodeTolerant(slow.right))).toBe(true)
    })

    it.each([`null`, `{"polluted": true}`, `[]`])("with the value %s (not a primitive): refused by every reader", (value) => {
      const input = withProtoKey(path, value)
      expect(Either.isLeft(decodeTolerant(input))).toBe(true)
      expect(Either.isLeft(decodeFast(input))).toBe(true)
      expect(Either.isLeft(decodeStrict(input))).toBe(true)
    })
  })

  it("a __proto__ key cannot supply a key the object lacks", () => {
    // language is absent from the session; ticket_number (required) too
    const base = setPath(setPath(fullSession, ["language"], undefined), [marker], 0)
    const text = JSON.stringify(page([base]))
    const optional = JSON.parse(text.replace(`"${marker}":0`, `"__proto__":{"language":"xx"}`))
    for (const result of [decodeTolerant(optional), decodeFast(optional)]) {
      assert(Either.isRight(result))
      const session = result.right.items[0]
      assert(session !== undefined)
      expect(session.language).toBeUndefined()
      expect("language" in session).toBe(false)
    }
    const required = JSON.parse(
      JSON.stringify(page([setPath(base, ["ticket_number"], undefined)])).replace(
        `"${marker}":0`,
        `"__proto__":{"ticket_number":1}`
      )
    )
    expect(Either.isLeft(decodeTolerant(required))).toBe(true)
    expect(Either.isLeft(decodeFast(required))).toBe(true)
  })

  it("decoding never touches Object.prototype", () => {
    const before = Reflect.ownKeys(Object.prototype)
    for (const [, path] of structs) {
      const input = withProtoKey(path, `{"polluted": true}`)
      decodeTolerant(input)
      decodeFast(input)
      decodeStrict(input)
    }
    expect(Reflect.ownKeys(Object.prototype)).toEqual(before)
    expect(Reflect.get({}, "polluted")).toBeUndefined()
  })

  it("ErrorDto: a __proto__ key cannot lend the body a message", () => {
    const body: unknown = JSON.parse(`{"statusCode": 500, "__proto__": {"message": "spoofed", "error": "x"}}`)
    for (const schema of [ChatSession.ErrorDto, ChatSession.ErrorDtoStrict]) {
      const dto = Schema.decodeUnknownSync(schema)(body)
      expect(dto.statusCode).toBe(500)
      expect(dto.message).toBeUndefined()
      expect(dto.error).toBeUndefined()
      expect(Object.getPrototypeOf(dto)).toBe(Object.prototype)
      expect(keepsProtoKey(dto, { message: "spoofed", error: "x" })).toBe(true)
    }
  })

  it("the tolerant objects are the same structs underneath: fields, make, pick, omit, JSON Schema, messages", () => {
    expect(Object.keys(ChatSession.ChatSession.fields)).toContain("status")
    expect(Object.keys(ChatSession.Contact.fields)).toContain("non_verified_name")
    const picked = Schema.decodeUnknownSync(ChatSession.ChatSession.pipe(Schema.pick("id", "status")))({
      id: "a",
      status: "open",
      other: 1
    })
    expect(picked).toEqual({ id: "a", status: "open" })
    expect(ChatSession.Team.pick("id").fields).toEqual({ id: ChatSession.Team.fields.id })
    expect(Object.keys(ChatSession.Team.omit("description").fields)).toEqual(["id", "name"])
    expect(ChatSession.Team.make({ id: "t", name: "Billing" })).toEqual({ id: "t", name: "Billing" })
    const made = ChatSession.Handoff.make(JSON.parse(`{"summary": "s", "__proto__": {"sentiment": "angry"}}`))
    expect(made.sentiment).toBeUndefined()
    expect(Object.getPrototypeOf(made)).toBe(Object.prototype)
    expect(keepsProtoKey(made, { sentiment: "angry" })).toBe(true)
    const jsonSchema = JSON.stringify(JSONSchema.make(ChatSession.ListChatSessionsOutput))
    expect(jsonSchema).toContain(`"ChatSession":{"type":"object"`)
    expect(String(ChatSession.ChatSession)).toBe("ChatSession")
    const failed = decodeTolerant({ items: [{ id: 1 }], next: null })
    assert(Either.isLeft(failed))
    expect(ParseResult.ArrayFormatter.formatErrorSync(failed.left)[0]).toEqual({
      _tag: "Type",
      path: ["items", 0, "id"],
      message: "Expected string, actual 1"
    })
  })

  describe("objects that do not come from JSON.parse", () => {
    const plainPage = (): Record<string, unknown> => JSON.parse(JSON.stringify(page([fullSession])))
    const session = (p: Record<string, unknown>): Record<string, unknown> => {
      const items = p["items"]
      assert(Array.isArray(items))
      return items[0]
    }
    const cases: ReadonlyArray<readonly [string, () => unknown]> = [
      ["a page with a null prototype", () => Object.assign(Object.create(null), plainPage())],
      ["a contact with a null prototype", () => {
        const p = plainPage()
        const s = session(p)
        s["contact"] = Object.assign(Object.create(null), s["contact"])
        return p
      }],
      ["custom data with a null prototype", () => {
        const p = plainPage()
        const s = session(p)
        s["custom_data"] = Object.assign(Object.create(null), s["custom_data"])
        return p
      }],
      ["a team with an inherited description", () => {
        const p = plainPage()
        const s = session(p)
        s["team"] = Object.assign(Object.create({ description: "inherited" }), { id: "t", name: "n" })
        return p
      }],
      ["a session inheriting its language", () => {
        const p = plainPage()
        const items = p["items"]
        assert(Array.isArray(items))
        const { language: _, ...rest } = session(p)
        items[0] = Object.assign(Object.create({ language: "inherited" }), rest)
        return p
      }]
    ]

    it.each(cases)("%s: only own keys are read, every decoded object is plain, the readers agree", (_, make) => {
      const slow = decodeTolerant(make())
      const fast = decodeFast(make())
      assert(Either.isRight(slow) && Either.isRight(fast))
      for (const decoded of [slow.right, fast.right]) {
        expect(oddPrototypes(decoded)).toEqual([])
        const team = decoded.items[0]?.team
        expect(team === undefined || team.description !== "inherited").toBe(true)
        expect(decoded.items[0]?.language).not.toBe("inherited")
      }
      expect(isDeepStrictEqual(encodeTolerant(fast.right), encodeTolerant(slow.right))).toBe(true)
    })
  })
})
