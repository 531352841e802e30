/**
 * The benchmark, with tiny sizes, so that it keeps working. No timing is
 * asserted: the figures are for BENCHMARKS.md, not for the test suite.
 */
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/main.js")

it.live("npm run bench --quick runs every scenario and writes its results", () =>
  Effect.gen(function*() {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "opencx-bench-smoke-")), "results.json")
    const stdout = yield* Effect.async<string, Error>((resume) => {
      execFile(process.execPath, [main, "--quick", "--out", out], { timeout: 200_000 }, (error, stdout, stderr) => {
        resume(error === null ? Effect.succeed(stdout) : Effect.fail(new Error(`${error.message}\n${stderr}`)))
      })
    })
    for (const section of ["1. Throughput", "2. Decode cost", "3. Latency hiding", "4. Rate-limit", "5. Memory", "6. opencx", "7. Sync"]) {
      expect(stdout).toContain(section)
    }
    const results = JSON.parse(fs.readFileSync(out, "utf8")) as {
      quick: boolean
      results: Record<string, unknown>
      machine: { cpus: number }
    }
    expect(results.quick).toBe(true)
    expect(Object.keys(results.results).sort()).toEqual(["cli", "decode", "latency", "memory", "rateLimit", "sync", "throughput"])
    const rateLimit = results.results.rateLimit as { responses429: number; maxInWindow: number; limit: number }
    expect(rateLimit.responses429).toBe(0)
    expect(rateLimit.maxInWindow).toBeLessThanOrEqual(rateLimit.limit)
    const cli = results.results.cli as { sessions: number }
    expect(cli.sessions).toBe(2000)
    // the sync stored every session, in every database it ran against (PostgreSQL when OPENCX_TEST_PG_URL is set)
    const sync = results.results.sync as {
      sessions: number
      postgres: boolean
      rows: Array<{ sink: string; ran: boolean; runs?: Array<{ sessions: number; stored: number }> }>
      sqliteFloor: { rows: number }
    }
    expect(sync.sessions).toBe(2000)
    expect(sync.rows.filter((row) => row.ran).map((row) => row.sink)).toEqual(
      sync.postgres ? ["export", "sqlite", "postgres"] : ["export", "sqlite"]
    )
    expect(sync.postgres).toBe((process.env.OPENCX_TEST_PG_URL ?? "") !== "")
    for (const row of sync.rows.filter((row) => row.ran)) {
      for (const run of row.runs ?? []) {
        expect({ sink: row.sink, sessions: run.sessions, stored: run.stored }).toEqual({ sink: row.sink, sessions: 2000, stored: 2000 })
      }
    }
    expect(sync.sqliteFloor.rows).toBe(2000)
    if (!sync.postgres) expect(stdout).toMatch(/PostgreSQL +n\/a/)
  }), 240_000)
