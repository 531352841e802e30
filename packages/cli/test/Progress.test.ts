/**
 * The progress lines, from snapshots of a walk: the current rate (not the
 * average since the start), countdowns, the bar and the ETA, plain lines
 * and JSON fields.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Progress from "../src/internal/progress.js"

const snapshot = (fields: Partial<Progress.Snapshot> = {}): Progress.Snapshot => ({
  pages: 50,
  sessions: 1_250,
  skipped: 0,
  runSessions: 1_250,
  elapsed: 64_000,
  rate: 310,
  etaRate: 300,
  retries: 0,
  waited: 0,
  waiting: undefined,
  total: undefined,
  ...fields
})

describe("the current rate", () => {
  const samples: Array<Progress.Sample> = [
    { at: 0, sessions: 0 },
    { at: 1_000, sessions: 1_000 },
    { at: 2_000, sessions: 2_000 },
    { at: 10_000, sessions: 2_100 },
    { at: 11_000, sessions: 2_200 }
  ]

  it("is over the last few seconds, not since the start", () => {
    // the start averaged 200/s; the last 5 s, 100 sessions in 5 s
    expect(Progress.rateOver(samples, 12_000, Progress.rateWindow)).toBeCloseTo((2_200 - 2_000) / 10, 5)
    expect(Progress.rateOver(samples, 14_000, Progress.rateWindow)).toBeCloseTo((2_200 - 2_000) / 12, 5)
  })

  it("falls to 0 while nothing comes (a wait for the rate limit)", () => {
    expect(Progress.rateOver(samples, 60_000, Progress.rateWindow)).toBe(0)
  })

  it("is unknown in the first second", () => {
    expect(Progress.rateOver([{ at: 0, sessions: 0 }, { at: 400, sessions: 100 }], 500, Progress.rateWindow)).toBeUndefined()
  })

  it("keeps the samples of the last minute, and the one before", () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ at: i * 1_000, sessions: i * 10 }))
    const kept = Progress.prune(many, 199_000)
    expect(kept[0]!.at).toBe(139_000)
    expect(Progress.rateOver(kept, 199_000, Progress.etaWindow)).toBeCloseTo(10, 5)
  })
})

describe("the live line", () => {
  it("without a total: counts, rate, elapsed time, retries", () => {
    expect(Progress.liveLine("exporting", snapshot({ retries: 1 }), undefined)).toBe(
      "exporting · 1,250 sessions · 50 pages · 310/s · 1m04s · 1 retry"
    )
  })

  it("while a request waits: a countdown, from the gauges", () => {
    expect(Progress.liveLine("exporting", snapshot({ rate: 0, waiting: { for: "rate limit", millis: 40_200 } }), undefined))
      .toBe("exporting · 1,250 sessions · 50 pages · waiting 41 s for the rate limit · 0.0/s · 1m04s · 0 retries")
    expect(Progress.liveLine("counting", snapshot({ waiting: { for: "retry", millis: 300 } }), undefined))
      .toContain("· retrying in 1 s ·")
  })

  it("with a total: a bar, the share and an ETA at the rate of the last minute", () => {
    const line = Progress.liveLine("exporting", snapshot({ total: { sessions: 3_000, source: "limit" } }), undefined)
    expect(line).toBe(
      "exporting [████████▍           ] 41% · 1,250 of 3,000 sessions · 50 pages · 310/s · 1m04s · ETA 6s · 0 retries"
    )
    expect(Progress.eta(snapshot({ total: { sessions: 3_000, source: "limit" } }))).toBeCloseTo((1_750 / 300) * 1_000, 5)
  })

  it("a previous run's count is an estimate (~), never 100% before the end, dropped once passed", () => {
    const estimate = { sessions: 1_250, source: "previous run" } as const
    expect(Progress.liveLine("counting", snapshot({ total: estimate }), undefined)).toMatch(/^counting \[.{20}\] 99% · 1,250 of ~1,250 sessions/)
    expect(Progress.liveLine("counting", snapshot({ sessions: 1_300, total: estimate }), undefined)).toMatch(/^counting · 1,300 sessions/)
  })

  it("is cut to the terminal's width", () => {
    const line = Progress.liveLine("exporting", snapshot({ waiting: { for: "rate limit", millis: 9_000 } }), 40)
    expect([...line]).toHaveLength(39)
    expect(line.endsWith("…")).toBe(true)
  })

  it("bars in eighths, or ASCII", () => {
    expect(Progress.bar(0.5, 10, true)).toBe("█████     ")
    expect(Progress.bar(0.05, 10, true)).toBe("▌         ")
    expect(Progress.bar(0.5, 10, false)).toBe("#####-----")
    expect(Progress.bar(1.5, 4, true)).toBe("████")
  })

  it("durations", () => {
    expect([0, 4_400, 59_600, 65_000, 3_723_000].map(Progress.duration)).toEqual(["0s", "4s", "1m00s", "1m05s", "1h02m"])
  })
})

describe("lines for a log, and JSON", () => {
  it("a plain line says the same in words", () => {
    expect(Progress.plainLine("exporting", snapshot({ waiting: { for: "rate limit", millis: 41_000 }, total: { sessions: 3_000, source: "limit" } })))
      .toBe("exporting: 1,250 sessions in 50 pages, 1m04s elapsed, 310/s now, 0 retries, waiting 41 s for the rate limit, 41% of 3,000, ETA 6s")
  })

  it("JSON fields are numbers (or null when not known)", () => {
    const fields = Progress.fields(snapshot({ waiting: { for: "rate limit", millis: 40_200 }, total: { sessions: 3_000, source: "limit" } }))
    expect(fields).toEqual({
      sessions: 1_250,
      pages: 50,
      skipped: 0,
      sessionsThisRun: 1_250,
      elapsedSeconds: 64,
      rate: 310,
      retries: 0,
      rateLimitWaitSeconds: 0,
      waitingFor: "rate limit",
      waitingSeconds: 41,
      total: 3_000,
      totalIsEstimate: false,
      percent: 41.6,
      etaSeconds: 6
    })
  })

  it("the summary of a resumed export counts the whole export, and says how much this run did", () => {
    expect(Progress.summary("exported to out.ndjson", snapshot({ runSessions: 250, elapsed: 2_000 }))).toBe(
      "exported to out.ndjson: 1,250 sessions in 50 pages (250 in this run), 2.0 s (125/s), 0 retries, 0.0 s waiting for the rate limit"
    )
  })
})

describe("with --with-history: requests, and the time the rate limit makes the rest take", () => {
  // 1,250 sessions done with 4,000 requests (3.2 a session), 3,000 in all, at 100 requests a minute
  const history = (fields: Partial<Progress.Snapshot> = {}) =>
    snapshot({ requests: 4_000, requestLimit: 100, total: { sessions: 3_000, source: "limit" }, ...fields })

  it("requests per session × sessions left ÷ the limit per minute", () => {
    expect(Progress.requestsPerSession(history())).toBeCloseTo(3.2, 10)
    expect(Progress.rateLimitEta(history())).toBeCloseTo((1_750 * 3.2 * 60_000) / 100, 5) // 56 minutes
  })

  it("no estimate without a total, a limit, counted requests, or a session done", () => {
    expect(Progress.rateLimitEta(history({ total: undefined }))).toBeUndefined()
    expect(Progress.rateLimitEta(history({ requestLimit: undefined }))).toBeUndefined()
    expect(Progress.rateLimitEta(history({ requests: undefined }))).toBeUndefined()
    expect(Progress.rateLimitEta(history({ runSessions: 0, sessions: 0 }))).toBeUndefined()
  })

  it("the ETA is never less than the rate limit allows", () => {
    // the last minute's rate (300/s) would say 6 s; the limit says 56 minutes
    expect(Progress.eta(history())).toBeCloseTo((1_750 * 3.2 * 60_000) / 100, 5)
    // with no limit, the rate of the last minute
    expect(Progress.eta(history({ requestLimit: undefined }))).toBeCloseTo((1_750 / 300) * 1_000, 5)
  })

  it("the live line adds the requests and keeps its fields; the plain line says the estimate", () => {
    expect(Progress.liveLine("exporting", history({ total: undefined }), undefined)).toBe(
      "exporting · 1,250 sessions · 50 pages · 4,000 requests · 310/s · 1m04s · 0 retries"
    )
    expect(Progress.plainLine("exporting", history())).toBe(
      "exporting: 1,250 sessions in 50 pages, 1m04s elapsed, 310/s now, 0 retries, 4,000 requests (3.2 a session), 41% of 3,000, ETA 56m00s, at 100 requests a minute the rest takes at least 56m00s"
    )
    expect(Progress.plainLine("exporting", history({ total: undefined }))).toBe(
      "exporting: 1,250 sessions in 50 pages, 1m04s elapsed, 310/s now, 0 retries, 4,000 requests (3.2 a session)"
    )
  })

  it("JSON fields and the summary count the requests", () => {
    expect(Progress.fields(history())).toMatchObject({
      requests: 4_000,
      requestsPerSession: 3.2,
      requestLimitPerMinute: 100,
      rateLimitEtaSeconds: 3_360,
      etaSeconds: 3_360
    })
    expect(Progress.fields(snapshot())).not.toHaveProperty("requests")
    expect(Progress.summary("exported", history({ elapsed: 2_000 }))).toBe(
      "exported: 1,250 sessions in 50 pages, 2.0 s (625/s), 0 retries, 4,000 requests, 0.0 s waiting for the rate limit"
    )
  })
})
