import { ChatSession, ListChatSessionsParams } from "@opencx-effect/core"
import { firstIssue } from "@opencx-effect/core/internal/schema/issues"
import { assert, describe, expect, it } from "@effect/vitest"
import { Arbitrary, DateTime, Effect, Either, FastCheck, ParseResult, Schema } from "effect"

const toUrl = (input: ListChatSessionsParams.Input) => Effect.either(ListChatSessionsParams.toUrlParams(input))

const failurePaths = (error: ParseResult.ParseError) =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => issue.path)

describe("ListChatSessionsParams", () => {
  it.effect("encodes exactly the spec's URL parameters, absent ones omitted", () =>
    Effect.gen(function*() {
      expect(yield* ListChatSessionsParams.toUrlParams({})).toEqual({})
      const params = yield* ListChatSessionsParams.toUrlParams({
        cursor: "abc",
        handed_off: true,
        status: "closed_resolved",
        channel_type: "whatsapp",
        created_after: "2025-01-01",
        created_before: new Date("2025-02-01T00:00:00Z"),
        updated_after: DateTime.unsafeMake("2025-01-15T10:00:00Z"),
        updated_before: "2025-03-01T12:00:00+02:00"
      })
      expect(params).toEqual({
        cursor: "abc",
        handed_off: "true",
        status: "closed_resolved",
        channel_type: "whatsapp",
        created_after: "2025-01-01T00:00:00.000Z",
        created_before: "2025-02-01T00:00:00.000Z",
        updated_after: "2025-01-15T10:00:00.000Z",
        updated_before: "2025-03-01T10:00:00.000Z"
      })
      expect(yield* ListChatSessionsParams.toUrlParams({ handed_off: false })).toEqual({ handed_off: "false" })
    }))

  it.effect("dates: a DateTime in any zone, a Date or an ISO string, all sent as ISO 8601 UTC", () =>
    Effect.gen(function*() {
      const zoned = DateTime.unsafeMakeZoned(new Date("2025-06-01T12:00:00Z"), { timeZone: "Europe/Amsterdam" })
      const forms: ReadonlyArray<ListChatSessionsParams.Input["created_after"]> = [
        zoned,
        new Date("2025-06-01T12:00:00Z"),
        "2025-06-01T12:00:00Z",
        "2025-06-01T14:00:00+02:00",
        "2025-06-01T14:00+0200",
        "2025-06-01 12:00:00",
        "2025-06-01T12:00:00.000000Z"
      ]
      for (const created_after of forms) {
        const params = yield* ListChatSessionsParams.toUrlParams(created_after === undefined ? {} : { created_after })
        expect(params).toEqual({ created_after: "2025-06-01T12:00:00.000Z" })
      }
    }))

  it.effect("decodes URL parameters back (what the fake server does)", () =>
    Effect.gen(function*() {
      const params = yield* ListChatSessionsParams.fromUrlParams({
        handed_off: "false",
        status: "open",
        created_after: "2025-01-01T00:00:00.000Z"
      })
      expect(params.handed_off).toBe(false)
      expect(params.status).toBe("open")
      assert(params.created_after !== undefined)
      expect(DateTime.formatIso(params.created_after)).toBe("2025-01-01T00:00:00.000Z")
      expect(yield* ListChatSessionsParams.encodeUrlParams(params)).toEqual({
        handed_off: "false",
        status: "open",
        created_after: "2025-01-01T00:00:00.000Z"
      })
    }))

  // [what, input, path named by the error]
  const bad: ReadonlyArray<readonly [string, Record<string, unknown>, ReadonlyArray<string>]> = [
    ["unknown status", { status: "archived" }, ["status"]],
    ["unknown channel", { channel_type: "telegram" }, ["channel_type"]],
    ["unparsable date", { created_after: "last tuesday" }, ["created_after"]],
    ["impossible date", { updated_before: "2025-02-30" }, ["updated_before"]],
    ["invalid Date object", { created_before: new Date("nope") }, ["created_before"]],
    ["date of the wrong type", { created_after: 1735689600000 }, ["created_after"]],
    ["handed_off not a boolean", { handed_off: "yes" }, ["handed_off"]],
    ["empty cursor", { cursor: "" }, ["cursor"]],
    ["unknown parameter", { staus: "open" }, ["staus"]],
    ["created_after later than created_before", {
      created_after: "2025-02-01",
      created_before: "2025-01-01"
    }, ["created_after"]],
    ["updated_after later than updated_before", {
      updated_after: "2025-02-01",
      updated_before: "2025-01-01"
    }, ["updated_after"]]
  ]

  it.effect.each(bad)("%s is a ParseError naming the field", ([, input, path]) =>
    Effect.gen(function*() {
      const result = yield* Effect.either(Schema.decodeUnknown(ListChatSessionsParams.ListChatSessionsParams)(input))
      assert(Either.isLeft(result), "expected a ParseError")
      expect(failurePaths(result.left)[0]).toEqual(path)
      expect(result.left.message).toContain(path[0])
    }))

  // what InvalidParams carries: firstIssue's path and message
  it.effect.each([
    [
      "status",
      { status: "archived" },
      `Expected one of "open", "closed_resolved", "closed_unresolved"; got "archived"`
    ],
    [
      "channel_type",
      { channel_type: "telegram" },
      `Expected one of "web", "email", "phone_voice", "slack", "sms", "whatsapp", "instagram", "messenger", "api", "web_voice"; got "telegram"`
    ],
    [
      "status",
      { status: 3 },
      `Expected one of "open", "closed_resolved", "closed_unresolved"; got 3`
    ],
    [
      "channel_type",
      { channel_type: { type: "web" } },
      `Expected one of "web", "email", "phone_voice", "slack", "sms", "whatsapp", "instagram", "messenger", "api", "web_voice"; got an object`
    ]
  ] as const)("a bad %s names every allowed value", ([field, input, message]) =>
    Effect.gen(function*() {
      // the input as untyped code would pass it (the TypeScript type forbids these values)
      const untyped = Schema.decodeUnknownSync(Schema.Object)(input)
      const error = yield* Effect.flip(ListChatSessionsParams.decode(untyped))
      expect(firstIssue(error)).toEqual({ path: [field], message })
      // the whole ParseError's message says the same
      expect(error.message).toContain(message)
    }))

  it.effect("the allowed values listed are exactly the spec's literals", () =>
    Effect.gen(function*() {
      const decode = Schema.decodeUnknown(ListChatSessionsParams.ListChatSessionsParams)
      const status = yield* Effect.flip(decode({ status: "open " }))
      expect(firstIssue(status).message).toBe(
        `Expected one of ${ChatSession.SessionStatusStrict.literals.map((l) => JSON.stringify(l)).join(", ")}; got "open "`
      )
      const channel = yield* Effect.flip(decode({ channel_type: "fax" }))
      expect(firstIssue(channel).message).toBe(
        `Expected one of ${ChatSession.SessionChannelStrict.literals.map((l) => JSON.stringify(l)).join(", ")}; got "fax"`
      )
    }))

  it.effect("the range error says what was wrong", () =>
    Effect.gen(function*() {
      const result = yield* toUrl({ created_after: "2025-02-01", created_before: "2025-01-01" })
      assert(Either.isLeft(result))
      expect(result.left.message).toContain(
        "created_after (2025-02-01T00:00:00.000Z) is later than created_before (2025-01-01T00:00:00.000Z)"
      )
    }))

  it("property: any normalised query encodes to strings and decodes back to an equal query", () => {
    const schema = ListChatSessionsParams.ListChatSessionsParams
    const equivalence = Schema.equivalence(schema)
    FastCheck.assert(
      FastCheck.property(Arbitrary.make(schema), (params) => {
        const url = Effect.runSync(ListChatSessionsParams.encodeUrlParams(params))
        const back = Effect.runSync(ListChatSessionsParams.fromUrlParams(url))
        return Object.values(url).every((v) => typeof v === "string") && equivalence(back, params)
      }),
      { numRuns: 200 }
    )
  })
})
