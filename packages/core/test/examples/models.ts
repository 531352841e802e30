import { ChatSession } from "@opencx-effect/core"
import { DateTime, Effect, Schema } from "effect"

// A page as the API sends it. The tolerant reader (the default) accepts
// fields and enum values this version does not know; the strict one does not.
const json = {
  items: [{
    id: "3f1c2a4e-8b7d-4c6e-9a1b-2c3d4e5f6a7b",
    status: "open",
    ai_closure_type: null,
    sentiment: "happy",
    channel: { type: "telegram" }, // not (yet) in the spec
    ticket_number: 1042,
    assist_mode: false,
    created_at: "2025-03-02T10:00:00Z",
    updated_at: "2025-03-02T10:45:12Z",
    summary: "A field the spec does not have" // kept as it came, not validated
  }],
  next: null
}

export const program = Effect.gen(function*() {
  const page = yield* Schema.decodeUnknown(ChatSession.ListChatSessionsOutput)(json)
  const session = page.items[0]!
  // timestamps are DateTime.Utc; enums keep their known literals for completion
  const created: DateTime.Utc = session.created_at
  const channel: ChatSession.SessionChannel = session.channel.type // "telegram"

  // the strict reader names what breaks the letter of the spec
  const strict = yield* Effect.either(Schema.decodeUnknown(ChatSession.ListChatSessionsOutputStrict)(json))
  return { created: DateTime.formatIso(created), channel, strictFails: strict._tag === "Left" }
})
