/**
 * `opencx sessions sync`, as a user runs it (the built bin), into SQLite and
 * a real PostgreSQL: the table equals what the API served; a second run
 * after changes syncs only what changed (and the margin rule); kill -9 or
 * Ctrl-C mid-sync, then run again: the same table as an uninterrupted sync;
 * histories; one sync per filter set (the holder named, or --wait); and the
 * refusals: a bad --db (exit 2), an unreachable database (exit 1), a table
 * of another shape (exit 2, untouched), each before any request. The
 * database's password is in no output.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import * as ChatHistory from "@opencx-effect/core/ChatHistory"
import * as ChatSession from "@opencx-effect/core/ChatSession"
import * as FakeOpenCx from "@opencx-effect/core/FakeOpenCx"
import * as NodeFakeOpenCx from "@opencx-effect/platform-node/NodeFakeOpenCx"
import * as SessionSync from "@opencx-effect/sql/SessionSync"
import { DateTime, Effect, Option, Redacted, Schedule, Schema } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Cli from "./utils/cli.js"
import {
  asAdmin,
  onDatabase,
  pgUrl,
  postgresPresence,
  tableNames,
  tableRows,
  type Target,
  targets,
  unique,
  withDatabase
} from "../../../test-utils/databases.js"
import { freePort } from "../../../test-utils/net.js"

postgresPresence()

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "opencx-cli-sync-run-"))

const encodeSession = Schema.encodeSync(ChatSession.ChatSessionStrict)
const encodeItem = Schema.encodeSync(ChatHistory.HistoryItemStrict)

const onFake = (options: FakeOpenCx.Options) => Effect.provide(NodeFakeOpenCx.layer(options))
const fakeOf = FakeOpenCx.FakeOpenCx
const requests = Effect.flatMap(fakeOf, (fake) => fake.requests)

/** the environment that points the CLI at the fake on its socket */
const envOf = Effect.map(NodeFakeOpenCx.NodeFakeOpenCx, ({ fake, url }) => ({
  OPENCX_API_KEY: Redacted.value(fake.apiKey),
  OPENCX_BASE_URL: url
}))

/** every session of the fake, as it serves them (the strict encoding) */
const served = Effect.flatMap(fakeOf, (fake) => fake.sessions).pipe(Effect.map((all) => all.map((session) => encodeSession(session))))

const syncArgs = (db: string, args: ReadonlyArray<string> = []) => ["sessions", "sync", "--db", db, "--rate-limit", "0", ...args]

/** `opencx sessions sync --db DB …` against the fake */
const sync = (db: string, args: ReadonlyArray<string> = [], env: Record<string, string> = {}) =>
  Effect.flatMap(envOf, (fakeEnv) => Cli.run(syncArgs(db, args), { ...fakeEnv, ...env }))

const startSync = (db: string, args: ReadonlyArray<string> = []) =>
  Effect.flatMap(envOf, (fakeEnv) => Cli.start(syncArgs(db, args), fakeEnv))

interface Summary {
  readonly message: string
  readonly sessions: number
  readonly pages: number
  readonly sessionsThisRun: number
  readonly upserted: number
  readonly stale: number
  readonly events?: number
  readonly requests: number
  readonly watermark: string | null
  readonly previousWatermark: string | null
  readonly database: string
}

/** the summary of a run with --log-format json: its last line */
const summaryOf = (stderr: string): Summary => JSON.parse(stderr.trim().split("\n").at(-1)!) as Summary

/** the sessions of a database, read back as the API sent them */
const readBack = (db: string) => onDatabase(db, SessionSync.readSessions())

/**
 * the pages the walk under way of a filter set (`SessionSync.filtersKey`;
 * "" for none) has committed: 0 when none is under way, or the tables are
 * not there yet
 */
const committedPages = (db: string, filtersKey = "") =>
  onDatabase(
    db,
    Effect.flatMap(SqlClient.SqlClient, (sql) =>
      sql<{ readonly run_pages: number | string }>`SELECT run_pages FROM opencx_sync_state WHERE filters_key = ${filtersKey}`)
      .pipe(Effect.map((rows) => Number(rows[0]?.run_pages ?? 0)), Effect.orElseSucceed(() => 0))
  )

const waitForPages = (db: string, pages: number, filtersKey = "") =>
  committedPages(db, filtersKey).pipe(
    Effect.filterOrFail((n) => n >= pages),
    Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.upTo("30 seconds"))),
    Effect.orDie
  )

/** what a killed or finished walk left, to compare with an uninterrupted one */
const snapshot = (db: string) =>
  onDatabase(
    db,
    Effect.all({
      sessions: tableRows("opencx_sessions", "id", ["synced_at"]),
      events: tableRows("opencx_session_events", "session_id, seq"),
      state: tableRows("opencx_sync_state", "filters_key").pipe(
        Effect.map((rows) =>
          rows.map((row) => ({ key: row.filters_key, watermark: row.watermark, runs: Number(row.runs), walk: row.run_started_at }))
        )
      )
    })
  )

const forEachTarget = (name: string, body: (target: Target) => void) => {
  for (const target of targets) describe(`${name} (${target.name})`, () => body(target))
}

forEachTarget("opencx sessions sync", (target) => {
  it.live("a sync equals the API's sessions; after changes, the next run syncs only them (and the margin rule)", () =>
    Effect.gen(function*() {
      const db = yield* target.fresh
      const first = yield* sync(db, ["--log-format", "json"])
      expect(first.code).toBe(0)
      expect(first.stdout).toBe("")
      const one = summaryOf(first.stderr)
      expect(one).toMatchObject({ sessions: 230, pages: 10, upserted: 230, stale: 0, previousWatermark: null })
      expect(yield* readBack(db)).toEqual(yield* served)

      // three sessions change, one is new: the next run asks for what changed after the watermark, and syncs just that
      const fake = yield* fakeOf
      const all = yield* fake.sessions
      const now = DateTime.unsafeMake(Date.now())
      for (const session of [all[3]!, all[100]!, all[229]!]) {
        yield* fake.update(session.id, (s) => ({ ...s, status: "closed_unresolved", language: "fr", updated_at: now }))
      }
      yield* fake.upsert({ ...all[0]!, id: "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f", created_at: now, updated_at: now })
      yield* fake.clearRequests
      const second = yield* sync(db, ["--log-format", "json"])
      expect(second.code).toBe(0)
      const two = summaryOf(second.stderr)
      expect(two).toMatchObject({ sessions: 4, upserted: 4, previousWatermark: one.watermark })
      const asked = yield* requests
      expect(asked).toHaveLength(1)
      expect(asked[0]!.query.updated_after).toBe(one.watermark)
      expect(yield* readBack(db)).toEqual(yield* served)

      // the margin rule: sessions updated within a minute before a run began are synced again by the next one
      const third = yield* sync(db, ["--log-format", "json"])
      expect(summaryOf(third.stderr)).toMatchObject({ sessions: 4, previousWatermark: two.watermark })
      expect(Date.parse(two.watermark!)).toBeLessThanOrEqual(Date.now() - 60_000)
      expect(yield* readBack(db)).toEqual(yield* served)
    }).pipe(onFake({ generate: { count: 230, seed: 51 }, pageSize: 25 })), 60_000)

  it.live("--with-history stores each session's events, as the API sent them", () =>
    Effect.gen(function*() {
      const db = yield* target.fresh
      const result = yield* sync(db, ["--with-history", "--log-format", "json"])
      expect(result.code).toBe(0)
      const fake = yield* fakeOf
      let events = 0
      for (const session of yield* fake.sessions) {
        const history = Option.getOrThrow(yield* fake.history(session.id)).map((item) => encodeItem(item))
        expect(yield* onDatabase(db, SessionSync.readEvents(session.id))).toEqual(history)
        events += history.length
      }
      expect(events).toBeGreaterThan(0)
      expect(summaryOf(result.stderr)).toMatchObject({ sessions: 40, events })
    }).pipe(onFake({ generate: { count: 40, seed: 52 }, pageSize: 10 })), 60_000)

  it.live("kill -9 mid-sync (twice), then run again: the same tables as an uninterrupted sync", () =>
    Effect.gen(function*() {
      const reference = yield* target.fresh
      expect((yield* sync(reference, ["--with-history", "-q"])).code).toBe(0)

      const db = yield* target.fresh
      const fake = yield* fakeOf
      yield* fake.addFaults(FakeOpenCx.when(() => true, FakeOpenCx.Fault.latency("15 millis")))
      for (const pages of [4, 9]) {
        const run = yield* startSync(db, ["--with-history", "-q"])
        yield* waitForPages(db, pages)
        run.child.kill("SIGKILL")
        expect((yield* run.result).signal).toBe("SIGKILL")
        const left = yield* committedPages(db)
        expect(left).toBeGreaterThanOrEqual(pages)
        expect(left).toBeLessThan(30) // mid-walk: the walk is not done
      }
      yield* fake.clearFaults
      const resumed = yield* sync(db, ["--with-history", "--log-format", "json"])
      expect(resumed.code).toBe(0)
      const summary = summaryOf(resumed.stderr)
      expect(summary.sessions).toBe(600)
      expect(summary.sessionsThisRun).toBeLessThan(600) // it went on from the last committed page
      expect(yield* snapshot(db)).toEqual(yield* snapshot(reference))
      expect(yield* readBack(db)).toEqual(yield* served)
    }).pipe(onFake({ generate: { count: 600, seed: 53 }, pageSize: 20 })), 120_000)

  it.live("Ctrl-C: exit 130, whole pages kept, the lease released; the message says the next run continues", () =>
    Effect.gen(function*() {
      const db = yield* target.fresh
      const fake = yield* fakeOf
      yield* fake.addFaults(FakeOpenCx.when(() => true, FakeOpenCx.Fault.latency("40 millis")))
      const run = yield* startSync(db)
      yield* waitForPages(db, 3)
      run.child.kill("SIGINT")
      const interrupted = yield* run.result
      expect(interrupted.code).toBe(130)
      expect(interrupted.stderr).toMatch(
        /(?:^|\n)interrupted: [\d,]+ sessions in [\d,]+ pages, [\d,]+ upserted, .*\nThe database (?:sqlite:\S+|postgres:\/\/opencx:\*\*\*@\S+) holds whole pages/
      )
      expect(interrupted.stderr).toContain("Run the same command again: it continues where this one stopped.\n")
      const state = yield* onDatabase(db, tableRows("opencx_sync_state", "filters_key"))
      expect(state[0]!.lease_owner).toBeNull()
      expect(Number(state[0]!.run_pages)).toBeGreaterThanOrEqual(3)

      yield* fake.clearFaults
      const again = yield* sync(db, ["--log-format", "json"])
      expect(again.code).toBe(0)
      expect(summaryOf(again.stderr).sessions).toBe(300)
      expect(yield* readBack(db)).toEqual(yield* served)
    }).pipe(onFake({ generate: { count: 300, seed: 54 }, pageSize: 10 })), 60_000)

  it.live("another sync of the same filters: exit 1 naming the holder; with --wait, it waits for it", () =>
    Effect.gen(function*() {
      const db = yield* target.fresh
      const fake = yield* fakeOf
      yield* fake.addFaults(FakeOpenCx.when(() => true, FakeOpenCx.Fault.latency("60 millis")))
      const first = yield* startSync(db, ["-q"])
      yield* waitForPages(db, 2)
      const waiting = yield* startSync(db, ["--wait", "120", "--log-format", "json"])
      const busy = yield* sync(db, ["-q"])
      expect(busy.code).toBe(1)
      expect(busy.stderr).toMatch(
        new RegExp(
          `^opencx: another sync of \\(no filters\\) is in progress: [^/\\s]+/${first.child.pid}/\\w+ holds the lease since \\S+ \\(until \\S+ unless renewed\\)\\. Wait for it to finish, or give --wait SECONDS to wait for it\\.\\n$`
        )
      )
      expect((yield* first.result).code).toBe(0)
      const waited = yield* waiting.result
      expect(waited.code).toBe(0)
      // it began its walk once the first was done: from the watermark the first left
      expect(summaryOf(waited.stderr).previousWatermark).not.toBeNull()
      expect(yield* readBack(db)).toEqual(yield* served)
    }).pipe(onFake({ generate: { count: 600, seed: 55 }, pageSize: 10 })), 90_000)

  it.live("a table of another shape under our names: exit 2, before any request, the table untouched", () =>
    Effect.gen(function*() {
      const db = yield* target.fresh
      yield* onDatabase(
        db,
        Effect.flatMap(SqlClient.SqlClient, (sql) =>
          Effect.zipRight(
            sql.unsafe("CREATE TABLE opencx_sessions (id TEXT PRIMARY KEY, note TEXT)"),
            sql.unsafe("INSERT INTO opencx_sessions (id, note) VALUES ('theirs-1', 'another application''s row')")
          ))
      )
      const tablesBefore = yield* onDatabase(db, tableNames)
      const result = yield* sync(db)
      expect(result.code).toBe(2)
      expect(result.stderr).toContain("the table opencx_sessions is not the one @opencx-effect/sql maintains")
      expect(result.stderr).toContain("nothing was changed")
      expect(yield* requests).toHaveLength(0)
      expect(yield* onDatabase(db, tableNames)).toEqual(tablesBefore)
      expect(yield* onDatabase(db, tableRows("opencx_sessions", "id"))).toEqual([
        { id: "theirs-1", note: "another application's row" }
      ])
    }).pipe(onFake({ generate: { count: 20, seed: 56 } })))
})

describe("opencx sessions sync: what it refuses before any request", () => {
  const password = "Db-Pw-7f3e1c"

  it.live.each([
    ["another scheme", `mysql://sync:${password}@db.internal/support`, `Invalid --db mysql://sync:***@db.internal/support: expected sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE`],
    ["sqlite: without a file", "sqlite:", "Invalid --db sqlite:: no file: write sqlite:PATH (e.g. sqlite:opencx.db)"],
    ["a URL that does not parse", `postgres://sync:${password}@[db.internal/support`, "Invalid --db postgres:…: not a valid URL"],
    ["no host", "postgresql:///support", "Invalid --db postgresql:///support: no host"],
    ["not a URL", password, "Invalid --db …: expected sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE"]
  ] as const)("a bad --db (%s): exit 2, nothing connected, created or requested", ([, db, message]) =>
    Effect.gen(function*() {
      const dir = tmp()
      const viaFlag = yield* Effect.flatMap(envOf, (env) => Cli.run(["sessions", "sync", "--db", db], env, { cwd: dir }))
      const viaEnv = yield* Effect.flatMap(envOf, (env) => Cli.run(["sessions", "sync"], { ...env, OPENCX_DB_URL: db }, { cwd: dir }))
      for (const [result, from] of [[viaFlag, "--db"], [viaEnv, "OPENCX_DB_URL"]] as const) {
        expect(result.code).toBe(2)
        expect(result.stderr).toBe(`opencx: ${message.replace("--db", from)}\n`)
        expect(result.stdout).toBe("")
      }
      expect(fs.readdirSync(dir)).toEqual([])
      expect(yield* requests).toHaveLength(0)
    }).pipe(onFake({ generate: { count: 10, seed: 57 } })))

  it.live("an unreachable PostgreSQL: exit 1, what, where and what to do, before any request, without its password", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const result = yield* sync(`postgres://opencx:${password}@127.0.0.1:${port}/support`, ["--log-level", "debug"])
      expect(result.code).toBe(1)
      expect(result.stderr).toContain(`opencx: cannot reach the database postgres://opencx:***@127.0.0.1:${port}/support: `)
      expect(result.stderr).toContain(
        "Check that the PostgreSQL server is up and reachable from here, and the user, password and database in --db. Nothing was asked of the API.\n"
      )
      expect(`${result.stdout}${result.stderr}`).not.toContain(password)
      expect(yield* requests).toHaveLength(0)
    }).pipe(onFake({ generate: { count: 10, seed: 58 } })))

  it.live("a SQLite file in a directory that does not exist: exit 2, saying what to do; one that cannot be opened: exit 1", () =>
    Effect.gen(function*() {
      const missing = path.join(tmp(), "no-such-directory")
      const result = yield* sync(`sqlite:${path.join(missing, "opencx.db")}`)
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(
        new RegExp(`^opencx: --db sqlite:\\S+: the directory ${missing} does not exist: create it \\(mkdir -p ${missing}\\), or choose another --db\\n`)
      )
      expect(fs.existsSync(missing)).toBe(false)
      // a directory where the file should be
      const directory = yield* sync(`sqlite:${tmp()}`)
      expect(directory.code).toBe(1)
      expect(directory.stderr).toMatch(/^opencx: cannot reach the database sqlite:\S+: .*Check that the file's directory exists/)
      expect(yield* requests).toHaveLength(0)
    }).pipe(onFake({ generate: { count: 10, seed: 58 } })))

  it.live("without --db: OPENCX_DB_URL, else sqlite:opencx.db in the current directory", () =>
    Effect.gen(function*() {
      const dir = tmp()
      const byDefault = yield* Effect.flatMap(envOf, (env) => Cli.run(["sessions", "sync", "-q"], env, { cwd: dir }))
      expect(byDefault.code).toBe(0)
      expect(fs.existsSync(path.join(dir, "opencx.db"))).toBe(true)
      expect(yield* readBack(`sqlite:${path.join(dir, "opencx.db")}`)).toEqual(yield* served)
      const fromEnv = yield* Effect.flatMap(
        envOf,
        (env) => Cli.run(["sessions", "sync", "-q"], { ...env, OPENCX_DB_URL: "sqlite:other.db" }, { cwd: dir })
      )
      expect(fromEnv.code).toBe(0)
      expect(yield* readBack(`sqlite:${path.join(dir, "other.db")}`)).toEqual(yield* served)
    }).pipe(onFake({ generate: { count: 30, seed: 59 }, pageSize: 10 })))

  it.live("with no key, the embedded FakeOpenCx, as for export", () =>
    Effect.gen(function*() {
      const dir = tmp()
      const result = yield* Cli.run(["sessions", "sync"], { OPENCX_FAKE_COUNT: "150", OPENCX_FAKE_SEED: "4" }, { cwd: dir })
      expect(result.code).toBe(0)
      expect(result.stderr).toContain("using the embedded FakeOpenCx, 150 generated sessions")
      expect(result.stderr).toMatch(/\nsynced into sqlite:opencx\.db: 150 sessions in 2 pages, 150 upserted, 0 stale skipped, /)
      expect(result.stderr).toMatch(/\n {2}next run: the sessions updated after \S+ \(the watermark/)
      expect((yield* readBack(`sqlite:${path.join(dir, "opencx.db")}`)).length).toBe(150)
    }))

  it.live("--restart forgets the walk a killed run left, and walks again from the watermark", () =>
    Effect.gen(function*() {
      const db = `sqlite:${path.join(tmp(), "restart.db")}`
      const fake = yield* fakeOf
      yield* fake.addFaults(FakeOpenCx.when(() => true, FakeOpenCx.Fault.latency("30 millis")))
      const run = yield* startSync(db, ["-q"])
      yield* waitForPages(db, 3)
      run.child.kill("SIGKILL")
      yield* run.result
      yield* fake.clearFaults
      const restarted = yield* sync(db, ["--restart", "--log-format", "json"])
      expect(restarted.code).toBe(0)
      expect(summaryOf(restarted.stderr)).toMatchObject({ sessions: 200, sessionsThisRun: 200, pages: 20 })
      expect(yield* readBack(db)).toEqual(yield* served)
    }).pipe(onFake({ generate: { count: 200, seed: 60 }, pageSize: 10 })), 60_000)
})

describe("opencx sessions sync on SQLite: where the sessions come from, relative dates, Ctrl-C without I/O", () => {
  it.live("a database synced from the embedded FakeOpenCx refuses the sessions of an API (exit 2, before any request), and the other way round", () =>
    Effect.gen(function*() {
      const dir = tmp()
      const embedded = yield* Cli.run(["sessions", "sync", "-q"], { OPENCX_FAKE_COUNT: "50" }, { cwd: dir })
      expect(embedded.code).toBe(0)
      const env = yield* envOf
      const { url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      const real = yield* Cli.run(["sessions", "sync", "--rate-limit", "0"], env, { cwd: dir })
      expect(real.code).toBe(2)
      expect(real.stderr).toBe(
        `opencx: sqlite:opencx.db holds the sessions of the embedded FakeOpenCx (synced since ${
          /synced since (\S+)\)/.exec(real.stderr)?.[1]
        }), and this run reads ${url}: its sessions would mix with those, and its walk would start from their watermark. Sync into another database (--db), or remove this one to start it over. Nothing was asked of the API.\n`
      )
      expect(yield* requests).toHaveLength(0)
      expect((yield* readBack(`sqlite:${path.join(dir, "opencx.db")}`)).length).toBe(50)
      // the embedded fake with another count or seed is still the embedded fake
      expect((yield* Cli.run(["sessions", "sync", "-q"], { OPENCX_FAKE_COUNT: "60", OPENCX_FAKE_SEED: "2" }, { cwd: dir })).code).toBe(0)
      // and a database of the API refuses the embedded fake
      const other = `sqlite:${path.join(dir, "api.db")}`
      expect((yield* sync(other, ["-q"])).code).toBe(0)
      const back = yield* Cli.run(["sessions", "sync", "--db", other], {}, { cwd: dir })
      expect(back.code).toBe(2)
      expect(back.stderr).toContain(`holds the sessions of ${url} (synced since `)
      expect(back.stderr).toContain("and this run reads the embedded FakeOpenCx")
      expect(yield* readBack(other)).toEqual(yield* served)
    }).pipe(onFake({ generate: { count: 30, seed: 62 }, pageSize: 10 })))

  it.live("a first run that got no session in (an API that refused the key) claims no source", () =>
    Effect.gen(function*() {
      const dir = tmp()
      const env = yield* envOf
      const fake = yield* fakeOf
      yield* fake.addFaults(FakeOpenCx.when(() => true, FakeOpenCx.Fault.status(401)))
      const refused = yield* Cli.run(["sessions", "sync", "--rate-limit", "0", "-q"], env, { cwd: dir })
      expect(refused.code).toBe(1)
      yield* fake.clearFaults
      // the embedded fake may take the database: nothing of the API is in it
      const embedded = yield* Cli.run(["sessions", "sync", "-q"], { OPENCX_FAKE_COUNT: "20" }, { cwd: dir })
      expect(embedded.code).toBe(0)
      expect((yield* readBack(`sqlite:${path.join(dir, "opencx.db")}`)).length).toBe(20)
    }).pipe(onFake({ generate: { count: 30, seed: 63 }, pageSize: 10 })))

  it.live.each(["--created-after", "--created-before", "--updated-before"])(
    "%s relative to now is refused (exit 2): it would name another filter set at every run",
    (flag) =>
      Effect.gen(function*() {
        const dir = tmp()
        const result = yield* Cli.run(["sessions", "sync", flag, "7d"], {}, { cwd: dir })
        expect(result.code).toBe(2)
        expect(result.stderr).toMatch(
          new RegExp(`^opencx: ${flag} 7d: a sync keeps a fixed set of sessions in step, run after run, .* Give a date \\(${flag} \\d{4}-\\d{2}-\\d{2}\\)`)
        )
        expect(fs.existsSync(path.join(dir, "opencx.db"))).toBe(false)
        // --since is a floor, not part of the set: relative is fine
        expect((yield* Cli.run(["sessions", "sync", "--since", "7d", "-q"], { OPENCX_FAKE_COUNT: "20" }, { cwd: dir })).code).toBe(0)
      })
  )

  it.live("Ctrl-C on the embedded FakeOpenCx stops the sync at once (nothing in a page waits for I/O), and the next run continues", () =>
    Effect.gen(function*() {
      const dir = tmp()
      const db = `sqlite:${path.join(dir, "opencx.db")}`
      const env = { OPENCX_FAKE_COUNT: "30000" }
      const run = yield* Cli.start(["sessions", "sync", "--progress-interval", "1"], env, { cwd: dir })
      yield* waitForPages(db, 5)
      run.child.kill("SIGINT")
      const interrupted = yield* run.result
      expect(interrupted.code).toBe(130)
      expect(interrupted.stderr).toContain("Run the same command again: it continues where this one stopped.")
      const left = yield* committedPages(db)
      expect(left).toBeGreaterThanOrEqual(5)
      expect(left).toBeLessThan(300) // it stopped mid-walk: a walk run to its end leaves no pages under way
      const again = yield* Cli.run(["sessions", "sync", "--log-format", "json"], env, { cwd: dir })
      expect(again.code).toBe(0)
      const summary = summaryOf(again.stderr)
      expect(summary.sessions).toBe(30_000)
      expect(summary.sessionsThisRun).toBeLessThan(30_000)
    }), 120_000)
})

// PostgreSQL only (a SQLite URL has no password); postgresPresence() fails in CI without it
if (pgUrl !== undefined) {
  const adminUrl = pgUrl
  describe("opencx sessions sync: the database's password is in no output", () => {
  it.live("PostgreSQL with a distinctive password: at --log-level debug, as text and JSON, on success, an API error and Ctrl-C", () =>
    Effect.gen(function*() {
      const role = `opencx_pw_${unique()}`
      const password = "Pw:D1stinct/ive@Secret%x"
      yield* asAdmin(adminUrl, `CREATE ROLE ${role} LOGIN PASSWORD '${password}'`, `CREATE DATABASE ${role} OWNER ${role}`)
      const db = withDatabase(adminUrl, role, { name: role, password })
      const secrets = [password, encodeURIComponent(password), "D1stinct"]
      const outputs: Array<string> = []
      const keep = (result: Cli.Result) => {
        outputs.push(result.stdout, result.stderr)
        return result
      }
      const named = `postgres://${role}:***@`

      const text = keep(yield* sync(db, ["--log-level", "debug", "--with-history"]))
      expect(text.code).toBe(0)
      expect(text.stderr).toContain(`synced into ${named}`)
      const json = keep(yield* Effect.flatMap(envOf, (env) =>
        Cli.run(["sessions", "sync", "--rate-limit", "0", "--log-format", "json", "--log-level", "debug"], {
          ...env,
          OPENCX_DB_URL: db
        })))
      expect(json.code).toBe(0)
      expect(summaryOf(json.stderr).database).toContain(named)

      // an API error mid-walk (another filter set: a walk of its own), then Ctrl-C mid-walk
      const fake = yield* fakeOf
      yield* fake.addFaults(FakeOpenCx.when((r) => r.query.status === "open" && r.cursor !== undefined, FakeOpenCx.Fault.status(401), 1))
      const failed = keep(yield* sync(db, ["--status", "open", "--log-level", "debug"]))
      expect(failed.code).toBe(1)
      yield* fake.clearFaults
      yield* fake.addFaults(FakeOpenCx.when(() => true, FakeOpenCx.Fault.latency("40 millis")))
      const run = yield* startSync(db, ["--status", "closed_resolved", "--log-level", "debug"])
      yield* waitForPages(db, 1, "status=closed_resolved")
      run.child.kill("SIGINT")
      const interrupted = keep(yield* run.result)
      expect(interrupted.code).toBe(130)
      // a wrong password: the message names the database, never the password tried
      const wrong = keep(yield* sync(withDatabase(adminUrl, role, { name: role, password: `${password}-wrong` })))
      expect(wrong.code).toBe(1)
      expect(wrong.stderr).toContain(`cannot reach the database ${named}`)

      for (const output of outputs) for (const secret of secrets) expect(output).not.toContain(secret)
    }).pipe(onFake({ generate: { count: 400, seed: 61 }, pageSize: 20 })), 90_000)
  })
}
