/**
 * A sync, for SQLite and PostgreSQL each: a full sync equals what the API
 * served (every field, read back), an incremental run changes exactly the
 * sessions that changed, the margin rule, and the history.
 */
import { describe, expect, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { FakeOpenCx, SessionsService, TestSessions } from "@opencx-effect/core"
import { SessionSync } from "@opencx-effect/sql"
import { Chunk, DateTime, Effect, Layer, Option, Stream, TestClock } from "effect"
import { layerOf, postgresPresence, type Target, tableRows, targets } from "../../../test-utils/databases.js"
import { layerPages, served } from "./utils/sessions.js"

postgresPresence()

/** what the API would send, and what the fake cannot: unknown fields, nanoseconds, offsets, absent vs null */
const exotic: ReadonlyArray<ReadonlyArray<Record<string, unknown>>> = [
  [
    {
      id: "3f1c2a4e-8b7d-4c6e-9a1b-2c3d4e5f6a7b",
      status: "archived", // a status the spec does not list
      ai_closure_type: null,
      sentiment: "happy",
      channel: { type: "telegram", bot: "support_bot" }, // a channel and a channel field the spec does not have
      contact: {
        id: "a7c1d2e3-f4a5-4b6c-8d7e-9f0a1b2c3d4e",
        email: "ada@example.com",
        phone_number: null,
        name: "Ada Lovelace",
        custom_data: { plan: "pro" },
        created_at: "2024-12-01T00:00:00Z",
        updated_at: "2025-01-01T00:00:00Z",
        vip: true // unknown in a nested object
      },
      language: "nl",
      custom_data: { plan: "pro", seats: 12, beta: true, ratio: 0.1, "emoji 🎉": "✓ ünïcödé" },
      team: { id: "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e", name: "Tier 2", description: "escalations" },
      handoff: { summary: "wants a refund", sentiment: "angry" },
      ticketing_system: { name: "linear", external_id: "LIN-42", id_type: "issue_id" },
      ticket_number: 9007199254740991,
      assist_mode: false,
      created_at: "2025-03-02T10:00:00.123456789Z", // nanoseconds
      updated_at: "2025-03-02T12:45:12.5+02:00", // an offset, a tenth of a second
      summary: "A field the spec does not have",
      tags: ["refund", "vip"],
      score: 0.3,
      nothing: null,
      nested: { deep: [1, { deeper: null }] }
    },
    {
      id: "4a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
      status: "open",
      ai_closure_type: null,
      sentiment: null,
      channel: { type: "email" },
      assignee_id: null, // null, not absent
      ticket_number: 1.5,
      assist_mode: true,
      created_at: "2025-03-02T10:00:00Z",
      updated_at: "2025-03-02T10:00:00.000001Z"
    }
  ],
  [],
  [
    {
      // the keys in another order than the spec's
      updated_at: "2025-03-03T08:00:00.1-05:30",
      created_at: "2025-03-03T08:00:00.1-05:30",
      assist_mode: false,
      ticket_number: 3,
      channel: { type: "web" },
      sentiment: "neutral",
      ai_closure_type: "handed_off",
      status: "closed_unresolved",
      id: "5b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
      assignee_id: "agent-7",
      custom_data: {}
    }
  ]
]

/** session with a "__proto__" key: JSON.parse makes it an own property, and so must the database */
const withProtoKey = JSON.parse(`{
  "id": "6c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
  "status": "open",
  "ai_closure_type": null,
  "sentiment": null,
  "channel": { "type": "web" },
  "custom_data": { "__proto__": "data" },
  "ticket_number": 4,
  "assist_mode": false,
  "created_at": "2025-03-04T00:00:00Z",
  "updated_at": "2025-03-04T00:00:00Z",
  "__proto__": { "polluted": true }
}`) as Record<string, unknown>

const count = (sql: SqlClient.SqlClient, query: string) =>
  Effect.map(sql.unsafe<{ readonly n: number | string }>(query), (rows) => Number(rows[0]!.n))

describe.each(targets)("$name", (target: Target) => {
  const dialect = target.name === "postgres" ? "pg" : "sqlite"

  it.live("a full sync equals what the API served: count, ids, every field read back", () =>
    Effect.gen(function*() {
      const url = yield* target.fresh
      const summary = yield* SessionSync.run().pipe(Effect.provide(layerOf(url)))
      const sent = yield* served
      expect(summary.done).toBe(true)
      expect(summary.sessions).toBe(sent.length)
      expect(summary.upserted).toBe(sent.length)
      expect(summary.resumed).toBe(false)

      yield* Effect.gen(function*() {
        const back = yield* SessionSync.readSessions()
        expect(back.length).toBe(sent.length)
        expect(back.map((s) => s.id).sort()).toEqual(sent.map((s) => s.id).sort())
        const byId = new Map(back.map((s) => [s.id, s]))
        for (const session of sent) {
          const read = byId.get(session.id)!
          expect(read).toStrictEqual(session)
          expect(Object.keys(read)).toEqual(Object.keys(session)) // absent stays absent, in the order sent
        }

        // the typed columns answer the obvious queries
        const sql = yield* SqlClient.SqlClient
        expect(yield* count(sql, "SELECT count(*) AS n FROM opencx_sessions")).toBe(sent.length)
        expect(yield* count(sql, "SELECT count(DISTINCT id) AS n FROM opencx_sessions")).toBe(sent.length)
        expect(yield* count(sql, "SELECT count(*) AS n FROM opencx_sessions WHERE status = 'open'"))
          .toBe(sent.filter((s) => s.status === "open").length)
        expect(yield* count(sql, "SELECT count(*) AS n FROM opencx_sessions WHERE channel_type = 'email'"))
          .toBe(sent.filter((s) => s.channel.type === "email").length)
        expect(
          yield* count(sql, `SELECT count(*) AS n FROM opencx_sessions WHERE ${dialect === "pg" ? "assist_mode" : "assist_mode = 1"}`)
        ).toBe(sent.filter((s) => s.assist_mode).length)
        expect(yield* count(sql, "SELECT count(*) AS n FROM opencx_sessions WHERE assignee_id IS NULL"))
          .toBe(sent.filter((s) => s.assignee_id === undefined || s.assignee_id === null).length)
        const latest = yield* sql.unsafe<{ readonly id: string }>(
          "SELECT id FROM opencx_sessions ORDER BY updated_at DESC, id LIMIT 5"
        )
        const byUpdated = [...sent].sort((a, b) =>
          Date.parse(b.updated_at) - Date.parse(a.updated_at) || (a.id < b.id ? -1 : 1)
        )
        expect(latest.map((r) => r.id)).toEqual(byUpdated.slice(0, 5).map((s) => s.id))
        const emails = yield* sql.unsafe<{ readonly id: string; readonly email: string | null }>(
          dialect === "pg"
            ? "SELECT id, contact->>'email' AS email FROM opencx_sessions WHERE contact IS NOT NULL ORDER BY id"
            : "SELECT id, json_extract(contact, '$.email') AS email FROM opencx_sessions WHERE contact IS NOT NULL ORDER BY id"
        )
        expect(emails).toEqual(
          sent.filter((s) => s.contact !== undefined).map((s) => ({ id: s.id, email: s.contact!.email }))
            .sort((a, b) => a.id < b.id ? -1 : 1)
        )
      }).pipe(Effect.provide(layerOf(url)))
    }).pipe(Effect.provide(TestSessions.layerFake({ generate: { count: 230, seed: 11 }, pageSize: 20 }))))

  it.live("what the fake cannot send comes back as it was sent: unknown fields, nanoseconds, offsets, null vs absent, __proto__", () =>
    Effect.gen(function*() {
      const url = yield* target.fresh
      const pages = [...exotic, [withProtoKey]]
      const summary = yield* SessionSync.run().pipe(Effect.provide(Layer.merge(layerOf(url), layerPages(pages))))
      expect(summary.sessions).toBe(4)
      expect(summary.pages).toBe(4)

      yield* Effect.gen(function*() {
        const back = yield* SessionSync.readSessions()
        const sent = pages.flat()
        expect(back.length).toBe(sent.length)
        for (const session of sent) {
          const read = back.find((s) => s.id === session.id)!
          expect(read).toStrictEqual(session)
          expect(Object.keys(read)).toEqual(Object.keys(session))
        }
        const proto = back.find((s) => s.id === withProtoKey.id)!
        expect(Object.getPrototypeOf(proto)).toBe(Object.prototype)
        expect(Object.getOwnPropertyDescriptor(proto, "__proto__")?.value).toEqual({ polluted: true })

        // the typed timestamp: microseconds of the nanoseconds sent (truncated), offsets as UTC instants
        const sql = yield* SqlClient.SqlClient
        const times = yield* sql.unsafe<{ readonly id: string; readonly created: string; readonly updated: string }>(
          dialect === "pg"
            ? `SELECT id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS created,
                 to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS updated FROM opencx_sessions ORDER BY created_at`
            : "SELECT id, substr(created_at, 1, 26) AS created, substr(updated_at, 1, 26) AS updated FROM opencx_sessions ORDER BY created_at"
        )
        expect(times.slice(0, 3)).toEqual([
          { id: "4a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", created: "2025-03-02T10:00:00.000000", updated: "2025-03-02T10:00:00.000001" },
          { id: "3f1c2a4e-8b7d-4c6e-9a1b-2c3d4e5f6a7b", created: "2025-03-02T10:00:00.123456", updated: "2025-03-02T10:45:12.500000" },
          { id: "5b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e", created: "2025-03-03T13:30:00.100000", updated: "2025-03-03T13:30:00.100000" }
        ])
        const extra = yield* sql.unsafe<{ readonly extra: unknown }>(
          "SELECT extra FROM opencx_sessions WHERE id = '3f1c2a4e-8b7d-4c6e-9a1b-2c3d4e5f6a7b'"
        )
        const parsed: unknown = typeof extra[0]!.extra === "string" ? JSON.parse(extra[0]!.extra) : extra[0]!.extra
        expect(parsed).toEqual({
          summary: "A field the spec does not have",
          tags: ["refund", "vip"],
          score: 0.3,
          nothing: null,
          nested: { deep: [1, { deeper: null }] }
        })
      }).pipe(Effect.provide(layerOf(url)))
    }))

  it.live("U+0000 in a string: SQLite keeps it; PostgreSQL cannot store it, and the page fails with DatabaseError", () =>
    Effect.gen(function*() {
      const url = yield* target.fresh
      const session = { ...exotic[0]![1]!, language: "nl\u0000x" }
      const result = yield* Effect.either(SessionSync.run().pipe(Effect.provide(Layer.merge(layerOf(url), layerPages([[session]])))))
      if (dialect === "sqlite") {
        expect(result._tag).toBe("Right")
        expect(yield* SessionSync.readSessions().pipe(Effect.provide(layerOf(url)))).toStrictEqual([session])
      } else {
        expect(result._tag === "Left" && result.left._tag).toBe("DatabaseError")
        expect(result._tag === "Left" && result.left.message).toMatch(/^database error while committing page 0: /)
        expect(yield* SessionSync.readSessions().pipe(Effect.provide(layerOf(url)))).toEqual([])
      }
    }))

  it.live("an incremental run changes exactly the sessions that changed, and leaves the others untouched", () =>
    Effect.gen(function*() {
      const url = yield* target.fresh
      const db = layerOf(url)
      const fake = yield* FakeOpenCx.FakeOpenCx
      const first = yield* SessionSync.run().pipe(Effect.provide(db))
      const sessions = yield* fake.sessions
      const maxUpdated = Math.max(...sessions.map((s) => DateTime.toEpochMillis(s.updated_at)))
      expect(first.watermark).toBe(new Date(maxUpdated).toISOString()) // the margin is far behind
      const before = yield* tableRows("opencx_sessions", "id").pipe(Effect.provide(db))

      // three sessions change, one is new
      const changed = [sessions[3]!, sessions[77]!, sessions[150]!]
      for (const [i, session] of changed.entries()) {
        yield* fake.update(session.id, (s) => ({
          ...s,
          status: "closed_resolved",
          updated_at: DateTime.unsafeMake(Date.parse("2026-03-01T00:00:00Z") + i * 1_000)
        }))
      }
      const template = sessions[10]!
      const created = {
        ...template,
        id: "7d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a",
        ticket_number: 100_001,
        created_at: DateTime.unsafeMake("2026-02-27T00:00:00Z"),
        updated_at: DateTime.unsafeMake("2026-02-28T00:00:00Z")
      }
      yield* fake.upsert(created)
      yield* fake.clearRequests

      const second = yield* SessionSync.run().pipe(Effect.provide(db))
      expect(second.query).toEqual({ updated_after: first.watermark })
      expect(second.previousWatermark).toBe(first.watermark)
      expect(second.sessions).toBe(4)
      expect(second.upserted).toBe(4)
      expect(second.watermark).toBe("2026-03-01T00:00:02.000Z")
      const requests = yield* fake.requests
      expect(requests.every((r) => r.url.includes(`updated_after=${encodeURIComponent(first.watermark!)}`))).toBe(true)

      const after = yield* tableRows("opencx_sessions", "id").pipe(Effect.provide(db))
      const touched = new Set([...changed.map((s) => s.id), created.id])
      expect(after.length).toBe(before.length + 1)
      // every other row, synced_at included, is as it was
      expect(after.filter((r) => !touched.has(String(r.id)))).toEqual(before.filter((r) => !touched.has(String(r.id))))
      const sent = yield* served
      const back = yield* SessionSync.readSessions([...touched]).pipe(Effect.provide(db))
      expect(back).toEqual(sent.filter((s) => touched.has(s.id)).sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at)))
      expect(back.filter((s) => s.status === "closed_resolved").length).toBeGreaterThanOrEqual(3)

      // nothing changed since: the next run syncs nothing
      const third = yield* SessionSync.run().pipe(Effect.provide(db))
      expect(third.query).toEqual({ updated_after: "2026-03-01T00:00:02.000Z" })
      expect(third.sessions).toBe(0)
      expect(third.watermark).toBe(second.watermark)
      expect(yield* tableRows("opencx_sessions", "id").pipe(Effect.provide(db))).toEqual(after)

      const state = yield* SessionSync.state().pipe(Effect.provide(db))
      expect(Option.map(state, (s) => ({ runs: s.runs, watermark: s.watermark, inProgress: s.inProgress, lease: s.lease })))
        .toEqual(Option.some({ runs: 3, watermark: second.watermark, inProgress: Option.none(), lease: Option.none() }))
    }).pipe(Effect.provide(TestSessions.layerFake({ generate: { count: 200, seed: 5 }, pageSize: 30 }))))

  it.effect("the margin rule: a session updated less than a minute before a run began is synced again by the next run", () =>
    Effect.gen(function*() {
      const url = yield* target.fresh
      const db = layerOf(url)
      const fake = yield* FakeOpenCx.FakeOpenCx
      const start = Date.parse("2026-06-01T12:00:00Z")
      yield* TestClock.setTime(start)
      const [a, b] = yield* fake.sessions
      yield* fake.update(a!.id, (s) => ({ ...s, updated_at: DateTime.unsafeMake(start - 30_000) })) // 30 s before the run
      yield* fake.update(b!.id, (s) => ({ ...s, updated_at: DateTime.unsafeMake(start - 5 * 60_000) })) // 5 minutes before
      const first = yield* SessionSync.run().pipe(Effect.provide(db))
      expect(first.startedAt).toBe("2026-06-01T12:00:00.000Z")
      expect(first.watermark).toBe("2026-06-01T11:59:00.000Z") // the run's start less the margin, not the latest updated_at
      yield* TestClock.adjust("10 minutes")
      const second = yield* SessionSync.run().pipe(Effect.provide(db))
      expect(second.query).toEqual({ updated_after: "2026-06-01T11:59:00.000Z" })
      expect(second.sessions).toBe(1) // a again (at least once), not b
      const back = yield* SessionSync.readSessions([a!.id]).pipe(Effect.provide(db))
      expect(back.length).toBe(1)
      expect(second.watermark).toBe(new Date(start - 30_000).toISOString())
    }).pipe(Effect.provide(TestSessions.layerFake({ generate: { count: 40, seed: 9 }, pageSize: 10 }))))

  it.effect("a filter set has its own state, keyed by its canonical filters; updated_after is a floor", () =>
    Effect.gen(function*() {
      const url = yield* target.fresh
      const db = layerOf(url)
      yield* TestClock.setTime(Date.parse("2026-06-01T12:00:00Z"))
      const email = yield* SessionSync.run({ filters: { status: "open", channel_type: "email" } }).pipe(Effect.provide(db))
      expect(email.filtersKey).toBe("channel_type=email&status=open")
      const sent = yield* served
      expect(email.sessions).toBe(sent.filter((s) => s.status === "open" && s.channel.type === "email").length)
      const floor = yield* SessionSync.run({ filters: { updated_after: "2025-06-01" } }).pipe(Effect.provide(db))
      expect(floor.filtersKey).toBe("")
      expect(floor.query).toEqual({ updated_after: "2025-06-01T00:00:00.000Z" })
      expect(floor.sessions).toBe(sent.filter((s) => Date.parse(s.updated_at) > Date.parse("2025-06-01")).length)
      expect(floor.sessions).toBeLessThan(sent.length)
      // it skipped what was updated before its floor: the watermark stays (none yet), and a run without the floor syncs everything
      expect(floor.watermark).toBeNull()
      const whole = yield* SessionSync.run().pipe(Effect.provide(db))
      expect(whole.query).toEqual({})
      expect(whole.sessions).toBe(sent.length)
      expect(whole.watermark).not.toBeNull()
      // a floor no later than the watermark starts from the watermark: that run moves it
      const fake = yield* FakeOpenCx.FakeOpenCx
      const all = yield* fake.sessions
      const t0 = Date.parse("2026-06-01T12:00:00Z")
      yield* fake.update(all[0]!.id, (s) => ({ ...s, updated_at: DateTime.unsafeMake(t0 + 10 * 60_000) }))
      yield* TestClock.adjust("1 hour")
      const early = yield* SessionSync.run({ filters: { updated_after: "2020-01-01" } }).pipe(Effect.provide(db))
      expect(early.query).toEqual({ updated_after: whole.watermark })
      expect(early.previousWatermark).toBe(whole.watermark)
      expect(early.sessions).toBe(1)
      expect(early.watermark).toBe(new Date(t0 + 10 * 60_000).toISOString())
      // and a later floor, past the watermark, leaves it where it was (what it skipped is for the next run)
      yield* fake.update(all[1]!.id, (s) => ({ ...s, updated_at: DateTime.unsafeMake(t0 + 90 * 60_000) }))
      yield* TestClock.adjust("1 hour")
      const late = yield* SessionSync.run({ filters: { updated_after: new Date(t0 + 80 * 60_000).toISOString() } }).pipe(
        Effect.provide(db)
      )
      expect(late.query).toEqual({ updated_after: new Date(t0 + 80 * 60_000).toISOString() })
      expect(late.sessions).toBe(1)
      expect(late.watermark).toBe(early.watermark)
      const keys = yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql.unsafe<{ readonly filters_key: string }>("SELECT filters_key FROM opencx_sync_state ORDER BY filters_key")).pipe(
          Effect.provide(db)
        )
      expect(keys.map((k) => k.filters_key)).toEqual(["", "channel_type=email&status=open"])
      // the same filters written otherwise are the same filter set
      expect(yield* SessionSync.filtersKey({ channel_type: "email", status: "open" })).toBe("channel_type=email&status=open")
      expect(yield* SessionSync.filtersKey({ handed_off: "true" })).toBe(yield* SessionSync.filtersKey({ handed_off: true }))
      const invalid = yield* Effect.flip(SessionSync.run({ filters: { status: "nope" as "open" } }).pipe(Effect.provide(db)))
      expect(invalid._tag).toBe("InvalidParams")
    }).pipe(Effect.provide(TestSessions.layerFake({ generate: { count: 120, seed: 4 }, pageSize: 25 }))))

  it.effect("withHistory: each session's events as the API sent them, keyed by session and position, replaced with their session's page", () =>
    Effect.gen(function*() {
      const url = yield* target.fresh
      const db = layerOf(url)
      const fake = yield* FakeOpenCx.FakeOpenCx
      const service = yield* SessionsService.SessionsService
      yield* TestClock.setTime(Date.parse("2026-06-01T12:00:00Z"))
      const first = yield* SessionSync.run({ withHistory: true }).pipe(Effect.provide(db))
      const sessions = yield* fake.sessions
      const historyOf = (id: string) => Effect.map(Stream.runCollect(service.historyEncoded(id)), Chunk.toReadonlyArray)
      let total = 0
      for (const session of sessions) {
        const events = yield* historyOf(session.id)
        total += events.length
        expect(yield* SessionSync.readEvents(session.id).pipe(Effect.provide(db))).toEqual(events)
      }
      expect(first.events).toBe(total)
      const keyed = yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql.unsafe<{ readonly n: number | string; readonly keys: number | string; readonly ids: number | string }>(
          "SELECT count(*) AS n, count(DISTINCT session_id || ':' || seq) AS keys, count(event_id) AS ids FROM opencx_session_events"
        )).pipe(Effect.provide(db))
      expect(Number(keyed[0]!.n)).toBe(total)
      expect(Number(keyed[0]!.keys)).toBe(total)
      const before = yield* tableRows("opencx_session_events", "session_id, seq").pipe(Effect.provide(db))

      // a conversation goes on: its events are replaced, nobody else's
      yield* TestClock.adjust("10 minutes")
      const target_ = sessions[7]!
      yield* service.send(target_.id, { sender: "contact", message: { type: "text", text: "Any news?" } })
      const second = yield* SessionSync.run({ withHistory: true }).pipe(Effect.provide(db))
      expect(second.sessions).toBe(1)
      const now = yield* historyOf(target_.id)
      expect(second.events).toBe(now.length)
      expect(yield* SessionSync.readEvents(target_.id).pipe(Effect.provide(db))).toEqual(now)
      expect(now.some((item) => JSON.stringify(item).includes("Any news?"))).toBe(true)
      const after = yield* tableRows("opencx_session_events", "session_id, seq").pipe(Effect.provide(db))
      expect(after.filter((r) => r.session_id !== target_.id)).toEqual(before.filter((r) => r.session_id !== target_.id))
    }).pipe(Effect.provide(TestSessions.layerFake({ generate: { count: 30, seed: 8 }, pageSize: 10, historyPageSize: 7 }))))

  it.live("the migrations are versioned and idempotent; the tables and indexes are there", () =>
    Effect.gen(function*() {
      const url = yield* target.fresh
      yield* Effect.gen(function*() {
        yield* SessionSync.migrate
        yield* SessionSync.migrate
        const sql = yield* SqlClient.SqlClient
        const versions = yield* sql.unsafe<{ readonly migration_id: number; readonly name: string }>(
          "SELECT migration_id, name FROM opencx_sql_migrations ORDER BY migration_id"
        )
        expect(versions.map((v) => [Number(v.migration_id), v.name])).toEqual([[1, "sessions_and_state"], [2, "session_events"]])
        expect(SessionSync.schemaVersion).toBe(2)
        const indexes = yield* sql.unsafe<{ readonly name: string }>(
          dialect === "pg"
            ? "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'opencx_sessions' ORDER BY 1"
            : "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'opencx_sessions' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
        )
        expect(indexes.map((i) => i.name)).toEqual(expect.arrayContaining([
          "opencx_sessions_updated_at",
          "opencx_sessions_status",
          "opencx_sessions_channel_type"
        ]))
      }).pipe(Effect.provide(layerOf(url)))
      expect(SessionSync.ddl(dialect).some((s) => s.startsWith("CREATE TABLE opencx_sessions"))).toBe(true)
    }))
})
