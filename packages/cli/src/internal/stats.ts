/**
 * `opencx sessions stats`: counts by status, channel, sentiment,
 * ai_closure_type and day, over every matching session, streamed once in
 * constant memory (a counter per distinct value).
 *
 * @internal
 */
import { type ChatSession, type ListChatSessionsParams, SessionsService } from "@opencx-effect/core"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Progress from "./progress.js"
import { writeStdout } from "./sink.js"

export interface Stats {
  readonly total: number
  readonly status: Record<string, number>
  readonly channel: Record<string, number>
  readonly sentiment: Record<string, number>
  readonly ai_closure_type: Record<string, number>
  readonly day: Record<string, number>
}

const empty = (): Stats => ({ total: 0, status: {}, channel: {}, sentiment: {}, ai_closure_type: {}, day: {} })

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1
}

/** adds a session to the counts (the accumulator is local to one fold) */
const add = (stats: Stats, session: ChatSession.ChatSession): Stats => {
  bump(stats.status, session.status)
  bump(stats.channel, session.channel.type)
  bump(stats.sentiment, session.sentiment ?? "none")
  bump(stats.ai_closure_type, session.ai_closure_type ?? "none")
  bump(stats.day, DateTime.formatIso(session.created_at).slice(0, 10))
  return { ...stats, total: stats.total + 1 }
}

const sorted = (counts: Record<string, number>, byKey = false) =>
  Object.entries(counts).sort(([ka, a], [kb, b]) => (byKey ? (ka < kb ? -1 : 1) : b - a || (ka < kb ? -1 : 1)))

const format = (n: number) => n.toLocaleString("en-US")

/** The counts as a text table. */
export const table = (stats: Stats): string => {
  const lines: Array<string> = [`sessions: ${format(stats.total)}`]
  const section = (title: string, counts: Record<string, number>, byKey = false) => {
    const rows = sorted(counts, byKey)
    const width = Math.max(title.length, ...rows.map(([k]) => k.length))
    lines.push("", `${title.padEnd(width)}  ${"count".padStart(9)}  ${"%".padStart(6)}`)
    for (const [key, count] of rows) {
      const share = stats.total === 0 ? 0 : (100 * count) / stats.total
      lines.push(`${key.padEnd(width)}  ${format(count).padStart(9)}  ${share.toFixed(1).padStart(6)}`)
    }
  }
  section("status", stats.status)
  section("channel", stats.channel)
  section("sentiment", stats.sentiment)
  section("ai_closure_type", stats.ai_closure_type)
  section("day (created_at, UTC)", stats.day, true)
  return lines.join("\n") + "\n"
}

export const run = (options: {
  readonly params: ListChatSessionsParams.Input
  readonly json: boolean
  readonly quiet: boolean
}) =>
  Effect.gen(function*() {
    const service = yield* SessionsService.SessionsService
    const progress = yield* Progress.make({ quiet: options.quiet, verb: "counting" })
    const stats = yield* service.pages(options.params, { prefetch: 1 }).pipe(
      Stream.runFoldEffect(empty(), (acc, page) =>
        Effect.as(progress.add(1, page.items.length), page.items.reduce(add, acc)))
    )
    const text = options.json ? JSON.stringify(stats, null, 2) + "\n" : table(stats)
    yield* writeStdout(text) // a failed write (a full disk) fails the command before the summary says it is done
    yield* progress.finish("counted")
    return stats
  }).pipe(Effect.scoped)
