/**
 * Reads a server's hint of when to retry: `Retry-After` (delay-seconds or an
 * HTTP-date), `retry-after-ms`, `X-RateLimit-Reset` / `RateLimit-Reset`
 * (seconds from now, or an epoch time in seconds when it is that large).
 * Dates are read against the `Clock`'s time, so `TestClock` controls them.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"

const number = /^\s*\d+(\.\d+)?\s*$/

export const parse = (headers: Readonly<Record<string, string>>, now: number): Option.Option<Duration.Duration> => {
  const ms = headers["retry-after-ms"]
  if (ms !== undefined && number.test(ms)) return Option.some(Duration.millis(Math.ceil(Number(ms))))
  const retryAfter = headers["retry-after"]
  if (retryAfter !== undefined) {
    if (number.test(retryAfter)) return Option.some(Duration.millis(Math.ceil(Number(retryAfter) * 1000)))
    const date = Date.parse(retryAfter)
    if (!Number.isNaN(date)) return Option.some(Duration.millis(Math.max(0, date - now)))
  }
  const reset = headers["x-ratelimit-reset"] ?? headers["ratelimit-reset"]
  if (reset !== undefined && number.test(reset)) {
    const value = Number(reset)
    // an epoch time in seconds is larger than any sensible delay
    const millis = value > 1e9 ? value * 1000 - now : value * 1000
    return Option.some(Duration.millis(Math.max(0, Math.ceil(millis))))
  }
  return Option.none()
}
