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
  const fast = parseCanonical(input)
  if (fast !== undefined) return fast
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

const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48
  return c >= 0 && c <= 9 ? c : -1
}

/**
 * The common case without a regex: `YYYY-MM-DDTHH:MM:SSZ` or
 * `YYYY-MM-DDTHH:MM:SS.sssZ` (what the API and `toISOString` write).
 * Returns `undefined` for anything else, which the general parser handles.
 */
const parseCanonical = (s: string): number | undefined => {
  const n = s.length
  if ((n !== 20 && n !== 24) || s.charCodeAt(n - 1) !== 90 /* Z */) return undefined
  if (
    s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58
  ) return undefined
  let millis = 0
  if (n === 24) {
    const a = digit(s, 20), b = digit(s, 21), c = digit(s, 22)
    if (s.charCodeAt(19) !== 46 || a < 0 || b < 0 || c < 0) return undefined
    millis = a * 100 + b * 10 + c
  }
  const y0 = digit(s, 0), y1 = digit(s, 1), y2 = digit(s, 2), y3 = digit(s, 3)
  const mo0 = digit(s, 5), mo1 = digit(s, 6), d0 = digit(s, 8), d1 = digit(s, 9)
  const h0 = digit(s, 11), h1 = digit(s, 12), mi0 = digit(s, 14), mi1 = digit(s, 15), s0 = digit(s, 17), s1 = digit(s, 18)
  if ((y0 | y1 | y2 | y3 | mo0 | mo1 | d0 | d1 | h0 | h1 | mi0 | mi1 | s0 | s1) < 0) return undefined
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3
  const month = mo0 * 10 + mo1
  const day = d0 * 10 + d1
  const hour = h0 * 10 + h1
  const minute = mi0 * 10 + mi1
  const second = s0 * 10 + s1
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 60) return undefined
  return Date.UTC(year, month - 1, day, hour, minute, second, millis)
}

/**
 * Parses what a tolerant reader accepts: every ISO 8601 form (an impossible
 * date such as February 30th is refused, not rolled over), else whatever
 * `Date.parse` understands.
 */
export const parseLenient = (input: string): number | undefined => {
  const fast = parseCanonical(input)
  if (fast !== undefined) return fast
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
 * Tolerant: a date-time string that parses ⇄ `DateTime.Utc`.
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
