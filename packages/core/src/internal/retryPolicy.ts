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
import type { OpenCxError } from "../OpenCxError.js"

/** Statuses worth another attempt (as `HttpClient.retryTransient`'s list). */
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

export const isRetryable = (error: OpenCxError): boolean => error._tag === "RateLimited" || isTransient(error)

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
  readonly rateLimitedWaited: number
}

const continueAfter = <S>(state: S, now: number, delay: number) =>
  [state, Duration.millis(delay), ScheduleDecision.continueWith(ScheduleInterval.after(now + delay))] as const

const stop = <S>(state: S) => [state, Duration.zero, ScheduleDecision.done] as const

/**
 * The default policy:
 * - transient failures: `maxRetries` retries, `baseDelay` doubling up to
 *   `maxDelay`, each delay times a random factor in [0.75, 1] (so the cap
 *   holds); a hint, when the server sends one, is the minimum wait;
 * - 429: the hint plus up to 250 ms of jitter, or without a hint 1 s doubling
 *   up to 30 s (jittered alike), while the waits of this request stay within
 *   `rateLimitBudget` (the first 429 is always retried);
 * - a hint longer than `maxRetryAfter`: no retry (the error carries it);
 * - anything else: no retry.
 */
export const schedule = (knobs: Knobs): Schedule.Schedule<Duration.Duration, OpenCxError> =>
  Schedule.makeWithState<State, OpenCxError, Duration.Duration>(
    { transient: 0, rateLimited: 0, rateLimitedWaited: 0 },
    (now, error, state) =>
      Effect.gen(function*() {
        const hint = hintOf(error)
        const hintMillis = hint === undefined ? undefined : Duration.toMillis(hint)
        if (hintMillis !== undefined && hintMillis > Duration.toMillis(knobs.maxRetryAfter)) return stop(state)
        if (error._tag === "RateLimited") {
          const delay = hintMillis !== undefined
            ? hintMillis + Math.floor(yield* Random.nextRange(0, Math.min(250, hintMillis / 10 + 1)))
            : Math.floor(Math.min(1000 * 2 ** state.rateLimited, 30_000) * (yield* Random.nextRange(0.75, 1)))
          const budget = Duration.toMillis(knobs.rateLimitBudget)
          if (state.rateLimited > 0 && state.rateLimitedWaited + delay > budget) return stop(state)
          return continueAfter(
            { ...state, rateLimited: state.rateLimited + 1, rateLimitedWaited: state.rateLimitedWaited + delay },
            now,
            delay
          )
        }
        if (!isTransient(error) || state.transient >= knobs.maxRetries) return stop(state)
        const backoff = Math.min(
          Duration.toMillis(knobs.baseDelay) * 2 ** state.transient,
          Duration.toMillis(knobs.maxDelay)
        )
        const delay = Math.max(Math.floor(backoff * (yield* Random.nextRange(0.75, 1))), hintMillis ?? 0)
        return continueAfter({ ...state, transient: state.transient + 1 }, now, delay)
      })
  )

/**
 * A user's schedule, guarded: only retryable errors are retried, a hint is
 * the minimum wait, and a hint longer than `maxRetryAfter` stops at once.
 */
export const guard = <Out, R>(
  user: Schedule.Schedule<Out, OpenCxError, R>,
  maxRetryAfter: Duration.Duration
): Schedule.Schedule<[Out, Duration.Duration], OpenCxError, R> =>
  Schedule.intersect(
    user,
    Schedule.makeWithState<undefined, OpenCxError, Duration.Duration>(undefined, (now, error, state) => {
      const hint = hintOf(error)
      if (!isRetryable(error) || (hint !== undefined && Duration.greaterThan(hint, maxRetryAfter))) {
        return Effect.succeed(stop(state))
      }
      return Effect.succeed(continueAfter(state, now, hint === undefined ? 0 : Duration.toMillis(hint)))
    })
  )
