/**
 * The stats tables: proportional bars (Unicode, or ASCII), the time table
 * by month (or week, or day) with its gaps, never more than a screenful.
 */
import { describe, expect, it } from "@effect/vitest"
import { FakeOpenCx } from "@opencx-effect/core"
import { Effect } from "effect"
import * as Stats from "../src/internal/stats.js"

const statsOf = (count: number) =>
  Effect.gen(function*() {
    const fake = yield* FakeOpenCx.FakeOpenCx
    return (yield* fake.sessions).reduce(Stats.add, Stats.empty())
  }).pipe(Effect.provide(FakeOpenCx.layer({ generate: { count, seed: 5 } })))

describe("stats tables", () => {
  it.effect("by month by default: one row per month from the first to the last, bars proportional to the largest", () =>
    Effect.gen(function*() {
      const stats = yield* statsOf(2_000)
      const text = Stats.table(stats, { by: "month", ascii: false, filters: "" })
      const lines = text.split("\n")
      expect(lines[0]).toBe("sessions: 2,000")
      expect(lines[1]).toBe(`first seen: ${stats.first_seen}, last seen: ${stats.last_seen} (created_at)`)
      const months = Stats.timeline(stats, "month")
      expect(months.length).toBeLessThanOrEqual(Stats.maxTimeRows)
      expect(text).toContain("month (created_at, UTC)")
      for (const [month, count] of months) expect(text).toMatch(new RegExp(`\\n${month}\\s+${count.toLocaleString("en-US")}\\s`))
      // the largest count of a table has the full bar; the others are shorter
      const statusRows = lines.slice(lines.indexOf(lines.find((l) => l.startsWith("status"))!) + 1).filter((l) => /^(open|closed)/.test(l))
      expect(statusRows[0]).toMatch(/█{24}$/)
      expect(statusRows.at(-1)).not.toMatch(/█{24}$/)
      expect(text).not.toContain("#")
      expect(lines.length).toBeLessThan(80)
    }))

  it.effect("--ascii: bars of #, no Unicode", () =>
    Effect.gen(function*() {
      const text = Stats.table(yield* statsOf(300), { by: "month", ascii: true, filters: "status open" })
      expect(text).toMatch(/^sessions: 300 \(status open\)\n/)
      expect(text).toMatch(/#{24}\n/)
      expect(text).toMatch(/^[\x20-\x7e\n]*$/) // ASCII only
    }))

  it.effect("--by week: Mondays; --by day: the last rows only, saying how many are left out", () =>
    Effect.gen(function*() {
      const stats = yield* statsOf(2_000)
      const weeks = Stats.timeline(stats, "week")
      for (const [monday] of weeks) expect(new Date(`${monday}T00:00:00Z`).getUTCDay()).toBe(1)
      expect(weeks.reduce((n, [, count]) => n + count, 0)).toBe(2_000)
      const days = Stats.timeline(stats, "day")
      expect(days.length).toBeGreaterThan(700) // two years of days, gaps included
      const text = Stats.table(stats, { by: "day", ascii: false, filters: "" })
      const dayRows = text.split("\n").filter((line) => /^\d{4}-\d{2}-\d{2}\s/.test(line))
      expect(dayRows).toHaveLength(Stats.maxTimeRows)
      expect(dayRows.at(-1)).toMatch(new RegExp(`^${days.at(-1)![0]}`))
      expect(text).toContain(`(${(days.length - Stats.maxTimeRows).toLocaleString("en-US")} earlier days not shown: --by week or month`)
    }))

  it("weeks start on Monday (UTC)", () => {
    expect(Stats.weekOf("2025-03-02")).toBe("2025-02-24") // a Sunday
    expect(Stats.weekOf("2025-03-03")).toBe("2025-03-03") // a Monday
    expect(Stats.weekOf("2025-01-01")).toBe("2024-12-30")
  })

  it("no session: one line says so", () => {
    expect(Stats.table(Stats.empty(), { by: "month", ascii: false, filters: "" })).toBe("sessions: 0\nNo session matches.\n")
  })

  it("a count that is not 0 always has a sliver of a bar", () => {
    expect(Stats.bar(1, 10_000, false)).toBe("▏")
    expect(Stats.bar(1, 10_000, true)).toBe("#")
    expect(Stats.bar(0, 10, false)).toBe("")
  })
})

describe("events per session (--with-history)", () => {
  const countsOf = (events: ReadonlyArray<number>) => events.reduce(Stats.addEvents, Stats.emptyEventCounts())

  it("the median from a histogram of counts: the middle one, or the mean of the two middle ones", () => {
    expect(Stats.median(countsOf([]))).toBeNull()
    expect(Stats.median(countsOf([7]))).toBe(7)
    expect(Stats.median(countsOf([9, 2, 4]))).toBe(4)
    expect(Stats.median(countsOf([2, 4, 6, 100]))).toBe(5)
    expect(Stats.median(countsOf([3, 3, 3, 8]))).toBe(3)
  })

  it("memory holds one counter per distinct count, never the events", () => {
    const counts = countsOf(Array.from({ length: 100_000 }, (_, i) => 2 + (i % 12)))
    expect(counts.histogram.size).toBe(12)
    expect(counts.sessions).toBe(100_000)
    expect(Stats.eventsJson(counts)).toMatchObject({ sessions: 100_000, min: 2, max: 13, median: 7 })
  })

  it.effect("a line in the table, after first and last seen", () =>
    Effect.gen(function*() {
      const stats = yield* statsOf(3)
      const text = Stats.table(stats, { by: "month", ascii: true, filters: "", events: countsOf([2, 4, 1_200]) })
      expect(text.split("\n")[2]).toBe("events per session: median 4 (min 2, max 1,200; 1,206 events in all)")
      expect(Stats.table(stats, { by: "month", ascii: true, filters: "" })).not.toContain("events per session")
    }))
})
