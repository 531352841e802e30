#!/usr/bin/env node
// npm run bench:shared -w @opencx-effect/redis   (through scripts/with-redis.sh, or with OPENCX_REDIS_URL)
//
// Three processes (test/fixtures/walker.mjs over the built packages), two
// concurrent walks each, share one API key against a NodeFakeOpenCx in this
// process whose sliding-window limit is scaled down to LIMIT per WINDOW_MS
// (the clients are given the same limit): through one Redis store, and, as
// the baseline, each with a limiter of its own. Prints, per run, the
// fraction of the limit reached, the busiest sliding window and the 429s.
import { NodeFakeOpenCx } from "@opencx-effect/platform-node"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const walkerScript = path.resolve(here, "../test/fixtures/walker.mjs")
const redisUrl = process.env.OPENCX_REDIS_URL ?? process.env.OPENCX_TEST_REDIS_URL
if (redisUrl === undefined || redisUrl === "") {
  console.error("set OPENCX_REDIS_URL, or run through scripts/with-redis.sh")
  process.exit(2)
}
const limit = Number(process.env.LIMIT ?? 20)
const windowMs = Number(process.env.WINDOW_MS ?? 2_000)
const processes = 3
const walks = 2
const pagesPerWalk = Number(process.env.PAGES ?? 40)
const runs = Number(process.env.RUNS ?? 3)
const apiKey = "ocx_bench_shared-key"

const walker = (options) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [walkerScript, JSON.stringify(options)], { stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let err = ""
    child.stdout.setEncoding("utf8").on("data", (c) => (out += c))
    child.stderr.setEncoding("utf8").on("data", (c) => (err += c))
    child.on("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("RESULT "))
      if (code !== 0 || line === undefined) reject(new Error(`walker failed (${code}):\n${out}\n${err}`))
      else resolve(JSON.parse(line.slice(7)))
    })
  })

const windowCounts = (times, window) => {
  const sorted = [...times].sort((a, b) => a - b)
  let end = 0
  return sorted.map((t, i) => {
    while (end < sorted.length && sorted[end] < t + window) end++
    return end - i
  })
}

// request k·limit opens the (k+1)-th window's worth: k windows after the first request, at the limit
const fractionOfLimit = (times) => {
  const sorted = [...times].sort((a, b) => a - b)
  const k = Math.floor((sorted.length - 1) / limit) * limit
  return k / limit / ((sorted[k] - sorted[0]) / windowMs)
}

const run = async (label, shared, index) => {
  const fake = await NodeFakeOpenCx.start({
    apiKey,
    generate: { count: 5_000, seed: 21 },
    pageSize: 5,
    rateLimit: { limit, window: `${windowMs} millis` }
  })
  try {
    const options = {
      baseUrl: fake.url,
      apiKey,
      redisUrl,
      prefix: `opencx:bench:${process.pid}:${index}`,
      limit,
      intervalMs: windowMs,
      mode: "walk",
      walks,
      maxPages: pagesPerWalk,
      noStore: !shared
    }
    const results = await Promise.all(Array.from({ length: processes }, () => walker(options)))
    const log = await fake.requests()
    const accepted = log.filter((r) => r.status !== 429).map((r) => r.arrivedAt)
    const all = log.map((r) => r.arrivedAt)
    const row = {
      label,
      requests: log.length,
      accepted: accepted.length,
      "429s": log.length - accepted.length,
      // what the server let through, as a fraction of its limit
      fractionOfLimit: Number(fractionOfLimit(accepted).toFixed(3)),
      busiestWindow: Math.max(...windowCounts(all, windowMs)),
      seconds: Number(((Math.max(...all) - Math.min(...all)) / 1000).toFixed(1)),
      errors: results.flatMap((r) => r.errors)
    }
    console.log(JSON.stringify(row))
    return row
  } finally {
    await fake.stop()
  }
}

console.error(
  `${processes} processes × ${walks} walks × ${pagesPerWalk} pages, one key, limit ${limit} per ${windowMs} ms (fake and clients), ${runs} runs each`
)
const rows = []
for (let i = 0; i < runs; i++) rows.push(await run("shared through Redis", true, i))
rows.push(await run("baseline: a limiter per process", false, runs))
console.log("\n| run | requests | 429s | fraction of the limit | busiest window | seconds |\n| --- | --- | --- | --- | --- | --- |")
for (const r of rows) {
  console.log(`| ${r.label} | ${r.requests} | ${r["429s"]} | ${(r.fractionOfLimit * 100).toFixed(1)}% | ${r.busiestWindow} / ${limit} | ${r.seconds} |`)
}
