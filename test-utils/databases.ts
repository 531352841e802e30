/**
 * The databases the sync's tests run against (those of `@opencx-effect/sql`
 * and of `opencx sessions sync`): SQLite (a file in a temporary directory)
 * always, and a real PostgreSQL server when OPENCX_TEST_PG_URL names one
 * (`scripts/with-postgres.sh` starts one and sets it; `npm test` runs vitest
 * through it). Each test gets a database of its own.
 *
 * In CI (CI=true) a missing PostgreSQL is a failing test, never a skip;
 * elsewhere (a machine where with-postgres.sh could neither find nor
 * install PostgreSQL, as the README says) one skipped test says why.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { afterAll, it } from "@effect/vitest"
import * as SyncDatabase from "@opencx-effect/sql/SyncDatabase"
import { Effect, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

export const pgUrl: string | undefined = process.env.OPENCX_TEST_PG_URL === undefined || process.env.OPENCX_TEST_PG_URL === ""
  ? undefined
  : process.env.OPENCX_TEST_PG_URL

export const inCi = process.env.CI === "true" || process.env.CI === "1"

export interface Target {
  readonly name: "sqlite" | "postgres"
  /** a new, empty database: its URL */
  readonly fresh: Effect.Effect<string>
}

let counter = 0
export const unique = () => `${process.pid}_${Date.now().toString(36)}_${(counter++).toString(36)}`

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "opencx-test-db-"))
// the SQLite files go with the test file that made them
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

export const sqlite: Target = {
  name: "sqlite",
  fresh: Effect.sync(() => `sqlite:${path.join(tmp, `${unique()}.db`)}`)
}

/** the URL of another database on the same server (and, if given, as another user) */
export const withDatabase = (url: string, database: string, user?: { readonly name: string; readonly password: string }) => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  if (user !== undefined) {
    parsed.username = encodeURIComponent(user.name)
    parsed.password = encodeURIComponent(user.password)
  }
  return parsed.toString()
}

/** runs statements on the server as the admin of OPENCX_TEST_PG_URL */
export const asAdmin = (adminUrl: string, ...statements: ReadonlyArray<string>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => Effect.forEach(statements, (statement) => sql.unsafe(statement))).pipe(
    Effect.provide(SyncDatabase.layer(Redacted.make(adminUrl))),
    Effect.orDie,
    Effect.asVoid
  )

export const postgres = (adminUrl: string): Target => ({
  name: "postgres",
  fresh: Effect.gen(function*() {
    const name = `opencx_t_${unique()}`
    yield* asAdmin(adminUrl, `CREATE DATABASE ${name}`)
    return withDatabase(adminUrl, name)
  })
})

/** every target this run has: SQLite, and PostgreSQL when OPENCX_TEST_PG_URL is set */
export const targets: ReadonlyArray<Target> = pgUrl === undefined ? [sqlite] : [sqlite, postgres(pgUrl)]

/**
 * Says (as a test) whether PostgreSQL is there: a failing test in CI when it
 * is not, a skipped one (naming the reason) elsewhere.
 */
export const postgresPresence = () => {
  if (pgUrl !== undefined) return
  if (inCi) {
    it("PostgreSQL is reachable (OPENCX_TEST_PG_URL)", () => {
      throw new Error(
        "OPENCX_TEST_PG_URL is not set: in CI the PostgreSQL tests must run (run the tests through scripts/with-postgres.sh)"
      )
    })
  } else {
    it.skip("PostgreSQL tests skipped: OPENCX_TEST_PG_URL is not set (run through scripts/with-postgres.sh, as npm test does)", () => {})
  }
}

/** the SqlClient of a database, for a test */
export const layerOf = (url: string): Layer.Layer<SqlClient.SqlClient> => Layer.orDie(SyncDatabase.layer(Redacted.make(url)))

/** runs `effect` on the database at `url` */
export const onDatabase = <A, E>(url: string, effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
  Effect.orDie(Effect.provide(effect, layerOf(url)))

/** rows of a table, ordered, with the columns a comparison should ignore removed (dates as ISO 8601) */
export const tableRows = (table: string, orderBy: string, omit: ReadonlyArray<string> = []) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(sql.unsafe<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY ${orderBy}`), (rows) =>
      rows.map((row) => {
        const out: Record<string, unknown> = {}
        for (const [k, v] of Object.entries(row)) if (!omit.includes(k)) out[k] = v instanceof Date ? v.toISOString() : v
        return out
      }))).pipe(Effect.orDie)

/** the tables of the database (the public schema on PostgreSQL) */
export const tableNames = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql.onDialectOrElse({
    sqlite: () => sql<{ readonly name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`,
    orElse: () =>
      sql<{ readonly name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`
  })).pipe(Effect.map((rows) => rows.map((r) => r.name)), Effect.orDie)
