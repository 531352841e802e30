/**
 * Which errors are retried, and when.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleInterval from "effect/ScheduleInterval"
import type { OpenCxError } from "../../OpenCxError.js"

/** Statuses worth another attempt (as `HttpClient.retryTransient`'s list, 429 aside). */
const transientStatuses: ReadonlySet<number> = new Set([408, 500, 502, 503, 504])

/** Transport failures, timeouts, 408, 500, 502, 503 and 504. */
export const isTransient = (error: OpenCxError): boolean => {
  switch (error._tag) {
    case "Transport":
    case "Timeout":
      return true
    case "ServerError":
    case "BadRequest":
      return transientStatuses.has(error.status)
    default:
      return false
  }
}

/**
 * Whether an error may be retried. A read is retried on a 429 and on any
 * transient failure. A write only when the server cannot have acted on it:
 * a 429 (refused), or a connection that failed before the request was sent.
 */
export const isRetryable = (error: OpenCxError, idempotent = true): boolean =>
  error._tag === "RateLimited" ||
  (idempotent ? isTransient(error) : error._tag === "Transport" && error.requestSent === false)

const hintOf = (error: OpenCxError): Duration.Duration | undefined =>
  "retryAfter" in error ? error.retryAfter : undefined

export interface Knobs {
  readonly maxRetries: number
  readonly baseDelay: Duration.Duration
  readonly maxDelay: Duration.Duration
  readonly maxRetryAfter: Duration.Duration
  readonly rateLimitBudget: Duration.Duration
}

interface State {
  readonly transient: number
  readonly rateLimited: number
  /** milliseconds waited so far between this request's attempts */
  readonly waited: number
}

const continueAfter = <S>(state: S, now: number, delay: number) =>
  [state, Duration.millis(delay), ScheduleDecision.continueWith(ScheduleInterval.after(now + delay))] as const

const stop = <S>(state: S) => [state, Duration.zero, ScheduleDecision.done] as const

/** 1 s doubling up to 30 s: the wait for a 429, at the least */
const rateLimitBackoff = (retry: number) => Math.min(1000 * 2 ** retry, 30_000)

/**
 * The default policy, for one request:
 * - a hint (`Retry-After`, `X-RateLimit-Reset`, …) is only ever a minimum
 *   wait; hints of zero, in the past or unparseable never reach here (they
 *   are no hint); a hint longer than `maxRetryAfter` stops at once (the
 *   error carries it);
 * - 429: wait the larger of the hint (plus up to 250 ms of jitter) and 1 s
 *   doubling up to 30 s (times a random factor in [0.75, 1]);
 * - transient failures (idempotent requests only): `maxRetries` retries,
 *   `baseDelay` doubling up to `maxDelay`, each times a random factor in
 *   [0.75, 1], or the hint when it is longer;
 * - every wait counts against `rateLimitBudget`: a retry whose wait would
 *   take the request's total past it is not made (except the first retry of
 *   a 429, whose wait is at most `maxRetryAfter`). With the defaults a
 *   request makes at most 6 retries of 429s and 2 of transient failures,
 *   whatever the server says;
 * - anything else: no retry.
 */
export const schedule = (
  knobs: Knobs,
  options: { readonly idempotent: boolean }
): Schedule.Schedule<Duration.Duration, OpenCxError> =>
  Schedule.makeWithState<State, OpenCxError, Duration.Duration>(
    { transient: 0, rateLimited: 0, waited: 0 },
    (now, error, state) =>
      Effect.gen(function*() {
        if (!isRetryable(error, options.idempotent)) return stop(state)
        const hint = hintOf(error)
        const hintMillis = hint === undefined ? undefined : Duration.toMillis(hint)
        if (hintMillis !== undefined && hintMillis > Duration.toMillis(knobs.maxRetryAfter)) return stop(state)
        const budget = Duration.toMillis(knobs.rateLimitBudget)
        if (error._tag === "RateLimited") {
          const backoff = Math.floor(rateLimitBackoff(state.rateLimited) * (yield* Random.nextRange(0.75, 1)))
          const delay = hintMillis === undefined
            ? backoff
            : Math.max(backoff, hintMillis + Math.floor(yield* Random.nextRange(0, Math.min(250, hintMillis / 10 + 1))))
          if (state.rateLimited > 0 && state.waited + delay > budget) return stop(state)
          return continueAfter(
            { ...state, rateLimited: state.rateLimited + 1, waited: state.waited + delay },
            now,
            delay
          )
        }
        if (state.transient >= knobs.maxRetries) return stop(state)
        const backoff = Math.min(
          Duration.toMillis(knobs.baseDelay) * 2 ** state.transient,
          Duration.toMillis(knobs.maxDelay)
        )
        const delay = Math.max(Math.floor(backoff * (yield* Random.nextRange(0.75, 1))), hintMillis ?? 0)
        if (state.waited + delay > budget) return stop(state)
        return continueAfter({ ...state, transient: state.transient + 1, waited: state.waited + delay }, now, delay)
      })
  )

/**
 * A user's schedule, guarded: only retryable errors are retried, a hint is
 * the minimum wait, and a hint longer than `maxRetryAfter` stops at once.
 */
export const guard = <Out, R>(
  user: Schedule.Schedule<Out, OpenCxError, R>,
  options: { readonly maxRetryAfter: Duration.Duration; readonly idempotent: boolean }
): Schedule.Schedule<[Out, Duration.Duration], OpenCxError, R> =>
  Schedule.intersect(
    user,
    Schedule.makeWithState<undefined, OpenCxError, Duration.Duration>(undefined, (now, error, state) => {
      const hint = hintOf(error)
      if (!isRetryable(error, options.idempotent) || (hint !== undefined && Duration.greaterThan(hint, options.maxRetryAfter))) {
        return Effect.succeed(stop(state))
      }
      return Effect.succeed(continueAfter(state, now, hint === undefined ? 0 : Duration.toMillis(hint)))
    })
  )
