import { ChatHistory, SessionsService } from "@opencx-effect/core"
import { Effect, Stream } from "effect"

// A conversation driven from code: open a session for a contact, send their
// message, let an agent answer (taking over from the AI), read the
// conversation back, and close it as resolved.
export const program = Effect.gen(function*() {
  const sessions = yield* SessionsService.SessionsService
  const { id } = yield* sessions.create({
    channel: { type: "api" },
    contact: { email: "ada@example.com", name: "Ada Lovelace" },
    custom_data: { order_id: "A-1042" } // flat: a nested value is refused before any request
  })
  yield* sessions.send(id, { sender: "contact", message: { type: "text", text: "Where is my order?" } })
  yield* sessions.send(id, {
    sender: "agent",
    agent: { id: 7, name: "Sam" },
    message: { type: "text", text: "It left our warehouse this morning." },
    should_take_over_session_from_ai: true
  })
  const transcript = yield* sessions.history(id).pipe(
    Stream.map((item) => item.event),
    Stream.filter(ChatHistory.isMessage),
    Stream.map((message) => `${message.sender.type}: ${message.content.text}`),
    Stream.runCollect
  )
  yield* sessions.close(id, { resolved: true })
  return { id, transcript: [...transcript], status: (yield* sessions.get(id)).status }
}).pipe(
  // a write that may have reached the server is never retried: say so, and check before sending again
  Effect.catchTag("Timeout", (error) => Effect.dieMessage(error.message))
)
