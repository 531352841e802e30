/**
 * Type-level tests of the open enums: `npm run check` (`tsc -b`) type-checks
 * this file, and fails when a decoded session's enum fields collapse to plain
 * `string` (the known literals would then be lost for completion). At run
 * time `expectTypeOf` does nothing; the runtime checks below only keep the
 * file an ordinary test.
 */
import { ChatSession } from "@opencx-effect/core"
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { Schema } from "effect"

/**
 * The members of a string type that are literals: `"a" | "b" | (string & {})`
 * gives `"a" | "b"`, plain `string` gives `never`.
 */
type KnownLiterals<T> = T extends string ? (string extends T ? never : T) : never

/** `string & {}`: any other string, kept apart from the literals. */
type Other = string & {}

type Session = ChatSession.ChatSession
type Handoff = NonNullable<Session["handoff"]>
type TicketingSystem = NonNullable<Session["ticketing_system"]>

describe("open enums: the types list the known literals", () => {
  it("a decoded session's enum fields are `Known | (string & {})`, not `string`", () => {
    expectTypeOf<Session["status"]>().toEqualTypeOf<"open" | "closed_resolved" | "closed_unresolved" | Other>()
    expectTypeOf<KnownLiterals<Session["status"]>>().toEqualTypeOf<ChatSession.KnownSessionStatus>()
    expectTypeOf<KnownLiterals<Session["channel"]["type"]>>().toEqualTypeOf<ChatSession.KnownSessionChannel>()
    expectTypeOf<KnownLiterals<Session["ai_closure_type"]>>().toEqualTypeOf<ChatSession.KnownAiClosureType>()
    expectTypeOf<Session["ai_closure_type"]>().toEqualTypeOf<ChatSession.KnownAiClosureType | Other | null>()
    expectTypeOf<KnownLiterals<Session["sentiment"]>>().toEqualTypeOf<ChatSession.KnownSentiment>()
    expectTypeOf<Session["sentiment"]>().toEqualTypeOf<ChatSession.KnownSentiment | Other | null>()
    expectTypeOf<KnownLiterals<Handoff["sentiment"]>>().toEqualTypeOf<ChatSession.KnownSentiment>()
    expectTypeOf<KnownLiterals<TicketingSystem["name"]>>().toEqualTypeOf<ChatSession.KnownTicketingSystemName>()
    expectTypeOf<KnownLiterals<TicketingSystem["id_type"]>>().toEqualTypeOf<ChatSession.KnownTicketingSystemIdType>()
    // the same through the page
    expectTypeOf<KnownLiterals<ChatSession.ListChatSessionsOutput["items"][number]["status"]>>().toEqualTypeOf<
      ChatSession.KnownSessionStatus
    >()
    expect(true).toBe(true)
  })

  it("the exported enum types are `Known | (string & {})`", () => {
    expectTypeOf<ChatSession.SessionStatus>().toEqualTypeOf<ChatSession.KnownSessionStatus | Other>()
    expectTypeOf<ChatSession.SessionChannel>().toEqualTypeOf<ChatSession.KnownSessionChannel | Other>()
    expectTypeOf<ChatSession.AiClosureType>().toEqualTypeOf<ChatSession.KnownAiClosureType | Other>()
    expectTypeOf<ChatSession.Sentiment>().toEqualTypeOf<ChatSession.KnownSentiment | Other>()
    expectTypeOf<ChatSession.TicketingSystemName>().toEqualTypeOf<ChatSession.KnownTicketingSystemName | Other>()
    expectTypeOf<ChatSession.TicketingSystemIdType>().toEqualTypeOf<ChatSession.KnownTicketingSystemIdType | Other>()
    expect(true).toBe(true)
  })

  it("still open: any string is a SessionStatus, and the known literals are members", () => {
    expectTypeOf<string>().toExtend<ChatSession.SessionStatus>()
    expectTypeOf<"archived">().toExtend<Session["status"]>()
    expectTypeOf<"open">().toExtend<Session["status"]>()
    const status: ChatSession.SessionStatus = Schema.decodeUnknownSync(ChatSession.SessionStatus)("archived")
    // the known literals are members of the type: a switch over them type-checks
    const label = (s: ChatSession.SessionStatus) => {
      switch (s) {
        case "open":
        case "closed_resolved":
        case "closed_unresolved":
          return "known"
        default:
          return "other"
      }
    }
    expect(label(status)).toBe("other")
    expect(label("open")).toBe("known")
  })
})
