/**
 * Crash safety, with real processes: syncs (history included) against a
 * FakeOpenCx on a socket, killed with SIGKILL at random moments, then run
 * again to the end: the tables equal those of an uninterrupted sync, with no
 * duplicate and no gap. And two processes syncing the same filters into one
 * database at once: one runs, the other fails clearly (or waits, when told).
 */
import { describe, expect, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { NodeFakeOpenCx } from "@opencx-effect/platform-node"
import { Deferred, Effect, Exit, Fiber, Redacted } from "effect"
import { type ChildOutcome, requireBuild, runChild } from "./utils/children.js"
import { layerOf, postgresPresence, type Target, tableRows, targets } from "../../../test-utils/databases.js"

postgresPresence()

const fakeOptions = { generate: { count: 200, seed: 21 }, pageSize: 8, historyPageSize: 10, latency: "4 millis" } as const
const count = fakeOptions.generate.count

/** the tables of a database, as comparable values (synced_at is when a row was written: it differs) */
const snapshot = (url: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const sessions = yield* tableRows("opencx_sessions", "id", ["synced_at"])
    const events = yield* tableRows("opencx_session_events", "session_id, seq")
    const state = yield* sql.unsafe<Record<string, unknown>>(
      "SELECT filters_key, watermark, run_started_at, cursor, lease_owner FROM opencx_sync_state"
    )
    const pages = yield* sql.unsafe<{ readonly n: number | string }>("SELECT count(*) AS n FROM opencx_sync_pages")
    const distinct = yield* sql.unsafe<{ readonly n: number | string }>("SELECT count(DISTINCT id) AS n FROM opencx_sessions")
    return { sessions, events, state, pages: Number(pages[0]!.n), distinctIds: Number(distinct[0]!.n) }
  }).pipe(Effect.provide(layerOf(url)), Effect.orDie)

/** the walk a killed run left: pages committed, if a walk is in progress */
const walkInProgress = (url: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.unsafe<{ readonly run_pages: number | string; readonly run_started_at: string | null }>(
      "SELECT run_pages, run_started_at FROM opencx_sync_state"
    )).pipe(
      Effect.map((rows) => rows[0]?.run_started_at === null || rows[0] === undefined ? 0 : Number(rows[0].run_pages)),
      // a run killed before it made its tables leaves none
      Effect.catchAll(() => Effect.succeed(0)),
      Effect.provide(layerOf(url))
    )

describe.each(targets)("$name", (target: Target) => {
  it.live("kill -9 at random moments, then a rerun: the tables equal an uninterrupted sync's, no duplicates, no gaps", () =>
    Effect.gen(function*() {
      yield* requireBuild
      const { fake, url: baseUrl } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      const apiKey = Redacted.value(fake.apiKey)
      const options = { withHistory: true }

      // the reference: one uninterrupted run
      const referenceDb = yield* target.fresh
      const reference = yield* runChild({ db: referenceDb, baseUrl, apiKey, options })
      expect(reference.result?.ok, reference.stderr).toBe(true)
      // each kill comes at a random moment of a run: after a random number of its own committed pages (none:
      // during its setup, connecting, migrating, taking the lease, fetching), plus a random delay of up to a
      // page and a half; the numbers are drawn so that the kills are spread over the whole walk
      const setup = reference.firstCommit ?? 0
      const totalPages = reference.result?.summary?.pages ?? 1
      const perPage = (reference.walked - setup) / totalPages
      const wanted = 10

      // the same sync, killed again and again
      const db = yield* target.fresh
      const kills: Array<{ readonly at: string; readonly outcome: ChildOutcome; readonly pagesLeft: number }> = []
      let committed = 0
      let guard = 0
      while (kills.length < wanted && guard++ < 40) {
        const most = Math.max(1, Math.floor((totalPages - committed) / (wanted - kills.length + 1)))
        const afterCommits = Math.floor(Math.random() * (most + 1))
        const delay = Math.round(Math.random() * perPage * 1.5)
        const outcome = yield* runChild({ db, baseUrl, apiKey, options, killAt: { afterCommits, delay } })
        const pagesLeft = yield* walkInProgress(db)
        committed = pagesLeft
        if (outcome.signal === "SIGKILL") kills.push({ at: `${afterCommits} pages + ${delay} ms`, outcome, pagesLeft })
        else expect(outcome.result?.ok, outcome.stderr).toBe(true) // it finished before its kill: fine
      }
      const report = kills.map((k) => `${k.at} → ${k.pagesLeft}`).join(", ")
      console.log(`${target.name}: reference ${Math.round(reference.walked)} ms, ${totalPages} pages (first commit ${Math.round(setup)} ms); kills (at → pages committed) ${report}`)
      expect(kills.length, report).toBeGreaterThanOrEqual(10)
      // the kills landed within the walk, many of them after some pages were committed
      const midWalk = kills.filter((k) => k.pagesLeft > 0)
      expect(midWalk.length, report).toBeGreaterThanOrEqual(5)
      // each run went on from the pages the runs before it committed: the walk never started over
      midWalk.forEach((k, i) => expect(k.pagesLeft, report).toBeGreaterThanOrEqual(midWalk[i - 1]?.pagesLeft ?? 0))

      const unfinished = (yield* walkInProgress(db)) > 0
      const last = yield* runChild({ db, baseUrl, apiKey, options })
      expect(last.result?.ok, last.stderr).toBe(true)
      expect(last.result?.summary?.done).toBe(true)
      // it went on from the last committed page (if the kills left the walk unfinished; a run may finish it before its kill)
      if (unfinished) expect(last.result?.summary?.resumed).toBe(true)

      const expected = yield* snapshot(referenceDb)
      const got = yield* snapshot(db)
      expect(got.sessions.length).toBe(count)
      expect(got.distinctIds).toBe(count) // no duplicates (and no gaps: equal to the reference)
      expect(got.sessions).toEqual(expected.sessions)
      expect(got.events.length).toBeGreaterThan(count)
      expect(got.events).toEqual(expected.events)
      expect(got.state.map((s) => ({ ...s, lease_owner: null }))).toEqual(expected.state)
      expect(got.state[0]!.lease_owner).toBe(null)
      expect(got.pages).toBe(0)
    }).pipe(Effect.provide(NodeFakeOpenCx.layer(fakeOptions))), 180_000)

  it.live("two processes sync the same filters into one database at once: one runs, the other says who holds the lease", () =>
    Effect.gen(function*() {
      yield* requireBuild
      const { fake, url: baseUrl } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      const apiKey = Redacted.value(fake.apiKey)
      /** two processes on one database, the second started once the first has committed a page (mid-walk) */
      const both = (db: string, options: Record<string, unknown>) =>
        Effect.gen(function*() {
          const committed = yield* Deferred.make<void>()
          const first = yield* Effect.fork(
            runChild({ db, baseUrl, apiKey, options, onFirstCommit: () => Deferred.unsafeDone(committed, Exit.void) })
          )
          yield* Deferred.await(committed)
          const second = yield* runChild({ db, baseUrl, apiKey, options })
          return [yield* Fiber.join(first), second] as const
        })

      const db = yield* target.fresh
      const [winner, loser] = yield* both(db, { withHistory: true })
      expect([winner.code, loser.code], `${winner.stderr}\n${loser.stderr}`).toEqual([0, 3])
      expect(loser.result?.tag).toBe("SyncInProgress")
      expect(loser.result?.owner).toMatch(new RegExp(`/${winner.pid}/`))
      expect(loser.result?.message).toContain(`another sync of (no filters) is in progress: `)
      const got = yield* snapshot(db)
      expect(got.sessions.length).toBe(count)
      expect(got.distinctIds).toBe(count)

      // told to wait, both run, one after the other, and the table is whole
      const db2 = yield* target.fresh
      const waited = yield* both(db2, { withHistory: true, wait: "2 minutes" })
      expect(waited.map((o) => o.code), waited.map((o) => o.stderr).join("\n")).toEqual([0, 0])
      expect(waited.map((o) => o.result?.summary?.sessions)).toEqual([count, 0])
      const whole = yield* snapshot(db2)
      expect(whole.sessions.length).toBe(count)
      expect(whole.distinctIds).toBe(count)
      expect(whole.state[0]).toMatchObject({ run_started_at: null, lease_owner: null })
    }).pipe(Effect.provide(NodeFakeOpenCx.layer(fakeOptions))), 120_000)
})
