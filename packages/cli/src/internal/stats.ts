/**
 * `opencx sessions stats`: counts by status, channel, sentiment,
 * ai_closure_type and time (`created_at`, UTC: by day, week and month), and
 * the first and last `created_at`, over every matching session, streamed
 * once in constant memory (a counter per distinct value).
 *
 * Printed as compact tables with proportional bars (Unicode blocks, or
 * ASCII with `--ascii`), the time table by month unless `--by` says
 * otherwise, never more than `maxTimeRows` rows; or as JSON with `--json`.
 *
 * @internal
 */
import { type ChatSession, type ListChatSessionsParams, SessionsService } from "@opencx-effect/core"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Dates from "./dates.js"
import { describeFilters } from "./export.js"
import type * as Output from "./output.js"
import * as Progress from "./progress.js"
import { writeStdout } from "./sink.js"
import * as Totals from "./totals.js"

export const periods = ["day", "week", "month"] as const
export type Period = (typeof periods)[number]

export interface Stats {
  readonly total: number
  readonly status: Record<string, number>
  readonly channel: Record<string, number>
  readonly sentiment: Record<string, number>
  readonly ai_closure_type: Record<string, number>
  /** by day of `created_at` (UTC): `2025-03-02` */
  readonly day: Record<string, number>
  /** by week of `created_at` (UTC), named by its Monday: `2025-02-24` */
  readonly week: Record<string, number>
  /** by month of `created_at` (UTC): `2025-03` */
  readonly month: Record<string, number>
  /** the earliest and latest `created_at` (ISO 8601, UTC); null when no session matched */
  readonly first_seen: string | null
  readonly last_seen: string | null
}

export const empty = (): Stats => ({
  total: 0,
  status: {},
  channel: {},
  sentiment: {},
  ai_closure_type: {},
  day: {},
  week: {},
  month: {},
  first_seen: null,
  last_seen: null
})

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1
}

const dayMillis = 86_400_000

/** the Monday of the week (UTC) of a day `2025-03-02` */
export const weekOf = (day: string): string => {
  const millis = Date.parse(`${day}T00:00:00Z`)
  const weekday = (new Date(millis).getUTCDay() + 6) % 7 // Monday 0
  return new Date(millis - weekday * dayMillis).toISOString().slice(0, 10)
}

/** adds a session to the counts (the accumulator is local to one fold) */
export const add = (stats: Stats, session: ChatSession.ChatSession): Stats => {
  bump(stats.status, session.status)
  bump(stats.channel, session.channel.type)
  bump(stats.sentiment, session.sentiment ?? "none")
  bump(stats.ai_closure_type, session.ai_closure_type ?? "none")
  const created = DateTime.formatIso(session.created_at)
  const day = created.slice(0, 10)
  bump(stats.day, day)
  bump(stats.week, weekOf(day))
  bump(stats.month, day.slice(0, 7))
  const millis = DateTime.toEpochMillis(session.created_at)
  const first = stats.first_seen === null || millis < Date.parse(stats.first_seen) ? created : stats.first_seen
  const last = stats.last_seen === null || millis > Date.parse(stats.last_seen) ? created : stats.last_seen
  return { ...stats, total: stats.total + 1, first_seen: first, last_seen: last }
}

const sorted = (counts: Record<string, number>) =>
  Object.entries(counts).sort(([ka, a], [kb, b]) => b - a || (ka < kb ? -1 : 1))

const format = (n: number) => n.toLocaleString("en-US")

/** the next period after `key` */
const next = (key: string, by: Period): string => {
  if (by === "month") {
    const [year, month] = key.split("-").map(Number)
    return month === 12 ? `${year! + 1}-01` : `${year}-${String(month! + 1).padStart(2, "0")}`
  }
  return new Date(Date.parse(`${key}T00:00:00Z`) + (by === "week" ? 7 : 1) * dayMillis).toISOString().slice(0, 10)
}

/** the periods from the first to the last counted, each with its count (0 for the gaps) */
export const timeline = (stats: Stats, by: Period): Array<readonly [string, number]> => {
  const counts = stats[by]
  const keys = Object.keys(counts).sort()
  if (keys.length === 0) return []
  const rows: Array<readonly [string, number]> = []
  const last = keys[keys.length - 1]!
  for (let key = keys[0]!; key <= last; key = next(key, by)) rows.push([key, counts[key] ?? 0])
  return rows
}

/** the time table shows at most this many rows (the latest), and says how many it leaves out */
export const maxTimeRows = 36

const barWidth = 24

/** a bar of `width` cells for `share` of the largest count (at least a sliver for a count that is not 0) */
export const bar = (count: number, largest: number, ascii: boolean): string => {
  if (count === 0 || largest === 0) return ""
  const share = count / largest
  if (ascii) return "#".repeat(Math.max(1, Math.round(share * barWidth)))
  return Progress.bar(Math.max(share, 1 / (8 * barWidth)), barWidth, true).trimEnd()
}

const timeTitle: Record<Period, string> = {
  day: "day (created_at, UTC)",
  week: "week (from Monday, created_at, UTC)",
  month: "month (created_at, UTC)"
}

export interface TableOptions {
  readonly by: Period
  readonly ascii: boolean
  /** the filters, as `describeFilters` says them */
  readonly filters: string
}

/** The counts as text tables. */
export const table = (stats: Stats, options: TableOptions): string => {
  const lines: Array<string> = [`sessions: ${format(stats.total)}${options.filters === "" ? "" : ` (${options.filters})`}`]
  if (stats.first_seen === null || stats.last_seen === null) return `${lines[0]}\nNo session matches.\n`
  lines.push(`first seen: ${stats.first_seen}, last seen: ${stats.last_seen} (created_at)`)
  const section = (title: string, rows: ReadonlyArray<readonly [string, number]>, note?: string) => {
    const width = Math.max(title.length, ...rows.map(([k]) => k.length))
    const largest = Math.max(0, ...rows.map(([, n]) => n))
    const countWidth = Math.max(5, ...rows.map(([, n]) => format(n).length))
    lines.push("", `${title.padEnd(width)}  ${"count".padStart(countWidth)}  ${"%".padStart(5)}`)
    for (const [key, count] of rows) {
      const share = stats.total === 0 ? 0 : (100 * count) / stats.total
      lines.push(
        `${key.padEnd(width)}  ${format(count).padStart(countWidth)}  ${share.toFixed(1).padStart(5)}  ${
          bar(count, largest, options.ascii)
        }`.trimEnd()
      )
    }
    if (note !== undefined) lines.push(note)
  }
  section("status", sorted(stats.status))
  section("channel", sorted(stats.channel))
  section("sentiment", sorted(stats.sentiment))
  section("ai_closure_type", sorted(stats.ai_closure_type))
  const rows = timeline(stats, options.by)
  const shown = rows.slice(-maxTimeRows)
  const left = rows.length - shown.length
  section(
    timeTitle[options.by],
    shown,
    left === 0
      ? undefined
      : `(${format(left)} earlier ${options.by === "day" ? "days" : `${options.by}s`} not shown: --by ${
        options.by === "day" ? "week or month" : "month"
      } for the whole range, --json for every one)`
  )
  return lines.join("\n") + "\n"
}

export const run = (options: {
  readonly params: ListChatSessionsParams.Input
  /** the filters as URL parameters (validated) */
  readonly query: Readonly<Record<string, string>>
  readonly dates: Readonly<Record<string, Dates.DateInput>>
  readonly json: boolean
  readonly by: Period
  readonly ascii: boolean
  readonly ui: Output.Ui
  readonly source: string
}) =>
  Effect.gen(function*() {
    const service = yield* SessionsService.SessionsService
    const relative = Object.fromEntries(
      Object.entries(options.dates).filter(([, d]) => d.relative).map(([param, d]) => [param, d.input])
    )
    const totalKey = Totals.key(options.source, { ...options.query, ...relative })
    const previous = yield* Totals.lookup(totalKey)
    const progress = yield* Progress.make({
      ui: options.ui,
      command: "sessions stats",
      verb: "counting",
      total: previous._tag === "Some" ? { sessions: previous.value, source: "previous run" } : undefined
    })
    const stats = yield* service.pages(options.params, { prefetch: 1 }).pipe(
      Stream.runFoldEffect(empty(), (acc, page) => Effect.as(progress.add(1, page.items.length), page.items.reduce(add, acc)))
    )
    yield* Totals.record(totalKey, stats.total)
    const filters = describeFilters(options.query, options.dates)
    const text = options.json
      ? JSON.stringify({ ...stats, filters: options.query }, null, 2) + "\n"
      : table(stats, { by: options.by, ascii: options.ascii, filters })
    yield* progress.stop // the table may go to the terminal the live line is on
    yield* writeStdout(text) // a failed write (a full disk) fails the command before the summary says it is done
    yield* progress.finish("counted", filters === "" ? undefined : { lines: [`  filters: ${filters}`], fields: { filters } })
    return stats
  }).pipe(Effect.scoped)
