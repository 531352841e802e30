/**
 * Sessions services for the tests: the served JSON of a fake, and a service
 * that serves pages written by hand (to send what the fake cannot: fields
 * the spec does not know, nanosecond timestamps, offsets).
 */
import { ChatSession, Paginator, SessionsService, TestSessions } from "@opencx-effect/core"
import { Chunk, Effect, Layer, Schema, Stream } from "effect"

/** every session the service serves, as it serves them */
export const served = SessionsService.SessionsService.pipe(
  Effect.flatMap((service) => Stream.runCollect(service.streamEncoded())),
  Effect.map(Chunk.toReadonlyArray)
)

const validate = Schema.decodeUnknownSync(ChatSession.ListChatSessionsOutput)

/**
 * A SessionsService whose walk serves these pages (JSON as an API would send
 * it), chained by `next` cursors "p1", "p2", …; its other methods are
 * unimplemented.
 */
export const layerPages = (
  pages: ReadonlyArray<ReadonlyArray<Record<string, unknown>>>
): Layer.Layer<SessionsService.SessionsService> => {
  const byCursor = new Map<string | null, ChatSession.ListChatSessionsOutputEncoded>()
  pages.forEach((items, i) => {
    const page = { items, next: i + 1 < pages.length ? `p${i + 1}` : null }
    validate(page) // the tolerant reader accepts it: it is a valid encoded page
    // the test's boundary: JSON the tolerant Schema accepted, as the service would pass it on
    byCursor.set(i === 0 ? null : `p${i}`, page as unknown as ChatSession.ListChatSessionsOutputEncoded)
  })
  return TestSessions.layer({
    steps: (_params, options) =>
      Paginator.steps({
        method: "GET",
        url: "https://api.open.cx/chat/sessions",
        fetch: (cursor) => Effect.succeed(byCursor.get(cursor)!)
      }, { key: (session) => session.id, start: options?.start })
  })
}
