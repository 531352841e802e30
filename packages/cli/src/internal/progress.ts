/**
 * Progress on stderr, telling the truth about a long walk:
 *
 * - on a terminal: a live line, redrawn four times a second whatever the
 *   walk does (also while a request waits for the rate limit or a retry):
 *   sessions and pages done, the current rate (over the last 5 seconds, not
 *   the average since the start), the time elapsed, retries, a countdown
 *   while a request waits (from the client's `rateLimitWaitingUntil` and
 *   `retryWaitingUntil` gauges), and a bar with an ETA when the total is
 *   known (`--limit`, or the count a previous run of the same filters
 *   recorded, see `totals.ts`);
 * - with `--with-history` (a request per page of each session's history),
 *   the requests sent, and, when the total is known and the client has a
 *   rate limit, how long that limit makes the rest take at least (see
 *   `rateLimitEta`);
 * - a command's own counters (`sessions sync`: rows upserted, stale
 *   versions skipped, history events), after the pages;
 * - elsewhere: one plain line every `--progress-interval` seconds;
 * - with `--log-format json`: the same counters as a JSON object per line;
 * - at the end, a summary (the whole export's counts when it was resumed);
 *   when interrupted (Ctrl-C), the live line is ended cleanly and the
 *   caller says how to resume;
 * - nothing but that (what to do after an interruption) with `--quiet`.
 *
 * The lines are pure functions of a `Snapshot`, tested on their own.
 *
 * @internal
 */
import * as SessionsService from "@opencx-effect/core/SessionsService"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Output from "./output.js"
import * as Terminal from "./terminal.js"

/** the window of the current rate */
export const rateWindow = 5_000
/** the window of the rate the ETA is computed from (longer: steadier under a rate limit) */
export const etaWindow = 60_000
/** how often the live line is redrawn */
export const liveInterval = 250

export interface Total {
  readonly sessions: number
  /** `limit`: --limit (at most that many); `previous run`: what a previous run of the same filters counted (an estimate) */
  readonly source: "limit" | "previous run"
}

export interface Waiting {
  readonly for: "rate limit" | "retry"
  readonly millis: number
}

/**
 * A command's own count (`sessions sync`: `1,200 upserted`), shown after the
 * pages in every line, and as a number in JSON (`key`).
 */
export interface Counter {
  /** the JSON field */
  readonly key: string
  /** what follows the number in a line (`upserted`, `stale skipped`) */
  readonly label: string
  readonly value: number
  /** left out of the progress lines (not the summary, nor JSON) while it is 0 */
  readonly hideZero?: boolean | undefined
}

/** Where a walk is, at one instant. */
export interface Snapshot {
  /** pages and sessions done, by the whole export (a resumed one included) */
  readonly pages: number
  readonly sessions: number
  /** sessions skipped because the page before had them */
  readonly skipped: number
  /** sessions done by this run */
  readonly runSessions: number
  /** milliseconds since this run started */
  readonly elapsed: number
  /** sessions per second over the last `rateWindow` (undefined in the first second) */
  readonly rate: number | undefined
  /** sessions per second over the last `etaWindow` */
  readonly etaRate: number | undefined
  readonly retries: number
  /** milliseconds this run waited for the rate limit */
  readonly waited: number
  /** a request waits now, for so long */
  readonly waiting: Waiting | undefined
  readonly total: Total | undefined
  /** requests this run sent (attempts, retries included); undefined when they are not counted */
  readonly requests?: number | undefined
  /** the client-side rate limit, requests per minute; undefined when off (or not counted) */
  readonly requestLimit?: number | undefined
  /** the command's own counters, if any */
  readonly counters?: ReadonlyArray<Counter> | undefined
}

/** sessions done by this run at an instant */
export interface Sample {
  readonly at: number
  readonly sessions: number
}

/**
 * Sessions per second over the `window` before `now`, from samples in time
 * order (the first is the run's start): undefined before a second has
 * passed.
 */
export const rateOver = (samples: ReadonlyArray<Sample>, now: number, window: number): number | undefined => {
  if (samples.length === 0) return undefined
  let base = samples[0]!
  for (const sample of samples) {
    if (sample.at <= now - window) base = sample
    else break
  }
  const last = samples[samples.length - 1]!
  const span = now - base.at
  return span < 1_000 ? undefined : ((last.sessions - base.sessions) * 1_000) / span
}

/** the samples still needed at `now` (those of the last `etaWindow`, and the one before) */
export const prune = (samples: ReadonlyArray<Sample>, now: number): Array<Sample> => {
  let first = 0
  while (first + 1 < samples.length && samples[first + 1]!.at <= now - etaWindow) first++
  return samples.slice(first)
}

// ---------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------

/** `1,250` */
export const count = (n: number): string => Math.round(n).toLocaleString("en-US")

/** `0.7/s`, `12/s`, `1,250/s` */
export const rateText = (rate: number): string =>
  `${rate < 10 ? (Math.round(rate * 10) / 10).toFixed(1) : count(rate)}/s`

/** `4s`, `1m05s`, `2h03m` */
export const duration = (millis: number): string => {
  const seconds = Math.max(0, Math.round(millis / 1_000))
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`
}

/** `41 s`: whole seconds, rounded up (a countdown never shows 0 while it waits) */
const countdown = (millis: number) => `${Math.max(1, Math.ceil(millis / 1_000))} s`

const plural = (n: number, one: string, many: string) => `${count(n)} ${n === 1 ? one : many}`

/** the counters as text (`1,200 upserted`), those hidden while 0 left out unless `all` */
const countersText = (s: Snapshot, all: boolean): Array<string> =>
  (s.counters ?? []).filter((c) => all || c.hideZero !== true || c.value !== 0).map((c) => `${count(c.value)} ${c.label}`)

/** what a request waits for, as a countdown: `waiting 41 s for the rate limit` */
export const waitingText = (waiting: Waiting): string =>
  waiting.for === "rate limit" ? `waiting ${countdown(waiting.millis)} for the rate limit` : `retrying in ${countdown(waiting.millis)}`

/** the total, when it still tells something (a previous run's count that was passed tells nothing) */
const knownTotal = (s: Snapshot): Total | undefined =>
  s.total === undefined || (s.total.source === "previous run" && s.sessions > s.total.sessions) ? undefined : s.total

/** the share done, 0 to 1 (an estimate never reaches 1 before the end) */
export const fraction = (s: Snapshot): number | undefined => {
  const total = knownTotal(s)
  if (total === undefined) return undefined
  if (total.sessions === 0) return 1
  const share = Math.min(1, s.sessions / total.sessions)
  return total.source === "previous run" ? Math.min(share, 0.99) : share
}

/** requests this run sent per session it did (each session's share of the pages, its history's pages), when known */
export const requestsPerSession = (s: Snapshot): number | undefined =>
  s.requests === undefined || s.runSessions === 0 ? undefined : s.requests / s.runSessions

/**
 * The least time the rest takes under the client's rate limit, in
 * milliseconds: the requests this run sent per session it did, times the
 * sessions left (from a known total), divided by the limit per minute.
 * Undefined when the requests are not counted, the limit is off, the total
 * is unknown, or no session is done yet.
 */
export const rateLimitEta = (s: Snapshot): number | undefined => {
  const total = knownTotal(s)
  const perSession = requestsPerSession(s)
  if (total === undefined || perSession === undefined || s.requestLimit === undefined || s.requestLimit <= 0) return undefined
  return (Math.max(0, total.sessions - s.sessions) * perSession * 60_000) / s.requestLimit
}

/**
 * Milliseconds left: at the rate of the last minute, and never less than
 * the rate limit allows (`rateLimitEta`), which the last minute's rate
 * overstates while the limiter's first window is spent.
 */
export const eta = (s: Snapshot): number | undefined => {
  const total = knownTotal(s)
  const observed = total === undefined || s.etaRate === undefined || s.etaRate <= 0
    ? undefined
    : (Math.max(0, total.sessions - s.sessions) * 1_000) / s.etaRate
  const limited = rateLimitEta(s)
  return observed === undefined ? limited : limited === undefined ? observed : Math.max(observed, limited)
}

const eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

/** a bar of `width` characters filled to `share` (Unicode eighths, or `#` in ASCII) */
export const bar = (share: number, width: number, unicode: boolean): string => {
  const clamped = Math.min(1, Math.max(0, share))
  if (!unicode) {
    const full = Math.round(clamped * width)
    return "#".repeat(full) + "-".repeat(width - full)
  }
  const units = Math.round(clamped * width * 8)
  const full = Math.floor(units / 8)
  const part = eighths[units % 8]!
  return ("█".repeat(full) + part).padEnd(width, " ")
}

const totalText = (total: Total) => `${total.source === "previous run" ? "~" : ""}${count(total.sessions)}`

/**
 * The live line: `exporting [████▌     ] 42% · 1,250 of 3,000 sessions ·
 * 50 pages · 310/s · 4s · ETA 6s · 0 retries`, cut to `columns`.
 */
export const liveLine = (verb: string, s: Snapshot, columns: number | undefined): string => {
  const parts: Array<string> = []
  const share = fraction(s)
  const total = knownTotal(s)
  const head = share === undefined ? verb : `${verb} [${bar(share, 20, true)}] ${Math.floor(share * 100)}%`
  parts.push(total === undefined ? plural(s.sessions, "session", "sessions") : `${count(s.sessions)} of ${totalText(total)} sessions`)
  parts.push(plural(s.pages, "page", "pages"))
  parts.push(...countersText(s, false))
  if (s.requests !== undefined) parts.push(plural(s.requests, "request", "requests"))
  if (s.waiting !== undefined) parts.push(waitingText(s.waiting))
  if (s.rate !== undefined) parts.push(rateText(s.rate))
  parts.push(duration(s.elapsed))
  const left = eta(s)
  if (left !== undefined) parts.push(`ETA ${duration(left)}`)
  parts.push(plural(s.retries, "retry", "retries"))
  if (s.skipped > 0) parts.push(`${count(s.skipped)} repeated skipped`)
  const line = `${head} · ${parts.join(" · ")}`
  return columns === undefined ? line : Terminal.truncate(line, columns - 1)
}

/** A plain line, for a log: `exporting: 1,250 sessions in 50 pages, 4s, 310/s now, 0 retries, …`. */
export const plainLine = (verb: string, s: Snapshot): string => {
  const parts = [
    `${plural(s.sessions, "session", "sessions")} in ${plural(s.pages, "page", "pages")}`,
    ...countersText(s, false),
    `${duration(s.elapsed)} elapsed`,
    ...(s.rate === undefined ? [] : [`${rateText(s.rate)} now`]),
    plural(s.retries, "retry", "retries")
  ]
  if (s.requests !== undefined) {
    const perSession = requestsPerSession(s)
    parts.push(
      `${plural(s.requests, "request", "requests")}${perSession === undefined ? "" : ` (${perSession.toFixed(1)} a session)`}`
    )
  }
  if (s.waiting !== undefined) parts.push(waitingText(s.waiting))
  const share = fraction(s)
  const total = knownTotal(s)
  if (share !== undefined && total !== undefined) {
    const left = eta(s)
    parts.push(`${Math.floor(share * 100)}% of ${totalText(total)}${left === undefined ? "" : `, ETA ${duration(left)}`}`)
  }
  const limited = rateLimitEta(s)
  if (limited !== undefined && s.requestLimit !== undefined) {
    parts.push(`at ${count(s.requestLimit)} requests a minute the rest takes at least ${duration(limited)}`)
  }
  if (s.skipped > 0) parts.push(`${count(s.skipped)} repeated sessions skipped`)
  return `${verb}: ${parts.join(", ")}`
}

/** The counters, as numbers, for a JSON line. */
export const fields = (s: Snapshot): Record<string, unknown> => {
  const total = knownTotal(s)
  const share = fraction(s)
  const left = eta(s)
  return {
    sessions: s.sessions,
    pages: s.pages,
    skipped: s.skipped,
    sessionsThisRun: s.runSessions,
    elapsedSeconds: Math.round(s.elapsed) / 1_000,
    rate: s.rate === undefined ? null : Math.round(s.rate * 10) / 10,
    retries: s.retries,
    rateLimitWaitSeconds: Math.round(s.waited) / 1_000,
    waitingFor: s.waiting?.for ?? null,
    waitingSeconds: s.waiting === undefined ? null : Math.ceil(s.waiting.millis / 1_000),
    total: total?.sessions ?? null,
    totalIsEstimate: total === undefined ? null : total.source === "previous run",
    percent: share === undefined ? null : Math.floor(share * 1_000) / 10,
    etaSeconds: left === undefined ? null : Math.round(left / 1_000),
    ...Object.fromEntries((s.counters ?? []).map((c) => [c.key, c.value])),
    ...(s.requests === undefined ? {} : (() => {
      const perSession = requestsPerSession(s)
      const limited = rateLimitEta(s)
      return {
        requests: s.requests,
        requestsPerSession: perSession === undefined ? null : Math.round(perSession * 100) / 100,
        requestLimitPerMinute: s.requestLimit ?? null,
        rateLimitEtaSeconds: limited === undefined ? null : Math.round(limited / 1_000)
      }
    })())
  }
}

/**
 * The summary: `exported to out.ndjson: 300 sessions in 15 pages, 2.3 s
 * (130/s), 0 retries, 0.0 s waiting for the rate limit` (with `(120 in this
 * run)` after the pages of a resumed export).
 */
export const summary = (done: string, s: Snapshot): string => {
  const seconds = Math.max(0.001, s.elapsed / 1_000)
  const resumed = s.runSessions === s.sessions ? "" : ` (${count(s.runSessions)} in this run)`
  const counters = countersText(s, true).map((text) => `, ${text}`).join("")
  return `${done}: ${plural(s.sessions, "session", "sessions")} in ${plural(s.pages, "page", "pages")}${resumed}${counters}, ${seconds.toFixed(1)} s (${
    count(s.runSessions / seconds)
  }/s), ${plural(s.retries, "retry", "retries")}${
    s.requests === undefined ? "" : `, ${plural(s.requests, "request", "requests")}`
  }, ${(s.waited / 1_000).toFixed(1)} s waiting for the rate limit${
    s.skipped === 0 ? "" : `, ${count(s.skipped)} repeated sessions skipped`
  }`
}

// ---------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------

/** More to say after the progress: lines of text, or the same as JSON fields. */
export interface More {
  readonly lines: ReadonlyArray<string>
  readonly fields: Readonly<Record<string, unknown>>
}

export interface Options {
  readonly ui: Output.Ui
  /** `sessions export` */
  readonly command: string
  /** `exporting` */
  readonly verb: string
  /** no live line even on a terminal (the command writes its data to the same terminal as it goes) */
  readonly notLive?: boolean | undefined
  /** what a resumed export had done before this run */
  readonly start?: { readonly pages: number; readonly sessions: number; readonly skipped: number } | undefined
  readonly total: Total | undefined
  /**
   * count the requests (`--with-history`: a request per page of each
   * session's history), with the client-side limit in requests per minute
   * (undefined: off) for the estimate of the time left
   */
  readonly requests?: { readonly perMinute: number | undefined } | undefined
  /** what to say after the progress when interrupted (how to resume) */
  readonly onInterrupt?: ((s: Snapshot) => Effect.Effect<More>) | undefined
  /** the command's own counters, read for each line */
  readonly counters?: Effect.Effect<ReadonlyArray<Counter>> | undefined
}

export interface Progress {
  /** pages and sessions done, and sessions skipped because the page before had them */
  readonly add: (pages: number, sessions: number, skipped?: number) => Effect.Effect<void>
  /** ends the live line (before the command writes to a stdout that may be the same terminal) */
  readonly stop: Effect.Effect<void>
  /** ends the live line and prints the summary, prefixed by `done`, then `more` */
  readonly finish: (done: string, more?: More) => Effect.Effect<void>
  readonly snapshot: Effect.Effect<Snapshot>
}

/** the ms epoch a gauge says a request waits until, as a wait from `now` */
const waitFrom = (until: number, now: number) => (until > now ? until - now : 0)

export const make = (options: Options): Effect.Effect<Progress, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { ui } = options
    const start = yield* Clock.currentTimeMillis
    const initial = options.start ?? { pages: 0, sessions: 0, skipped: 0 }
    const state = yield* Ref.make({ ...initial, run: 0, samples: [{ at: start, sessions: 0 }] as Array<Sample> })
    const retries0 = (yield* Metric.value(SessionsService.metrics.retries)).count
    const waits0 = (yield* Metric.value(SessionsService.metrics.rateLimitWaitMillis)).count
    const requests0 = (yield* Metric.value(SessionsService.metrics.requests)).count
    const stderr = ui.streams.stderr
    const live = !ui.quiet && ui.format === "text" && stderr.tty && options.notLive !== true
    const finished = yield* Ref.make(false)
    /** the width of the live line drawn last (to clear it without escape codes) */
    let drawn = 0

    const snapshot = Effect.gen(function*() {
      const s = yield* Ref.get(state)
      const now = yield* Clock.currentTimeMillis
      const rateLimitUntil = (yield* Metric.value(SessionsService.metrics.rateLimitWaitingUntil)).value
      const retryUntil = (yield* Metric.value(SessionsService.metrics.retryWaitingUntil)).value
      const forRate = waitFrom(rateLimitUntil, now)
      const forRetry = waitFrom(retryUntil, now)
      const waiting: Waiting | undefined = forRate === 0 && forRetry === 0
        ? undefined
        : forRate >= forRetry
        ? { for: "rate limit", millis: forRate }
        : { for: "retry", millis: forRetry }
      return {
        pages: s.pages,
        sessions: s.sessions,
        skipped: s.skipped,
        runSessions: s.run,
        elapsed: now - start,
        rate: rateOver(s.samples, now, rateWindow),
        etaRate: rateOver(s.samples, now, etaWindow),
        retries: (yield* Metric.value(SessionsService.metrics.retries)).count - retries0,
        waited: (yield* Metric.value(SessionsService.metrics.rateLimitWaitMillis)).count - waits0,
        waiting,
        total: options.total,
        ...(options.requests === undefined ? {} : {
          requests: (yield* Metric.value(SessionsService.metrics.requests)).count - requests0,
          requestLimit: options.requests.perMinute
        }),
        ...(options.counters === undefined ? {} : { counters: yield* options.counters })
      } satisfies Snapshot
    })

    /** what clears the live line (also when nothing was drawn yet, before a draw) */
    const clearing = () =>
      stderr.color
        ? "\r\x1b[2K"
        : `\r${" ".repeat(Math.min(drawn + 2, (stderr.columns ?? Infinity) - 1))}\r` // + 2: an echoed ^C

    /** clears the live line, if one is drawn: the text to write */
    const clear = Effect.sync(() => {
      if (!live || drawn === 0) return ""
      const text = clearing()
      drawn = 0
      return text
    })

    const draw = Effect.gen(function*() {
      const line = liveLine(options.verb, yield* snapshot, stderr.columns)
      const text = `${clearing()}${line}` // one write: a line is never seen half drawn
      drawn = Terminal.width(line)
      yield* Output.writeStderr(text)
    })

    const report = Effect.gen(function*() {
      const s = yield* snapshot
      yield* ui.format === "json"
        ? Output.writeJson("INFO", "progress", { command: options.command, ...fields(s) })
        : Output.writeStderr(`${plainLine(options.verb, s)}\n`)
    })

    // runs last: after the ticker below is interrupted, so that nothing is drawn after it
    yield* Effect.addFinalizer((exit) =>
      Effect.gen(function*() {
        if (yield* Ref.get(finished)) return
        const cleared = yield* clear
        if (!Exit.isInterrupted(exit)) {
          // a failure: its message follows on a clean line
          if (cleared !== "") yield* Output.writeStderr(cleared)
          return
        }
        const s = yield* snapshot
        const then = options.onInterrupt === undefined ? undefined : yield* options.onInterrupt(s)
        if (ui.format === "json") {
          yield* Output.writeJson("WARN", "interrupted", { command: options.command, ...fields(s), ...then?.fields })
          return
        }
        const lines = [...(ui.quiet ? [] : [summary("interrupted", s)]), ...(then?.lines ?? [])]
        if (cleared !== "" || lines.length > 0) yield* Output.writeStderr(`${cleared}${lines.map((l) => `${l}\n`).join("")}`)
      })
    )

    const ticker = live
      ? yield* draw.pipe(Effect.zipRight(Effect.sleep(liveInterval)), Effect.forever, Effect.forkScoped)
      : ui.quiet
      ? undefined
      : yield* Effect.sleep(ui.progressInterval).pipe(Effect.zipRight(report), Effect.forever, Effect.forkScoped)

    const stop = Effect.gen(function*() {
      if (ticker !== undefined) yield* Fiber.interrupt(ticker)
      const cleared = yield* clear
      if (cleared !== "") yield* Output.writeStderr(cleared)
    })

    return {
      stop,
      add: (pages, sessions, skipped = 0) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Ref.update(state, (s) => {
            const run = s.run + sessions
            return {
              pages: s.pages + pages,
              sessions: s.sessions + sessions,
              skipped: s.skipped + skipped,
              run,
              samples: [...prune(s.samples, now), { at: now, sessions: run }]
            }
          })),
      finish: (done, more = { lines: [], fields: {} }) =>
        Effect.gen(function*() {
          yield* Ref.set(finished, true)
          yield* stop
          if (ui.quiet) return
          const s = yield* snapshot
          if (ui.format === "json") {
            yield* Output.writeJson("INFO", done, { command: options.command, ...fields(s), ...more.fields, done: true })
            return
          }
          yield* Output.writeStderr(`${summary(done, s)}\n${more.lines.map((line) => `${line}\n`).join("")}`)
        }),
      snapshot
    }
  })
