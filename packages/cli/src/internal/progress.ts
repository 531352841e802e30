/**
 * Progress on stderr: a live line when stderr is a terminal (pages,
 * sessions, sessions per second, retries, rate-limit waits), a one-line
 * summary at the end either way; nothing with `--quiet`.
 *
 * @internal
 */
import { SessionsService } from "@opencx-effect/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"

export interface Progress {
  /** pages and sessions done, and sessions skipped because the page before had them */
  readonly add: (pages: number, sessions: number, skipped?: number) => Effect.Effect<void>
  /** stops the live line and prints the summary, prefixed by `done` */
  readonly finish: (done: string) => Effect.Effect<void>
}

const number = (n: number) => Math.round(n).toLocaleString("en-US")

export const writeStderr = (text: string) => Effect.sync(() => void process.stderr.write(text))

export const make = (options: { readonly quiet: boolean; readonly verb: string }): Effect.Effect<Progress, never, Scope.Scope> =>
  Effect.gen(function*() {
    const counts = yield* Ref.make({ pages: 0, sessions: 0, skipped: 0 })
    const start = yield* Clock.currentTimeMillis
    const retries0 = (yield* Metric.value(SessionsService.metrics.retries)).count
    const waits0 = (yield* Metric.value(SessionsService.metrics.rateLimitWaitMillis)).count
    const live = !options.quiet && process.stderr.isTTY === true

    const line = Effect.gen(function*() {
      const { pages, sessions, skipped } = yield* Ref.get(counts)
      const seconds = Math.max(0.001, ((yield* Clock.currentTimeMillis) - start) / 1000)
      const retries = (yield* Metric.value(SessionsService.metrics.retries)).count - retries0
      const waited = ((yield* Metric.value(SessionsService.metrics.rateLimitWaitMillis)).count - waits0) / 1000
      return `${number(sessions)} sessions in ${number(pages)} pages, ${seconds.toFixed(1)} s (${
        number(sessions / seconds)
      }/s), ${number(retries)} retries, ${waited.toFixed(1)} s waiting for the rate limit${
        skipped === 0 ? "" : `, ${number(skipped)} repeated sessions skipped`
      }`
    })

    if (live) {
      yield* line.pipe(
        Effect.flatMap((text) => writeStderr(`\r\x1b[2K${options.verb}: ${text}`)),
        Effect.repeat(Schedule.spaced("250 millis")),
        Effect.forkScoped
      )
    }

    return {
      add: (pages, sessions, skipped = 0) =>
        Ref.update(counts, (c) => ({ pages: c.pages + pages, sessions: c.sessions + sessions, skipped: c.skipped + skipped })),
      finish: (done) =>
        options.quiet ? Effect.void : Effect.flatMap(line, (text) => writeStderr(`${live ? "\r\x1b[2K" : ""}${done}: ${text}\n`))
    }
  })
