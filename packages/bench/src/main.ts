/**
 * `npm run bench`: the client against FakeOpenCx over loopback, the fake in
 * a process of its own and each scenario in another, so that the client's
 * own cost is measured. Machines are noisy: every figure is also given as a
 * ratio to a baseline measured in the same run.
 *
 * `--quick` runs every scenario with tiny sizes (the test suite's smoke
 * test); `--out FILE` says where to write the results (default
 * `packages/bench/results.json`).
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
import { runMeasured, runScenario, startFake } from "./processes.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const argv = process.argv.slice(2)
const quick = argv.includes("--quick")
const outIndex = argv.indexOf("--out")
const out = outIndex >= 0 && argv[outIndex + 1] !== undefined ? argv[outIndex + 1]! : path.join(here, "..", "results.json")

const sizes = quick
  ? { sessions: 2_000, rounds: 1, decodeMillis: 100, latencyPages: 4, rlPages: 9, rlLimit: 3, rlWindowMs: 600, memory: 5_000 }
  : { sessions: 100_000, rounds: 3, decodeMillis: 1_500, latencyPages: 50, rlPages: 60, rlLimit: 20, rlWindowMs: 2_000, memory: 1_000_000 }

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
}

const results: Record<string, unknown> = {}

// 1. Throughput and client cost
{
  log(`\n1. Throughput and client cost: ${fmt(sizes.sessions)} sessions, page size 100, no latency, no rate limit`)
  const fake = await startFake({ count: sizes.sessions, pageSize: 100 })
  const variants = ["raw", "raw-strict", "service", "service-prefetch"] as const
  const runs: Record<(typeof variants)[number], Array<Walk>> = {
    raw: [],
    "raw-strict": [],
    service: [],
    "service-prefetch": []
  }
  for (let round = 0; round < sizes.rounds; round++) {
    for (const variant of variants) {
      runs[variant].push((await runScenario("throughput", { ...fake, variant })) as Walk)
    }
  }
  const labels = {
    raw: "(a) fetch + JSON.parse, no validation",
    "raw-strict": "(b) fetch + JSON.parse + strict Schema",
    service: "SessionsService.stream (tolerant Schema)",
    "service-prefetch": "  the same, with prefetch: 1"
  }
  const rows = variants.map((variant) => {
    const walks = runs[variant]
    const perSecond = median(walks.map((w) => (w.sessions / w.wallMs) * 1000))
    const cpuPer1000 = median(walks.map((w) => (w.cpuMs / w.sessions) * 1000))
    return { variant, label: labels[variant], sessions: walks[0]!.sessions, perSecond, cpuPer1000 }
  })
  const base = rows[0]!
  log(`${"".padEnd(44)} ${"sessions/s".padStart(11)} ${"x (a)".padStart(6)} ${"CPU ms/1000".padStart(12)} ${"x (a)".padStart(6)}`)
  for (const row of rows) {
    log(
      `${row.label.padEnd(44)} ${fmt(row.perSecond).padStart(11)} ${(row.perSecond / base.perSecond).toFixed(2).padStart(6)} ${
        fmt(row.cpuPer1000, 1).padStart(12)
      } ${(row.cpuPer1000 / base.cpuPer1000).toFixed(2).padStart(6)}`
    )
  }
  results.throughput = {
    sessions: sizes.sessions,
    rounds: sizes.rounds,
    rows: rows.map((r) => ({
      ...r,
      throughputRatio: r.perSecond / base.perSecond,
      cpuRatio: r.cpuPer1000 / base.cpuPer1000
    }))
  }

  // 6. The CLI (against the same fake)
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "opencx-bench-")), "sessions.ndjson")
  const cli = path.resolve(here, "../../cli/dist/bin.js")
  const run = await runMeasured(process.execPath, [cli, "sessions", "export", "--output", file, "--rate-limit", "0", "-q"], {
    OPENCX_BASE_URL: fake.url,
    OPENCX_API_KEY: fake.apiKey
  })
  if (run.code !== 0) throw new Error(`the CLI failed: ${run.stderr}`)
  const lines = fs.readFileSync(file, "utf8").split("\n").length - 1
  fs.rmSync(path.dirname(file), { recursive: true, force: true })
  const cliPerSecond = (lines / run.wallMs) * 1000
  results.cli = { sessions: lines, wallMs: run.wallMs, perSecond: cliPerSecond, peakRssBytes: run.peakRssBytes }
  log(`\n6. opencx sessions export to ndjson: ${fmt(lines)} sessions, ${fmt(cliPerSecond)}/s (process start included), peak RSS ${mb(run.peakRssBytes)}`)
  await fake.stop()
}

// 2. Decode cost
{
  log(`\n2. Decode cost: one 100-item page, operations per second`)
  const decode = (await runScenario("decode", { millis: sizes.decodeMillis })) as { opsPerSecond: Record<string, number> }
  const base = decode.opsPerSecond["JSON.parse (baseline)"]!
  for (const [name, ops] of Object.entries(decode.opsPerSecond)) {
    log(`${name.padEnd(50)} ${fmt(ops).padStart(8)} pages/s  (${(base / ops).toFixed(2)}x the time of JSON.parse)`)
  }
  results.decode = decode
}

// 3. Latency hiding
{
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
{
  const { rlLimit: limit, rlPages: pages, rlWindowMs: windowMs } = sizes
  log(`\n4. Rate-limit efficiency: the fake enforcing ${limit} requests per ${windowMs} ms (sliding), ${pages} pages, the client set to the same limit`)
  const fake = await startFake({ count: pages * 10, pageSize: 10, rateLimit: { limit, windowMs } })
  const r = (await runScenario("rateLimit", { ...fake, limit, windowMs })) as {
    pages: number
    starts: Array<number>
    rateLimited: number
  }
  const starts = [...r.starts].sort((a, b) => a - b)
  let maxInWindow = 0
  let end = 0
  for (let i = 0; i < starts.length; i++) {
    while (end < starts.length && starts[end]! < starts[i]! + windowMs) end++
    maxInWindow = Math.max(maxInWindow, end - i)
  }
  // how close to the limit: request i may start one window after request i - limit at the earliest
  const gaps = starts.slice(limit).map((t, i) => t - starts[i]!)
  const steady = gaps.length === 0 ? 1 : windowMs / (gaps.reduce((a, b) => a + b, 0) / gaps.length)
  log(`achieved ${(steady * 100).toFixed(1)}% of the limit (a window over the mean gap between request i and request i - ${limit}); at most ${maxInWindow} requests in any ${windowMs} ms; ${r.rateLimited} responses 429`)
  results.rateLimit = { limit, windowMs, pages: r.pages, requests: starts.length, fractionOfLimit: steady, maxInWindow, responses429: r.rateLimited }
  await fake.stop()
}

// 5. Memory
{
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

const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? "unknown",
  memoryBytes: os.totalmem(),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`
}
fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), quick, machine, results }, null, 2) + "\n")
log(`\n${machine.cpus} cores (${machine.cpuModel}), ${mb(machine.memoryBytes)}, Node ${machine.node}; results in ${out}`)
