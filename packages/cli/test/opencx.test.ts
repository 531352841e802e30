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
      const result = yield* Cli.run(["sessions", "export", "--output", path.join(tmp(), "out.ndjson"), "--rate-limit", "0"], yield* envOf, undefined, [
        "--import",
        forceTty
      ])
      expect(result.code).toBe(0)
      const updates = result.stderr.split("\r\x1b[2K").filter((part) => part.startsWith("exporting: "))
      expect(updates.length).toBeGreaterThan(1)
      expect(updates.at(-1)).toMatch(/^exporting: [\d,]+ sessions in [\d,]+ pages, [\d.]+ s \([\d,]+\/s\), \d+ retries, [\d.]+ s waiting for the rate limit$/)
      expect(result.stderr).toMatch(/\r\x1b\[2Kexported to .*: 300 sessions in 15 pages, .*\n$/)
      const quiet = yield* Cli.run(["sessions", "export", "-q", "--rate-limit", "0"], yield* envOf, undefined, ["--import", forceTty])
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
