import { describe, expect, it } from "@effect/vitest"
import { Csv } from "@opencx-effect/cli"
import { ChatSession, FakeOpenCx } from "@opencx-effect/core"
import { NodeFakeOpenCx } from "@opencx-effect/platform-node"
import { parse as parseCsv } from "csv-parse/sync"
import { DateTime, Effect, Redacted, Schedule, Schema } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Cli from "./utils/cli.js"

type Session = ChatSession.ChatSessionStrict

const decodeStrict = Schema.decodeUnknownSync(ChatSession.ChatSessionStrict)
const encodeStrict = Schema.encodeSync(ChatSession.ChatSessionStrict)

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "opencx-cli-"))

/** the environment that points the CLI at the fake on its socket */
const envOf = Effect.map(NodeFakeOpenCx.NodeFakeOpenCx, ({ fake, url }) => ({
  OPENCX_API_KEY: Redacted.value(fake.apiKey),
  OPENCX_BASE_URL: url
}))

const sessions = Effect.flatMap(FakeOpenCx.FakeOpenCx, (fake) => fake.sessions)

const handedOff = (s: Session) => s.handoff !== undefined || s.ai_closure_type === "handed_off"

const onFake = (options: FakeOpenCx.Options) => Effect.provide(NodeFakeOpenCx.layer(options))

/** a session whose text fields need every kind of CSV quoting */
const awkward = Effect.map(sessions, (all): Session => ({
  ...all[0]!,
  id: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
  created_at: DateTime.unsafeMake("2027-01-01T00:00:00Z"),
  updated_at: DateTime.unsafeMake("2027-01-01T00:00:00Z"),
  handoff: { summary: `He said "refund", then: a, b\nand c\r\n  ` },
  custom_data: { note: "comma, quote \" and\nnewline", n: 1.5, flag: true },
  language: " padded "
}))

describe("opencx sessions export", () => {
  it.live("ndjson: one session per line, each strict-valid, every session once, in order", () =>
    Effect.gen(function*() {
      const env = yield* envOf
      const result = yield* Cli.run(["sessions", "export", "--quiet"], env)
      expect(result.code).toBe(0)
      const lines = result.stdout.trimEnd().split("\n")
      const decoded = lines.map((line) => decodeStrict(JSON.parse(line)))
      expect(decoded.map((s) => s.id)).toEqual((yield* sessions).map((s) => s.id))
      expect(result.stderr).toBe("")
    }).pipe(onFake({ generate: { count: 230, seed: 31 }, pageSize: 25 })))

  it.live("csv: a real CSV parser reads back the same count and values, quoting included", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.FakeOpenCx
      yield* fake.upsert(yield* awkward)
      const all = yield* sessions
      const dir = tmp()
      const file = path.join(dir, "out.csv")
      const result = yield* Cli.run(["sessions", "export", "--format", "csv", "--output", file, "-q"], yield* envOf)
      expect(result.code).toBe(0)
      const text = fs.readFileSync(file, "utf8")
      const rows: Array<Record<string, string>> = parseCsv(text, { columns: true, relax_quotes: false })
      expect(rows).toHaveLength(all.length)
      expect(Object.keys(rows[0]!)).toEqual(Csv.columns.map(([name]) => name))
      for (const [k, session] of all.entries()) {
        const row = rows[k]!
        const encoded = encodeStrict(session)
        expect(row.id).toBe(session.id)
        expect(row.status).toBe(session.status)
        expect(row.channel_type).toBe(session.channel.type)
        expect(Number(row.ticket_number)).toBe(session.ticket_number)
        expect(row.created_at).toBe(encoded.created_at)
        expect(row.contact_email).toBe(session.contact?.email ?? "")
        expect(row.handoff_summary).toBe(session.handoff?.summary ?? "")
        expect(row.language).toBe(session.language ?? "")
        expect(row.custom_data === "" ? undefined : JSON.parse(row.custom_data!)).toEqual(session.custom_data)
      }
    }).pipe(onFake({ generate: { count: 120, seed: 32 }, pageSize: 25 })))

  it.live("json: one valid document", () =>
    Effect.gen(function*() {
      const result = yield* Cli.run(["sessions", "export", "--format", "json", "-q"], yield* envOf)
      expect(result.code).toBe(0)
      const document: unknown = JSON.parse(result.stdout)
      const decoded = Schema.decodeUnknownSync(Schema.Array(ChatSession.ChatSessionStrict))(document)
      expect(decoded.map((s) => s.id)).toEqual((yield* sessions).map((s) => s.id))
      const empty = yield* Cli.run(["sessions", "export", "--format", "json", "--created-after", "2030-01-01", "-q"], yield* envOf)
      expect(JSON.parse(empty.stdout)).toEqual([])
    }).pipe(onFake({ generate: { count: 80, seed: 33 }, pageSize: 25 })))

  it.live("filters and --limit", () =>
    Effect.gen(function*() {
      const env = yield* envOf
      const all = yield* sessions
      const filtered = yield* Cli.run(
        ["sessions", "export", "--status", "closed_resolved", "--channel", "web", "--no-handed-off", "--created-after", "2024-06-01", "-q"],
        env
      )
      expect(filtered.code).toBe(0)
      const ids = filtered.stdout.trimEnd().split("\n").map((line) => decodeStrict(JSON.parse(line)).id)
      expect(ids).toEqual(
        all.filter((s) =>
          s.status === "closed_resolved" && s.channel.type === "web" && !handedOff(s) &&
          DateTime.toEpochMillis(s.created_at) > Date.parse("2024-06-01T00:00:00Z")
        ).map((s) => s.id)
      )
      const handed = yield* Cli.run(["sessions", "export", "--handed-off", "-q"], env)
      const handedIds = handed.stdout.trimEnd().split("\n").map((line) => decodeStrict(JSON.parse(line)).id)
      expect(handedIds).toEqual(all.filter(handedOff).map((s) => s.id))

      const fake = yield* FakeOpenCx.FakeOpenCx
      yield* fake.clearRequests
      const limited = yield* Cli.run(["sessions", "export", "--limit", "7", "-q"], env)
      expect(limited.stdout.trimEnd().split("\n")).toHaveLength(7)
      expect(yield* fake.requests).toHaveLength(1) // 7 sessions: one page of 25
    }).pipe(onFake({ generate: { count: 400, seed: 34 }, pageSize: 25 })))

  it.live("on a terminal, a live progress line on stderr, then the summary", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.FakeOpenCx
      yield* fake.addFaults(FakeOpenCx.when(() => true, FakeOpenCx.Fault.latency("60 millis")))
      const forceTty = path.resolve(path.dirname(Cli.bin), "../test/fixtures/force-tty.mjs")
      const result = yield* Cli.run(["sessions", "export", "--output", path.join(tmp(), "out.ndjson"), "--rate-limit", "0"], yield* envOf, {
        nodeArgs: ["--import", forceTty]
      })
      expect(result.code).toBe(0)
      const updates = result.stderr.split("\r\x1b[2K").filter((part) => part.startsWith("exporting "))
      expect(updates.length).toBeGreaterThan(1)
      expect(updates.at(-1)).toMatch(/^exporting · [\d,]+ sessions · [\d,]+ pages? · (?:[\d.,]+\/s · )?\d+s · \d+ retr(?:y|ies)$/)
      expect(result.stderr).toMatch(/\r\x1b\[2Kexported to .*: 300 sessions in 15 pages, .*\n$/)
      const quiet = yield* Cli.run(["sessions", "export", "-q", "--rate-limit", "0"], yield* envOf, { nodeArgs: ["--import", forceTty] })
      expect(quiet.stderr).toBe("")
    }).pipe(onFake({ generate: { count: 300, seed: 1 }, pageSize: 20 })))

  it.live("a reader that goes away (| head) stops the export quietly, exit code 0", () =>
    Effect.gen(function*() {
      const running = yield* Cli.start(["sessions", "export", "-q", "--rate-limit", "0"], yield* envOf)
      running.child.stdout!.once("data", () => running.child.stdout!.destroy())
      const result = yield* running.result
      expect(result.code).toBe(0)
      expect(result.stderr).toBe("")
    }).pipe(onFake({ generate: { count: 3000, seed: 1 }, pageSize: 50 })))

  it.live("the summary goes to stderr when it is not a terminal; --quiet silences it", () =>
    Effect.gen(function*() {
      const loud = yield* Cli.run(["sessions", "export", "--limit", "30"], yield* envOf)
      expect(loud.stderr).toMatch(/^exported: 30 sessions in 2 pages, .* retries, .* waiting for the rate limit\n$/)
    }).pipe(onFake({ generate: { count: 50, seed: 1 }, pageSize: 25 })))

  describe("exit codes", () => {
    it.live.each([
      ["an unknown status", ["--status", "archived"]],
      ["an unknown channel", ["--channel", "fax"]],
      ["an unparsable date", ["--created-after", "last tuesday"]],
      ["a reversed range", ["--updated-after", "2025-02-01", "--updated-before", "2025-01-01"]],
      ["an unknown flag", ["--colour", "red"]],
      ["a bad format", ["--format", "xml"]],
      ["a limit of 0", ["--limit", "0"]],
      ["a checkpoint without output", ["--checkpoint", "cp.json"]],
      ["both handed-off flags", ["--handed-off", "--no-handed-off"]]
    ])("%s: exit 2 with a clear message, before any request", ([, flags]) =>
      Effect.gen(function*() {
        const result = yield* Cli.run(["sessions", "export", ...flags], yield* envOf)
        expect(result.code).toBe(2)
        expect(result.stderr.length).toBeGreaterThan(10)
        expect(yield* Effect.flatMap(FakeOpenCx.FakeOpenCx, (fake) => fake.requests)).toHaveLength(0)
      }).pipe(onFake({ generate: { count: 10, seed: 1 } })))

    it.live("a 401: exit 1, its message, never the key", () =>
      Effect.gen(function*() {
        const { url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
        const key = "sk-live-WRONG-KEY-4f1a9e"
        const result = yield* Cli.run(["sessions", "export"], { OPENCX_API_KEY: key, OPENCX_BASE_URL: url })
        expect(result.code).toBe(1)
        expect(result.stderr).toContain("401")
        expect(result.stderr).toContain("OPENCX_API_KEY")
        expect(result.stdout + result.stderr).not.toContain(key)
        const dir = tmp()
        const keyFile = path.join(dir, "key")
        fs.writeFileSync(keyFile, `${key}\n`)
        const viaFile = yield* Cli.run(["sessions", "stats", "--api-key-file", keyFile, "--base-url", url])
        expect(viaFile.code).toBe(1)
        expect(viaFile.stdout + viaFile.stderr).not.toContain(key)
      }).pipe(onFake({ generate: { count: 10, seed: 1 } })))
  })

  describe("--checkpoint", () => {
    const waitForCheckpoint = (file: string, pages: number) =>
      Effect.try(() => JSON.parse(fs.readFileSync(file, "utf8")) as { pages: number }).pipe(
        Effect.filterOrFail((c) => c.pages >= pages),
        Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.upTo("20 seconds")))
      )

    it.live.each([
      ["ndjson", "SIGKILL"],
      ["json", "SIGKILL"],
      ["csv", "SIGINT"]
    ] as const)("%s, killed with %s mid-way then run again: every session once, byte-identical", ([format, signal]) =>
      Effect.gen(function*() {
        const env = yield* envOf
        const dir = tmp()
        const reference = path.join(dir, `reference.${format}`)
        const output = path.join(dir, `out.${format}`)
        const checkpoint = path.join(dir, "checkpoint.json")
        const ref = yield* Cli.run(["sessions", "export", "--format", format, "--output", reference, "--rate-limit", "0", "-q"], env)
        expect(ref.code).toBe(0)

        const args = ["sessions", "export", "--format", format, "--output", output, "--checkpoint", checkpoint, "--rate-limit", "0", "-q"]
        const fake = yield* FakeOpenCx.FakeOpenCx
        yield* fake.addFaults(FakeOpenCx.when(() => true, FakeOpenCx.Fault.latency("40 millis")))
        const first = yield* Cli.start(args, env)
        yield* waitForCheckpoint(checkpoint, 8)
        first.child.kill(signal)
        const killed = yield* first.result
        if (signal === "SIGKILL") expect(killed.signal).toBe("SIGKILL")
        else expect(killed.code).toBe(130)
        expect(fs.existsSync(checkpoint)).toBe(true)
        const saved = JSON.parse(fs.readFileSync(checkpoint, "utf8")) as { sessions: number; bytes: number }
        expect(saved.sessions).toBeGreaterThan(0)
        expect(fs.statSync(output).size).toBeGreaterThanOrEqual(saved.bytes)

        yield* fake.clearFaults
        const resumed = yield* Cli.run(args, env)
        expect(resumed.code).toBe(0)
        expect(fs.readFileSync(output).equals(fs.readFileSync(reference))).toBe(true)
        expect(fs.existsSync(checkpoint)).toBe(false) // done: the next run starts afresh
      }).pipe(onFake({ generate: { count: 1200, seed: 35 }, pageSize: 20 })), 60_000)

    it.live("a checkpoint made with other filters is refused with a clear message", () =>
      Effect.gen(function*() {
        const env = yield* envOf
        const dir = tmp()
        const output = path.join(dir, "out.ndjson")
        const checkpoint = path.join(dir, "checkpoint.json")
        fs.writeFileSync(output, "")
        fs.writeFileSync(
          checkpoint,
          JSON.stringify({
            version: 1,
            kind: "opencx sessions export",
            query: { status: "open" },
            format: "ndjson",
            limit: null,
            output,
            cursor: "abc",
            pages: 1,
            sessions: 0,
            bytes: 0,
            maxUpdatedAt: null,
            startedAt: "2026-01-01T00:00:00.000Z",
            savedAt: "2026-01-01T00:00:00.000Z"
          })
        )
        const result = yield* Cli.run(
          ["sessions", "export", "--status", "closed_resolved", "--output", output, "--checkpoint", checkpoint],
          env
        )
        expect(result.code).toBe(2)
        expect(result.stderr).toContain("other filters (status=open), not (status=closed_resolved)")
        fs.writeFileSync(checkpoint, "{ not json")
        const corrupt = yield* Cli.run(["sessions", "export", "--output", output, "--checkpoint", checkpoint], env)
        expect(corrupt.code).toBe(2)
        expect(corrupt.stderr).toContain(`the checkpoint ${checkpoint} is invalid: it is not JSON`)
      }).pipe(onFake({ generate: { count: 10, seed: 1 } })))
  })

  it.live("--since-last exports only what changed since the previous run", () =>
    Effect.gen(function*() {
      const env = yield* envOf
      const fake = yield* FakeOpenCx.FakeOpenCx
      const dir = tmp()
      const state = path.join(dir, "state.json")
      const ids = (result: Cli.Result) =>
        result.stdout.trimEnd().split("\n").filter((l) => l !== "").map((line) => decodeStrict(JSON.parse(line)).id)

      const first = yield* Cli.run(["sessions", "export", "--since-last", state, "-q"], env)
      expect(first.code).toBe(0)
      expect(ids(first)).toHaveLength(150)

      const all = yield* fake.sessions
      const changed = [all[3]!, all[77]!, all[140]!]
      const now = DateTime.unsafeMake(Date.now())
      for (const session of changed) {
        yield* fake.update(session.id, (s) => ({ ...s, status: "closed_unresolved", updated_at: now }))
      }
      const second = yield* Cli.run(["sessions", "export", "--since-last", state, "-q"], env)
      expect(second.code).toBe(0)
      expect(ids(second)).toEqual(changed.map((s) => s.id))
      const saved = JSON.parse(fs.readFileSync(state, "utf8")) as { runs: number; updatedAfter: string }
      expect(saved.runs).toBe(2)

      const other = yield* Cli.run(["sessions", "export", "--since-last", state, "--status", "open", "-q"], env)
      expect(other.code).toBe(2)
      expect(other.stderr).toContain("other filters")
    }).pipe(onFake({ generate: { count: 150, seed: 36 }, pageSize: 25 })))
})

describe("opencx sessions stats", () => {
  it.live("counts by status, channel, sentiment, ai_closure_type and day, as JSON or a table", () =>
    Effect.gen(function*() {
      const env = yield* envOf
      const all = yield* sessions
      const result = yield* Cli.run(["sessions", "stats", "--json", "-q"], env)
      expect(result.code).toBe(0)
      const stats = JSON.parse(result.stdout) as Record<string, Record<string, number>> & { total: number }
      const count = (key: (s: Session) => string) =>
        all.reduce<Record<string, number>>((acc, s) => ({ ...acc, [key(s)]: (acc[key(s)] ?? 0) + 1 }), {})
      expect(stats.total).toBe(all.length)
      expect(stats.status).toEqual(count((s) => s.status))
      expect(stats.channel).toEqual(count((s) => s.channel.type))
      expect(stats.sentiment).toEqual(count((s) => s.sentiment ?? "none"))
      expect(stats.ai_closure_type).toEqual(count((s) => s.ai_closure_type ?? "none"))
      expect(stats.day).toEqual(count((s) => DateTime.formatIso(s.created_at).slice(0, 10)))
      const table = yield* Cli.run(["sessions", "stats", "--status", "open", "-q"], env)
      expect(table.stdout).toContain(`sessions: ${all.filter((s) => s.status === "open").length}`)
      expect(table.stdout).toMatch(/channel\s+count\s+%/)
    }).pipe(onFake({ generate: { count: 500, seed: 37 }, pageSize: 50 })))
})

describe("the embedded default and the fake server", () => {
  it.live("with no key, the commands run against an embedded FakeOpenCx and say so", () =>
    Effect.gen(function*() {
      const result = yield* Cli.run(["sessions", "export"], { OPENCX_FAKE_COUNT: "120", OPENCX_FAKE_SEED: "5" })
      expect(result.code).toBe(0)
      expect(result.stdout.trimEnd().split("\n")).toHaveLength(120)
      expect(result.stderr).toContain("embedded FakeOpenCx, 120 generated sessions (seed 5")
    }))

  it.live("opencx fake-server prints its URL and token, and serves", () =>
    Effect.gen(function*() {
      const server = yield* Cli.start(["fake-server", "--count", "40", "--seed", "3", "--page-size", "15"])
      let output = ""
      server.child.stdout!.on("data", (chunk: string) => (output += chunk))
      const url = yield* Effect.sync(() => /OPENCX_BASE_URL=(\S+)/.exec(output)?.[1]).pipe(
        Effect.filterOrFail((u): u is string => u !== undefined),
        Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.upTo("10 seconds")))
      )
      expect(output).toContain(`OPENCX_API_KEY=${FakeOpenCx.defaultApiKey}`)
      const exported = yield* Cli.run(["sessions", "export", "-q", "--rate-limit", "0"], {
        OPENCX_BASE_URL: url,
        OPENCX_API_KEY: FakeOpenCx.defaultApiKey
      })
      expect(exported.stdout.trimEnd().split("\n")).toHaveLength(40)
      server.child.kill("SIGTERM")
      const stopped = yield* server.result
      expect(stopped.code === 130 || stopped.signal === "SIGTERM").toBe(true)
    }))
})

describe("secrets and bad input", () => {
  const key = "sk-live-CLI-DISTINCTIVE-0d9c3a"

  it.live("the key is in no output, log line (at Debug) or checkpoint file, through a crash, a resume and an API error", () =>
    Effect.gen(function*() {
      const { fake, url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      const env = { OPENCX_API_KEY: key, OPENCX_BASE_URL: url }
      const dir = tmp()
      const output = path.join(dir, "out.csv")
      const checkpoint = path.join(dir, "cp.json")
      const args = ["--log-level", "debug", "sessions", "export", "--format", "csv", "--output", output, "--checkpoint", checkpoint, "--rate-limit", "0"]
      yield* fake.addFaults(
        FakeOpenCx.when(() => true, FakeOpenCx.Fault.latency("30 millis")),
        FakeOpenCx.onRequest(2, FakeOpenCx.Fault.status(503)),
        FakeOpenCx.onRequest(4, FakeOpenCx.Fault.connectionReset)
      )
      const first = yield* Cli.start(args, env)
      yield* Effect.try(() => fs.readFileSync(checkpoint, "utf8")).pipe(
        Effect.filterOrFail((text) => (JSON.parse(text) as { pages: number }).pages >= 3),
        Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.upTo("20 seconds")))
      )
      const checkpointText = fs.readFileSync(checkpoint, "utf8")
      first.child.kill("SIGKILL")
      const killed = yield* first.result
      yield* fake.clearFaults
      const resumed = yield* Cli.run(args, env)
      expect(resumed.code).toBe(0)
      yield* fake.addFaults(FakeOpenCx.when(() => true, FakeOpenCx.Fault.status(500)))
      const failed = yield* Cli.run(["--log-level", "debug", "sessions", "stats", "--rate-limit", "0"], env)
      expect(failed.code).toBe(1)
      expect(failed.stderr).toContain("500")
      const everything = [
        checkpointText,
        killed.stdout,
        killed.stderr,
        resumed.stdout,
        resumed.stderr,
        failed.stdout,
        failed.stderr,
        fs.readFileSync(output, "utf8")
      ]
      expect(failed.stderr).toContain("DEBUG") // the log level was Debug
      for (const text of everything) expect(text).not.toContain(key)
    }).pipe(onFake({ generate: { count: 400, seed: 38 }, pageSize: 20, apiKey: key })), 60_000)

  it.live.each([
    ["--status", "archived"],
    ["--channel", "telegram"],
    ["--created-after", "not-a-date"],
    ["--created-before", "2025-02-30"],
    ["--updated-after", "12/31/2024"],
    ["--updated-before", "tomorrow"],
    ["--format", "parquet"],
    ["--limit", "ten"],
    ["--limit", "-1"],
    ["--rate-limit", "fast"],
    ["--api-key-file", "/nonexistent/key"],
    ["--base-url", "not a url"],
    ["--base-url", "http://api.example.com"],
    ["--output", "/nonexistent-dir/out.ndjson"]
  ])("%s %s: exit 2, naming the flag, no request", ([flag, value]) =>
    Effect.gen(function*() {
      const result = yield* Cli.run(["sessions", "export", flag, value, "-q"], yield* envOf)
      expect(result.code).toBe(2)
      expect(result.stderr.toLowerCase()).toMatch(new RegExp(flag.slice(2).split("-")[0]!))
      expect(result.stdout).toBe("")
      expect(yield* Effect.flatMap(FakeOpenCx.FakeOpenCx, (fake) => fake.requests)).toHaveLength(0)
    }).pipe(onFake({ generate: { count: 10, seed: 1 } })))
})

// ---------------------------------------------------------------------------
// The CLI never reports success for output it did not write
// ---------------------------------------------------------------------------

/** a file descriptor on /dev/full (every write fails with ENOSPC), closed when the scope ends */
const devFull = Effect.acquireRelease(
  Effect.zipRight(Cli.requireDevFull, Effect.sync(() => fs.openSync("/dev/full", "w"))),
  (fd) => Effect.sync(() => fs.closeSync(fd))
)

/** the environment of the embedded FakeOpenCx, small */
const embeddedEnv = { OPENCX_FAKE_COUNT: "120", OPENCX_FAKE_SEED: "3" }

describe("output on a full disk", () => {
  it.scoped.each([
    ["export, ndjson", ["sessions", "export"]],
    ["export, csv", ["sessions", "export", "--format", "csv"]],
    ["export, json", ["sessions", "export", "--format", "json"]],
    ["stats, a table", ["sessions", "stats"]],
    ["stats, JSON", ["sessions", "stats", "--json"]]
  ] as const)("stdout on a full disk (> /dev/full), %s: exit 1 naming stdout and the reason, no summary", ([, args]) =>
    Effect.gen(function*() {
      const result = yield* Cli.run(args, embeddedEnv, { stdout: yield* devFull })
      expect(result.code).toBe(1)
      expect(result.stderr).toContain("opencx: cannot write to stdout: no space left on device (ENOSPC)\n")
      expect(result.stderr).not.toMatch(/exported|counted/) // no summary: nothing was written
    }))

  it.live.each(["ndjson", "csv", "json"])(
    "--output /dev/full, %s: exit 1 naming the file and the reason, never a descriptor or an Effect internal",
    (format) =>
      Effect.gen(function*() {
        yield* Cli.requireDevFull
        const result = yield* Cli.run(["sessions", "export", "--format", format, "--output", "/dev/full", "-q"], embeddedEnv)
        expect(result.code).toBe(1)
        expect(result.stderr).toContain("opencx: cannot write to /dev/full: no space left on device (ENOSPC)\n")
        expect(result.stderr).not.toMatch(/FileSystem|writeAll|\(\d+\)|unexpected failure|Unknown:/)
      })
  )
})

describe("output that cannot be opened", () => {
  it.live("an --output that cannot be opened is a usage error naming it (exit 2), in plain words", () =>
    Effect.gen(function*() {
      const dir = tmp()
      const result = yield* Cli.run(["sessions", "export", "--output", dir, "-q"], embeddedEnv) // a directory
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(
        `opencx: cannot open --output ${dir}: illegal operation on a directory (EISDIR): --output names a directory: name a file in it, such as ${
          path.join(dir, "sessions.ndjson")
        }\n`
      )
    }))

  it.live("--output /dev/null (not a regular file) is written as it is: exit 0", () =>
    Effect.gen(function*() {
      const result = yield* Cli.run(["sessions", "export", "--format", "csv", "--output", "/dev/null", "-q"], embeddedEnv)
      expect(result.code).toBe(0)
      expect(result.stderr).toBe("opencx: using the embedded FakeOpenCx (no API key), not the real API\n")
    }))
})

describe("logs", () => {
  it.live("at --log-level debug, stdout is the export and nothing else; the debug lines are on stderr", () =>
    Effect.gen(function*() {
      const check = (result: Cli.Result, count: number) => {
        expect(result.code).toBe(0)
        const lines = result.stdout.split("\n")
        expect(lines.pop()).toBe("")
        expect(lines.map((line) => decodeStrict(JSON.parse(line)).id)).toHaveLength(count)
      }
      // the embedded fake: the export's own debug lines (one per page)
      const embedded = yield* Cli.run(["--log-level", "debug", "sessions", "export"], { OPENCX_FAKE_COUNT: "250" })
      check(embedded, 250)
      expect(embedded.stderr).toMatch(/DEBUG .*page 3: 50 sessions/)

      // a server that fails once: the client's debug line about the retry too
      const fake = yield* FakeOpenCx.FakeOpenCx
      yield* fake.addFaults(FakeOpenCx.onRequest(2, FakeOpenCx.Fault.status(503)))
      const retried = yield* Cli.run(["--log-level", "debug", "sessions", "export", "--rate-limit", "0"], yield* envOf)
      check(retried, 60)
      expect(retried.stderr).toMatch(/DEBUG .*OpenCX GET .*\/chat\/sessions.* failed: .* 503/)
    }).pipe(onFake({ generate: { count: 60, seed: 2 }, pageSize: 25 })))
})

describe("the embedded FakeOpenCx serves only when nothing real was asked for", () => {
  const sessionsCommands = [
    ["export", ["sessions", "export"]],
    ["stats", ["sessions", "stats"]]
  ] as const

  it.live.each(sessionsCommands)(
    "%s: a base URL (--base-url or OPENCX_BASE_URL) without a key is refused (exit 2), naming it, before any request or file",
    ([, command]) =>
      Effect.gen(function*() {
        const { fake, url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
        const dir = tmp()
        const output = path.join(dir, "out.ndjson")
        const checkpoint = path.join(dir, "cp.json")
        fs.writeFileSync(output, "what a previous run wrote\n")
        const files = command[1] === "export" ? ["--output", output, "--checkpoint", checkpoint] : []
        const viaFlag = yield* Cli.run([...command, "--base-url", url, ...files])
        const viaEnv = yield* Cli.run([...command, ...files], { OPENCX_BASE_URL: url })
        for (const [result, from] of [[viaFlag, "--base-url"], [viaEnv, "OPENCX_BASE_URL"]] as const) {
          expect(result.code).toBe(2)
          expect(result.stderr).toBe(
            `opencx: no API key for ${url} (from ${from}): set OPENCX_API_KEY or pass --api-key-file (without a base URL, the embedded FakeOpenCx is used)\n`
          )
          expect(result.stdout).toBe("")
        }
        expect(yield* fake.requests).toHaveLength(0)
        expect(fs.readFileSync(output, "utf8")).toBe("what a previous run wrote\n")
        expect(fs.existsSync(checkpoint)).toBe(false)
      }).pipe(onFake({ generate: { count: 10, seed: 1 } }))
  )

  it.live("a base URL with credentials is named without them", () =>
    Effect.gen(function*() {
      const result = yield* Cli.run(["sessions", "stats", "--base-url", "https://me:s3cret-pw@api.example.com/v1?token=t0k3n"])
      expect(result.code).toBe(2)
      expect(result.stderr).toContain("no API key for https://api.example.com/v1 (from --base-url)")
      expect(result.stderr).not.toMatch(/s3cret|t0k3n/)
    }))

  it.live.each(sessionsCommands)("%s: the notice is printed once, on stderr; with --quiet it is one short line", ([, command]) =>
    Effect.gen(function*() {
      const loud = yield* Cli.run(command, embeddedEnv)
      expect(loud.code).toBe(0)
      expect(loud.stderr.split("embedded FakeOpenCx")).toHaveLength(2) // once
      expect(loud.stdout).not.toContain("FakeOpenCx")
      const quiet = yield* Cli.run([...command, "--quiet"], { ...embeddedEnv, OPENCX_BASE_URL: "  " }) // blank: unset
      expect(quiet.code).toBe(0)
      expect(quiet.stderr).toBe("opencx: using the embedded FakeOpenCx (no API key), not the real API\n")
      expect(quiet.stderr.length).toBeLessThanOrEqual(80)
    }))
})

describe("checkpoint and state files are validated before anything is touched", () => {
  /** a checkpoint of `opencx sessions export --output <output>` (no filters), with `fields` over it */
  const checkpointOf = (format: string, output: string, fields: Record<string, unknown>) =>
    JSON.stringify({
      version: 1,
      kind: "opencx sessions export",
      query: {},
      format,
      limit: null,
      output,
      cursor: "c3VyZQ",
      pages: 2,
      sessions: 2,
      bytes: 0,
      maxUpdatedAt: "2025-03-01T00:00:00.000Z",
      startedAt: "2025-03-01T00:00:00.000Z",
      savedAt: "2025-03-01T00:00:00.000Z",
      ...fields
    })

  const ndjson = `{"id":"a","custom_data":{"n":1}}\n{"id":"b"}\n`
  const afterFirstLine = ndjson.indexOf("\n") + 1
  const csv = `${Csv.header}a,"x\r\ny"\r\nb,\r\n`
  const afterHeader = Csv.header.length
  const json = `[\n{"id":"a","channel":{"type":"web"}},\n{"id":"b"}` // a run killed before its trailer
  const afterNestedObject = json.indexOf(`"web"}`) + `"web"}`.length // inside the first session

  it.live.each([
    ["ndjson", ndjson, { bytes: -1 }, "bytes (-1) is not a whole, non-negative number"],
    ["ndjson", ndjson, { bytes: 1.5 }, "bytes (1.5) is not a whole, non-negative number"],
    ["ndjson", ndjson, { bytes: "45" }, `bytes ("45") is not a whole, non-negative number`],
    ["ndjson", ndjson, { bytes: undefined }, "bytes is missing"],
    ["ndjson", ndjson, { bytes: 1234 }, `bytes (1234) is beyond the end of out.ndjson (${ndjson.length} bytes)`],
    ["ndjson", ndjson, { bytes: 20 }, "bytes (20) is not at the end of a line of out.ndjson"],
    ["ndjson", ndjson, { bytes: afterFirstLine, sessions: 0 }, "sessions (0) cannot be right"],
    ["ndjson", ndjson, { bytes: afterFirstLine, sessions: -2 }, "sessions (-2) is not a whole, non-negative number"],
    ["ndjson", ndjson, { bytes: afterFirstLine, pages: 2.5 }, "pages (2.5) is not a whole, non-negative number"],
    ["ndjson", ndjson, { bytes: afterFirstLine, cursor: "" }, `cursor ("") is not a non-empty string or null`],
    ["ndjson", ndjson, { bytes: afterFirstLine, cursor: 7 }, "cursor (7) is not a non-empty string or null"],
    ["ndjson", ndjson, { bytes: afterFirstLine, startedAt: "yesterday" }, `startedAt ("yesterday") is not an ISO 8601 timestamp`],
    ["ndjson", ndjson, { bytes: afterFirstLine, version: 4 }, "version (4) is not 1, 2 or 3"],
    ["ndjson", "", { bytes: 10 }, "bytes (10) is beyond the end of out.ndjson (0 bytes)"],
    ["csv", csv, { bytes: 10 }, `bytes (10) is inside the csv header of out.csv (${afterHeader} bytes)`],
    ["csv", csv, { bytes: afterHeader + 3 }, `bytes (${afterHeader + 3}) is not at the end of a row of out.csv`],
    ["csv", `x${csv}`, { bytes: afterHeader + 12 }, "out.csv does not start with the csv header opencx writes"],
    ["json", json, { bytes: 0 }, "bytes (0) is inside the json header of out.json (1 bytes)"],
    ["json", json, { bytes: afterNestedObject }, `bytes (${afterNestedObject}) is not at the end of a session in out.json`],
    ["json", json, { bytes: json.length - 2 }, `bytes (${json.length - 2}) is not at the end of a session in out.json`]
  ] as const)("%s checkpoint, case %#: exit 2 naming the file and the field; the output is left as it was", ([format, content, fields, message]) =>
    Effect.gen(function*() {
      const dir = tmp()
      const output = `out.${format}`
      const checkpoint = "all.checkpoint.json"
      fs.writeFileSync(path.join(dir, output), content)
      fs.writeFileSync(path.join(dir, checkpoint), checkpointOf(format, output, fields))
      const checkpointBefore = fs.readFileSync(path.join(dir, checkpoint))
      const result = yield* Cli.run(
        ["sessions", "export", "--format", format, "--output", output, "--checkpoint", checkpoint],
        yield* envOf,
        { cwd: dir }
      )
      expect(result.code).toBe(2)
      expect(result.stderr.startsWith(`opencx: the checkpoint ${checkpoint} is invalid: ${message}`), result.stderr).toBe(true)
      expect(result.stderr).toMatch(/^[^\n]*: remove it to start afresh\n$/) // one line, saying what to do
      expect(fs.readFileSync(path.join(dir, output), "utf8")).toBe(content) // byte for byte
      expect(fs.readFileSync(path.join(dir, checkpoint)).equals(checkpointBefore)).toBe(true)
      expect(yield* Effect.flatMap(FakeOpenCx.FakeOpenCx, (fake) => fake.requests)).toHaveLength(0)
    }).pipe(onFake({ generate: { count: 10, seed: 1 } })))

  it.live("a checkpoint at a record boundary of every format is accepted (json: just after a whole session)", () =>
    Effect.gen(function*() {
      const env = yield* envOf
      const boundaries = [
        ["ndjson", ndjson, ndjson.length],
        ["csv", csv, csv.length],
        ["json", json, json.length],
        ["json", json, json.indexOf(",\n")] // just after the first session: the file goes on, as after a kill
      ] as const
      for (const [format, content, bytes] of boundaries) {
        const dir = tmp()
        fs.writeFileSync(path.join(dir, `out.${format}`), content)
        fs.writeFileSync(path.join(dir, "cp.json"), checkpointOf(format, `out.${format}`, { bytes, cursor: null }))
        const kept = Buffer.from(content).subarray(0, bytes).toString()
        const args = ["sessions", "export", "--format", format, "--output", `out.${format}`, "--checkpoint", "cp.json", "-q"]
        const result = yield* Cli.run(args, env, { cwd: dir })
        expect(result.stderr).toBe("")
        expect(result.code).toBe(0)
        expect(fs.readFileSync(path.join(dir, `out.${format}`), "utf8")).toBe(kept + (format === "json" ? "\n]\n" : ""))
      }
    }).pipe(onFake({ generate: { count: 10, seed: 1 } })))

  const stateOf = (fields: Record<string, unknown>) =>
    JSON.stringify({
      version: 1,
      kind: "opencx sessions export --since-last",
      query: {},
      updatedAfter: "2025-03-01T00:00:00.000Z",
      runs: 1,
      savedAt: "2025-03-01T00:00:00.000Z",
      ...fields
    })

  it.live.each([
    [{ updatedAfter: new Date(Date.now() + 86_400_000).toISOString() }, /updatedAfter \(".*"\) is in the future \(it is now .*\)/],
    [{ updatedAfter: "last tuesday" }, /updatedAfter \("last tuesday"\) is not an ISO 8601 timestamp/],
    [{ updatedAfter: "2025-02-30T00:00:00Z" }, /updatedAfter \("2025-02-30T00:00:00Z"\) is not an ISO 8601 timestamp/],
    [{ updatedAfter: 1740787200000 }, /updatedAfter \(1740787200000\) is not an ISO 8601 timestamp/],
    [{ runs: 0 }, /runs \(0\) is not a whole number of at least 1/]
  ] as const)("a --since-last state file with %o: exit 2 naming the file and the field; nothing is touched", ([fields, message]) =>
    Effect.gen(function*() {
      const dir = tmp()
      fs.writeFileSync(path.join(dir, "out.ndjson"), ndjson)
      fs.writeFileSync(path.join(dir, "state.json"), stateOf(fields))
      const result = yield* Cli.run(["sessions", "export", "--since-last", "state.json", "--output", "out.ndjson"], yield* envOf, { cwd: dir })
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/^opencx: the state file state\.json is invalid: /)
      expect(result.stderr).toMatch(message)
      expect(result.stderr).toMatch(/: remove it to export everything again\n$/)
      expect(fs.readFileSync(path.join(dir, "out.ndjson"), "utf8")).toBe(ndjson)
      expect(fs.readFileSync(path.join(dir, "state.json"), "utf8")).toBe(stateOf(fields))
      expect(yield* Effect.flatMap(FakeOpenCx.FakeOpenCx, (fake) => fake.requests)).toHaveLength(0)
    }).pipe(onFake({ generate: { count: 10, seed: 1 } })))

  it.live("the temporary files a killed run left next to the checkpoint and the state file are removed by the next run", () =>
    Effect.gen(function*() {
      const dir = tmp()
      const at = (name: string) => path.join(dir, name)
      const stale = [".cp.json.2147483646.tmp", ".state.json.2147483646.tmp"] // no such process
      const kept = [
        `.cp.json.${process.pid}.tmp`, // a process that runs (this one): another export may be writing it
        ".cp.json.notapid.tmp",
        ".other.json.2147483646.tmp"
      ]
      for (const name of [...stale, ...kept]) fs.writeFileSync(at(name), "{")
      const result = yield* Cli.run(
        ["sessions", "export", "--output", "out.ndjson", "--checkpoint", "cp.json", "--since-last", "state.json", "-q"],
        yield* envOf,
        { cwd: dir }
      )
      expect(result.code).toBe(0)
      for (const name of stale) expect(fs.existsSync(at(name)), name).toBe(false)
      for (const name of kept) expect(fs.existsSync(at(name)), name).toBe(true)
      expect(fs.readdirSync(dir).sort()).toEqual([...kept, "out.ndjson", "state.json"].sort())
    }).pipe(onFake({ generate: { count: 30, seed: 1 }, pageSize: 10 })))
})

describe("deep nesting", () => {
  const depth = 10_000
  const deep = "{\"x\":".repeat(depth) + "true" + "}".repeat(depth)

  /** how deep `{"x":{"x":…}}` goes, walked without recursion */
  const depthOf = (value: unknown) => {
    let levels = 0
    let at = value
    while (typeof at === "object" && at !== null && "x" in at) {
      at = at.x
      levels++
    }
    return levels
  }

  it.live.each(["ndjson", "json", "csv"])(
    "%s: a session with an unknown field nested 10,000 levels deep is exported whole",
    (format) =>
      Effect.gen(function*() {
        const fake = yield* FakeOpenCx.FakeOpenCx
        const [first, second] = yield* sessions
        const withDeep = JSON.stringify(encodeStrict(first!)).replace(/}$/, `,"x":${deep}}`)
        const page = `{"items":[${withDeep},${JSON.stringify(encodeStrict(second!))}],"next":null}`
        yield* fake.addFaults(FakeOpenCx.onRequest(1, FakeOpenCx.Fault.body(200, page)))
        const file = path.join(tmp(), `out.${format}`)
        const result = yield* Cli.run(["sessions", "export", "--format", format, "--output", file, "-q"], yield* envOf)
        expect(result.stderr).toBe("")
        expect(result.code).toBe(0)
        const text = fs.readFileSync(file, "utf8")
        if (format === "csv") {
          const rows: Array<Record<string, string>> = parseCsv(text, { columns: true })
          expect(rows.map((row) => row.id)).toEqual([first!.id, second!.id])
        } else {
          const exported: Array<unknown> = format === "json"
            ? JSON.parse(text)
            : text.trimEnd().split("\n").map((line): unknown => JSON.parse(line))
          expect(exported).toHaveLength(2)
          expect(depthOf(exported[0])).toBe(depth + 1) // the session's x, then the 10,000 levels in it
          expect(text).toContain(`,"x":${deep}}`) // written whole, in place, as JSON.stringify would
        }
      }).pipe(onFake({ generate: { count: 2, seed: 4 } }))
  )
})

describe("what the API sent is what the export holds", () => {
  it.live.each(["ndjson", "json"])("%s: each session is written as served: every fractional digit, offsets, unknown fields and values", (format) =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.FakeOpenCx
      const [first, second] = yield* sessions
      const served = [
        {
          ...encodeStrict(first!),
          created_at: "2025-03-02T10:00:00.123456789Z",
          updated_at: "2025-03-02T12:45:12.654321+02:00",
          channel: { type: "telegram", since: 2026 },
          status: "archived",
          summary: "a field the spec does not have"
        },
        encodeStrict(second!)
      ]
      // and a "__proto__" key, which is data (an object literal cannot hold it as an own key)
      const texts = served.map((s) => JSON.stringify(s))
      texts[0] = texts[0]!.replace(/}$/, `,"__proto__":{"kept":"as data"}}`)
      yield* fake.addFaults(FakeOpenCx.onRequest(1, FakeOpenCx.Fault.body(200, `{"items":[${texts.join(",")}],"next":null}`)))
      const file = path.join(tmp(), `out.${format}`)
      const result = yield* Cli.run(["sessions", "export", "--format", format, "--output", file, "-q"], yield* envOf)
      expect(result.code).toBe(0)
      const text = fs.readFileSync(file, "utf8")
      const lines = format === "ndjson" ? text.trimEnd().split("\n") : text.trim().slice(1, -1).trim().split(",\n")
      expect(lines).toEqual(texts)
    }).pipe(onFake({ generate: { count: 2, seed: 4 } })))

  it.live("csv: timestamps are written as the API sent them", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.FakeOpenCx
      const [first] = yield* sessions
      const served = { ...encodeStrict(first!), created_at: "2025-03-02T10:00:00.123456789Z" }
      yield* fake.addFaults(FakeOpenCx.onRequest(1, FakeOpenCx.Fault.body(200, JSON.stringify({ items: [served], next: null }))))
      const file = path.join(tmp(), "out.csv")
      expect((yield* Cli.run(["sessions", "export", "--format", "csv", "--output", file, "-q"], yield* envOf)).code).toBe(0)
      const rows: Array<Record<string, string>> = parseCsv(fs.readFileSync(file, "utf8"), { columns: true })
      expect(rows[0]!.created_at).toBe("2025-03-02T10:00:00.123456789Z")
    }).pipe(onFake({ generate: { count: 1, seed: 4 } })))
})

describe("a cursor loop, and sessions repeated across pages", () => {
  it.live("after a CursorLoop (A → B → A), re-running with --checkpoint fails again at once and writes nothing twice", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.FakeOpenCx
      const env = yield* envOf
      const dir = tmp()
      const file = path.join(dir, "out.ndjson")
      const checkpoint = path.join(dir, "cp.json")
      const args = ["sessions", "export", "--output", file, "--checkpoint", checkpoint, "-q"]
      // learn the cursors of pages 2 and 3 (A and B), then make page B answer with next = A
      const first = yield* Cli.run(["sessions", "export", "--limit", "30", "-q"], env)
      expect(first.code).toBe(0)
      const log = yield* fake.requests
      const a = log[1]!.query.cursor!
      yield* fake.clearRequests
      const page3 = (yield* sessions).slice(20, 30).map((s) => JSON.stringify(encodeStrict(s)))
      yield* fake.addFaults(
        FakeOpenCx.when(
          (r) => r.cursor !== undefined && r.cursor !== a,
          FakeOpenCx.Fault.body(200, `{"items":[${page3.join(",")}],"next":${JSON.stringify(a)}}`)
        )
      )
      const looped = yield* Cli.run(args, env)
      expect(looped.code).toBe(1)
      expect(looped.stderr).toContain("already used")
      const written = fs.readFileSync(file, "utf8")
      const ids = written.trimEnd().split("\n").map((line) => JSON.parse(line).id)
      expect(new Set(ids).size).toBe(ids.length)
      expect(ids).toHaveLength(30)
      const requests = (yield* fake.requests).length
      // twice more: the same error, no request, not a byte more
      for (let i = 0; i < 2; i++) {
        const again = yield* Cli.run(args, env)
        expect(again.code).toBe(1)
        expect(again.stderr).toContain("already used")
        expect(fs.readFileSync(file, "utf8")).toBe(written)
      }
      expect((yield* fake.requests).length).toBe(requests)
    }).pipe(onFake({ generate: { count: 50, seed: 9 }, pageSize: 10 })))

  it.live("sessions repeated from the previous page are written once; the summary says how many were skipped", () =>
    Effect.gen(function*() {
      const file = path.join(tmp(), "out.ndjson")
      const result = yield* Cli.run(["sessions", "export", "--output", file], yield* envOf)
      expect(result.code).toBe(0)
      const ids = fs.readFileSync(file, "utf8").trimEnd().split("\n").map((line) => JSON.parse(line).id)
      expect(ids).toEqual((yield* sessions).map((s) => s.id))
      expect(result.stderr).toContain("4 repeated sessions skipped")
    }).pipe(onFake({
      generate: { count: 50, seed: 9 },
      pageSize: 10,
      faults: [FakeOpenCx.onRequest([1, 3], FakeOpenCx.Fault.overlappingNext(2))]
    })))
})
