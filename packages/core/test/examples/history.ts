import { ChatHistory, SessionsService } from "@opencx-effect/core"
import { DateTime, Effect, Option, Stream } from "effect"

// For every session handed off since June: how long the contact waited for
// the first answer (from the AI or a human), per channel. Each session's
// history is streamed in its turn, in constant memory, under the client's
// one rate limit (one request per page of sessions, one per page of events).
const firstResponseMillis = (sessionId: string) =>
  SessionsService.history(sessionId).pipe(
    Stream.filter((item) => ChatHistory.isMessage(item.event) && item.created_at !== null),
    Stream.runFold(
      { asked: Option.none<DateTime.Utc>(), answered: Option.none<DateTime.Utc>() },
      (acc, item) => {
        const event = item.event
        if (!ChatHistory.isMessage(event) || item.created_at === null || Option.isSome(acc.answered)) return acc
        if (event.sender.type === "contact") return Option.isNone(acc.asked) ? { ...acc, asked: Option.some(item.created_at) } : acc
        return Option.isSome(acc.asked) ? { ...acc, answered: Option.some(item.created_at) } : acc
      }
    ),
    Effect.map(({ answered, asked }) =>
      Option.zipWith(asked, answered, (a, b) => DateTime.toEpochMillis(b) - DateTime.toEpochMillis(a))
    )
  )

export const program = SessionsService.stream({ handed_off: true, created_after: "2025-06-01" }).pipe(
  Stream.mapEffect((session) =>
    Effect.map(firstResponseMillis(session.id), (millis) => ({ channel: session.channel.type, millis }))
  ),
  Stream.runFold(new Map<string, { count: number; totalMillis: number }>(), (byChannel, { channel, millis }) => {
    if (Option.isNone(millis)) return byChannel
    const current = byChannel.get(channel) ?? { count: 0, totalMillis: 0 }
    return byChannel.set(channel, { count: current.count + 1, totalMillis: current.totalMillis + millis.value })
  }),
  Effect.map((byChannel) =>
    Object.fromEntries([...byChannel].map(([channel, { count, totalMillis }]) => [channel, Math.round(totalMillis / count / 1000)]))
  )
)
