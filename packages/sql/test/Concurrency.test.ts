/**
 * Syncs of one filter set that meet, in one process (each on a connection of
 * its own): the second fails naming the holder, or waits; a run that loses
 * its lease commits nothing more; a lease whose holder is gone is taken over.
 */
import { describe, expect, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { TestSessions } from "@opencx-effect/core"
import { SessionSync } from "@opencx-effect/sql"
import { Effect, Fiber, Logger, LogLevel, Schedule } from "effect"
import { spawnSync } from "node:child_process"
import * as os from "node:os"
import { layerOf, postgresPresence, type Target, targets } from "../../../test-utils/databases.js"
import { served } from "./utils/sessions.js"

postgresPresence()

const slowFake = TestSessions.layerFake({ generate: { count: 300, seed: 13 }, pageSize: 10, latency: "40 millis" })

const stateRow = (url: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.unsafe<{ readonly lease_owner: string | null; readonly run_pages: number | string }>(
      "SELECT lease_owner, run_pages FROM opencx_sync_state"
    )).pipe(Effect.map((rows) => rows[0]), Effect.catchAll(() => Effect.succeed(undefined)), Effect.provide(layerOf(url)))

/** waits until the holder has committed a page */
const holding = (url: string, owner: string) =>
  stateRow(url).pipe(
    Effect.filterOrFail((row) => row?.lease_owner === owner && Number(row.run_pages) > 0),
    Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.upTo("20 seconds"))),
    Effect.orDie
  )

describe.each(targets)("$name", (target: Target) => {
  it.live("a second sync of the same filters fails with SyncInProgress naming the holder; the first is not disturbed", () =>
    Effect.gen(function*() {
      const url = yield* target.fresh
      const first = yield* Effect.fork(SessionSync.run({ owner: "worker-a" }).pipe(Effect.provide(layerOf(url))))
      yield* holding(url, "worker-a")
      const error = yield* Effect.flip(SessionSync.run({ owner: "worker-b" }).pipe(Effect.provide(layerOf(url))))
      expect(error._tag).toBe("SyncInProgress")
      if (error._tag !== "SyncInProgress") return
      expect(error.owner).toBe("worker-a")
      expect(error.filtersKey).toBe("")
      expect(error.message).toMatch(/^another sync of \(no filters\) is in progress: worker-a holds the lease since \S+ \(until \S+ unless renewed\)$/)
      // another filter set is another lease: it runs meanwhile
      const other = yield* SessionSync.run({ owner: "worker-c", filters: { status: "open" } }).pipe(Effect.provide(layerOf(url)))
      expect(other.done).toBe(true)

      const summary = yield* Fiber.join(first)
      const sent = yield* served
      expect(summary.sessions).toBe(sent.length)
      const back = yield* SessionSync.readSessions().pipe(Effect.provide(layerOf(url)))
      expect([...back].sort((a, b) => a.id < b.id ? -1 : 1)).toEqual([...sent].sort((a, b) => a.id < b.id ? -1 : 1))
      expect((yield* stateRow(url))?.lease_owner).toBe(null) // released
    }).pipe(Effect.provide(slowFake)), 60_000)

  it.live("with wait, the second sync waits for the first to finish, then runs from its watermark", () =>
    Effect.gen(function*() {
      const url = yield* target.fresh
      const first = yield* Effect.fork(SessionSync.run({ owner: "worker-a" }).pipe(Effect.provide(layerOf(url))))
      yield* holding(url, "worker-a")
      const second = yield* SessionSync.run({ owner: "worker-b", wait: "30 seconds" }).pipe(Effect.provide(layerOf(url)))
      const firstSummary = yield* Fiber.join(first)
      expect(second.query).toEqual({ updated_after: firstSummary.watermark })
      expect(second.sessions).toBe(0)
      expect(second.done).toBe(true)
    }).pipe(Effect.provide(slowFake)), 60_000)

  it.live("a sync that lost its lease stops before committing another page", () =>
    Effect.gen(function*() {
      const url = yield* target.fresh
      const first = yield* Effect.fork(SessionSync.run({ owner: "worker-a" }).pipe(Effect.provide(layerOf(url))))
      yield* holding(url, "worker-a")
      const until = new Date(Date.now() + 60_000).toISOString()
      const taken = yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql.unsafe<{ readonly run_pages: number | string }>(
          `UPDATE opencx_sync_state SET lease_owner = 'intruder', lease_expires_at = '${until}' RETURNING run_pages`
        )).pipe(Effect.provide(layerOf(url)), Effect.orDie)
      const error = yield* Effect.flip(Fiber.join(first))
      expect(error._tag).toBe("SyncInProgress")
      if (error._tag !== "SyncInProgress") return
      expect(error.lost).toBe(true)
      expect(error.owner).toBe("intruder")
      expect(error.message).toContain("lost its lease to intruder")
      const after = yield* stateRow(url)
      expect(Number(after?.run_pages)).toBe(Number(taken[0]!.run_pages)) // nothing committed since
      expect(after?.lease_owner).toBe("intruder") // and the intruder's lease is not released by the loser
    }).pipe(Effect.provide(slowFake)), 60_000)

  it.live("a lease whose holder is gone is taken over: an expired one, or one of a process of this host that has exited", () =>
    Effect.gen(function*() {
      const url = yield* target.fresh
      yield* SessionSync.migrate.pipe(Effect.provide(layerOf(url)))
      const setLease = (owner: string, expiresAt: string) =>
        Effect.flatMap(SqlClient.SqlClient, (sql) =>
          sql.unsafe(
            `INSERT INTO opencx_sync_state (filters_key, filters, updated_at, lease_owner, lease_acquired_at, lease_expires_at)
             VALUES ('', '{}', '2026-01-01T00:00:00Z', '${owner}', '2026-01-01T00:00:00Z', '${expiresAt}')
             ON CONFLICT (filters_key) DO UPDATE SET lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at`
          )).pipe(Effect.provide(layerOf(url)), Effect.orDie)
      const future = new Date(Date.now() + 3_600_000).toISOString()
      const logs: Array<string> = []
      const logger = Logger.make(({ message }) => logs.push(String(message)))

      // a live holder on this host (this very process's parent): refused
      yield* setLease(`${os.hostname()}/${process.ppid}/parent`, future)
      const refused = yield* Effect.flip(SessionSync.run().pipe(Effect.provide(layerOf(url))))
      expect(refused._tag).toBe("SyncInProgress")

      // a holder on this host whose process has exited: taken over at once
      const gone = spawnSync(process.execPath, ["-e", "process.pid"]).pid
      yield* setLease(`${os.hostname()}/${gone}/gone`, future)
      const afterDead = yield* SessionSync.run().pipe(
        Effect.provide(layerOf(url)),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.Warning)
      )
      expect(afterDead.done).toBe(true)
      expect(logs.join("\n")).toContain(`took over the lease of ${os.hostname()}/${gone}/gone`)

      // a holder elsewhere whose lease expired: taken over
      yield* setLease("elsewhere/42/expired", "2026-01-01T00:00:00.000Z")
      const afterExpired = yield* SessionSync.run().pipe(Effect.provide(layerOf(url)))
      expect(afterExpired.done).toBe(true)
      // a holder elsewhere whose lease holds: refused
      yield* setLease("elsewhere/42/live", future)
      const busy = yield* Effect.flip(SessionSync.run().pipe(Effect.provide(layerOf(url))))
      expect(busy._tag === "SyncInProgress" && busy.owner).toBe("elsewhere/42/live")
    }).pipe(Effect.provide(TestSessions.layerFake({ generate: { count: 20, seed: 2 }, pageSize: 10 }))), 60_000)
})
