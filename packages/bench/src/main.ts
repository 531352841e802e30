/**
 * `npm run bench`: the client over loopback against a server in a process of
 * its own and each scenario in another, so that the client's own cost is
 * measured. The throughput scenario's server serves pre-encoded pages
 * (`pageServer.ts`), so that it is not the bottleneck; the others run
 * against FakeOpenCx. Machines are noisy: every figure is also given as a
 * ratio to a baseline measured in the same run.
 *
 * `--quick` runs every scenario with tiny sizes (the test suite's smoke
 * test); `--out FILE` says where to write the results (default
 * `packages/bench/results.json`); `--only 1,7` runs those sections only,
 * and merges their results into the file's (each result keeps the date of
 * the run that recorded it, in `dates`). The sync into PostgreSQL (7) runs when
 * `OPENCX_TEST_PG_URL` names a server (`bash scripts/with-postgres.sh npm
 * run bench` starts a throwaway one); its row says "n/a" otherwise.
 *
 * The scenarios report as JSON on their stdout; their shapes are the ones
 * `scenario.ts` writes, so the results are cast to them at that boundary.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { runMeasured, runScenario, startFake, startPageServer } from "./processes.js"
import type { SyncSink, ThroughputVariant } from "./scenario.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const argv = process.argv.slice(2)
const quick = argv.includes("--quick")
const outIndex = argv.indexOf("--out")
const out = outIndex >= 0 && argv[outIndex + 1] !== undefined ? argv[outIndex + 1]! : path.join(here, "..", "results.json")
const onlyIndex = argv.indexOf("--only")
const only = onlyIndex >= 0 ? new Set((argv[onlyIndex + 1] ?? "").split(",").filter((s) => s !== "")) : undefined
/** whether section `n` runs (all of them, unless `--only` lists some) */
const selected = (n: string) => only === undefined || only.has(n)

const sizes = quick
  ? {
    sessions: 2_000,
    warmupSessions: 200,
    rounds: 1,
    decodeMillis: 100,
    latencyPages: 4,
    rlPages: 9,
    rlLimit: 3,
    rlWindowMs: 600,
    historySessions: 4,
    memory: 5_000,
    // the rate at syncRated sessions; peak memory at each of syncSizes
    syncRated: 2_000,
    syncSizes: [500, 2_000],
    syncRounds: 1
  }
  : {
    sessions: 50_000,
    warmupSessions: 5_000,
    rounds: 3,
    decodeMillis: 1_500,
    latencyPages: 50,
    rlPages: 60,
    rlLimit: 20,
    rlWindowMs: 2_000,
    historySessions: 100,
    memory: 1_000_000,
    syncRated: 100_000,
    syncSizes: [20_000, 100_000, 300_000],
    syncRounds: 3
  }

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}
const mb = (bytes: number | undefined) => (bytes === undefined ? "n/a" : `${(bytes / 1024 / 1024).toFixed(0)} MB`)
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
const log = (line: string) => process.stdout.write(line + "\n")

interface Walk {
  readonly sessions: number
  readonly wallMs: number
  readonly cpuMs: number
  readonly serverCpuMs: number
  readonly served: Readonly<Record<string, number>>
}

const results: Record<string, unknown> = {}

/**
 * How close request start times come to a sliding-window limit: the window
 * over the mean gap between request i and request i - limit (request i may
 * start one window after request i - limit at the earliest), and the most
 * requests that started in any window.
 */
const limitFigures = (unsorted: ReadonlyArray<number>, limit: number, windowMs: number) => {
  const starts = [...unsorted].sort((a, b) => a - b)
  let maxInWindow = 0
  let end = 0
  for (let i = 0; i < starts.length; i++) {
    while (end < starts.length && starts[end]! < starts[i]! + windowMs) end++
    maxInWindow = Math.max(maxInWindow, end - i)
  }
  const gaps = starts.slice(limit).map((t, i) => t - starts[i]!)
  const fractionOfLimit = gaps.length === 0 ? 1 : windowMs / (gaps.reduce((a, b) => a + b, 0) / gaps.length)
  return { fractionOfLimit, maxInWindow }
}

// 1. Throughput and client cost
if (selected("1")) {
  const codings = ["gzip", "identity"] as const
  // the smoke test runs each page size in one coding only
  const runsOf = (pageSize: 25 | 100): ReadonlyArray<(typeof codings)[number]> =>
    quick ? [pageSize === 25 ? "gzip" : "identity"] : codings
  const variants = ["raw", "openapi", "service", "service-prefetch", "service-untraced"] as const satisfies ReadonlyArray<
    ThroughputVariant
  >
  const labels: Record<(typeof variants)[number], string> = {
    raw: "(a) fetch + JSON.parse, no validation",
    openapi: "(b) HttpClient + Schema.decodeUnknown + loop",
    service: "SessionsService.stream (full validation)",
    "service-prefetch": "  the same, prefetch: 1",
    "service-untraced": "  the same, HttpClient span off"
  }
  log(
    `\n1. Throughput and client cost: ${fmt(sizes.sessions)} sessions, pre-encoded pages, no latency, no rate limit; medians of ${sizes.rounds} round(s)`
  )
  const tables: Array<unknown> = []
  for (const pageSize of [25, 100] as const) {
    const server = await startPageServer({ count: sizes.sessions, pageSize })
    const runs: Record<string, Array<Walk>> = {}
    for (let round = 0; round < sizes.rounds; round++) {
      for (const coding of runsOf(pageSize)) {
        for (const variant of variants) {
          const walk = (await runScenario("throughput", {
            url: server.urls[coding],
            apiKey: server.apiKey,
            variant,
            pageSize,
            warmupSessions: sizes.warmupSessions
          })) as Walk
          // both clients must have been served the same coding, every page
          if (Object.keys(walk.served).join() !== coding) {
            throw new Error(`${variant} was served ${JSON.stringify(walk.served)}, not ${coding}`)
          }
          ;(runs[`${coding}/${variant}`] ??= []).push(walk)
        }
      }
    }
    for (const coding of runsOf(pageSize)) {
      const perSecond = (w: Walk) => (w.sessions / w.wallMs) * 1000
      const cpuPer1000 = (w: Walk) => (w.cpuMs / w.sessions) * 1000
      const base = runs[`${coding}/raw`]!
      const rows = variants.map((variant) => {
        const walks = runs[`${coding}/${variant}`]!
        // ratios round by round (each round runs every variant back to back), then their median and spread
        const throughputRatios = walks.map((w, i) => perSecond(w) / perSecond(base[i]!))
        const cpuRatios = walks.map((w, i) => cpuPer1000(w) / cpuPer1000(base[i]!))
        return {
          variant,
          label: labels[variant],
          sessions: walks[0]!.sessions,
          perSecond: median(walks.map(perSecond)),
          cpuPer1000: median(walks.map(cpuPer1000)),
          serverCpuPerPage: median(walks.map((w) => w.serverCpuMs / Math.ceil(w.sessions / pageSize))),
          throughputRatio: median(throughputRatios),
          throughputRatioRange: [Math.min(...throughputRatios), Math.max(...throughputRatios)],
          cpuRatio: median(cpuRatios),
          cpuRatioRange: [Math.min(...cpuRatios), Math.max(...cpuRatios)]
        }
      })
      log(`\npage size ${pageSize}, ${coding === "gzip" ? "gzip (both clients ask for it)" : "identity (no compression)"}`)
      log(
        `${"".padEnd(46)} ${"sessions/s".padStart(10)} ${"x (a)".padStart(6)} ${"CPU ms/1000".padStart(12)} ${"x (a)".padStart(6)} ${
          "server ms/page".padStart(15)
        }`
      )
      for (const row of rows) {
        log(
          `${row.label.padEnd(46)} ${fmt(row.perSecond).padStart(10)} ${row.throughputRatio.toFixed(2).padStart(6)} ${
            fmt(row.cpuPer1000, 1).padStart(12)
          } ${row.cpuRatio.toFixed(2).padStart(6)} ${row.serverCpuPerPage.toFixed(3).padStart(15)}`
        )
      }
      tables.push({ pageSize, coding, pages: server.pages, bytes: coding === "gzip" ? server.gzipBytes : server.bytes, rows })
    }
    await server.stop()
  }
  results.throughput = { sessions: sizes.sessions, rounds: sizes.rounds, warmupSessions: sizes.warmupSessions, tables }
}

// 6. The CLI (against the pre-encoded pages, page size 100, gzip)
if (selected("6")) {
  const server = await startPageServer({ count: sizes.sessions, pageSize: 100 })
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "opencx-bench-")), "sessions.ndjson")
  const cli = path.resolve(here, "../../cli/dist/bin.js")
  const run = await runMeasured(process.execPath, [cli, "sessions", "export", "--output", file, "--rate-limit", "0", "-q"], {
    OPENCX_BASE_URL: server.urls.gzip,
    OPENCX_API_KEY: server.apiKey
  })
  if (run.code !== 0) throw new Error(`the CLI failed: ${run.stderr}`)
  const lines = fs.readFileSync(file, "utf8").split("\n").length - 1
  fs.rmSync(path.dirname(file), { recursive: true, force: true })
  const cliPerSecond = (lines / run.wallMs) * 1000
  results.cli = { sessions: lines, wallMs: run.wallMs, perSecond: cliPerSecond, peakRssBytes: run.peakRssBytes }
  log(`\n6. opencx sessions export to ndjson: ${fmt(lines)} sessions, ${fmt(cliPerSecond)}/s (process start included), peak RSS ${mb(run.peakRssBytes)}`)
  await server.stop()
}

// 2. Decode cost
if (selected("2")) {
  log(`\n2. Decode cost: one 100-item page, operations per second`)
  const decode = (await runScenario("decode", { millis: sizes.decodeMillis })) as { opsPerSecond: Record<string, number> }
  const base = decode.opsPerSecond["JSON.parse (baseline)"]!
  for (const [name, ops] of Object.entries(decode.opsPerSecond)) {
    log(`${name.padEnd(50)} ${fmt(ops).padStart(8)} pages/s  (${(base / ops).toFixed(2)}x the time of JSON.parse)`)
  }
  results.decode = decode
}

// 3. Latency hiding
if (selected("3")) {
  log(`\n3. Latency hiding: ${sizes.latencyPages} pages, 20 ms of server latency and 20 ms of consumer work per page`)
  const fake = await startFake({ count: sizes.latencyPages * 100, pageSize: 100, latencyMs: 20 })
  const rows: Array<{ prefetch: number; pagesPerSecond: number }> = []
  for (const prefetch of [0, 1]) {
    const r = (await runScenario("latency", { ...fake, prefetch, workMs: 20 })) as { pages: number; wallMs: number }
    rows.push({ prefetch, pagesPerSecond: (r.pages / r.wallMs) * 1000 })
  }
  log(`lazy (default)      ${fmt(rows[0]!.pagesPerSecond, 1).padStart(6)} pages/s`)
  log(`prefetch: 1         ${fmt(rows[1]!.pagesPerSecond, 1).padStart(6)} pages/s  (${(rows[1]!.pagesPerSecond / rows[0]!.pagesPerSecond).toFixed(2)}x)`)
  results.latency = { pages: sizes.latencyPages, rows, speedup: rows[1]!.pagesPerSecond / rows[0]!.pagesPerSecond }
  await fake.stop()
}

// 4. Rate-limit efficiency
if (selected("4")) {
  const { rlLimit: limit, rlPages: pages, rlWindowMs: windowMs } = sizes
  log(`\n4. Rate-limit efficiency: the fake enforcing ${limit} requests per ${windowMs} ms (sliding), ${pages} pages, the client set to the same limit`)
  const fake = await startFake({ count: pages * 10, pageSize: 10, rateLimit: { limit, windowMs } })
  const r = (await runScenario("rateLimit", { ...fake, limit, windowMs })) as {
    pages: number
    starts: Array<number>
    rateLimited: number
  }
  const figures = limitFigures(r.starts, limit, windowMs)
  log(`achieved ${(figures.fractionOfLimit * 100).toFixed(1)}% of the limit (a window over the mean gap between request i and request i - ${limit}); at most ${figures.maxInWindow} requests in any ${windowMs} ms; ${r.rateLimited} responses 429`)
  results.rateLimit = { limit, windowMs, pages: r.pages, requests: r.starts.length, ...figures, responses429: r.rateLimited }
  await fake.stop()

  // 4b. History export: the sessions and each one's history, through one client, at the same limit
  log(`\n4b. History export under the limit: ${sizes.historySessions} sessions and each one's history (20 events a page), one client, the fake enforcing ${limit} requests per ${windowMs} ms (sliding), the client set to the same limit`)
  const historyFake = await startFake({ count: sizes.historySessions * 4, pageSize: 25, rateLimit: { limit, windowMs } })
  const h = (await runScenario("history", { ...historyFake, limit, windowMs, sessions: sizes.historySessions })) as {
    sessions: number
    events: number
    starts: Array<number>
    rateLimited: number
    wallMs: number
  }
  const hf = limitFigures(h.starts, limit, windowMs)
  const perMinute = (hf.fractionOfLimit * limit * 60_000) / windowMs
  const limitPerMinute = (limit * 60_000) / windowMs
  log(
    `${h.starts.length} requests (${h.sessions} sessions, ${fmt(h.events)} history events) in ${fmt(h.wallMs / 1000, 1)} s: ${fmt(perMinute)} requests/min against a limit of ${fmt(limitPerMinute)}/min (${(hf.fractionOfLimit * 100).toFixed(1)}%); at most ${hf.maxInWindow} requests in any ${windowMs} ms; ${h.rateLimited} responses 429`
  )
  results.rateLimit = {
    ...(results.rateLimit as object),
    history: {
      limit,
      windowMs,
      sessions: h.sessions,
      events: h.events,
      requests: h.starts.length,
      wallMs: h.wallMs,
      requestsPerMinute: perMinute,
      limitPerMinute,
      ...hf,
      responses429: h.rateLimited
    }
  }
  await historyFake.stop()
}

// 5. Memory
if (selected("5")) {
  log(`\n5. Memory: ${fmt(sizes.memory)} sessions, page size 100`)
  const fake = await startFake({ count: sizes.memory, pageSize: 100 })
  type Memory = {
    sessions: number
    samples: Array<{ fraction: number; rssBytes: number; heapUsedBytes: number }>
    peakRssBytes: number
    wallMs: number
  }
  const streamed = (await runScenario("memory", { ...fake, total: sizes.memory, mode: "stream" })) as Memory
  const collected = (await runScenario("memory", { ...fake, total: sizes.memory, mode: "collect" }, [
    "--max-old-space-size=8192"
  ])) as Memory
  for (const [label, m] of [["stream to a sink that discards", streamed], ["Stream.runCollect into an array", collected]] as const) {
    const at = m.samples.map((s) => `${(s.fraction * 100).toFixed(0)}%: RSS ${mb(s.rssBytes)}, heap ${mb(s.heapUsedBytes)}`).join("; ")
    log(`${label.padEnd(32)} ${at}; peak RSS ${mb(m.peakRssBytes)} (${fmt((m.sessions / m.wallMs) * 1000)} sessions/s)`)
  }
  results.memory = { sessions: sizes.memory, streamed, collected }
  await fake.stop()
}

// 7. Sync into SQLite and PostgreSQL, side by side with the export to ndjson
if (selected("7")) {
  const { syncRated: large, syncSizes: counts } = sizes
  const pgUrl = process.env.OPENCX_TEST_PG_URL === undefined || process.env.OPENCX_TEST_PG_URL === ""
    ? undefined
    : process.env.OPENCX_TEST_PG_URL
  const sinks: ReadonlyArray<SyncSink> = pgUrl === undefined ? ["export", "sqlite"] : ["export", "sqlite", "postgres"]
  const labels: Record<SyncSink, string> = {
    export: "export to ndjson (the baseline)",
    sqlite: "SessionSync.run into SQLite",
    postgres: "SessionSync.run into PostgreSQL"
  }
  interface SyncRun {
    readonly sink: SyncSink
    readonly sessions: number
    readonly stored: number
    readonly bytes: number
    readonly wallMs: number
    readonly cpuMs: number
    readonly peakRssBytes: number
    readonly peakHeapUsedBytes: number
    readonly serverCpuMs: number
    readonly served: Readonly<Record<string, number>>
    readonly floor?: { readonly rows: number; readonly wallMs: number; readonly cpuMs: number }
  }
  log(
    `\n7. Sync into SQLite and PostgreSQL: SessionSync.run from a fresh database against pre-encoded pages (page size 100, gzip, no rate limit), side by side with the export of the same sessions to ndjson; ${fmt(large)} sessions, medians of ${sizes.syncRounds} round(s); peak RSS and heap at ${counts.map((n) => fmt(n)).join(", ")} (one run each, ${fmt(large)}: the largest of its rounds)`
  )
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opencx-bench-sync-"))
  const runs: Record<number, Partial<Record<SyncSink, Array<SyncRun>>>> = {}
  try {
    for (const count of counts) {
      const server = await startPageServer({ count, pageSize: 100 })
      const rounds = count === large ? sizes.syncRounds : 1
      const byCount: Partial<Record<SyncSink, Array<SyncRun>>> = (runs[count] = {})
      for (let round = 0; round < rounds; round++) {
        // every sink back to back in each round; SQLite's floor once, in the last round at the large size
        for (const sink of sinks) {
          const run = (await runScenario("sync", {
            url: server.urls.gzip,
            apiKey: server.apiKey,
            sink,
            dir,
            pgUrl,
            floor: sink === "sqlite" && count === large && round === rounds - 1
          })) as SyncRun
          if (run.sessions !== count || run.stored !== count) {
            throw new Error(`${sink}: ${run.sessions} sessions walked and ${run.stored} stored, not ${count}`)
          }
          if (Object.keys(run.served).join() !== "gzip" || run.served.gzip !== server.pages) {
            throw new Error(`${sink} was served ${JSON.stringify(run.served)}, not ${server.pages} pages in gzip`)
          }
          ;(byCount[sink] ??= []).push(run)
        }
      }
      await server.stop()
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const perSecond = (r: { readonly sessions: number; readonly wallMs: number }) => (r.sessions / r.wallMs) * 1000
  const cpuPer1000 = (r: SyncRun) => (r.cpuMs / r.sessions) * 1000
  const base = runs[large]!.export!
  const rows = (["export", "sqlite", "postgres"] as const).map((sink) => {
    const walks = runs[large]![sink]
    if (walks === undefined) return { sink, label: labels[sink], ran: false as const }
    // ratios round by round (each round runs every sink back to back), then their median and spread
    const ratios = walks.map((w, i) => perSecond(w) / perSecond(base[i]!))
    return {
      sink,
      label: labels[sink],
      ran: true as const,
      perSecond: median(walks.map(perSecond)),
      ratio: median(ratios),
      ratioRange: [Math.min(...ratios), Math.max(...ratios)],
      cpuPer1000: median(walks.map(cpuPer1000)),
      serverCpuPerPage: median(walks.map((w) => w.serverCpuMs / w.served.gzip!)),
      bytes: walks[0]!.bytes,
      // by count of sessions
      peakRssBytes: Object.fromEntries(counts.map((n) => [n, Math.max(...runs[n]![sink]!.map((w) => w.peakRssBytes))])),
      peakHeapUsedBytes: Object.fromEntries(counts.map((n) => [n, Math.max(...runs[n]![sink]!.map((w) => w.peakHeapUsedBytes))])),
      runs: walks
    }
  })
  const memoryOf = (row: { readonly peakRssBytes: Record<string, number>; readonly peakHeapUsedBytes: Record<string, number> }) =>
    counts.map((n) => `${mb(row.peakRssBytes[n])} / ${mb(row.peakHeapUsedBytes[n])}`.padStart(16)).join(" ")
  log(
    `${"".padEnd(34)} ${"sessions/s".padStart(10)} ${"x export".padStart(9)} ${"CPU ms/1000".padStart(12)} ${"server ms/page".padStart(15)}   peak RSS / heap at ${
      counts.map((n) => fmt(n)).join(", ")
    }`
  )
  for (const row of rows) {
    if (!row.ran) {
      log(`${row.label.padEnd(34)} ${"n/a".padStart(10)}  (OPENCX_TEST_PG_URL is not set: run it through bash scripts/with-postgres.sh npm run bench)`)
      continue
    }
    log(
      `${row.label.padEnd(34)} ${fmt(row.perSecond).padStart(10)} ${row.ratio.toFixed(2).padStart(9)} ${fmt(row.cpuPer1000, 1).padStart(12)} ${
        row.serverCpuPerPage.toFixed(3).padStart(15)
      } ${memoryOf(row)}`
    )
  }
  const floorRun = runs[large]!.sqlite!.at(-1)!.floor
  const floor = floorRun === undefined ? undefined : {
    ...floorRun,
    perSecond: perSecond({ sessions: floorRun.rows, wallMs: floorRun.wallMs }),
    cpuPer1000: (floorRun.cpuMs / floorRun.rows) * 1000
  }
  if (floor !== undefined) {
    log(
      `${"  SQLite alone: the same upserts".padEnd(34)} ${fmt(floor.perSecond).padStart(10)} ${"".padStart(9)} ${fmt(floor.cpuPer1000, 1).padStart(12)}  (the stored rows upserted again into a new file, 100 a transaction, no walk)`
    )
  }
  const sqlite = rows[1]
  const target = sqlite.ran ? { ratio: sqlite.ratio, met: sqlite.ratio >= 0.5 } : undefined
  if (target !== undefined) {
    log(`target: the sync into SQLite at least 0.5x the export's sessions/s: ${target.ratio.toFixed(2)}x, ${target.met ? "met" : "missed"}`)
  }
  results.sync = {
    sessions: large,
    memorySizes: counts,
    rounds: sizes.syncRounds,
    pageSize: 100,
    postgres: pgUrl !== undefined,
    rows,
    sqliteFloor: floor,
    target: { sqliteRatioAtLeast: 0.5, ...target },
    // every run at the other sizes (those at the rated size are in rows)
    otherSizes: Object.fromEntries(counts.filter((n) => n !== large).map((n) => [n, runs[n]]))
  }
}

const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? "unknown",
  memoryBytes: os.totalmem(),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`
}
const date = new Date().toISOString()
const dates: Record<string, string> = Object.fromEntries(Object.keys(results).map((key) => [key, date]))
// the results of the sections not run are kept as the file has them (what this program wrote earlier), if of the same sizes
const previous = only !== undefined && fs.existsSync(out)
  ? JSON.parse(fs.readFileSync(out, "utf8")) as {
    readonly date: string
    readonly quick: boolean
    readonly dates?: Readonly<Record<string, string>>
    readonly results: Readonly<Record<string, unknown>>
  }
  : undefined
if (previous !== undefined && previous.quick === quick) {
  const kept = Object.fromEntries(Object.entries(previous.results).filter(([key]) => !(key in results)))
  const keptDates = Object.fromEntries(Object.keys(kept).map((key) => [key, previous.dates?.[key] ?? previous.date]))
  fs.writeFileSync(
    out,
    JSON.stringify({ date, quick, machine, dates: { ...keptDates, ...dates }, results: { ...kept, ...results } }, null, 2) + "\n"
  )
} else {
  fs.writeFileSync(out, JSON.stringify({ date, quick, machine, dates, results }, null, 2) + "\n")
}
log(`\n${machine.cpus} cores (${machine.cpuModel}), ${mb(machine.memoryBytes)}, Node ${machine.node}; results in ${out}`)
