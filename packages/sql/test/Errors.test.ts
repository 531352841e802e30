/**
 * What goes wrong, said clearly and typed: a database that cannot be reached
 * (never with its password, in no error, log or output), a bad URL, a table
 * of another shape (refused, untouched), the API's errors (passed through,
 * the state left to resume).
 */
import { describe, expect, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { FakeOpenCx, OpenCxError, TestSessions } from "@opencx-effect/core"
import { SessionSync, SyncDatabase } from "@opencx-effect/sql"
import { Cause, Effect, Either, Exit, Layer, Logger, LogLevel, Option, Redacted } from "effect"
import * as net from "node:net"
import * as path from "node:path"
import * as util from "node:util"
import { layerOf, pgUrl, postgresPresence, type Target, tableRows, targets, withDatabase } from "../../../test-utils/databases.js"
import { served } from "./utils/sessions.js"

postgresPresence()

const secret = "Sup3r-s3cret/pw@%!"
const encoded = encodeURIComponent(secret)

const closedPort = Effect.async<number>((resume) => {
  const server = net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 1
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** runs a sync against `url`, collecting every log line; its exit, rendered every way a user could see it */
const attempt = (url: string) =>
  Effect.gen(function*() {
    const logs: Array<string> = []
    const logger = Logger.make(({ cause, message }) => {
      logs.push(util.inspect(message, { depth: 10 }))
      if (!Cause.isEmpty(cause)) logs.push(Cause.pretty(cause))
    })
    const exit = yield* SessionSync.run().pipe(
      Effect.provide(SyncDatabase.layer(Redacted.make(url))),
      Effect.provide(TestSessions.layerFake({ generate: { count: 5 } })),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.All),
      Effect.exit
    )
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
    const shown = [
      error?.message ?? "",
      String(error),
      JSON.stringify(error),
      util.inspect(error, { depth: 10 }),
      Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "",
      ...logs
    ].join("\n")
    return { error, shown }
  })

const expectNoSecret = (shown: string) => {
  expect(shown).not.toContain(secret)
  expect(shown).not.toContain(encoded)
  expect(shown).not.toContain("Sup3r")
}

describe("a database that cannot be reached", () => {
  it.live("PostgreSQL on a closed port: DatabaseUnreachable naming the server, never the password", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const { error, shown } = yield* attempt(`postgres://opencx:${encoded}@127.0.0.1:${port}/support`)
      expect(error?._tag).toBe("DatabaseUnreachable")
      expect(error?.message).toContain(`cannot reach the database postgres://opencx:***@127.0.0.1:${port}/support: `)
      expect(error?.message).toMatch(/ECONNREFUSED/)
      expectNoSecret(shown)
    }))

  it.live("SQLite in a directory that does not exist: DatabaseUnreachable saying so", () =>
    Effect.gen(function*() {
      const file = path.join("/nonexistent-opencx-dir", "sub", "x.db")
      const { error } = yield* attempt(`sqlite:${file}`)
      expect(error?._tag).toBe("DatabaseUnreachable")
      expect(error?.message).toContain(`cannot reach the database sqlite:${file}: `)
      expect(error?.message).toMatch(/directory does not exist/)
    }))

  if (pgUrl !== undefined) {
    const admin: string = pgUrl
    const server = new URL(admin)
    it.live("PostgreSQL with a wrong password: DatabaseUnreachable, the password in no error, log or output", () =>
      Effect.gen(function*() {
        const wrong = new URL(admin)
        wrong.password = encoded
        const { error, shown } = yield* attempt(wrong.toString())
        expect(error?._tag).toBe("DatabaseUnreachable")
        expect(error?.message).toContain(`postgres://opencx:***@127.0.0.1:${server.port}/postgres`)
        expect(error?.message).toMatch(/password authentication failed for user "opencx"/)
        expectNoSecret(shown)
        expect(shown).not.toContain(decodeURIComponent(server.password))
      }))

    it.live("PostgreSQL without that database: DatabaseUnreachable saying so, without the password", () =>
      Effect.gen(function*() {
        const { error, shown } = yield* attempt(withDatabase(admin, "no_such_database"))
        expect(error?._tag).toBe("DatabaseUnreachable")
        expect(error?.message).toMatch(/database "no_such_database" does not exist/)
        expect(shown).not.toContain(decodeURIComponent(server.password))
      }))
  }
})

describe("database URLs", () => {
  it("sqlite:PATH and postgres:// are read; anything else is InvalidDatabaseUrl, never echoing a password", () => {
    expect(SyncDatabase.parse("sqlite:data/opencx.db")).toEqual(Either.right({ _tag: "Sqlite", filename: "data/opencx.db" }))
    expect(SyncDatabase.parse("sqlite:///var/lib/opencx.db")).toEqual(Either.right({ _tag: "Sqlite", filename: "/var/lib/opencx.db" }))
    expect(SyncDatabase.parse("sqlite::memory:")).toEqual(Either.right({ _tag: "Sqlite", filename: ":memory:" }))
    const pg = SyncDatabase.parse(Redacted.make(`postgresql://sync:${encoded}@db.internal:6543/support`))
    expect(Either.isRight(pg) && pg.right._tag).toBe("Postgres")
    expect(String(pg)).not.toContain("Sup3r")
    for (const [url, reason] of [
      ["mysql://root:Sup3r@db/support", "expected sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE"],
      ["sqlite:", "no file: write sqlite:PATH (e.g. sqlite:opencx.db)"],
      ["postgres://", "no host"]
    ] as const) {
      const parsed = SyncDatabase.parse(url)
      expect(Either.isLeft(parsed) && parsed.left._tag).toBe("InvalidDatabaseUrl")
      expect(Either.isLeft(parsed) && parsed.left.reason).toBe(reason)
      expect(Either.isLeft(parsed) && parsed.left.message).not.toContain("Sup3r")
    }
  })

  it("describe names a database without its password, in the user info or a parameter", () => {
    expect(SyncDatabase.describe(Redacted.make(`postgres://sync:${encoded}@db:5432/support`))).toBe(
      "postgres://sync:***@db:5432/support"
    )
    expect(SyncDatabase.describe("postgres://sync@db/support?password=Sup3r&sslmode=require")).toBe(
      "postgres://sync@db/support?password=***&sslmode=require"
    )
    expect(SyncDatabase.describe("sqlite:opencx.db")).toBe("sqlite:opencx.db")
  })

  it.live("an invalid URL fails the layer with InvalidDatabaseUrl", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(SyncDatabase.layer("redis://localhost")).pipe(Effect.scoped))
      expect(error._tag).toBe("InvalidDatabaseUrl")
    }))
})

const tableNames = (sql: SqlClient.SqlClient, dialect: "pg" | "sqlite") =>
  Effect.map(
    sql.unsafe<{ readonly name: string }>(
      dialect === "pg"
        ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
        : "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1"
    ),
    (rows) => rows.map((r) => r.name)
  )

const columnsOf = (sql: SqlClient.SqlClient, dialect: "pg" | "sqlite", table: string) =>
  sql.unsafe<Record<string, unknown>>(
    dialect === "pg"
      ? `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`
      : `SELECT name, type FROM pragma_table_info('${table}')`
  )

describe.each(targets)("$name", (target: Target) => {
  const dialect = target.name === "postgres" ? "pg" : "sqlite"

  it.live("an opencx_sessions table of another shape is refused, and left untouched", () =>
    Effect.gen(function*() {
      const url = yield* target.fresh
      const sql = yield* SqlClient.SqlClient
      yield* sql.unsafe("CREATE TABLE opencx_sessions (id integer PRIMARY KEY, note text)")
      yield* sql.unsafe("INSERT INTO opencx_sessions (id, note) VALUES (1, 'ours, not the sync''s')")
      const columns = yield* columnsOf(sql, dialect, "opencx_sessions")
      const error = yield* Effect.flip(SessionSync.run())
      expect(error._tag).toBe("TableShapeMismatch")
      expect(error.message).toMatch(
        /^the table opencx_sessions is not the one @opencx-effect\/sql maintains: it exists but was not created by @opencx-effect\/sql's migrations \(its columns: id \w+, note \w+\); nothing was changed/
      )
      expect(yield* columnsOf(sql, dialect, "opencx_sessions")).toEqual(columns)
      expect(yield* sql.unsafe("SELECT * FROM opencx_sessions")).toEqual([{ id: 1, note: "ours, not the sync's" }])
      // nothing else was made either
      expect(yield* tableNames(sql, dialect)).toEqual(["opencx_sessions"])
      void url
    }).pipe(Effect.provide(TestSessions.layerFake({ generate: { count: 5 } })), Effect.provide(Layer.unwrapEffect(Effect.map(target.fresh, layerOf))))
  )

  it.live("a table of ours changed by hand, or a database migrated by a newer version, is refused before any write", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* SessionSync.run()
      const before = yield* tableRows("opencx_sessions", "id")
      yield* sql.unsafe("ALTER TABLE opencx_sessions DROP COLUMN sent_keys")
      const dropped = yield* Effect.flip(SessionSync.run({ restart: true }))
      expect(dropped._tag).toBe("TableShapeMismatch")
      expect(dropped.message).toContain("the table opencx_sessions is not the one @opencx-effect/sql maintains: missing columns sent_keys")
      expect((yield* tableRows("opencx_sessions", "id")).length).toBe(before.length)

      yield* sql.unsafe("ALTER TABLE opencx_sessions ADD COLUMN sent_keys text NOT NULL DEFAULT '[]'")
      yield* sql.unsafe("INSERT INTO opencx_sql_migrations (migration_id, name) VALUES (99, 'from_the_future')")
      const newer = yield* Effect.flip(SessionSync.migrate)
      expect(newer._tag).toBe("TableShapeMismatch")
      expect(newer.message).toContain("migrated to version 99 by a newer @opencx-effect/sql; this one knows versions up to 2")
    }).pipe(Effect.provide(TestSessions.layerFake({ generate: { count: 25 }, pageSize: 10 })), Effect.provide(Layer.unwrapEffect(Effect.map(target.fresh, layerOf))))
  )

  it.live("the API's errors pass through; the state keeps the pages committed, and a rerun goes on from there", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.FakeOpenCx
      // the fourth request is refused: three pages are committed, then the run fails
      yield* fake.addFaults(FakeOpenCx.onRequest(4, FakeOpenCx.Fault.status(401)))
      const error = yield* Effect.flip(SessionSync.run())
      expect(error._tag).toBe("Unauthorized")
      expect(OpenCxError.isOpenCxError(error)).toBe(true)
      const state = yield* SessionSync.state()
      const inProgress = Option.flatMap(state, (s) => s.inProgress)
      expect(Option.map(inProgress, (w) => w.pages)).toEqual(Option.some(3))
      expect(Option.flatMap(state, (s) => s.lease)).toEqual(Option.none()) // released on failure
      yield* fake.clearFaults
      yield* fake.clearRequests
      const rerun = yield* SessionSync.run()
      expect(rerun.resumed).toBe(true)
      expect(rerun.pages).toBe(6)
      expect((yield* fake.requests).length).toBe(3) // pages 4, 5 and 6 only
      const sent = yield* served
      const back = yield* SessionSync.readSessions()
      expect(back).toEqual([...sent].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || (a.id < b.id ? -1 : 1)))
    }).pipe(
      Effect.provide(TestSessions.layerFake({ generate: { count: 55, seed: 6 }, pageSize: 10 })),
      Effect.provide(Layer.unwrapEffect(Effect.map(target.fresh, layerOf)))
    ))

  it.live("restart: forget the walk a failed run left, and walk again from the watermark", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.FakeOpenCx
      yield* fake.addFaults(FakeOpenCx.onRequest(3, FakeOpenCx.Fault.status(400)))
      expect((yield* Effect.flip(SessionSync.run()))._tag).toBe("BadRequest")
      yield* fake.clearFaults
      const again = yield* SessionSync.run({ restart: true })
      expect(again.resumed).toBe(false)
      expect(again.pages).toBe(3)
      expect(again.sessions).toBe(25)
    }).pipe(
      Effect.provide(TestSessions.layerFake({ generate: { count: 25, seed: 6 }, pageSize: 10 })),
      Effect.provide(Layer.unwrapEffect(Effect.map(target.fresh, layerOf)))
    ))
})
