/**
 * The dates people type (`7d`, `24h`, `90m`, `yesterday`, `today`, ISO
 * 8601), read against Effect's Clock: under TestClock, "now" is what the
 * test says.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import * as Dates from "../src/internal/dates.js"
import * as Flags from "../src/internal/flags.js"

const now = Date.parse("2026-11-29T23:00:00.000Z")

const at = (text: string) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(now)
    return yield* Effect.either(Dates.parse(text))
  })

describe("relative dates, against TestClock", () => {
  it.effect.each([
    ["7d", "2026-11-22T23:00:00.000Z"],
    ["24h", "2026-11-28T23:00:00.000Z"],
    ["90m", "2026-11-29T21:30:00.000Z"],
    ["2w", "2026-11-15T23:00:00.000Z"],
    ["0d", "2026-11-29T23:00:00.000Z"],
    ["today", "2026-11-29T00:00:00.000Z"],
    ["yesterday", "2026-11-28T00:00:00.000Z"],
    ["Yesterday", "2026-11-28T00:00:00.000Z"],
    [" 7d ", "2026-11-22T23:00:00.000Z"]
  ])("%s is %s", ([text, instant]) =>
    Effect.gen(function*() {
      const parsed = yield* at(text)
      expect(parsed).toEqual(Either.right({ input: text.trim(), value: instant, relative: true }))
    }))

  it.effect("the same text moves with the clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const before = yield* Dates.parse("24h")
      yield* TestClock.adjust("36 hours")
      const after = yield* Dates.parse("24h")
      expect(before.value).toBe("2026-11-28T23:00:00.000Z")
      expect(after.value).toBe("2026-11-30T11:00:00.000Z")
      expect((yield* Dates.parse("today")).value).toBe("2026-12-01T00:00:00.000Z")
    }))

  it.effect.each(["2025-01-31", "2025-01-31T12:00:00Z", "2025-01-31T12:00:00.123+02:00", "2025-02-30"])(
    "%s (ISO 8601) is kept as typed, for ListChatSessionsParams to check",
    (text) =>
      Effect.gen(function*() {
        expect(yield* at(text)).toEqual(Either.right({ input: text, value: text, relative: false }))
      })
  )

  it.effect.each(["last tuesday", "tomorrow", "12/31/2024", "7 days", "-7d", "7y", "now", ""])("%j is refused, saying what is taken", (text) =>
    Effect.gen(function*() {
      const parsed = yield* at(text)
      expect(Either.isLeft(parsed) ? parsed.left : "accepted").toContain("7d, 24h, 90m")
    }))

  it("the summary echoes the instant, and the relative form it came from", () => {
    expect(Dates.echo("2026-11-22T23:00:00.000Z", { input: "7d", value: "2026-11-22T23:00:00.000Z", relative: true }))
      .toBe("2026-11-22T23:00:00.000Z (7d)")
    expect(Dates.echo("2025-01-31T00:00:00.000Z", { input: "2025-01-31", value: "2025-01-31", relative: false }))
      .toBe("2025-01-31T00:00:00.000Z")
  })
})

describe("a date flag", () => {
  it("is shown as DATE, and checked before parsing with a message naming it", () => {
    const flag = Flags.date("created-after", { group: "Filters", description: "only sessions created after DATE" })
    expect(flag.value).toBe("DATE")
    expect(flag.check("7d")).toBeUndefined()
    expect(flag.check("2025-01-31")).toBeUndefined()
    expect(flag.check("last tuesday")).toMatch(/^Invalid --created-after: expected an ISO 8601 date .* got "last tuesday"$/)
  })
})
