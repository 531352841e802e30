/**
 * The built `opencx` as data engineers meet it: typos, usage errors and
 * their exit codes, colour only where it belongs, error messages that say
 * what to do, progress that tells the truth (on a real pseudo-terminal
 * while the limiter waits, as plain lines, as JSON lines), Ctrl-C and how
 * to resume, relative dates, and stats tables.
 */
import { describe, expect, it } from "@effect/vitest"
import { FakeOpenCx } from "@opencx-effect/core"
import { NodeFakeOpenCx } from "@opencx-effect/platform-node"
import { Effect, Redacted, Schedule } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Cli from "./utils/cli.js"

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "opencx-ux-"))

const envOf = Effect.map(NodeFakeOpenCx.NodeFakeOpenCx, ({ fake, url }) => ({
  OPENCX_API_KEY: Redacted.value(fake.apiKey),
  OPENCX_BASE_URL: url
}))

const onFake = (options: FakeOpenCx.Options) => Effect.provide(NodeFakeOpenCx.layer(options))

const requests = Effect.flatMap(FakeOpenCx.FakeOpenCx, (fake) => fake.requests)

/** Effect internals a message must never show */
const internals = /SystemError|Unknown:|FileSystem\.|PlatformError|ServeError|\(#\d+\)|at .*\.js:\d+/

const embeddedEnv = { OPENCX_FAKE_COUNT: "120", OPENCX_FAKE_SEED: "3" }

describe("typos and usage errors", () => {
  it.live.each([
    [["sessions", "exprot"], "unknown command `exprot` for `opencx sessions`: did you mean `export`?"],
    [["sessions", "export", "--stauts", "open"], "unknown flag `--stauts` for `opencx sessions export`: did you mean `--status`?"],
    [["sessions", "stats", "--by", "wek"], "did you mean `week`?"],
    [["sessions", "stats", "--output", "x.ndjson"], "`--output` is a flag of `opencx sessions export` and `opencx sessions history`, not of `opencx sessions stats`"],
    [["fake-sever"], "unknown command `fake-sever` for `opencx`: did you mean `fake-server`?"],
    [["sessions"], "`opencx sessions` needs a command: `export`, `sync`, `stats`"]
  ] as const)("%j: exit 2, %s, nothing else", ([args, message]) =>
    Effect.gen(function*() {
      const result = yield* Cli.run(args, embeddedEnv)
      expect(result.code).toBe(2)
      expect(result.stdout).toBe("")
      expect(result.stderr).toMatch(/^opencx: /)
      expect(result.stderr).toContain(message)
      expect(result.stderr).toMatch(/\nRun `opencx[a-z -]*--help` for its usage\.\n$/)
      expect(result.stderr).not.toMatch(/use one of|Invalid subcommand|embedded FakeOpenCx/)
      expect(result.stderr).not.toMatch(/\x1b/)
    }))

  it.live("fake-server --port 99999 is a usage error naming the flag and the range (exit 2), not a crash", () =>
    Effect.gen(function*() {
      const result = yield* Cli.run(["fake-server", "--port", "99999"])
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(`opencx: Invalid --port: expected an integer from 0 to 65535, got "99999"`)
      expect(result.stderr).not.toMatch(internals)
    }))

  it.live("a port in use: what, where and what to do (exit 2)", () =>
    Effect.gen(function*() {
      const { url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      const port = new URL(url).port
      const result = yield* Cli.run(["fake-server", "--port", port])
      expect(result.code).toBe(2)
      expect(result.stderr).toBe(
        `opencx: the fake server cannot listen on 127.0.0.1:${port}: address already in use (EADDRINUSE): choose another --port, or 0 for a free one\n`
      )
    }).pipe(onFake({ generate: { count: 1, seed: 1 } })))
})

describe("colour and escape codes", () => {
  const tty = { nodeArgs: ["--import", Cli.forceTty] }

  it.live("an error on a terminal is marked in red; not with NO_COLOR, nor when stderr is not a terminal", () =>
    Effect.gen(function*() {
      const args = ["sessions", "export", "--stauts", "open"]
      expect((yield* Cli.run(args, {}, tty)).stderr).toMatch(/^\x1b\[1;31mopencx:\x1b\[0m unknown flag/)
      expect((yield* Cli.run(args, { NO_COLOR: "1" }, tty)).stderr).not.toMatch(/\x1b/)
      expect((yield* Cli.run(args)).stderr).not.toMatch(/\x1b/)
    }))

  it.live("with NO_COLOR, the live line on a terminal is redrawn with a carriage return, without any escape code", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.FakeOpenCx
      yield* fake.addFaults(FakeOpenCx.when(() => true, FakeOpenCx.Fault.latency("80 millis")))
      const result = yield* Cli.run(
        ["sessions", "export", "-o", path.join(tmp(), "out.ndjson"), "--rate-limit", "0", "--log-level", "debug"],
        { ...(yield* envOf), NO_COLOR: "1" },
        tty
      )
      expect(result.code).toBe(0)
      expect(result.stderr).not.toMatch(/\x1b/) // not in the live line, not in the debug logs
      expect(result.stderr.split("\r").filter((part) => part.startsWith("exporting ·")).length).toBeGreaterThan(1)
      expect(result.stderr).toMatch(/\rexported to .*: 200 sessions in 10 pages, /)
    }).pipe(onFake({ generate: { count: 200, seed: 1 }, pageSize: 20 })))
})

describe("errors say what was wrong, where, and what to do", () => {
  it.live("a missing directory for --output, --checkpoint or --since-last: exit 2 before any request, nothing written", () =>
    Effect.gen(function*() {
      const dir = tmp()
      const missing = path.join(dir, "no-such-dir")
      const missingDir = `no such file or directory (ENOENT): the directory ${missing} does not exist: create it (mkdir -p ${missing})`
      const cases = [
        [["-o", path.join(missing, "out.ndjson")], `cannot open --output ${missing}/out.ndjson: ${missingDir}, or choose another --output`],
        [
          ["-o", path.join(dir, "a.ndjson"), "--checkpoint", path.join(missing, "cp.json")],
          `cannot save the checkpoint ${missing}/cp.json: ${missingDir}, or choose another --checkpoint`
        ],
        [
          ["-o", path.join(dir, "b.ndjson"), "--since-last", path.join(missing, "state.json")],
          `cannot save the state file ${missing}/state.json: ${missingDir}, or choose another --since-last`
        ]
      ] as const
      for (const [flags, message] of cases) {
        const result = yield* Cli.run(["sessions", "export", ...flags, "-q"], yield* envOf)
        expect(result.code).toBe(2)
        expect(result.stderr).toBe(`opencx: ${message}\n`)
      }
      expect(fs.readdirSync(dir)).toEqual([]) // no output was created
      expect(yield* requests).toHaveLength(0)
    }).pipe(onFake({ generate: { count: 10, seed: 1 } })))

  it.live("a file that may not be written: what to do instead (exit 2)", () =>
    Effect.gen(function*() {
      // Linux's /sys, where CI runs, may not be written (EACCES, or EROFS in a container): never skipped
      expect(fs.existsSync("/sys"), "/sys is missing: this test needs Linux's /sys").toBe(true)
      const result = yield* Cli.run(["sessions", "export", "-o", "/sys/opencx-out.ndjson", "-q"], embeddedEnv)
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(
        /\nopencx: cannot open --output \/sys\/opencx-out\.ndjson: (permission denied \(EACCES\): you may not write there: choose a directory you can write to for --output, or change the permissions of \/sys|read-only file system \(EROFS\): choose a directory on a writable file system for --output)\n$/
      )
    }))

  it.live("an API error: the request, the status, what to do, and how to resume an export that has a checkpoint", () =>
    Effect.gen(function*() {
      const { url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      const wrongKey = yield* Cli.run(["sessions", "stats", "-q"], { OPENCX_BASE_URL: url, OPENCX_API_KEY: "sk-wrong" })
      expect(wrongKey.code).toBe(1)
      expect(wrongKey.stderr).toMatch(/^opencx: GET http:\/\/127\.0\.0\.1:\d+\/chat\/sessions failed with 401 .*Set OPENCX_API_KEY, or pass --api-key-file, with a valid key\.\n$/)

      const fake = yield* FakeOpenCx.FakeOpenCx
      yield* fake.addFaults(FakeOpenCx.when((r) => r.cursor !== undefined, FakeOpenCx.Fault.status(500)))
      const dir = tmp()
      const args = ["sessions", "export", "-o", "out.ndjson", "--checkpoint", "cp.json", "--rate-limit", "0", "-q"]
      const failed = yield* Cli.run(args, yield* envOf, { cwd: dir })
      expect(failed.code).toBe(1)
      expect(failed.stderr).toMatch(
        /^opencx: GET http:\/\/127\.0\.0\.1:\d+\/chat\/sessions\?cursor=.* failed with 500 \(server error\): Internal Server Error \(request id fake-\d+\)\. The API is failing: run the command again later\. The checkpoint cp\.json is saved: run the same command again to resume \(opencx sessions export -o out\.ndjson --checkpoint cp\.json --rate-limit 0 -q\)\.\n$/
      )
      expect(failed.stderr).not.toMatch(internals)

      const refused = yield* Cli.run(["sessions", "stats", "-q", "--base-url", "http://127.0.0.1:9"], { OPENCX_API_KEY: "k" })
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain("Check the network and the base URL (--base-url or OPENCX_BASE_URL), then run it again.")
    }).pipe(onFake({ generate: { count: 60, seed: 1 }, pageSize: 20 })))
})

/** the live frames in what a terminal showed: each redraw starts by clearing the line */
const frames = (chunks: ReadonlyArray<Cli.Chunk>) => {
  const result: Array<{ readonly at: number; readonly text: string }> = []
  let pending = ""
  for (const chunk of chunks) {
    const parts = (pending + chunk.text).split("\r\x1b[2K")
    pending = parts.pop() ?? ""
    for (const part of parts) if (part !== "") result.push({ at: chunk.at, text: part })
    if (pending.startsWith("exporting")) {
      result.push({ at: chunk.at, text: pending })
      pending = ""
    }
  }
  return result
}

describe("on a terminal (a pseudo-terminal), while the limiter waits", () => {
  it.live("the live line changes at least once a second and counts down; Ctrl-C ends it cleanly and says how to resume; the resumed run counts the whole export", () =>
    Effect.gen(function*() {
      yield* Cli.requirePty
      const env = yield* envOf
      const dir = tmp()
      // 2 requests a minute: pages 1 and 2 go at once, page 3 waits about a minute
      const args = ["sessions", "export", "-o", "out.ndjson", "--checkpoint", "cp.json", "--rate-limit", "2"]
      const running = yield* Cli.startOnTerminal(args, env, { cwd: dir })
      const waiting = () => frames(running.chunks).filter((f) => /waiting \d+ s for the rate limit/.test(f.text))
      yield* Effect.sync(waiting).pipe(
        Effect.filterOrFail((seen) => seen.length > 0 && Date.now() - seen[0]!.at >= 3_200),
        Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo("15 seconds")))
      )
      running.type("\x03") // Ctrl-C, from the terminal's keyboard
      const { code, output } = yield* running.result

      // while waiting: a new line at least every second, with the counts and a countdown that goes down
      const seen = waiting()
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.at - seen[i - 1]!.at).toBeLessThan(1_300)
      const changes = seen.filter((f, i) => i === 0 || f.text !== seen[i - 1]!.text)
      const span = seen.at(-1)!.at - seen[0]!.at
      expect(changes.length).toBeGreaterThanOrEqual(Math.floor(span / 1_000))
      for (const frame of seen) {
        expect(frame.text).toMatch(/^exporting · \d+ sessions · \d+ pages? · waiting (\d+) s for the rate limit · .*\d+s · 0 retries$/)
      }
      expect(seen.at(-1)!.text).toMatch(/^exporting · 40 sessions · 2 pages · /)
      const countdown = seen.map((f) => Number(/waiting (\d+) s/.exec(f.text)![1]))
      expect(countdown[0]).toBeGreaterThan(50)
      expect(countdown.at(-1)).toBeLessThan(countdown[0]!)
      expect([...countdown].sort((a, b) => b - a)).toEqual(countdown)

      // Ctrl-C: the line is cleared, the summary and the exact command to resume follow, exit code 130
      expect(code).toBe(130)
      const after = output.slice(output.lastIndexOf("\r\x1b[2K") + "\r\x1b[2K".length).replace(/\r\n/g, "\n")
      expect(after).toMatch(
        /^interrupted: 40 sessions in 2 pages, \d+\.\d s \(\d+\/s\), 0 retries, [\d.]+ s waiting for the rate limit\n/
      )
      expect(after).toMatch(
        /\nThe checkpoint cp\.json is saved\. Resume with the same command:\n {2}opencx sessions export -o out\.ndjson --checkpoint cp\.json --rate-limit 2\n$/
      )
      expect(after).not.toContain("exporting")

      // that command resumes: the summary counts the whole export, and this run's part of it
      const resumed = yield* Cli.run(args, env, { cwd: dir })
      expect(resumed.code).toBe(0)
      expect(resumed.stderr).toMatch(/^exported to out\.ndjson: 60 sessions in 3 pages \(20 in this run\), /)
      const ids = fs.readFileSync(path.join(dir, "out.ndjson"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l).id)
      expect(new Set(ids).size).toBe(60)
    }).pipe(onFake({ generate: { count: 60, seed: 2 }, pageSize: 20 })), 40_000)
})

describe("progress that is not on a terminal", () => {
  it.live("one plain line every --progress-interval seconds, then the summary", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.FakeOpenCx
      yield* fake.addFaults(FakeOpenCx.when(() => true, FakeOpenCx.Fault.latency("250 millis")))
      const result = yield* Cli.run(["sessions", "export", "-o", path.join(tmp(), "o.ndjson"), "--rate-limit", "0", "--progress-interval", "1"], yield* envOf)
      expect(result.code).toBe(0)
      const lines = result.stderr.trimEnd().split("\n")
      const periodic = lines.filter((line) => line.startsWith("exporting: "))
      expect(periodic.length).toBeGreaterThanOrEqual(2)
      for (const line of periodic) {
        expect(line).toMatch(/^exporting: [\d,]+ sessions in \d+ pages?, \d+s elapsed, (?:[\d.,]+\/s now, )?\d+ retr(?:y|ies)$/)
      }
      expect(lines.at(-1)).toMatch(/^exported to .*: 240 sessions in 12 pages, /)
      expect(result.stderr).not.toMatch(/\r|\x1b/)
    }).pipe(onFake({ generate: { count: 240, seed: 3 }, pageSize: 20 })))

  it.live("--log-format json: every line on stderr is a JSON object with timestamp, level and message; progress counters are numbers, a retry's countdown too", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.FakeOpenCx
      yield* fake.addFaults(
        FakeOpenCx.when(() => true, FakeOpenCx.Fault.latency("250 millis")),
        FakeOpenCx.onRequest(3, FakeOpenCx.Fault.status(503, { retryAfter: FakeOpenCx.RetryAfter.seconds(2) }))
      )
      const result = yield* Cli.run(
        ["--log-level", "debug", "sessions", "export", "-o", path.join(tmp(), "o.ndjson"), "--rate-limit", "0", "--progress-interval", "1", "--log-format", "json", "--since", "3000d"],
        yield* envOf
      )
      expect(result.code).toBe(0)
      const records = result.stderr.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)
      for (const record of records) {
        expect(Number.isNaN(Date.parse(String(record.timestamp)))).toBe(false)
        expect(record.level).toMatch(/^(DEBUG|INFO|WARN|ERROR)$/)
        expect(typeof record.message).toBe("string")
      }
      const progress = records.filter((r) => r.message === "progress")
      expect(progress.length).toBeGreaterThanOrEqual(2)
      for (const p of progress) {
        for (const key of ["sessions", "pages", "elapsedSeconds", "retries", "rateLimitWaitSeconds"]) expect(typeof p[key]).toBe("number")
      }
      expect(records.some((r) => r.level === "DEBUG" && String(r.message).includes("failed"))).toBe(true) // the 503, logged
      // while the retry waits for the server's Retry-After, the countdown
      expect(progress.some((p) => p.waitingFor === "retry" && typeof p.waitingSeconds === "number" && p.waitingSeconds >= 1)).toBe(true)
      const done = records.at(-1)!
      expect(done).toMatchObject({ level: "INFO", command: "sessions export", sessions: 200, pages: 10, retries: 1, done: true })
      expect(String(done.filters)).toMatch(/^updated after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(3000d\)$/)
    }).pipe(onFake({ generate: { count: 200, seed: 3 }, pageSize: 20 })))

  it.live("--log-format json: errors are JSON too, with the exit code", () =>
    Effect.gen(function*() {
      const result = yield* Cli.run(["sessions", "export", "--log-format", "json", "--limit", "0"], embeddedEnv)
      expect(result.code).toBe(2)
      const record = JSON.parse(result.stderr) as Record<string, unknown>
      expect(record).toMatchObject({ level: "ERROR", exitCode: 2 })
      expect(record.message).toContain("Invalid --limit")
    }))
})

describe("a total that can be known: a bar and an ETA", () => {
  const live = (stderr: string, verb: string) => stderr.split("\r\x1b[2K").filter((part) => part.startsWith(verb))

  it.live("--limit, and the count a previous export of the same filters recorded, seen by stats", () =>
    Effect.gen(function*() {
      const env = { ...(yield* envOf), OPENCX_CACHE_DIR: tmp() }
      const fake = yield* FakeOpenCx.FakeOpenCx
      yield* fake.addFaults(FakeOpenCx.when(() => true, FakeOpenCx.Fault.latency("100 millis")))
      const tty = { nodeArgs: ["--import", Cli.forceTty] }

      const limited = yield* Cli.run(["sessions", "export", "-o", path.join(tmp(), "l.ndjson"), "--limit", "100", "--rate-limit", "0"], env, tty)
      expect(live(limited.stderr, "exporting").some((f) => /^exporting \[.{20}\] \d+% · \d+ of 100 sessions/.test(f))).toBe(true)

      // no total yet for these filters (--limit stopped the walk before its end); the export records it
      const first = yield* Cli.run(["sessions", "export", "-o", path.join(tmp(), "a.ndjson"), "--rate-limit", "0"], env, tty)
      const exporting = live(first.stderr, "exporting")
      expect(exporting.length).toBeGreaterThan(2)
      expect(exporting.every((f) => f.startsWith("exporting · "))).toBe(true)

      const stats = yield* Cli.run(["sessions", "stats", "--rate-limit", "0"], env, tty)
      expect(stats.code).toBe(0)
      const frames = live(stats.stderr, "counting")
      expect(frames.some((f) => /^counting \[.{20}\] \d+% · \d+ of ~400 sessions/.test(f))).toBe(true)
      expect(frames.some((f) => / · ETA \d+s · /.test(f))).toBe(true)
      expect(stats.stdout).toMatch(/^sessions: 400\n/)
    }).pipe(onFake({ generate: { count: 400, seed: 4 }, pageSize: 20 })))
})

describe("dates people type", () => {
  it.live("--since 7d is --updated-after, sent as the instant, echoed in the summary with the form it came from", () =>
    Effect.gen(function*() {
      const before = Date.now()
      const result = yield* Cli.run(["sessions", "export", "--since", "7d", "--status", "open"], yield* envOf)
      expect(result.code).toBe(0)
      const sent = (yield* requests)[0]!.query
      const instant = Date.parse(sent.updated_after!)
      expect(instant).toBeGreaterThanOrEqual(before - 7 * 86_400_000 - 1_000)
      expect(instant).toBeLessThanOrEqual(Date.now() - 7 * 86_400_000)
      expect(result.stderr).toContain(`\n  filters: status open, updated after ${sent.updated_after} (7d)\n`)
    }).pipe(onFake({ generate: { count: 30, seed: 1 } })))

  it.live("--created-after yesterday and --created-before today are midnights UTC; --since with --updated-after is refused", () =>
    Effect.gen(function*() {
      const result = yield* Cli.run(["sessions", "stats", "--created-after", "yesterday", "--created-before", "today", "-q"], yield* envOf)
      expect(result.code).toBe(0)
      const today = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()))
      const query = (yield* requests)[0]!.query
      expect(query.created_before).toBe(today.toISOString())
      expect(query.created_after).toBe(new Date(today.getTime() - 86_400_000).toISOString())
      expect(result.stdout).toContain(`(created after ${query.created_after} (yesterday), created before ${query.created_before} (today))`)
      const both = yield* Cli.run(["sessions", "export", "--since", "7d", "--updated-after", "2025-01-01"], yield* envOf)
      expect(both.code).toBe(2)
      expect(both.stderr).toContain("--since is --updated-after: give one of them")
    }).pipe(onFake({ generate: { count: 30, seed: 1 } })))

  it.live("an export with a relative date resumes with the instant it started with", () =>
    Effect.gen(function*() {
      const env = yield* envOf
      const dir = tmp()
      const fake = yield* FakeOpenCx.FakeOpenCx
      yield* fake.addFaults(FakeOpenCx.when(() => true, FakeOpenCx.Fault.latency("60 millis")))
      const args = ["sessions", "export", "--since", "3000d", "-o", "out.ndjson", "--checkpoint", "cp.json", "--rate-limit", "0", "-q"]
      const first = yield* Cli.start(args, env, { cwd: dir })
      yield* Effect.try(() => JSON.parse(fs.readFileSync(path.join(dir, "cp.json"), "utf8")) as { pages: number }).pipe(
        Effect.filterOrFail((c) => c.pages >= 3),
        Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.upTo("20 seconds")))
      )
      first.child.kill("SIGINT")
      expect((yield* first.result).code).toBe(130)
      yield* fake.clearFaults
      const resumed = yield* Cli.run(args, env, { cwd: dir })
      expect(resumed.stderr).toBe("")
      expect(resumed.code).toBe(0)
      const sent = new Set((yield* requests).map((r) => r.query.updated_after))
      expect(sent.size).toBe(1) // every request of both runs: the same instant
      const ids = fs.readFileSync(path.join(dir, "out.ndjson"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l).id)
      expect(ids).toEqual((yield* fake.sessions).map((s) => s.id))
    }).pipe(onFake({ generate: { count: 300, seed: 6 }, pageSize: 20 })), 30_000)
})

describe("opencx sessions stats", () => {
  it.live("tables with bars, by month by default; --by week and day; --ascii; --json keeps its keys and adds the others", () =>
    Effect.gen(function*() {
      const env = yield* envOf
      const byMonth = yield* Cli.run(["sessions", "stats", "-q"], env)
      expect(byMonth.code).toBe(0)
      expect(byMonth.stdout).toMatch(/\nmonth \(created_at, UTC\)\s+count\s+%\n/)
      expect(byMonth.stdout).toMatch(/\n\d{4}-\d\d\s+[\d,]+\s+[\d.]+\s+[█▉▊▋▌▍▎▏]+\n/)
      expect(byMonth.stdout).toMatch(/^sessions: 1,500\nfirst seen: \d{4}-\d\d-\d\dT[\d:.]+Z, last seen: \d{4}-\d\d-\d\dT[\d:.]+Z \(created_at\)\n/)
      expect(byMonth.stdout.split("\n").length).toBeLessThan(90)

      const byWeek = yield* Cli.run(["sessions", "stats", "-q", "--by", "week", "--ascii"], env)
      expect(byWeek.stdout).toMatch(/\nweek \(from Monday, created_at, UTC\)\s+count\s+%\n/)
      expect(byWeek.stdout).toMatch(/^[\x20-\x7e\n]*$/)
      expect(byWeek.stdout).toMatch(/ #+\n/)

      const byDay = yield* Cli.run(["sessions", "stats", "-q", "--by", "day"], env)
      expect(byDay.stdout.split("\n").filter((l) => /^\d{4}-\d\d-\d\d\s/.test(l))).toHaveLength(36)
      expect(byDay.stdout).toMatch(/earlier days not shown: --by week or month for the whole range, --json for every one/)

      const json = JSON.parse((yield* Cli.run(["sessions", "stats", "-q", "--json"], env)).stdout) as Record<string, unknown>
      expect(Object.keys(json)).toEqual(
        ["total", "status", "channel", "sentiment", "ai_closure_type", "day", "week", "month", "first_seen", "last_seen", "filters"]
      )
      expect(json.total).toBe(1_500)
    }).pipe(onFake({ generate: { count: 1_500, seed: 8 }, pageSize: 100 })))
})
