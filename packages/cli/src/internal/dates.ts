/**
 * The dates people type for `--created-after`, `--updated-after`, their
 * `…-before`s and `--since`: an ISO 8601 date or date-time, or a time
 * relative to now, read from Effect's `Clock` (so tests set it with
 * `TestClock`):
 *
 * - `7d`, `24h`, `90m`, `2w`: that many days, hours, minutes or weeks ago
 *   (`m` is minutes; there are no months, whose length varies);
 * - `today`, `yesterday`: midnight UTC of this day, of the day before.
 *
 * An ISO 8601 text is kept as typed: `ListChatSessionsParams` checks it
 * (a February 30th is refused there, naming the flag) and sends it as UTC.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"

/** A date filter as typed, and the value sent for it. */
export interface DateInput {
  /** what was typed: `7d`, `2025-01-31` */
  readonly input: string
  /** what is sent: the instant, for a relative form (`toISOString`); the text as typed, for ISO 8601 */
  readonly value: string
  /** the input was relative to now (`7d`, `yesterday`) */
  readonly relative: boolean
}

/** The forms, for help and messages. */
export const forms = "an ISO 8601 date or date-time (2025-01-31, 2025-01-31T12:00:00Z), or a time relative to now: 7d, 24h, 90m, 2w, yesterday, today (UTC)"

const units: Record<string, number> = {
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000
}

const relative = /^(\d{1,6})\s*(m|min|h|d|w)$/
/** what looks like an ISO 8601 date, to be checked in full by ListChatSessionsParams */
const isoLike = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i

const midnight = (millis: number) => {
  const day = new Date(millis)
  return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate())
}

/**
 * Reads a date as typed, at `now` (epoch milliseconds). Left: what is
 * wrong, for a message that names the flag.
 */
export const parseAt = (text: string, now: number): Either.Either<DateInput, string> => {
  const input = text.trim()
  const lower = input.toLowerCase()
  const at = (millis: number): Either.Either<DateInput, string> =>
    Either.right({ input, value: new Date(millis).toISOString(), relative: true })
  if (lower === "today") return at(midnight(now))
  if (lower === "yesterday") return at(midnight(now) - units.d!)
  const match = relative.exec(lower)
  if (match !== null) return at(now - Number(match[1]) * units[match[2]!]!)
  if (isoLike.test(input)) return Either.right({ input, value: input, relative: false })
  return Either.left(`expected ${forms}, got ${JSON.stringify(text)}`)
}

/** Reads a date as typed, relative to the `Clock`'s now. */
export const parse = (text: string): Effect.Effect<DateInput, string> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => Either.match(parseAt(text, now), {
    onLeft: Effect.fail,
    onRight: Effect.succeed
  }))

/**
 * How a filter is echoed back: the instant sent, and the relative form it
 * came from (`2026-11-22T23:00:00.000Z (7d)`).
 */
export const echo = (sent: string, input: DateInput | undefined): string =>
  input !== undefined && input.relative ? `${sent} (${input.input})` : sent
