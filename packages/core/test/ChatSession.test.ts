import { ChatSession, SessionsService } from "@opencx-effect/core"
import { firstIssue } from "@opencx-effect/core/internal/schema/issues"
import { isDeepStrictEqual } from "node:util"
import { assert, describe, expect, expectTypeOf, it } from "@effect/vitest"
import { Arbitrary, DateTime, Effect, Either, FastCheck, ParseResult, Schema } from "effect"
import {
  fullPage,
  fullSession,
  type Json,
  type JsonObject,
  minimalSession,
  optionalSessionKeys,
  page,
  setPath
} from "./fixtures/sessions.js"

const decodeTolerant = Schema.decodeUnknownEither(ChatSession.ListChatSessionsOutput)
const decodeStrict = Schema.decodeUnknownEither(ChatSession.ListChatSessionsOutputStrict)

/** The paths of every issue in a failed decode, as arrays. */
const issuePaths = (result: Either.Either<unknown, ParseResult.ParseError>) =>
  Either.isLeft(result)
    ? ParseResult.ArrayFormatter.formatErrorSync(result.left).map((issue) => issue.path)
    : []

/** decode then encode, in each mode */
const throughBothModes: ReadonlyArray<(input: unknown) => ChatSession.ListChatSessionsOutputEncoded> = [
  (input) =>
    Schema.encodeSync(ChatSession.ListChatSessionsOutput)(
      Schema.decodeUnknownSync(ChatSession.ListChatSessionsOutput)(input)
    ),
  (input) =>
    Schema.encodeSync(ChatSession.ListChatSessionsOutputStrict)(
      Schema.decodeUnknownSync(ChatSession.ListChatSessionsOutputStrict)(input)
    )
]

const valueAt = (root: unknown, path: ReadonlyArray<string>): unknown =>
  path.reduce<unknown>(
    (acc, key) => (typeof acc === "object" && acc !== null && key in acc ? Reflect.get(acc, key) : undefined),
    root
  )

const withItem = (path: ReadonlyArray<string>, value: Json | undefined): JsonObject =>
  page([setPath(fullSession, path, value)])

describe("ChatSession", () => {
  describe("a full valid page", () => {
    it("decodes in both modes, with session timestamps as DateTime.Utc", () => {
      for (const decode of [decodeTolerant, decodeStrict]) {
        const result = decode(fullPage)
        assert(Either.isRight(result), "expected the page to decode")
        const [first, second] = result.right.items
        assert(first !== undefined && second !== undefined)
        expect(result.right.next).toBe("opaque-cursor-2")
        assert(DateTime.isDateTime(first.created_at) && DateTime.isUtc(first.created_at))
        expect(DateTime.toEpochMillis(first.updated_at)).toBe(Date.parse("2024-03-02T10:45:12.345Z"))
        // contact timestamps stay strings: the spec gives them no format
        expect(first.contact?.created_at).toBe("2024-03-01T08:00:00.000Z")
        expect(first.custom_data).toEqual({ order_id: "A-1001", amount: 99.5, gift: false })
        expect(first.contact?.custom_data).toEqual({ plan: "pro", region: "eu" })
        expect(first.handoff).toEqual({ sentiment: "neutral", summary: "Customer asked for a refund of order A-1001." })
        expect(second.contact).toBeUndefined()
        expect("contact" in second).toBe(false)
      }
    })

    it("encodes back to the wire format, timestamps as ISO 8601", () => {
      const decoded = Schema.decodeUnknownSync(ChatSession.ListChatSessionsOutputStrict)(fullPage)
      const encoded = Schema.encodeSync(ChatSession.ListChatSessionsOutputStrict)(decoded)
      expect(encoded.items[0]?.created_at).toBe("2024-03-02T10:00:00.000Z")
      expect(encoded.items[1]?.created_at).toBe("2025-01-01T00:00:00.000Z")
      expect(encoded).toEqual({
        ...fullPage,
        items: [fullSession, { ...minimalSession, created_at: "2025-01-01T00:00:00.000Z", updated_at: "2025-01-01T00:00:00.000Z" }]
      })
    })
  })

  describe("optional fields", () => {
    it.each(optionalSessionKeys)("%s may be absent, and stays absent", (key) => {
      for (const roundTrip of throughBothModes) {
        expect(Object.keys(roundTrip(withItem([key], undefined)).items[0] ?? {})).not.toContain(key)
      }
    })

    it.each([
      ["team.description", ["team", "description"]],
      ["handoff.sentiment", ["handoff", "sentiment"]]
    ] as const)("%s may be absent", (_, path) => {
      expect(Either.isRight(decodeStrict(withItem(path, undefined)))).toBe(true)
      expect(Either.isRight(decodeTolerant(withItem(path, undefined)))).toBe(true)
    })

    it.each([
      ["custom_data", ["custom_data"]],
      ["language", ["language"]],
      ["team", ["team"]],
      ["contact", ["contact"]],
      ["handoff.sentiment", ["handoff", "sentiment"]],
      ["team.description", ["team", "description"]]
    ] as const)("%s is optional but not nullable: null is rejected in both modes", (_, path) => {
      const input = withItem(path, null)
      expect(issuePaths(decodeStrict(input))[0]).toEqual(["items", 0, ...path])
      expect(issuePaths(decodeTolerant(input))[0]).toEqual(["items", 0, ...path])
    })
  })

  describe("nullable fields", () => {
    it.each([
      ["ai_closure_type"],
      ["sentiment"],
      ["assignee_id"],
      ["contact.email"],
      ["contact.phone_number"],
      ["contact.name"],
      ["contact.custom_data"],
      ["contact.non_verified_name"],
      ["contact.non_verified_email"],
      ["contact.non_verified_custom_data"]
    ])("%s may be null, and stays null", (dotted) => {
      const path = dotted.split(".")
      for (const roundTrip of throughBothModes) {
        const encoded = roundTrip(withItem(path, null))
        expect(valueAt(encoded.items[0], path)).toBeNull()
        expect(path.length === 1 || valueAt(encoded.items[0], path.slice(0, -1)) !== null).toBe(true)
      }
    })

    it.each([["contact.email"], ["contact.custom_data"], ["ai_closure_type"], ["sentiment"]])(
      "%s is required although nullable: absent is rejected",
      (dotted) => {
        const path = dotted.split(".")
        expect(issuePaths(decodeStrict(withItem(path, undefined)))[0]).toEqual(["items", 0, ...path])
        expect(issuePaths(decodeTolerant(withItem(path, undefined)))[0]).toEqual(["items", 0, ...path])
      }
    )

    it("next may be null but not absent", () => {
      expect(Either.isRight(decodeStrict(page([], null)))).toBe(true)
      expect(issuePaths(decodeStrict({ items: [] }))[0]).toEqual(["next"])
      expect(issuePaths(decodeTolerant({ items: [] }))[0]).toEqual(["next"])
    })
  })

  describe("contacts without the non_verified_* keys (older payloads omit them)", () => {
    const nonVerified = ["non_verified_name", "non_verified_email", "non_verified_custom_data"] as const
    const withoutAll = page([
      nonVerified.reduce((session, key) => setPath(session, ["contact", key], undefined), fullSession)
    ])

    it.each(nonVerified)("tolerant accepts a contact without %s, and keeps it absent through a round trip", (key) => {
      const input = withItem(["contact", key], undefined)
      const decoded = Schema.decodeUnknownSync(ChatSession.ListChatSessionsOutput)(input)
      const contact = decoded.items[0]?.contact
      assert(contact !== undefined)
      expect(Object.hasOwn(contact, key)).toBe(false)
      expect(contact.name).toBe("Ada Lovelace")
      const encoded = Schema.encodeSync(ChatSession.ListChatSessionsOutput)(decoded)
      expect(Object.keys(encoded.items[0]?.contact ?? {})).not.toContain(key)
      // the fast decoder gives the same
      const fast = SessionsService.decodePage(input)
      assert(Either.isRight(fast))
      expect(Schema.encodeSync(ChatSession.ListChatSessionsOutput)(fast.right)).toEqual(encoded)
    })

    it("tolerant accepts a contact without any of them", () => {
      const decoded = decodeTolerant(withoutAll)
      assert(Either.isRight(decoded))
      expect(Object.keys(decoded.right.items[0]?.contact ?? {}).filter((k) => k.startsWith("non_verified"))).toEqual([])
      expect(Either.isRight(SessionsService.decodePage(withoutAll))).toBe(true)
    })

    it.each(nonVerified)("strict still requires %s, as the spec does", (key) => {
      expect(issuePaths(decodeStrict(withItem(["contact", key], undefined)))[0]).toEqual(["items", 0, "contact", key])
    })

    it.each([
      ["non_verified_name", 3],
      ["non_verified_email", false],
      ["non_verified_custom_data", "not an object"],
      ["non_verified_custom_data", { nested: { a: 1 } }]
    ] as const)("when present, %s is still checked in tolerant mode (%j is rejected)", (key, value) => {
      const input = withItem(["contact", key], value)
      expect(issuePaths(decodeTolerant(input))[0]?.slice(0, 4)).toEqual(["items", 0, "contact", key])
      expect(Either.isLeft(SessionsService.decodePage(input))).toBe(true)
    })

    it("types: optional in Contact, required in ContactStrict (checked by tsc -b)", () => {
      type Keys = typeof nonVerified[number]
      type Values = {
        readonly non_verified_name: string | null
        readonly non_verified_email: string | null
        readonly non_verified_custom_data: { readonly [key: string]: string | number | boolean } | null
      }
      // tolerant: each key may be absent; present, it has the spec's type
      const absent: Pick<ChatSession.Contact, Keys> = {}
      expectTypeOf<Required<Pick<ChatSession.Contact, Keys>>>().toEqualTypeOf<Values>()
      // strict: required, as the spec says
      // @ts-expect-error: the three keys are required in ContactStrict
      const missing: Pick<ChatSession.ContactStrict, Keys> = {}
      expectTypeOf<Pick<ChatSession.ContactStrict, Keys>>().toEqualTypeOf<Values>()
      expect([absent, missing]).toEqual([{}, {}])
    })

    it("the other contact keys stay required in tolerant mode", () => {
      for (const key of ["id", "email", "phone_number", "name", "custom_data", "created_at", "updated_at"]) {
        expect(issuePaths(decodeTolerant(withItem(["contact", key], undefined)))[0]).toEqual(["items", 0, "contact", key])
      }
    })
  })

  describe("invalid variants", () => {
    // [name, input, path of the fault, whether the tolerant reader accepts it]
    const cases: ReadonlyArray<readonly [string, JsonObject, ReadonlyArray<string | number>, boolean]> = [
      ["unknown status", withItem(["status"], "archived"), ["items", 0, "status"], true],
      ["unknown channel", withItem(["channel", "type"], "telegram"), ["items", 0, "channel", "type"], true],
      ["unknown ai_closure_type", withItem(["ai_closure_type"], "escalated"), ["items", 0, "ai_closure_type"], true],
      ["unknown sentiment", withItem(["sentiment"], "ecstatic"), ["items", 0, "sentiment"], true],
      [
        "unknown ticketing system",
        withItem(["ticketing_system", "name"], "linear"),
        ["items", 0, "ticketing_system", "name"],
        true
      ],
      [
        "unknown ticketing id_type",
        withItem(["ticketing_system", "id_type"], "issue_key"),
        ["items", 0, "ticketing_system", "id_type"],
        true
      ],
      ["bad uuid", withItem(["id"], "not-a-uuid"), ["items", 0, "id"], true],
      ["bad contact uuid", withItem(["contact", "id"], "12345"), ["items", 0, "contact", "id"], true],
      ["bad team uuid", withItem(["team", "id"], "team-1"), ["items", 0, "team", "id"], true],
      ["bad email", withItem(["contact", "email"], "ada@localhost"), ["items", 0, "contact", "email"], true],
      ["extra key", withItem(["summary"], "AI summary"), ["items", 0, "summary"], true],
      ["nested extra key", withItem(["channel", "provider"], "meta"), ["items", 0, "channel", "provider"], true],
      ["extra key in contact", withItem(["contact", "avatar"], "x.png"), ["items", 0, "contact", "avatar"], true],
      ["extra key on the page", { ...fullPage, total: 2 }, ["total"], true],
      ["date-only timestamp", withItem(["created_at"], "2024-03-02"), ["items", 0, "created_at"], true],
      ["missing required key", withItem(["ticket_number"], undefined), ["items", 0, "ticket_number"], false],
      ["missing channel", withItem(["channel"], undefined), ["items", 0, "channel"], false],
      ["ticket_number as a string", withItem(["ticket_number"], "1042"), ["items", 0, "ticket_number"], false],
      ["assist_mode as a string", withItem(["assist_mode"], "false"), ["items", 0, "assist_mode"], false],
      ["next missing", { items: [] }, ["next"], false],
      ["next as a number", page([], null) && { items: [], next: 2 }, ["next"], false],
      ["bad date-time", withItem(["updated_at"], "yesterday"), ["items", 0, "updated_at"], false],
      ["impossible date", withItem(["created_at"], "2024-02-30T00:00:00Z"), ["items", 0, "created_at"], false],
      [
        "number in contact custom_data (strings only)",
        withItem(["contact", "custom_data", "seats"], 3),
        ["items", 0, "contact", "custom_data", "seats"],
        false
      ],
      [
        "object in session custom_data",
        withItem(["custom_data", "nested"], { a: 1 }),
        ["items", 0, "custom_data", "nested"],
        false
      ],
      ["handoff without summary", withItem(["handoff", "summary"], undefined), ["items", 0, "handoff", "summary"], false],
      ["items not an array", { items: {}, next: null }, ["items"], false]
    ]

    it.each(cases)("%s: strict rejects it and names the path", (_, input, path) => {
      const paths = issuePaths(decodeStrict(input))
      expect(paths.length).toBeGreaterThan(0)
      expect(paths[0]).toEqual(path)
    })

    it.each(cases.filter(([, , , tolerant]) => tolerant))("%s: tolerant accepts it", (_, input) => {
      expect(Either.isRight(decodeTolerant(input))).toBe(true)
    })

    it.each(cases.filter(([, , , tolerant]) => !tolerant))("%s: tolerant rejects it too, naming the path", (_, input, path) => {
      expect(issuePaths(decodeTolerant(input))[0]).toEqual(path)
    })

    it("an enum error names every allowed value (strict), or the known ones and that any string goes (tolerant)", () => {
      const strict = decodeStrict(withItem(["status"], "archived"))
      assert(Either.isLeft(strict))
      expect(firstIssue(strict.left)).toEqual({
        path: ["items", 0, "status"],
        message: `Expected one of "open", "closed_resolved", "closed_unresolved"; got "archived"`
      })
      const strictSentiment = decodeStrict(withItem(["handoff", "sentiment"], "ecstatic"))
      assert(Either.isLeft(strictSentiment))
      expect(firstIssue(strictSentiment.left).message).toBe(`Expected one of "angry", "happy", "neutral"; got "ecstatic"`)
      const tolerant = decodeTolerant(withItem(["channel", "type"], 7))
      assert(Either.isLeft(tolerant))
      expect(firstIssue(tolerant.left)).toEqual({
        path: ["items", 0, "channel", "type"],
        message:
          `Expected a string (known values: "web", "email", "phone_voice", "slack", "sms", "whatsapp", "instagram", "messenger", "api", "web_voice"); got 7`
      })
      // a long or hostile value is quoted, escaped and cut, never printed raw
      const hostile = decodeStrict(withItem(["status"], `\u001b[31m${"x".repeat(500)}`))
      assert(Either.isLeft(hostile))
      const message = firstIssue(hostile.left).message
      expect(message).not.toContain("\u001b")
      expect(message.length).toBeLessThan(200)
    })

    it("tolerant keeps an unknown enum value as a string, and an unknown field as it came", () => {
      const input = page([setPath(setPath(fullSession, ["status"], "archived"), ["summary"], "AI summary")])
      const decoded = Schema.decodeUnknownSync(ChatSession.ListChatSessionsOutput)(input)
      expect(decoded.items[0]?.status).toBe("archived")
      const encoded = Schema.encodeSync(ChatSession.ListChatSessionsOutput)(decoded)
      expect(encoded.items[0]).toMatchObject({ status: "archived", summary: "AI summary" })
    })

    it("custom data keeps every key, __proto__ included, in both modes", () => {
      const custom = JSON.parse(`{"__proto__": "x", "constructor": 1, "plain": true}`)
      const input = page([setPath(fullSession, ["custom_data"], custom)])
      for (const roundTrip of throughBothModes) {
        const data = roundTrip(input).items[0]?.custom_data
        expect(data && Object.keys(data)).toEqual(["__proto__", "constructor", "plain"])
        expect(data && Object.getPrototypeOf(data)).toBe(Object.prototype)
      }
    })

    it("tolerant accepts any parseable timestamp offset and normalises it to UTC", () => {
      const decoded = Schema.decodeUnknownSync(ChatSession.ChatSession)(
        setPath(fullSession, ["created_at"], "2024-03-02T12:00:00.123456+02:00")
      )
      expect(DateTime.formatIso(decoded.created_at)).toBe("2024-03-02T10:00:00.123Z")
    })

    it("ErrorDto accepts the documented body and extra keys, in both modes", () => {
      const body = { statusCode: 401, message: "Unauthorized", error: "Unauthorized", requestId: "r-1" }
      expect(Schema.decodeUnknownSync(ChatSession.ErrorDtoStrict)(body)).toMatchObject({ statusCode: 401 })
      expect(Schema.decodeUnknownSync(ChatSession.ErrorDto)({})).toEqual({})
      expect(Either.isLeft(Schema.decodeUnknownEither(ChatSession.ErrorDto)({ statusCode: 4.5 }))).toBe(true)
    })
  })

  describe("properties", () => {
    // decode(encode(a)) is equivalent to a; NaN (a number, not a JSON value) counts as equal to itself
    const roundTrip = <A, I>(schema: Schema.Schema<A, I>) => {
      const encode = Schema.encodeSync(schema)
      const decode = Schema.decodeUnknownSync(schema)
      return (value: A) => {
        const encoded = encode(value)
        return isDeepStrictEqual(encode(decode(encoded)), encoded)
      }
    }

    it("tolerant: arbitrary sessions encode then decode back to equal values", () => {
      FastCheck.assert(
        FastCheck.property(Arbitrary.make(ChatSession.ChatSession), roundTrip(ChatSession.ChatSession)),
        { numRuns: 200 }
      )
    })

    it("strict: arbitrary pages encode then decode back to equal values", () => {
      FastCheck.assert(
        FastCheck.property(
          Arbitrary.make(ChatSession.ListChatSessionsOutputStrict),
          roundTrip(ChatSession.ListChatSessionsOutputStrict)
        ),
        { numRuns: 100 }
      )
    })

    it("strict: arbitrary sessions survive JSON, and what is strict-valid is tolerant-valid", () => {
      const encode = Schema.encodeSync(ChatSession.ChatSessionStrict)
      const decodeStrictSession = Schema.decodeUnknownSync(ChatSession.ChatSessionStrict)
      const decodeTolerantSession = Schema.decodeUnknownSync(ChatSession.ChatSession)
      const equivalence = Schema.equivalence(ChatSession.ChatSessionStrict)
      FastCheck.assert(
        FastCheck.property(Arbitrary.make(ChatSession.ChatSessionStrict), (session) => {
          const json: unknown = JSON.parse(JSON.stringify(encode(session)))
          const strict = decodeStrictSession(json)
          const tolerant = decodeTolerantSession(json)
          return equivalence(strict, session) &&
            DateTime.Equivalence(tolerant.created_at, session.created_at) &&
            tolerant.id === session.id
        }),
        { numRuns: 200 }
      )
    })

    it.effect("decoding never throws on arbitrary JSON: a value or a ParseError", () =>
      Effect.sync(() => {
        FastCheck.assert(
          FastCheck.property(FastCheck.jsonValue(), (json) => {
            // neither throws; and whatever strict accepts, tolerant accepts
            const tolerant = decodeTolerant(json)
            const strict = decodeStrict(json)
            return Either.isLeft(strict) || Either.isRight(tolerant)
          }),
          { numRuns: 300 }
        )
      }))
  })
})
