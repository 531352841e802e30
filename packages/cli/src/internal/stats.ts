/**
 * `opencx sessions stats`: counts by status, channel, sentiment,
 * ai_closure_type and time (`created_at`, UTC: by day, week and month), and
 * the first and last `created_at`, over every matching session, streamed
 * once in constant memory (a counter per distinct value).
 *
 * With `--with-history`, each session's history is walked too (a request per
 * page of its events) and its events counted, into a histogram of counts
 * (one counter per distinct count, never the events): the median number of
 * events per session, with the least and the most.
 *
 * Printed as compact tables with proportional bars (Unicode blocks, or
 * ASCII with `--ascii`), the time table by month unless `--by` says
 * otherwise, never more than `maxTimeRows` rows; or as JSON with `--json`.
 *
 * @internal
 */
import type * as ChatSession from "@opencx-effect/core/ChatSession"
import type * as ListChatSessionsParams from "@opencx-effect/core/ListChatSessionsParams"
import * as SessionsService from "@opencx-effect/core/SessionsService"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Dates from "./dates.js"
import { describeFilters, historyConcurrency } from "./export.js"
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

/**
 * How many events the sessions' histories hold: how many sessions had each
 * count (constant memory: one counter per distinct count).
 */
export interface EventCounts {
  readonly sessions: number
  readonly events: number
  /** sessions by their number of events (the map is local to one fold, which adds to it) */
  readonly histogram: Map<number, number>
}

export const emptyEventCounts = (): EventCounts => ({ sessions: 0, events: 0, histogram: new Map() })

/** adds a session of `events` events */
export const addEvents = (counts: EventCounts, events: number): EventCounts => {
  counts.histogram.set(events, (counts.histogram.get(events) ?? 0) + 1)
  return { sessions: counts.sessions + 1, events: counts.events + events, histogram: counts.histogram }
}

/** the count of the `k`th session (from 0) in the order of counts */
const nth = (counts: EventCounts, k: number): number => {
  let seen = 0
  for (const [events, sessions] of [...counts.histogram].sort(([a], [b]) => a - b)) {
    seen += sessions
    if (k < seen) return events
  }
  return Number.NaN
}

/** the median number of events per session (the mean of the two middle ones for an even number); null for none */
export const median = (counts: EventCounts): number | null => {
  if (counts.sessions === 0) return null
  const middle = Math.floor(counts.sessions / 2)
  return counts.sessions % 2 === 1 ? nth(counts, middle) : (nth(counts, middle - 1) + nth(counts, middle)) / 2
}

/** the counts for `--json` */
export const eventsJson = (counts: EventCounts) => {
  const keys = [...counts.histogram.keys()].sort((a, b) => a - b)
  return {
    sessions: counts.sessions,
    events: counts.events,
    median: median(counts),
    min: keys[0] ?? null,
    max: keys.at(-1) ?? null,
    histogram: Object.fromEntries(keys.map((k) => [String(k), counts.histogram.get(k) ?? 0]))
  }
}

/** `events per session: median 7 (min 2, max 15; 1,234 events in all)` */
export const eventsLine = (counts: EventCounts): string => {
  const json = eventsJson(counts)
  return json.median === null
    ? "events per session: no session"
    : `events per session: median ${format(json.median)} (min ${format(json.min ?? 0)}, max ${format(json.max ?? 0)}; ${
      format(json.events)
    } events in all)`
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
  /** with `--with-history`: the events per session */
  readonly events?: EventCounts | undefined
}

/** The counts as text tables. */
export const table = (stats: Stats, options: TableOptions): string => {
  const lines: Array<string> = [`sessions: ${format(stats.total)}${options.filters === "" ? "" : ` (${options.filters})`}`]
  if (stats.first_seen === null || stats.last_seen === null) return `${lines[0]}\nNo session matches.\n`
  lines.push(`first seen: ${stats.first_seen}, last seen: ${stats.last_seen} (created_at)`)
  if (options.events !== undefined) lines.push(eventsLine(options.events))
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
  /** count each session's history's events too */
  readonly withHistory: boolean
  /** the client-side rate limit, in requests per minute (none: off), for the estimate of the time left */
  readonly requestsPerMinute: number | undefined
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
      total: previous._tag === "Some" ? { sessions: previous.value, source: "previous run" } : undefined,
      requests: options.withHistory ? { perMinute: options.requestsPerMinute } : undefined
    })
    /** the events of each session of a page, counted a bounded number of histories at a time */
    const countEvents = (page: ChatSession.ListChatSessionsOutput, counts: EventCounts) =>
      Stream.fromIterable(page.items).pipe(
        Stream.mapEffect((session) => Stream.runCount(service.historyEncoded(session.id)), { concurrency: historyConcurrency }),
        Stream.runFoldEffect(counts, (acc, events) => Effect.as(progress.add(0, 1), addEvents(acc, events))),
        Effect.tap(progress.add(1, 0))
      )
    const { events, stats } = yield* service.pages(options.params, { prefetch: 1 }).pipe(
      Stream.runFoldEffect({ stats: empty(), events: emptyEventCounts() }, (acc, page) =>
        options.withHistory
          ? Effect.map(countEvents(page, acc.events), (events) => ({ stats: page.items.reduce(add, acc.stats), events }))
          : Effect.as(progress.add(1, page.items.length), { ...acc, stats: page.items.reduce(add, acc.stats) }))
    )
    yield* Totals.record(totalKey, stats.total)
    const filters = describeFilters(options.query, options.dates)
    const text = options.json
      ? JSON.stringify(
        { ...stats, ...(options.withHistory ? { events_per_session: eventsJson(events) } : {}), filters: options.query },
        null,
        2
      ) + "\n"
      : table(stats, { by: options.by, ascii: options.ascii, filters, events: options.withHistory ? events : undefined })
    yield* progress.stop // the table may go to the terminal the live line is on
    yield* writeStdout(text) // a failed write (a full disk) fails the command before the summary says it is done
    yield* progress.finish("counted", filters === "" ? undefined : { lines: [`  filters: ${filters}`], fields: { filters } })
    return stats
  }).pipe(Effect.scoped)
