/**
 * Timestamps: ISO 8601 / RFC 3339 parsing without `Date.parse` on the hot path,
 * and the Schemas that turn them into `DateTime.Utc`.
 *
 * @internal
 */
import * as DateTime from "effect/DateTime"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * RFC 3339 `date-time` (what JSON Schema's `format: date-time` means): a full
 * date, `T`, a time with optional fraction, and a mandatory offset (`Z` or
 * `±hh:mm`). Its groups have the same layout as `iso8601Pattern`'s.
 */
export const rfc3339Pattern =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/

/**
 * ISO 8601 as users write it in filters: a date alone (midnight UTC), or a
 * date and time with optional seconds and fraction, and an optional offset
 * (UTC when absent).
 */
const iso8601Pattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/

const daysInMonth = (year: number, month: number): number =>
  month === 2
    ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28)
    : month === 4 || month === 6 || month === 9 || month === 11
    ? 30
    : 31

const fromParts = (m: RegExpExecArray): number | undefined => {
  const year = +m[1]!
  const month = +m[2]!
  const day = +m[3]!
  const hour = m[4] === undefined ? 0 : +m[4]
  const minute = m[5] === undefined ? 0 : +m[5]
  const second = m[6] === undefined ? 0 : +m[6]
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  // 24:00 is not accepted; a leap second (60) is folded into the next second by Date.UTC.
  if (hour > 23 || minute > 59 || second > 60) return undefined
  const fraction = m[7]
  const millis = fraction === undefined ? 0 : Math.floor(+(fraction + "00").slice(0, 3))
  let offset = 0
  if (m[9] !== undefined) {
    const oh = +m[10]!
    const om = +m[11]!
    if (oh > 23 || om > 59) return undefined
    offset = (m[9] === "-" ? -1 : 1) * (oh * 60 + om) * 60_000
  }
  const epoch = Date.UTC(year, month - 1, day, hour, minute, second, millis)
  // Date.UTC maps years 0..99 to 1900..1999; set the full year explicitly.
  const fixed = year < 100 ? new Date(epoch).setUTCFullYear(year) : epoch
  return fixed - offset
}

/**
 * Parses an RFC 3339 date-time into epoch milliseconds, or `undefined`.
 */
export const parseRfc3339 = (input: string): number | undefined => {
  const m = rfc3339Pattern.exec(input)
  return m === null ? undefined : fromParts(m)
}

/**
 * Parses an ISO 8601 date or date-time into epoch milliseconds, or `undefined`.
 */
export const parseIso8601 = (input: string): number | undefined => {
  const m = iso8601Pattern.exec(input)
  return m === null ? undefined : fromParts(m)
}

/**
 * Parses what a tolerant reader accepts: any ISO 8601 form (an impossible
 * date such as February 30th is refused, not rolled over), else whatever
 * `Date.parse` understands.
 */
export const parseLenient = (input: string): number | undefined => {
  const m = iso8601Pattern.exec(input)
  if (m !== null) return fromParts(m)
  const slow = Date.parse(input)
  return Number.isNaN(slow) ? undefined : slow
}

const minArbitraryDate = new Date("1970-01-01T00:00:00.000Z")
const maxArbitraryDate = new Date("2099-12-31T23:59:59.999Z")

/**
 * `DateTime.Utc`, with an arbitrary that stays within years 1970..2099 so that
 * generated values survive an ISO 8601 round trip.
 */
export const Utc = Schema.DateTimeUtcFromSelf.annotations({
  arbitrary: () => (fc) =>
    fc.date({ min: minArbitraryDate, max: maxArbitraryDate, noInvalidDate: true }).map(DateTime.unsafeFromDate)
})

const makeUtc = (millis: number): DateTime.Utc => DateTime.unsafeMake(millis)

/**
 * An RFC 3339 `date-time` string, checked, annotated as `format: date-time`.
 */
export const Rfc3339String = Schema.String.pipe(
  Schema.filter((s) => parseRfc3339(s) !== undefined, {
    message: (issue) => `Expected an RFC 3339 date-time (e.g. 2025-01-31T12:00:00Z), got ${JSON.stringify(issue.actual)}`,
    jsonSchema: { format: "date-time" },
    arbitrary: () => (fc) =>
      fc.date({ min: minArbitraryDate, max: maxArbitraryDate, noInvalidDate: true }).map((d) => d.toISOString())
  })
).annotations({ identifier: "DateTimeString" })

/**
 * Strict: an RFC 3339 string ⇄ `DateTime.Utc`.
 */
export const DateTimeUtcFromRfc3339 = Schema.transformOrFail(Rfc3339String, Utc, {
  strict: true,
  decode: (s, _, ast) => {
    const millis = parseRfc3339(s)
    return millis === undefined
      ? ParseResult.fail(new ParseResult.Type(ast, s, `Expected an RFC 3339 date-time, got ${JSON.stringify(s)}`))
      : ParseResult.succeed(makeUtc(millis))
  },
  encode: (dt) => ParseResult.succeed(DateTime.formatIso(dt))
})

/**
 * Tolerant: any parseable date-time string ⇄ `DateTime.Utc`.
 */
export const DateTimeUtcFromLenientString = Schema.transformOrFail(Schema.String, Utc, {
  strict: true,
  decode: (s, _, ast) => {
    const millis = parseLenient(s)
    return millis === undefined
      ? ParseResult.fail(new ParseResult.Type(ast, s, `Expected a date-time, got ${JSON.stringify(s)}`))
      : ParseResult.succeed(makeUtc(millis))
  },
  encode: (dt) => ParseResult.succeed(DateTime.formatIso(dt))
})
