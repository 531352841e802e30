/**
 * A server's hint of when to retry, read from the response headers against
 * the `Clock`'s time (so that `TestClock` controls dates):
 *
 * - `retry-after-ms`: milliseconds;
 * - `Retry-After`: delay-seconds, or an HTTP-date;
 * - `X-RateLimit-Reset` and the IETF draft's `RateLimit-Reset`: a number
 *   whose magnitude tells what it is: below 10⁹ it is seconds to wait (10⁹
 *   seconds are 31 years), from 10⁹ to below 10¹² epoch seconds (2001 to
 *   33658), from 10¹² epoch milliseconds;
 * - the IETF draft's structured `RateLimit` header: `reset=N` (drafts up to
 *   06, seconds to wait) or `t=N` (drafts 07 and later: `"policy";r=0;t=N`,
 *   where `r` is the quota remaining and `t` the seconds until it resets).
 *
 * A hint that is zero, negative, unparseable, or a date or reset already
 * past is no hint at all: it never means "retry now". The first header that
 * gives a usable hint wins, in the order above.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"

const number = /^\s*\d+(\.\d+)?\s*$/

const positive = (millis: number): Option.Option<Duration.Duration> =>
  Number.isFinite(millis) && millis >= 1 ? Option.some(Duration.millis(Math.ceil(millis))) : Option.none()

/** epoch seconds from 10⁹, epoch milliseconds from 10¹², seconds to wait below */
export const resetToMillis = (value: number, now: number): number =>
  value >= 1e12 ? value - now : value >= 1e9 ? value * 1000 - now : value * 1000

const fromRateLimitHeader = (header: string): Option.Option<number> => {
  // `limit=100, remaining=0, reset=50` or `"default";r=0;t=50` (and lists of such policies)
  const match = /(?:^|[\s,;])(?:reset|t)\s*=\s*(\d+(?:\.\d+)?)/i.exec(header)
  return match === null ? Option.none() : Option.some(Number(match[1]))
}

export const parse = (
  headers: Readonly<Record<string, string | undefined>>,
  now: number
): Option.Option<Duration.Duration> => {
  const ms = headers["retry-after-ms"]
  if (ms !== undefined && number.test(ms)) {
    const hint = positive(Number(ms))
    if (Option.isSome(hint)) return hint
  }
  const retryAfter = headers["retry-after"]
  if (retryAfter !== undefined) {
    const hint = number.test(retryAfter)
      ? positive(Number(retryAfter) * 1000)
      : /[a-z]/i.test(retryAfter)
      ? positive(Date.parse(retryAfter) - now)
      : Option.none()
    if (Option.isSome(hint)) return hint
  }
  for (const name of ["x-ratelimit-reset", "ratelimit-reset"]) {
    const reset = headers[name]
    if (reset !== undefined && number.test(reset)) {
      const hint = positive(resetToMillis(Number(reset), now))
      if (Option.isSome(hint)) return hint
    }
  }
  const structured = headers["ratelimit"]
  if (structured !== undefined) {
    const seconds = fromRateLimitHeader(structured)
    if (Option.isSome(seconds)) return positive(seconds.value * 1000)
  }
  return Option.none()
}
