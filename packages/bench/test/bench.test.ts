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
      execFile(process.execPath, [main, "--quick", "--out", out], { timeout: 120_000 }, (error, stdout, stderr) => {
        resume(error === null ? Effect.succeed(stdout) : Effect.fail(new Error(`${error.message}\n${stderr}`)))
      })
    })
    for (const section of ["1. Throughput", "2. Decode cost", "3. Latency hiding", "4. Rate-limit", "5. Memory", "6. opencx"]) {
      expect(stdout).toContain(section)
    }
    const results = JSON.parse(fs.readFileSync(out, "utf8")) as {
      quick: boolean
      results: Record<string, unknown>
      machine: { cpus: number }
    }
    expect(results.quick).toBe(true)
    expect(Object.keys(results.results).sort()).toEqual(["cli", "decode", "latency", "memory", "rateLimit", "throughput"])
    const rateLimit = results.results.rateLimit as { responses429: number; maxInWindow: number; limit: number }
    expect(rateLimit.responses429).toBe(0)
    expect(rateLimit.maxInWindow).toBeLessThanOrEqual(rateLimit.limit)
    const cli = results.results.cli as { sessions: number }
    expect(cli.sessions).toBe(2000)
  }), 180_000)
