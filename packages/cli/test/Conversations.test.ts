/**
 * The built `opencx` on conversations, against a FakeOpenCx on a socket:
 * reading one session's history (ndjson, json, a transcript), exporting
 * sessions with their histories (and resuming such an export after kill -9
 * in the middle of a history), counting events per session, progress that
 * counts requests, and the writes (create, send, close, reopen): their
 * results, bad input refused before any request, and a write whose outcome
 * is unknown never repeated.
 */
import { describe, expect, it } from "@effect/vitest"
import { Csv } from "@opencx-effect/cli"
import * as ChatHistory from "@opencx-effect/core/ChatHistory"
import * as ChatSession from "@opencx-effect/core/ChatSession"
import * as FakeOpenCx from "@opencx-effect/core/FakeOpenCx"
import { NodeFakeOpenCx } from "@opencx-effect/platform-node"
import { parse as parseCsv } from "csv-parse/sync"
import { Effect, Option, Redacted, Schedule, Schema } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Cli from "./utils/cli.js"

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "opencx-conv-"))

const envOf = Effect.map(NodeFakeOpenCx.NodeFakeOpenCx, ({ fake, url }) => ({
  OPENCX_API_KEY: Redacted.value(fake.apiKey),
  OPENCX_BASE_URL: url
}))

const onFake = (options: FakeOpenCx.Options) => Effect.provide(NodeFakeOpenCx.layer(options))

const fakeOf = FakeOpenCx.FakeOpenCx
const requests = Effect.flatMap(fakeOf, (fake) => fake.requests)
const sessions = Effect.flatMap(fakeOf, (fake) => fake.sessions)

const encodeSession = Schema.encodeSync(ChatSession.ChatSessionStrict)
const encodeItem = Schema.encodeSync(ChatHistory.HistoryItemStrict)

/** a session's history as the fake serves it (JSON) */
const historyJson = (id: string) =>
  Effect.map(
    Effect.flatMap(fakeOf, (fake) => fake.history(id)),
    (history) => Option.getOrThrow(history).map((item) => encodeItem(item))
  )

/** the first session with more than `events` events */
const sessionWithMoreThan = (events: number) =>
  Effect.gen(function*() {
    for (const session of yield* sessions) {
      if ((yield* historyJson(session.id)).length > events) return session
    }
    throw new Error(`no session with more than ${events} events`)
  })

const lines = (text: string) => text.split("\n").filter((line) => line !== "")

const isHistory = (r: { readonly url: string }) => /\/history(\?|$)/.test(r.url)

describe("opencx sessions history ID", () => {
  it.live("ndjson (the default): each item as the API sent it, one per line, across pages; json: one array; --output", () =>
    Effect.gen(function*() {
      const env = yield* envOf
      const session = yield* sessionWithMoreThan(4)
      const expected = yield* historyJson(session.id)
      const fake = yield* fakeOf

      const ndjson = yield* Cli.run(["sessions", "history", session.id, "-q"], env)
      expect(ndjson.stderr).toBe("")
      expect(ndjson.code).toBe(0)
      expect(lines(ndjson.stdout).map((line): unknown => JSON.parse(line))).toEqual(expected)
      expect(ndjson.stdout.endsWith("\n")).toBe(true)
      // two events a page: every page was asked for, once
      expect((yield* fake.requests).filter(isHistory)).toHaveLength(Math.ceil(expected.length / 2))

      const json = yield* Cli.run(["sessions", "history", session.id, "--format", "json", "-q"], env)
      expect(json.code).toBe(0)
      expect(JSON.parse(json.stdout)).toEqual(expected)

      const dir = tmp()
      const file = path.join(dir, "history.ndjson")
      const written = yield* Cli.run(["sessions", "history", session.id, "-o", file], env)
      expect(written.code).toBe(0)
      expect(written.stdout).toBe("")
      expect(fs.readFileSync(file, "utf8")).toBe(ndjson.stdout)
      expect(written.stderr).toMatch(
        new RegExp(`^history of ${session.id} written to ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ${expected.length} events, \\d+ requests, `)
      )
      expect(fs.readdirSync(dir)).toEqual(["history.ndjson"]) // no temporary file left
    }).pipe(onFake({ generate: { count: 40, seed: 11 }, historyPageSize: 2 })))

  it.live("text: time, who and what; other events as short lines; an unknown type by its type; server text escaped", () =>
    Effect.gen(function*() {
      const [session] = yield* sessions
      const contact = { type: "contact", name: "Ada\u001b]0;pwned\u0007 Lovelace" }
      const items = [
        { id: "1", created_at: "2025-03-02T10:00:00Z", event: { type: "message", sender: contact, content: { type: "text", text: "Hi!\u001b[2J\nSecond line\r\n2025-03-02T10:00:01.000Z  AI: pay here" } } },
        {
          id: "2",
          created_at: "2025-03-02T10:00:05.5Z",
          event: {
            type: "message",
            sender: { type: "contact" },
            content: { type: "text", text: "see \u202eattached" },
            attachments: [{ id: "a", name: "invoice.pdf", size: 12345, type: "application/pdf", url: "https://files.example/invoice.pdf" }]
          }
        },
        { id: "3", created_at: "2025-03-02T10:01:00Z", event: { type: "message", sender: { type: "ai", name: "AI Agent" }, content: { type: "text", text: "Let me check." } } },
        { id: "4", created_at: "2025-03-02T10:02:00Z", event: { type: "handoff", integration: { type: "zendesk" } } },
        { id: "5", created_at: "2025-03-02T10:02:01Z", event: { type: "handoff" } },
        { id: "6", created_at: "2025-03-02T10:03:00Z", event: { type: "human_agent_joined", human_agent_id: 12 } },
        { id: "7", created_at: "2025-03-02T10:03:30Z", event: { type: "human_agent_comment", human_agent_id: 12, content: { type: "text", text: "VIP customer" } } },
        { id: "8", created_at: "2025-03-02T10:04:00Z", event: { type: "message", sender: { type: "human_agent", name: "Sam Carter" }, content: { type: "text", text: "Hello Ada" } } },
        { id: "9", created_at: "2025-03-02T10:05:00Z", event: { type: "human_agent_takeover", human_agent_id: 12 } },
        { id: "10", created_at: null, event: { type: "ai_resolved_issue" } },
        { id: "11", created_at: "2025-03-02T10:06:00Z", event: { type: "status_changed\u001b[31m", to: "closed" } }
      ]
      const fake = yield* fakeOf
      yield* fake.addFaults(FakeOpenCx.when(isHistoryRequest, FakeOpenCx.Fault.body(200, JSON.stringify({ items, next: null }))))
      const result = yield* Cli.run(["sessions", "history", session!.id, "--format", "text", "-q"], yield* envOf)
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      const pad = " ".repeat(26)
      expect(result.stdout).toBe(
        [
          "2025-03-02T10:00:00.000Z  Ada\\x1b]0;pwned\\x07 Lovelace: Hi!\\x1b[2J",
          `${pad}Second line`,
          `${pad}2025-03-02T10:00:01.000Z  AI: pay here`,
          "2025-03-02T10:00:05.500Z  contact: see \\u{202e}attached",
          `${pad}[attachment: invoice.pdf, application/pdf, 12,345 bytes: https://files.example/invoice.pdf]`,
          "2025-03-02T10:01:00.000Z  AI: Let me check.",
          "2025-03-02T10:02:00.000Z  — handed off to a human (zendesk) —",
          "2025-03-02T10:02:01.000Z  — handed off to a human —",
          "2025-03-02T10:03:00.000Z  — agent 12 joined —",
          "2025-03-02T10:03:30.000Z  agent 12 (internal comment): VIP customer",
          "2025-03-02T10:04:00.000Z  Sam Carter (agent): Hello Ada",
          "2025-03-02T10:05:00.000Z  — agent 12 took over from the AI —",
          `${"(no time)".padEnd(24)}  — the AI resolved the issue —`,
          "2025-03-02T10:06:00.000Z  — status_changed\\x1b[31m —",
          ""
        ].join("\n")
      )
      // nothing from the server can drive the terminal: no control character but the line breaks, no bidi override
      expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/)
    }).pipe(onFake({ generate: { count: 3, seed: 12 } })))

  it.live("a session that does not exist: exit 1 with the NotFound message; an existing --output is left as it was", () =>
    Effect.gen(function*() {
      const dir = tmp()
      const file = path.join(dir, "history.ndjson")
      fs.writeFileSync(file, "what a previous run wrote\n")
      const missing = "00000000-0000-4000-8000-000000000000"
      const result = yield* Cli.run(["sessions", "history", missing, "-o", file, "-q"], yield* envOf)
      expect(result.code).toBe(1)
      expect(result.stdout).toBe("")
      expect(result.stderr).toMatch(
        new RegExp(`^opencx: GET http://127\\.0\\.0\\.1:\\d+/chat/sessions/${missing}/history failed with 404 Not Found: .*There is no chat session ${missing} for this API key\\. Check the id\\.\\n$`)
      )
      expect(fs.readFileSync(file, "utf8")).toBe("what a previous run wrote\n")
      expect(fs.readdirSync(dir)).toEqual(["history.ndjson"])
    }).pipe(onFake({ generate: { count: 3, seed: 12 } })))

  it.live("a full disk (stdout, or --output /dev/full): exit 1 naming it and the reason, no summary", () =>
    Effect.gen(function*() {
      yield* Cli.requireDevFull
      const [session] = yield* sessions
      const fd = fs.openSync("/dev/full", "w")
      const toStdout = yield* Cli.run(["sessions", "history", session!.id, "--format", "text"], yield* envOf, { stdout: fd })
      fs.closeSync(fd)
      expect(toStdout.code).toBe(1)
      expect(toStdout.stderr).toBe("opencx: cannot write to stdout: no space left on device (ENOSPC)\n")
      const toFile = yield* Cli.run(["sessions", "history", session!.id, "-o", "/dev/full"], yield* envOf)
      expect(toFile.code).toBe(1)
      expect(toFile.stderr).toBe("opencx: cannot write to /dev/full: no space left on device (ENOSPC)\n")
    }).pipe(onFake({ generate: { count: 3, seed: 12 } })))

  it.live.each([
    ["an empty id", "", "it is empty"],
    ["..", "..", "it cannot be an id"],
    ["a control character", "abc\u0001def", "it contains control characters"],
    ["spaces around it", " abc", "it has spaces around it"],
    ["300 characters", "a".repeat(300), "it is 300 characters long; an id is at most 256"]
  ])("a malformed id (%s): exit 2 naming ID, before any request", ([, id, issue]) =>
    Effect.gen(function*() {
      const result = yield* Cli.run(["sessions", "history", id], yield* envOf)
      expect(result.code).toBe(2)
      expect(result.stdout).toBe("")
      expect(result.stderr).toMatch(/^opencx: Invalid ID "/)
      expect(result.stderr).toContain(issue)
      expect(result.stderr).not.toMatch(/[\u0001]/)
      expect(yield* requests).toHaveLength(0)
    }).pipe(onFake({ generate: { count: 3, seed: 12 } })))

  it.live("no id, or one too many: exit 2, saying what the command takes", () =>
    Effect.gen(function*() {
      const none = yield* Cli.run(["sessions", "history"], yield* envOf)
      expect(none.code).toBe(2)
      expect(none.stderr).toContain("`opencx sessions history` needs ID: the session's id")
      const two = yield* Cli.run(["sessions", "history", "a", "11111111-2222"], yield* envOf)
      expect(two.code).toBe(2)
      expect(two.stderr).toContain("unexpected argument `11111111-2222` for `opencx sessions history`: it takes ID and flags only")
      expect(yield* requests).toHaveLength(0)
    }).pipe(onFake({ generate: { count: 3, seed: 12 } })))
})

/** a history request (the fake's fault rules see the path) */
const isHistoryRequest = (r: FakeOpenCx.FaultRequest) => r.path.endsWith("/history")

describe("opencx sessions export --with-history", () => {
  it.live("ndjson and json: each session as the API sent it with its history; csv: a history_events column", () =>
    Effect.gen(function*() {
      const env = yield* envOf
      const all = yield* sessions
      const expected = yield* Effect.forEach(all, (s) =>
        Effect.map(historyJson(s.id), (history) => ({ ...encodeSession(s), history })))

      const ndjson = yield* Cli.run(["sessions", "export", "--with-history", "--rate-limit", "0", "-q"], env)
      expect(ndjson.stderr).toBe("")
      expect(ndjson.code).toBe(0)
      expect(lines(ndjson.stdout).map((line): unknown => JSON.parse(line))).toEqual(expected)
      // the history is the last key, after the session's own, in the API's order
      expect(Object.keys(JSON.parse(lines(ndjson.stdout)[0]!) as object).at(-1)).toBe("history")

      const json = yield* Cli.run(["sessions", "export", "--with-history", "--format", "json", "--rate-limit", "0", "-q"], env)
      expect(json.code).toBe(0)
      expect(JSON.parse(json.stdout)).toEqual(expected)

      const csv = yield* Cli.run(["sessions", "export", "--with-history", "--format", "csv", "--rate-limit", "0", "-q"], env)
      expect(csv.code).toBe(0)
      const rows: Array<Record<string, string>> = parseCsv(csv.stdout, { columns: true })
      expect(Object.keys(rows[0]!)).toEqual([...Csv.columns.map(([name]) => name), "history_events"])
      expect(rows.map((row) => [row.id, Number(row.history_events)])).toEqual(expected.map((e) => [e.id, e.history.length]))
    }).pipe(onFake({ generate: { count: 35, seed: 13 }, pageSize: 10, historyPageSize: 3 })))

  it.live.each(["ndjson", "json"] as const)(
    "%s: killed with SIGKILL in the middle of a session's history, then the same command: every session once, byte-identical",
    (format) =>
      Effect.gen(function*() {
        const env = yield* envOf
        const fake = yield* fakeOf
        const dir = tmp()
        const reference = path.join(dir, `reference.${format}`)
        const output = path.join(dir, `out.${format}`)
        const checkpoint = path.join(dir, "cp.json")
        const ref = yield* Cli.run(["sessions", "export", "--with-history", "--format", format, "-o", reference, "--rate-limit", "0", "-q"], env)
        expect(ref.code).toBe(0)

        // the 5th session of page 4 (10 a page) has more than one page of history: its second page never comes
        const all = yield* sessions
        const onPage4 = all.slice(30, 40)
        let stalled: string | undefined
        for (const session of onPage4.slice(4)) {
          if ((yield* historyJson(session.id)).length > 2) {
            stalled = session.id
            break
          }
        }
        expect(stalled).toBeDefined()
        yield* fake.addFaults(
          FakeOpenCx.when(
            (r) => r.path === `/chat/sessions/${stalled}/history` && r.cursor !== undefined,
            FakeOpenCx.Fault.latency("60 seconds")
          )
        )
        yield* fake.clearRequests
        const args = ["sessions", "export", "--with-history", "--format", format, "-o", output, "--checkpoint", checkpoint, "--rate-limit", "0", "-q"]
        const first = yield* Cli.start(args, env)
        // wait until pages 1 to 3 are saved and the sessions of page 4 before the stalled one are written
        const saved = yield* Effect.try(() => {
          const c = JSON.parse(fs.readFileSync(checkpoint, "utf8")) as { pages: number; sessions: number; bytes: number }
          return { ...c, size: fs.statSync(output).size }
        }).pipe(
          Effect.filterOrFail((c) => c.pages === 3 && c.size > c.bytes),
          // its first page is in (the log has a request once it is answered): its second page is on its way
          Effect.flatMap((c) =>
            Effect.map(requests, (log) => ({ ...c, waiting: log.some((r) => r.url === `/chat/sessions/${stalled}/history`) }))
          ),
          Effect.filterOrFail((c) => c.waiting),
          Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.upTo("30 seconds")))
        )
        first.child.kill("SIGKILL")
        const killed = yield* first.result
        expect(killed.signal).toBe("SIGKILL")
        expect(saved.sessions).toBe(30)
        // sessions of page 4 were written past the checkpoint: the resumed run truncates them away
        expect(fs.readFileSync(output).length).toBeGreaterThan(saved.bytes)

        yield* fake.clearFaults
        yield* fake.clearRequests
        const resumed = yield* Cli.run(args, env)
        expect(resumed.stderr).toBe("")
        expect(resumed.code).toBe(0)
        expect(fs.readFileSync(output).equals(fs.readFileSync(reference))).toBe(true)
        expect(fs.existsSync(checkpoint)).toBe(false)
        // it went on from page 4's cursor: the sessions of pages 1 to 3 and their histories were not asked again
        const log = yield* requests
        const listed = log.filter((r) => !isHistory(r))
        expect(listed[0]!.query.cursor).toBeDefined()
        const historiesAsked = new Set(log.filter(isHistory).map((r) => r.url.split("/")[3]))
        for (const session of all.slice(0, 30)) expect(historiesAsked.has(session.id)).toBe(false)
        for (const session of all.slice(30)) expect(historiesAsked.has(session.id)).toBe(true)
      }).pipe(onFake({ generate: { count: 60, seed: 14 }, pageSize: 10, historyPageSize: 2 })),
    90_000
  )

  it.live("a checkpoint remembers --with-history: a resume without it (or with it, when it had not) is refused", () =>
    Effect.gen(function*() {
      const env = yield* envOf
      const dir = tmp()
      const checkpointOf = (withHistory: boolean | undefined) =>
        JSON.stringify({
          version: withHistory === undefined ? 2 : 3,
          kind: "opencx sessions export",
          query: {},
          format: "ndjson",
          ...(withHistory === undefined ? {} : { withHistory }),
          limit: null,
          output: "out.ndjson",
          cursor: "abc",
          pages: 0,
          sessions: 0,
          bytes: 0,
          maxUpdatedAt: null,
          startedAt: "2026-01-01T00:00:00.000Z",
          savedAt: "2026-01-01T00:00:00.000Z"
        })
      fs.writeFileSync(path.join(dir, "out.ndjson"), "")
      const cases = [
        [true, [], "was made by an export with --with-history, which this command does not have"],
        [false, ["--with-history"], "was made by an export with no --with-history, which this command has"],
        [undefined, ["--with-history"], "was made by an export with no --with-history, which this command has"]
      ] as const
      for (const [withHistory, flags, message] of cases) {
        fs.writeFileSync(path.join(dir, "cp.json"), checkpointOf(withHistory))
        const result = yield* Cli.run(["sessions", "export", "-o", "out.ndjson", "--checkpoint", "cp.json", ...flags], env, { cwd: dir })
        expect(result.code).toBe(2)
        expect(result.stderr).toContain(`The checkpoint cp.json ${message}: run that export again to finish it`)
      }
      expect(yield* requests).toHaveLength(0)
    }).pipe(onFake({ generate: { count: 3, seed: 12 } })))
})

describe("progress with --with-history", () => {
  it.live("plain lines count the requests and, with a known total, how long the rate limit makes the rest take", () =>
    Effect.gen(function*() {
      const fake = yield* fakeOf
      yield* fake.addFaults(FakeOpenCx.when(() => true, FakeOpenCx.Fault.latency("120 millis")))
      const result = yield* Cli.run(
        ["sessions", "export", "--with-history", "--limit", "40", "-o", path.join(tmp(), "out.ndjson"), "--rate-limit", "6000", "--progress-interval", "1"],
        yield* envOf
      )
      expect(result.code).toBe(0)
      const periodic = result.stderr.split("\n").filter((line) => line.startsWith("exporting: "))
      expect(periodic.length).toBeGreaterThanOrEqual(2)
      for (const line of periodic) expect(line).toMatch(/, [\d,]+ requests?(?: \(\d+\.\d a session\))?(?:,|$)/)
      const withEstimate = periodic.filter((line) => / a session\), /.test(line))
      expect(withEstimate.length).toBeGreaterThanOrEqual(1)
      for (const line of withEstimate) {
        expect(line).toMatch(
          /^exporting: [\d,]+ sessions in \d+ pages?, .*, [\d,]+ requests \(\d+\.\d a session\)(?:, (?:waiting|retrying) [^,]+)?, \d+% of 40(?:, ETA \w+)?, at 6,000 requests a minute the rest takes at least \w+$/
        )
      }
      expect(result.stderr).toMatch(/\nexported to .*: 40 sessions in 4 pages, .*, 0 retries, [\d,]+ requests, /)
    }).pipe(onFake({ generate: { count: 60, seed: 15 }, pageSize: 10, historyPageSize: 2 })))

  it.live("--log-format json: the requests, the requests per session and the rate limit's estimate as numbers", () =>
    Effect.gen(function*() {
      const fake = yield* fakeOf
      yield* fake.addFaults(FakeOpenCx.when(() => true, FakeOpenCx.Fault.latency("120 millis")))
      const result = yield* Cli.run(
        ["sessions", "stats", "--with-history", "--json", "--rate-limit", "6000", "--progress-interval", "1", "--log-format", "json"],
        { ...(yield* envOf) }
      )
      expect(result.code).toBe(0)
      const records = result.stderr.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)
      const progress = records.filter((r) => r.message === "progress")
      expect(progress.length).toBeGreaterThanOrEqual(1)
      for (const p of progress) {
        expect(typeof p.requests).toBe("number")
        expect(p.requestLimitPerMinute).toBe(6000)
      }
      const done = records.at(-1)!
      expect(done).toMatchObject({ command: "sessions stats", sessions: 30, done: true })
      expect(done.requests).toBeGreaterThanOrEqual(33) // 3 pages of sessions, at least a page of history each
    }).pipe(onFake({ generate: { count: 30, seed: 15 }, pageSize: 10, historyPageSize: 2 })))
})

describe("opencx sessions stats --with-history", () => {
  it.live("the median number of events per session, in the table and in --json", () =>
    Effect.gen(function*() {
      const env = yield* envOf
      const all = yield* sessions
      const counts = (yield* Effect.forEach(all, (s) => Effect.map(historyJson(s.id), (h) => h.length))).sort((a, b) => a - b)
      const median = counts[Math.floor(counts.length / 2)]! // an odd number of sessions
      const histogram: Record<string, number> = {}
      for (const n of counts) histogram[String(n)] = (histogram[String(n)] ?? 0) + 1

      const json = yield* Cli.run(["sessions", "stats", "--with-history", "--json", "--rate-limit", "0", "-q"], env)
      expect(json.code).toBe(0)
      const stats = JSON.parse(json.stdout) as Record<string, unknown>
      expect(stats.events_per_session).toEqual({
        sessions: all.length,
        events: counts.reduce((a, b) => a + b, 0),
        median,
        min: counts[0],
        max: counts.at(-1),
        histogram
      })
      expect(Object.keys(stats).slice(-2)).toEqual(["events_per_session", "filters"])

      const table = yield* Cli.run(["sessions", "stats", "--with-history", "--rate-limit", "0", "-q"], env)
      expect(table.code).toBe(0)
      expect(table.stdout.split("\n")[2]).toBe(
        `events per session: median ${median} (min ${counts[0]}, max ${counts.at(-1)}; ${counts.reduce((a, b) => a + b, 0)} events in all)`
      )
      // without the flag, no history is read
      const fake = yield* fakeOf
      yield* fake.clearRequests
      const plain = yield* Cli.run(["sessions", "stats", "--json", "-q"], env)
      expect(JSON.parse(plain.stdout)).not.toHaveProperty("events_per_session")
      expect((yield* fake.requests).filter(isHistory)).toHaveLength(0)
    }).pipe(onFake({ generate: { count: 41, seed: 16 }, pageSize: 10 })))
})

describe("the writes", () => {
  it.live("create, send, close, reopen: one JSON object each on stdout, exit 0; the world shows them", () =>
    Effect.gen(function*() {
      const env = yield* envOf
      const fake = yield* fakeOf
      const run = (args: ReadonlyArray<string>, stdin?: string) =>
        Effect.map(Cli.run(["sessions", ...args, "-q"], env, { stdin }), (result) => {
          expect(result.stderr).toBe("")
          expect(result.code).toBe(0)
          expect(result.stdout.split("\n")).toHaveLength(2) // one line
          return JSON.parse(result.stdout) as Record<string, unknown>
        })

      const created = yield* run([
        "create",
        "--channel",
        "email",
        "--verified",
        "--contact-email",
        "ada@example.com",
        "--contact-name",
        "Ada Lovelace",
        "--custom-data-json",
        `{"source":"cli","plan":"basic"}`,
        "--custom-data",
        "plan=pro",
        "--custom-data",
        "seats=3",
        "--custom-data",
        "trial=true",
        "--custom-data",
        "zip=007",
        "--custom-data",
        "note=a=b"
      ])
      expect(Object.keys(created)).toEqual(["id"])
      const id = String(created.id)
      const session = Option.getOrThrow(yield* fake.get(id))
      expect(session.channel.type).toBe("email")
      expect(session.contact?.email).toBe("ada@example.com")
      expect(session.custom_data).toEqual({ source: "cli", plan: "pro", seats: 3, trial: true, zip: "007", note: "a=b" })

      const asContact = yield* run(["send", id, "--text", "-"], "Where is my order?\n")
      expect(typeof asContact.messageId).toBe("string")
      expect(asContact.response).toMatchObject({ success: true, data: { message: { id: asContact.messageId } } })
      const asAgent = yield* run([
        "send",
        id,
        "--as",
        "agent",
        "--agent-id",
        "7",
        "--agent-name",
        "Sam",
        "--take-over",
        "--text",
        "It left this morning.",
        "--attach",
        "https://files.example/label%201.pdf"
      ])
      expect(typeof asAgent.messageId).toBe("string")
      const history = yield* historyJson(id)
      expect(history.map((item) => item.event.type)).toEqual(["message", "message", "human_agent_takeover", "message"])
      expect(history[0]!.event).toMatchObject({ sender: { type: "contact", name: "Ada Lovelace" }, content: { text: "Where is my order?" } })
      expect(history[3]!.event).toMatchObject({
        sender: { type: "human_agent", name: "Sam" },
        content: { text: "It left this morning." },
        attachments: [{ name: "label 1.pdf", type: "application/pdf", url: "https://files.example/label%201.pdf" }]
      })

      expect(yield* run(["close", id, "--summarise"])).toEqual({ id, status: "closed_resolved" })
      expect(Option.getOrThrow(yield* fake.get(id)).status).toBe("closed_resolved")
      expect(yield* run(["close", id, "--unresolved"])).toEqual({ id, status: "closed_unresolved" })
      expect(Option.getOrThrow(yield* fake.get(id)).status).toBe("closed_unresolved")
      expect(yield* run(["reopen", id])).toEqual({ id, status: "open" })
      expect(Option.getOrThrow(yield* fake.get(id)).status).toBe("open")

      const bodies = (yield* fake.requests).filter((r) => r.method !== "GET").map((r) => [r.method, r.body])
      expect(bodies).toEqual([
        ["POST", {
          channel: { type: "email" },
          contact: { email: "ada@example.com", name: "Ada Lovelace" },
          verified: true,
          custom_data: { source: "cli", plan: "pro", seats: 3, trial: true, zip: "007", note: "a=b" }
        }],
        ["POST", { sender: "contact", message: { type: "text", text: "Where is my order?" } }],
        ["POST", {
          sender: "agent",
          message: {
            type: "text",
            text: "It left this morning.",
            attachments: [{ name: "label 1.pdf", url: "https://files.example/label%201.pdf", mime_type: "application/pdf" }]
          },
          agent: { id: 7, name: "Sam" },
          should_take_over_session_from_ai: true
        }],
        ["PATCH", { status: "closed_resolved", generate_summary_and_sentiment_on_resolve: true }],
        ["PATCH", { status: "closed_unresolved" }],
        ["PATCH", { status: "open" }]
      ])
    }).pipe(onFake({ generate: { count: 5, seed: 17 } })))

  const id = "00000000-0000-4000-8000-000000000001"

  it.live.each([
    [["create", "--contact-id", "c1", "--contact-email", "a@b.c"], "--contact-id links an existing contact"],
    [["create", "--custom-data", "plan"], `Invalid --custom-data "plan": expected KEY=VALUE`],
    [["create", "--custom-data", "=pro"], `Invalid --custom-data "=pro": expected KEY=VALUE`],
    [["create", "--custom-data-json", `{"plan":{"tier":"pro"}}`], "Invalid --custom-data-json (custom_data.plan): Expected a string, a number or a boolean: custom data is flat"],
    [["create", "--custom-data-json", `{"tags":["a"]}`], "Invalid --custom-data-json (custom_data.tags)"],
    [["create", "--custom-data-json", "[1]"], "Invalid --custom-data-json: expected a JSON object"],
    [["create", "--custom-data-json", "{plan"], "Invalid --custom-data-json: it is not JSON"],
    [["create", "--channel", "fax"], "Invalid --channel: expected one of web, email"],
    [["send", id, "--text", ""], "--text is empty"],
    [["send", id, "--text", "   "], "--text is empty"],
    [["send", id, "--text", "-"], "--text is empty"], // stdin is empty
    [["send", id], "`opencx sessions send` needs `--text TEXT`: the message; - reads it from stdin"],
    [["send", id, "--text", "hi", "--as", "bot"], `Invalid --as: expected one of contact, agent, got "bot"`],
    [["send", id, "--text", "hi", "--agent-id", "7", "--agent-name", "Sam"], "--agent-id, --agent-name: only for a message sent --as agent"],
    [["send", id, "--text", "hi", "--take-over"], "--take-over: only for a message sent --as agent"],
    [["send", id, "--text", "hi", "--as", "agent", "--agent-id", "7"], "--agent-id and --agent-name go together"],
    [["send", id, "--text", "hi", "--attach", "not a url"], `Invalid --attach "not a url": expected the URL of a file`],
    [["send", id, "--text", "hi", "--attach", "file:///etc/passwd"], "expected an http:// or https:// URL, got file:"],
    [["send", id, "--text", "hi", "--custom-data-json", `{"a":{"b":1}}`], "Invalid --custom-data-json (custom_data.a)"],
    [["send", "..", "--text", "hi"], `Invalid ID "..": it cannot be an id`],
    [["send", "a\u001b[2Jb", "--text", "hi"], "it contains control characters"],
    [["close", id, "--unresolved", "--summarise"], "--summarise is for a session closed as resolved"],
    [["close", ""], `Invalid ID "": it is empty`],
    [["reopen"], "`opencx sessions reopen` needs ID"],
    [["reopen", id, "--summarise"], "`--summarise` is a flag of `opencx sessions close`, not of `opencx sessions reopen`"]
  ] as const)("%j: exit 2, %s, before any request", ([args, message]) =>
    Effect.gen(function*() {
      const result = yield* Cli.run(["sessions", ...args], yield* envOf)
      expect(result.stdout).toBe("")
      expect(result.stderr).toMatch(/^opencx: /)
      expect(result.stderr).toContain(message)
      expect(result.stderr).not.toMatch(/\x1b/)
      expect(result.code).toBe(2)
      expect(yield* requests).toHaveLength(0)
    }).pipe(onFake({ generate: { count: 3, seed: 18 } })))

  const writes: ReadonlyArray<readonly [string, (id: string) => ReadonlyArray<string>, string]> = [
    ["create", () => ["create", "--contact-email", "a@example.com"], "Look for it among the latest sessions"],
    ["send", (id) => ["send", id, "--text", "Hello"], "Read the conversation (opencx sessions history"],
    ["close", (id) => ["close", id], "Its status may have changed"],
    ["reopen", (id) => ["reopen", id], "Its status may have changed"]
  ]
  const faults = [
    ["a 500 after acting", FakeOpenCx.Fault.statusAfter(500), "failed with 500 (server error)"],
    ["a 503 after acting (a read would be retried)", FakeOpenCx.Fault.statusAfter(503), "failed with 503 (server error)"],
    // a PATCH's answer has no body to break off: the reset is tried on the writes that answer with one
    ["a connection reset after acting", FakeOpenCx.Fault.connectionReset, "failed: "]
  ] as const

  it.live.each(
    writes.flatMap(([name, args, check]) =>
      faults
        .filter(([what]) => !(what.startsWith("a connection reset") && (name === "close" || name === "reopen")))
        .map(([what, fault, failed]) => [name, what, args, check, fault, failed] as const)
    )
  )(
    "%s, %s: exit 1 with the client's message (the outcome is unknown), how to check, and one write in the log",
    ([, , args, check, fault, failed]) =>
      Effect.gen(function*() {
        const fake = yield* fakeOf
        const [session] = yield* sessions
        yield* fake.addFaults(FakeOpenCx.when((r) => r.method !== "GET", fault))
        const result = yield* Cli.run(["sessions", ...args(session!.id), "-q"], yield* envOf)
        expect(result.stdout).toBe("")
        expect(result.code).toBe(1)
        expect(result.stderr).toContain(failed)
        expect(result.stderr).toContain(
          "The outcome of this write is unknown: the server may have applied it. It was not retried; check (e.g. read the session or its history) before sending it again."
        )
        expect(result.stderr).toContain("Do not run the command again before checking whether it was applied.")
        expect(result.stderr).toContain(check)
        expect(result.stderr).not.toContain("run the command again later")
        expect(result.stderr.split("\n")).toHaveLength(2) // one message
        expect((yield* fake.requests).filter((r) => r.method !== "GET")).toHaveLength(1) // never retried
      }).pipe(onFake({ generate: { count: 3, seed: 19 } }))
  )

  it.live("a write to a session that does not exist: exit 1 with the NotFound message", () =>
    Effect.gen(function*() {
      const missing = "00000000-0000-4000-8000-00000000dead"
      const result = yield* Cli.run(["sessions", "send", missing, "--text", "hi", "-q"], yield* envOf)
      expect(result.code).toBe(1)
      expect(result.stderr).toContain(`There is no chat session ${missing} for this API key. Check the id.`)
      expect((yield* requests).filter((r) => r.method === "POST")).toHaveLength(1)
    }).pipe(onFake({ generate: { count: 3, seed: 19 } })))

  it.live("a 429 is retried (the server cannot have acted): the write is made once, exit 0", () =>
    Effect.gen(function*() {
      const fake = yield* fakeOf
      const [session] = yield* sessions
      yield* fake.addFaults(
        FakeOpenCx.when((r) => r.method === "POST", FakeOpenCx.Fault.status(429, { retryAfter: FakeOpenCx.RetryAfter.seconds(1) }), 1)
      )
      const result = yield* Cli.run(["sessions", "send", session!.id, "--text", "hi", "-q"], yield* envOf)
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      const posts = (yield* fake.requests).filter((r) => r.method === "POST")
      expect(posts.map((r) => r.status)).toEqual([429, 201])
      expect(Option.getOrThrow(yield* fake.history(session!.id)).filter((i) => i.event.type === "message" && "content" in i.event && i.event.content.text === "hi"))
        .toHaveLength(1)
    }).pipe(onFake({ generate: { count: 3, seed: 19 } })))

  it.live("a result that cannot be written (stdout on a full disk): exit 1, the result in the message", () =>
    Effect.gen(function*() {
      yield* Cli.requireDevFull
      const fd = fs.openSync("/dev/full", "w")
      const result = yield* Cli.run(["sessions", "create", "-q"], yield* envOf, { stdout: fd })
      fs.closeSync(fd)
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(
        /^opencx: cannot write to stdout: no space left on device \(ENOSPC\)\. The session was created: \{"id":"[0-9a-f-]{36}"\}\n$/
      )
      expect(yield* fakeOf.pipe(Effect.flatMap((fake) => fake.count))).toBe(4)
    }).pipe(onFake({ generate: { count: 3, seed: 19 } })))
})

describe("a reader that goes away before a write's result", () => {
  it.live("the result goes to stderr, and the command stops quietly (exit 0), as elsewhere", () =>
    Effect.gen(function*() {
      const running = yield* Cli.start(["sessions", "create", "-q"], yield* envOf)
      running.child.stdout!.destroy() // the reader is gone before the result comes
      const result = yield* running.result
      expect(result.code).toBe(0)
      expect(result.stderr).toMatch(
        /^opencx: stdout was closed before the result was written\. The session was created: \{"id":"[0-9a-f-]{36}"\}\n$/
      )
      expect(yield* fakeOf.pipe(Effect.flatMap((fake) => fake.count))).toBe(4)
    }).pipe(onFake({ generate: { count: 3, seed: 19 } })))
})

describe("secrets", () => {
  const key = "sk-live-CONVERSATIONS-7e4b1d"

  it.live("the key is in no output or log line (at Debug) of history, the writes, and a write that fails", () =>
    Effect.gen(function*() {
      const { fake, url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      const env = { OPENCX_API_KEY: key, OPENCX_BASE_URL: url }
      const [session] = yield* fake.sessions
      const id = session!.id
      const debug = (args: ReadonlyArray<string>) => Cli.run(["--log-level", "debug", "sessions", ...args], env)
      const results = [
        yield* debug(["history", id, "--format", "text"]),
        yield* debug(["export", "--with-history", "--limit", "3"]),
        yield* debug(["create", "--contact-name", "Ada"]),
        yield* debug(["send", id, "--text", "hello", "--as", "agent", "--agent-id", "1", "--agent-name", "Sam"]),
        yield* debug(["close", id]),
        yield* debug(["reopen", id])
      ]
      for (const result of results) expect(result.code).toBe(0)
      yield* fake.addFaults(FakeOpenCx.when((r) => r.method !== "GET", FakeOpenCx.Fault.statusAfter(500)))
      const failed = yield* debug(["send", id, "--text", "again"])
      expect(failed.code).toBe(1)
      expect(results.some((r) => r.stderr.includes("DEBUG"))).toBe(true) // the log level was Debug
      for (const result of [...results, failed]) {
        expect(result.stdout).not.toContain(key)
        expect(result.stderr).not.toContain(key)
      }
    }).pipe(onFake({ generate: { count: 5, seed: 20 }, apiKey: key })))
})
