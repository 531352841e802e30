/**
 * The tables a sync owns, their versioned migrations (run by `@effect/sql`'s
 * Migrator), and the check that refuses a table of another shape before any
 * migration touches the database.
 *
 * @internal
 */
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import { TableShapeMismatch } from "../SyncError.js"

export type ColumnType = "text" | "timestamp" | "json" | "boolean" | "double" | "integer"

export interface Column {
  readonly name: string
  readonly type: ColumnType
  readonly notNull?: boolean
  readonly default?: string
}

export interface Table {
  readonly name: string
  readonly columns: ReadonlyArray<Column>
  readonly primaryKey: ReadonlyArray<string>
  readonly indexes: ReadonlyArray<{ readonly name: string; readonly columns: ReadonlyArray<string> }>
}

export const names = {
  sessions: "opencx_sessions",
  state: "opencx_sync_state",
  pages: "opencx_sync_pages",
  events: "opencx_session_events",
  migrations: "opencx_sql_migrations"
} as const

const c = (name: string, type: ColumnType, notNull = false, defaultValue?: string): Column => ({
  name,
  type,
  notNull,
  ...(defaultValue === undefined ? {} : { default: defaultValue })
})

/** every session as the API sent it: a typed column per field of the spec, nested objects as JSON */
export const sessions: Table = {
  name: names.sessions,
  columns: [
    c("id", "text", true),
    c("status", "text", true),
    c("ai_closure_type", "text"),
    c("sentiment", "text"),
    c("channel_type", "text", true),
    c("channel", "json", true),
    c("contact_id", "text"),
    c("contact", "json"),
    c("language", "text"),
    c("assignee_id", "text"),
    c("custom_data", "json"),
    c("team", "json"),
    c("handoff", "json"),
    c("ticketing_system", "json"),
    c("ticket_number", "double", true),
    c("assist_mode", "boolean", true),
    c("created_at", "timestamp", true),
    c("updated_at", "timestamp", true),
    c("created_at_raw", "text", true),
    c("updated_at_raw", "text", true),
    c("extra", "json", true),
    c("sent_keys", "json", true),
    c("synced_at", "timestamp", true)
  ],
  primaryKey: ["id"],
  indexes: [
    { name: "opencx_sessions_updated_at", columns: ["updated_at"] },
    { name: "opencx_sessions_created_at", columns: ["created_at"] },
    { name: "opencx_sessions_status", columns: ["status"] },
    { name: "opencx_sessions_channel_type", columns: ["channel_type"] },
    { name: "opencx_sessions_contact_id", columns: ["contact_id"] }
  ]
}

/** one row per filter set: the watermark, the walk in progress (cursor and guards), the lease */
export const state: Table = {
  name: names.state,
  columns: [
    c("filters_key", "text", true),
    c("filters", "json", true),
    c("watermark", "text"),
    c("runs", "integer", true, "0"),
    c("last_run_started_at", "text"),
    c("last_run_finished_at", "text"),
    c("run_started_at", "text"),
    c("run_query", "json"),
    c("cursor", "text"),
    c("page_index", "integer", true, "0"),
    c("previous_keys", "json"),
    c("empty_pages", "integer", true, "0"),
    c("max_updated_at", "text"),
    c("run_pages", "integer", true, "0"),
    c("run_sessions", "integer", true, "0"),
    c("run_written", "integer", true, "0"),
    c("lease_owner", "text"),
    c("lease_acquired_at", "text"),
    c("lease_expires_at", "text"),
    c("updated_at", "text", true)
  ],
  primaryKey: ["filters_key"],
  indexes: []
}

/** the pages committed by the walk in progress: the loop guard's memory (a cursor fingerprint per page) */
export const pages: Table = {
  name: names.pages,
  columns: [
    c("filters_key", "text", true),
    c("page_index", "integer", true),
    c("fingerprint", "text"),
    c("sessions", "integer", true),
    c("committed_at", "text", true)
  ],
  primaryKey: ["filters_key", "page_index"],
  indexes: []
}

/** history events as the API sent them, keyed by session and position */
export const events: Table = {
  name: names.events,
  columns: [
    c("session_id", "text", true),
    c("seq", "integer", true),
    c("event_id", "text"),
    c("event_type", "text", true),
    c("created_at", "timestamp"),
    c("created_at_raw", "text"),
    c("item", "json", true)
  ],
  primaryKey: ["session_id", "seq"],
  indexes: [
    { name: "opencx_session_events_event_id", columns: ["session_id", "event_id"] },
    { name: "opencx_session_events_event_type", columns: ["event_type"] }
  ]
}

export type Dialect = "pg" | "sqlite"

const sqlType = (dialect: Dialect, type: ColumnType): string => {
  if (dialect === "pg") {
    switch (type) {
      case "text":
        return "text"
      case "timestamp":
        return "timestamptz"
      case "json":
        return "jsonb"
      case "boolean":
        return "boolean"
      case "double":
        return "double precision"
      case "integer":
        return "integer"
    }
  }
  switch (type) {
    case "text":
    case "timestamp":
    case "json":
      return "TEXT"
    case "boolean":
    case "integer":
      return "INTEGER"
    case "double":
      return "REAL"
  }
}

/** the type a catalog reports for a column of this type (information_schema / pragma_table_info) */
const catalogType = (dialect: Dialect, type: ColumnType): string =>
  dialect === "pg"
    ? ({
      text: "text",
      timestamp: "timestamp with time zone",
      json: "jsonb",
      boolean: "boolean",
      double: "double precision",
      integer: "integer"
    } as const)[type]
    : sqlType(dialect, type).toLowerCase()

const createTable = (dialect: Dialect, table: Table): ReadonlyArray<string> => [
  `CREATE TABLE ${table.name} (\n${
    [
      ...table.columns.map((col) =>
        `  ${col.name} ${sqlType(dialect, col.type)}${col.notNull === true ? " NOT NULL" : ""}${
          col.default === undefined ? "" : ` DEFAULT ${col.default}`
        }`
      ),
      `  PRIMARY KEY (${table.primaryKey.join(", ")})`
    ].join(",\n")
  }\n)`,
  ...table.indexes.map((index) => `CREATE INDEX ${index.name} ON ${table.name} (${index.columns.join(", ")})`)
]

/**
 * The migrations, in order. A migration is never edited once released: a
 * change is a new one (and `shapeAt` follows it).
 */
export const migrations: ReadonlyArray<{ readonly id: number; readonly name: string; readonly tables: ReadonlyArray<Table> }> = [
  { id: 1, name: "sessions_and_state", tables: [sessions, state, pages] },
  { id: 2, name: "session_events", tables: [events] }
]

export const latestVersion = migrations[migrations.length - 1]!.id

/** the statements of every migration for this dialect (what `SessionSync.ddl` shows) */
export const ddl = (dialect: Dialect): ReadonlyArray<string> =>
  migrations.flatMap((m) => m.tables.flatMap((t) => createTable(dialect, t)))

const runStatements = (statements: ReadonlyArray<string>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.forEach(statements, (statement) => sql.unsafe(statement).withoutTransform, { discard: true }))

const loader = (dialect: Dialect): Migrator.Loader =>
  Migrator.fromRecord(Object.fromEntries(migrations.map((m) => [
    `${m.id}_${m.name}`,
    runStatements(m.tables.flatMap((t) => createTable(dialect, t)))
  ])))

/** `@effect/sql`'s Migrator over our migrations, in our own table */
export const runMigrator = (dialect: Dialect) => Migrator.make({})({ loader: loader(dialect), table: names.migrations })

/** the migrations table as the Migrator makes it (created ahead of it on PostgreSQL, inside our transaction) */
export const createMigrationsTablePg = `CREATE TABLE IF NOT EXISTS ${names.migrations} (
  migration_id integer primary key,
  created_at timestamp with time zone not null default now(),
  name text not null
)`

interface CatalogColumn {
  readonly name: string
  readonly type: string
}

/** the columns of a table (none: no such table), or `view` when the name is a view */
const describeTable = (sql: SqlClient.SqlClient, dialect: Dialect, table: string) =>
  Effect.gen(function*() {
    if (dialect === "pg") {
      const kinds = yield* sql<{ readonly table_type: string }>`SELECT table_type FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_name = ${table}`
      if (kinds.length === 0) return undefined
      if (kinds[0]!.table_type !== "BASE TABLE") return "view" as const
      return yield* sql<CatalogColumn>`SELECT column_name AS name, data_type AS type FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ${table} ORDER BY ordinal_position`
    }
    const kinds = yield* sql<{ readonly type: string }>`SELECT type FROM sqlite_master WHERE name = ${table} AND type IN ('table', 'view')`
    if (kinds.length === 0) return undefined
    if (kinds[0]!.type !== "table") return "view" as const
    return yield* sql<CatalogColumn>`SELECT name, type FROM pragma_table_info(${table})`
  })

const describeColumns = (columns: ReadonlyArray<CatalogColumn>) => columns.map((col) => `${col.name} ${col.type}`).join(", ")

/**
 * Checks every table the sync owns against what the migrations applied so
 * far (per `opencx_sql_migrations`) make: a table that exists although no
 * migration of ours made it, one that misses or adds a column or whose
 * column has another type, or a database migrated past what this version
 * knows, is refused with `TableShapeMismatch`. Reads only.
 */
export const checkShapes = (
  sql: SqlClient.SqlClient,
  dialect: Dialect
): Effect.Effect<void, TableShapeMismatch | SqlError> =>
  Effect.gen(function*() {
    const migrationsTable = yield* describeTable(sql, dialect, names.migrations)
    if (migrationsTable === "view") {
      return yield* new TableShapeMismatch({ table: names.migrations, reason: "it is a view" })
    }
    let applied = 0
    if (migrationsTable !== undefined) {
      if (!migrationsTable.some((col) => col.name === "migration_id")) {
        return yield* new TableShapeMismatch({
          table: names.migrations,
          reason: `it has no migration_id column (${describeColumns(migrationsTable)})`
        })
      }
      const rows = yield* sql<{ readonly version: number | string | null }>`SELECT max(migration_id) AS version FROM ${
        sql(names.migrations)
      }`
      applied = Number(rows[0]?.version ?? 0)
    }
    if (applied > latestVersion) {
      return yield* new TableShapeMismatch({
        table: names.migrations,
        reason: `the database was migrated to version ${applied} by a newer @opencx-effect/sql; this one knows versions up to ${latestVersion}`
      })
    }
    for (const migration of migrations) {
      for (const table of migration.tables) {
        const found = yield* describeTable(sql, dialect, table.name)
        const expected = migration.id <= applied
        if (found === "view") return yield* new TableShapeMismatch({ table: table.name, reason: "it is a view" })
        if (found === undefined) {
          if (expected) {
            return yield* new TableShapeMismatch({
              table: table.name,
              reason: `${names.migrations} says migration ${migration.id} (${migration.name}) created it, but it does not exist`
            })
          }
          continue
        }
        if (!expected) {
          return yield* new TableShapeMismatch({
            table: table.name,
            reason: `it exists but was not created by @opencx-effect/sql's migrations (its columns: ${describeColumns(found)})`
          })
        }
        const want = new Map(table.columns.map((col) => [col.name, catalogType(dialect, col.type)]))
        const have = new Map(found.map((col) => [col.name, col.type.toLowerCase()]))
        const missing = [...want.keys()].filter((name) => !have.has(name))
        const unexpected = [...have.keys()].filter((name) => !want.has(name))
        const retyped = [...want].filter(([name, type]) => have.has(name) && have.get(name) !== type)
        const problems = [
          ...(missing.length > 0 ? [`missing columns ${missing.join(", ")}`] : []),
          ...(unexpected.length > 0 ? [`unexpected columns ${unexpected.join(", ")}`] : []),
          ...retyped.map(([name, type]) => `${name} is ${have.get(name)}, not ${type}`)
        ]
        if (problems.length > 0) {
          return yield* new TableShapeMismatch({ table: table.name, reason: problems.join("; ") })
        }
      }
    }
  })
