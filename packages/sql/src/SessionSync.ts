/**
 * Keeps a SQL database in step with OpenCX: every session matching a filter
 * set, upserted by `id` into `opencx_sessions`, exactly once per row, and a
 * crash at any moment leaves the database before or after a whole page,
 * never between.
 *
 * - **Any `@effect/sql` `SqlClient`** of the `sqlite` or `pg` dialect
 *   (`SyncDatabase.layer(url)` opens one from `sqlite:PATH` or
 *   `postgres://…`). The tables are created and migrated by `@effect/sql`'s
 *   Migrator (versioned; its own table `opencx_sql_migrations`); a table of
 *   another shape under one of our names is refused before anything is
 *   written (`TableShapeMismatch`).
 * - **Incremental**: a run walks `GET /chat/sessions` with `updated_after` =
 *   the filter set's stored watermark. When the walk ends, the new watermark
 *   is the largest `updated_at` synced, but never later than `margin` (one
 *   minute) before the run started: a session updated during a run (the
 *   walk goes in `created_at` order and may have passed it) is synced again
 *   by the next run. Delivery is at-least-once across runs, and exactly once
 *   per row, since rows are upserted by `id` (the `--since-last` rule of
 *   `opencx sessions export`).
 * - **Crash-safe**: each page is committed in one transaction with the
 *   cursor of the next page, the walk's guard memory (the fingerprints of
 *   the cursors used, the last page's ids, empty pages in a row) and the
 *   largest `updated_at` so far. A run after a crash (`kill -9` included)
 *   goes on from the stored cursor, with the same query and the same start
 *   time (for the margin rule).
 * - **One sync per filter set at a time**: a run holds a lease on its filter
 *   set's row in `opencx_sync_state` (renewed as it goes); a second run fails
 *   with `SyncInProgress` naming the holder, or waits for it (`wait`). Each
 *   page's transaction checks the lease first, under the row's lock (`BEGIN
 *   IMMEDIATE` on SQLite, a row lock on PostgreSQL): a run that lost its
 *   lease commits nothing more. A lease whose holder died (a process of this
 *   host that no longer exists) or that expired is taken over.
 * - **Never older over newer**: a row is replaced only by a version whose
 *   `updated_at` is not earlier, so that syncs of overlapping filter sets can
 *   share the table.
 * - **History** (`withHistory`): each session's events, as the API sent
 *   them, in `opencx_session_events`, replaced in the same transaction as
 *   their session's page.
 * - **Traced**: a span per page's transaction (`SessionSync.commit`) and for
 *   the migrations (`SessionSync.migrate`), beside the client's request spans.
 *
 * @example
 * ```ts
 * import { SessionSync, SyncDatabase } from "@opencx-effect/sql"
 * import { NodeOpenCx } from "@opencx-effect/platform-node"
 * import { Effect } from "effect"
 *
 * const program = SessionSync.run({ filters: { channel_type: "email" } }).pipe(
 *   Effect.tap((summary) => Effect.log(`${summary.sessions} sessions synced, next run from ${summary.watermark}`)),
 *   Effect.provide(SyncDatabase.layer("sqlite:support.db")),
 *   Effect.provide(NodeOpenCx.layerConfig())
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import type * as Statement from "@effect/sql/Statement"
import type { ChatHistory, ChatSession, OpenCxError, Paginator } from "@opencx-effect/core"
import { ListChatSessionsParams, SessionsService } from "@opencx-effect/core"
import { InvalidParams } from "@opencx-effect/core/OpenCxError"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as os from "node:os"
import { fromRow, readJson, type SessionRow, toEventRows, toRow } from "./internal/rows.js"
import * as Tables from "./internal/tables.js"
import { reasonOf } from "./internal/text.js"
import { beginFor, transaction } from "./internal/transaction.js"
import { DatabaseError, SyncInProgress, TableShapeMismatch } from "./SyncError.js"

// ---------------------------------------------------------------------------
// Options and results
// ---------------------------------------------------------------------------

/**
 * The filters of a sync: those of `GET /chat/sessions` but the cursor.
 * `updated_after`, when given, is a floor: a run starts from the later of it
 * and the stored watermark, and moves the watermark only if it started from
 * the watermark (a run from a later floor skipped what was updated between
 * them: a run without the floor still syncs it). The other filters make the
 * filter set, whose state (watermark, walk, lease) is a row of
 * `opencx_sync_state`.
 *
 * @since 0.1.0
 * @category models
 */
export type Filters = Omit<ListChatSessionsParams.Input, "cursor">

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** the sessions to sync (default: all) */
  readonly filters?: Filters | undefined
  /** also sync each session's history into `opencx_session_events` (default `false`) */
  readonly withHistory?: boolean | undefined
  /**
   * how far before a run's start the next run's watermark stays at most
   * (default 1 minute): sessions updated less than this before a run began
   * are synced again by the next run, which absorbs clock skew
   */
  readonly margin?: Duration.DurationInput | undefined
  /** how long the lease holds without renewal (default 1 minute; renewed every third of it) */
  readonly lease?: Duration.DurationInput | undefined
  /**
   * how long to wait for another sync of the same filters to finish
   * (default: not at all, fail with `SyncInProgress`)
   */
  readonly wait?: Duration.DurationInput | undefined
  /** who this sync is, in the lease (default `host/pid/random`) */
  readonly owner?: string | undefined
  /**
   * forget the walk a crashed or interrupted run left (e.g. its cursor
   * expired) and start a new walk from the watermark (default `false`: go on
   * from it)
   */
  readonly restart?: boolean | undefined
  /** pages fetched ahead while a page is written (default 1) */
  readonly prefetch?: number | undefined
  /** histories fetched at once (default 4; every request goes through the client's one rate limiter) */
  readonly historyConcurrency?: number | undefined
  /** how many empty pages in a row end the walk with `EmptyPages` (default 1,000) */
  readonly maxEmptyPages?: number | undefined
}

/**
 * Where a run stands after a committed page (the counts are the walk's,
 * pages committed before a crash included).
 *
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  /** the filter set's key (`SessionSync.filtersKey`) */
  readonly filtersKey: string
  /** the query of the walk (the filters and its `updated_after`) */
  readonly query: Readonly<Record<string, string>>
  /** the walk went on from where a crashed or interrupted run stopped */
  readonly resumed: boolean
  /** pages committed by the walk */
  readonly pages: number
  /** sessions in those pages */
  readonly sessions: number
  /** rows inserted or replaced */
  readonly upserted: number
  /** sessions not written because the table has a newer version (by `updated_at`) */
  readonly stale: number
  /** history events written (`withHistory`) */
  readonly events: number
  /** sessions the API repeated from the page before, skipped */
  readonly duplicatesSkipped: number
  /** the walk is complete (and the watermark moved) */
  readonly done: boolean
  /** the watermark: the next run's `updated_after` (the new one once `done`) */
  readonly watermark: string | null
  /** the watermark the walk started from */
  readonly previousWatermark: string | null
  /** when the walk began (in its first run, if it was resumed): the margin rule counts from there */
  readonly startedAt: string
}

/**
 * What a completed run did: its last `Progress` (`done`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Summary extends Progress {}

/**
 * A filter set's row of `opencx_sync_state`.
 *
 * @since 0.1.0
 * @category models
 */
export interface State {
  readonly filtersKey: string
  readonly filters: Readonly<Record<string, string>>
  /** the next run's `updated_after` (`null`: no run completed yet) */
  readonly watermark: string | null
  /** completed runs */
  readonly runs: number
  readonly lastRunStartedAt: string | null
  readonly lastRunFinishedAt: string | null
  /** the walk a run began and did not finish (it goes on from there), if any */
  readonly inProgress: Option.Option<{
    readonly startedAt: string
    readonly query: Readonly<Record<string, string>>
    readonly cursor: string | null
    readonly pages: number
    readonly sessions: number
  }>
  /** the lease, if held (it may have expired) */
  readonly lease: Option.Option<{ readonly owner: string; readonly since: string; readonly expiresAt: string }>
}

/**
 * The defaults.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults = {
  margin: Duration.minutes(1),
  lease: Duration.minutes(1),
  prefetch: 1,
  historyConcurrency: 4
} as const

/**
 * The tables a sync owns.
 *
 * @since 0.1.0
 * @category constants
 */
export const tables = Tables.names

/**
 * The version of the tables this package migrates to.
 *
 * @since 0.1.0
 * @category constants
 */
export const schemaVersion: number = Tables.latestVersion

/**
 * The SQL the migrations run, for a dialect (to read, or to create the
 * tables by other means).
 *
 * @since 0.1.0
 * @category utils
 */
export const ddl = (dialect: "pg" | "sqlite"): ReadonlyArray<string> => Tables.ddl(dialect)

// ---------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------

type Sql = SqlClient.SqlClient

const dialectOf = (sql: Sql): Effect.Effect<Tables.Dialect, DatabaseError> =>
  sql.onDialectOrElse({
    sqlite: () => Effect.succeed("sqlite" as const),
    pg: () => Effect.succeed("pg" as const),
    orElse: () =>
      Effect.fail(
        new DatabaseError({
          operation: "connect",
          reason: "this SqlClient's dialect is not supported: @opencx-effect/sql speaks SQLite and PostgreSQL"
        })
      )
  })

/** a SqlError (or the defect one became, as `withTransaction` and the Migrator make them) as a DatabaseError */
const databaseError = (operation: string) => (error: unknown) => new DatabaseError({ operation, reason: reasonOf(error) })

const typedDefects = (operation: string) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | DatabaseError, R> =>
  Effect.catchSomeDefect(effect, (defect) =>
    defect instanceof SqlError || (typeof defect === "object" && defect !== null && "_tag" in defect &&
        (defect._tag === "MigrationError"))
      ? Option.some(Effect.fail(databaseError(operation)(defect)))
      : Option.none())

const isoNow = Effect.map(Clock.currentTimeMillis, (millis) => new Date(millis).toISOString())

/** the later of ISO 8601 timestamps (as instants), as `toISOString` writes it; null for none */
const latest = (timestamps: ReadonlyArray<string | null | undefined>): string | null => {
  const instants = timestamps.filter((t): t is string => typeof t === "string").map((t) => Date.parse(t))
    .filter((t) => !Number.isNaN(t))
  return instants.length === 0 ? null : new Date(Math.max(...instants)).toISOString()
}

const json = (sql: Sql, dialect: Tables.Dialect, text: string | null): Statement.Fragment =>
  dialect === "pg" ? sql`${text}::jsonb` : sql`${text}`

const timestamp = (sql: Sql, dialect: Tables.Dialect, iso: string | null): Statement.Fragment =>
  dialect === "pg" ? sql`${iso}::timestamptz` : sql`${iso}`

const value = (dialect: Tables.Dialect, v: string | number | boolean | null) =>
  dialect === "sqlite" && typeof v === "boolean" ? (v ? 1 : 0) : v

const chunks = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

const migrateWith = (sql: Sql, dialect: Tables.Dialect) =>
  transaction(
    sql,
    beginFor(sql),
    Effect.gen(function*() {
      if (dialect === "pg") {
        // one migrator at a time (released with the transaction); the Migrator's table made here, in it
        yield* sql`SELECT pg_advisory_xact_lock(${7_204_110_501})`
        // made only when missing: CREATE TABLE IF NOT EXISTS needs the CREATE privilege even then
        const exists = yield* sql<{ readonly found: string | null }>`SELECT to_regclass(${Tables.names.migrations})::text AS found`
        if (exists[0]?.found === null || exists[0]?.found === undefined) yield* sql.unsafe(Tables.createMigrationsTablePg)
      }
      yield* Tables.checkShapes(sql, dialect)
      yield* Effect.provideService(Tables.runMigrator(dialect), SqlClient.SqlClient, sql)
    })
  ).pipe(
    typedDefects("migrating the tables"),
    Effect.catchIf(
      (error): error is SqlError => error instanceof SqlError,
      (error) => Effect.fail(databaseError("migrating the tables")(error))
    ),
    Effect.catchTag("MigrationError", (error) => Effect.fail(databaseError("migrating the tables")(error))),
    Effect.withSpan("SessionSync.migrate")
  )

/**
 * Creates or migrates the tables (idempotent; every run does it first). A
 * table of another shape under one of our names fails with
 * `TableShapeMismatch`, and nothing is changed.
 *
 * @since 0.1.0
 * @category migrations
 */
export const migrate: Effect.Effect<void, TableShapeMismatch | DatabaseError, SqlClient.SqlClient> = Effect.gen(
  function*() {
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const dialect = yield* dialectOf(sql)
    yield* migrateWith(sql, dialect)
  }
)

/**
 * The canonical form of a filter set: its filters as URL parameters (but
 * `cursor` and `updated_after`), and its key, those parameters sorted by
 * name as a query string (`""` for no filters; `channel_type=email&status=open`).
 *
 * @since 0.1.0
 * @category utils
 */
export const canonicalFilters = (
  filters: Filters = {}
): Effect.Effect<
  {
    readonly key: string
    readonly filters: Readonly<Record<string, string>>
    readonly updatedAfter: string | undefined
  },
  InvalidParams
> =>
  Effect.map(
    Effect.mapError(ListChatSessionsParams.toUrlParams(filters), InvalidParams.fromParseError),
    (params) => {
      const { cursor: _cursor, updated_after, ...rest } = params
      const sorted = Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
      return { key: new URLSearchParams(sorted).toString(), filters: sorted, updatedAfter: updated_after }
    }
  )

/**
 * The key of a filter set in `opencx_sync_state`.
 *
 * @since 0.1.0
 * @category utils
 */
export const filtersKey = (filters: Filters = {}): Effect.Effect<string, InvalidParams> =>
  Effect.map(canonicalFilters(filters), (c) => c.key)

interface StateRow {
  readonly filters_key: string
  readonly filters: unknown
  readonly watermark: string | null
  readonly runs: number | string
  readonly last_run_started_at: string | null
  readonly last_run_finished_at: string | null
  readonly run_started_at: string | null
  readonly run_query: unknown
  readonly cursor: string | null
  readonly page_index: number | string
  readonly previous_keys: unknown
  readonly empty_pages: number | string
  readonly max_updated_at: string | null
  readonly run_pages: number | string
  readonly run_sessions: number | string
  readonly run_written: number | string
  readonly lease_owner: string | null
  readonly lease_acquired_at: string | null
  readonly lease_expires_at: string | null
}

const stringRecord = (u: unknown): Readonly<Record<string, string>> => {
  const parsed = readJson(u)
  const out: Record<string, string> = {}
  if (typeof parsed === "object" && parsed !== null) {
    for (const [k, v] of Object.entries(parsed)) if (typeof v === "string") out[k] = v
  }
  return out
}

const stringArray = (u: unknown): ReadonlyArray<string> => {
  const parsed = readJson(u)
  return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string") : []
}

const toState = (row: StateRow): State => ({
  filtersKey: row.filters_key,
  filters: stringRecord(row.filters),
  watermark: row.watermark,
  runs: Number(row.runs),
  lastRunStartedAt: row.last_run_started_at,
  lastRunFinishedAt: row.last_run_finished_at,
  inProgress: row.run_started_at === null ? Option.none() : Option.some({
    startedAt: row.run_started_at,
    query: stringRecord(row.run_query),
    cursor: row.cursor,
    pages: Number(row.run_pages),
    sessions: Number(row.run_sessions)
  }),
  lease: row.lease_owner === null ? Option.none() : Option.some({
    owner: row.lease_owner,
    since: row.lease_acquired_at ?? "",
    expiresAt: row.lease_expires_at ?? ""
  })
})

const selectState = (sql: Sql, key: string, forUpdate: boolean) =>
  forUpdate
    ? sql<StateRow>`SELECT * FROM ${sql.literal(Tables.names.state)} WHERE filters_key = ${key} FOR UPDATE`
    : sql<StateRow>`SELECT * FROM ${sql.literal(Tables.names.state)} WHERE filters_key = ${key}`

/**
 * A filter set's state, if it has been synced (or is being synced).
 *
 * @since 0.1.0
 * @category state
 */
export const state = (
  filters: Filters = {}
): Effect.Effect<Option.Option<State>, TableShapeMismatch | DatabaseError | InvalidParams, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const dialect = yield* dialectOf(sql)
    yield* migrateWith(sql, dialect)
    const { key } = yield* canonicalFilters(filters)
    const rows = yield* selectState(sql, key, false).pipe(Effect.mapError(databaseError("reading the sync state")))
    return Option.map(Option.fromNullable(rows[0]), toState)
  })

const hostname = (() => {
  try {
    return os.hostname()
  } catch {
    return "unknown-host"
  }
})()

const defaultOwner = (): string => `${hostname}/${process.pid}/${globalThis.crypto.randomUUID().slice(0, 8)}`

/** the holder is a process of this host that no longer exists */
const holderIsGone = (owner: string): boolean => {
  const parts = owner.split("/")
  if (parts.length < 3 || parts[0] !== hostname) return false
  const pid = Number(parts[1])
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return typeof error === "object" && error !== null && "code" in error && error.code === "ESRCH"
  }
}

/**
 * Whether a walk asked for every session updated since the watermark: with
 * no `updated_after`, or one no later than the watermark. A walk from a
 * later floor (`updated_after` given, past the watermark, or no watermark
 * yet) skipped the sessions updated between the two: it leaves the
 * watermark where it was, so that the next run without that floor still
 * syncs them.
 */
const coversSinceWatermark = (walk: Walk): boolean => {
  const from = walk.query.updated_after
  if (from === undefined) return true
  return walk.previousWatermark !== null && Date.parse(from) <= Date.parse(walk.previousWatermark)
}

interface Walk {
  readonly key: string
  readonly query: Readonly<Record<string, string>>
  readonly startedAt: string
  readonly previousWatermark: string | null
  readonly resumed: boolean
  readonly start: Paginator.Start
  readonly maxUpdatedAt: number | null
  readonly counts: {
    readonly pages: number
    readonly sessions: number
    readonly upserted: number
  }
}

/** takes the lease of the filter set (or fails with SyncInProgress), and begins or resumes its walk */
const acquire = (
  sql: Sql,
  dialect: Tables.Dialect,
  canonical: Effect.Effect.Success<ReturnType<typeof canonicalFilters>>,
  owner: string,
  leaseMillis: number,
  restart: boolean
) =>
  transaction(
    sql,
    beginFor(sql),
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const nowIso = new Date(now).toISOString()
      const key = canonical.key
      yield* sql`INSERT INTO ${sql.literal(Tables.names.state)} (filters_key, filters, updated_at)
        VALUES (${key}, ${json(sql, dialect, JSON.stringify(canonical.filters))}, ${nowIso})
        ON CONFLICT (filters_key) DO NOTHING`
      const row = (yield* selectState(sql, key, dialect === "pg"))[0]!
      if (row.lease_owner !== null && row.lease_owner !== owner) {
        const expires = Date.parse(row.lease_expires_at ?? "")
        const live = !Number.isNaN(expires) && expires > now
        if (live && !holderIsGone(row.lease_owner)) {
          return yield* new SyncInProgress({
            filtersKey: key,
            owner: row.lease_owner,
            since: row.lease_acquired_at ?? "",
            expiresAt: row.lease_expires_at ?? ""
          })
        }
        yield* Effect.logWarning(
          `took over the lease of ${row.lease_owner} on the sync of (${key || "no filters"}): ${
            live ? "its process no longer exists" : `it expired at ${row.lease_expires_at}`
          }`
        )
      }
      const expiresAt = new Date(now + leaseMillis).toISOString()
      const resume = row.run_started_at !== null && !restart
      if (resume) {
        yield* sql`UPDATE ${sql.literal(Tables.names.state)} SET lease_owner = ${owner}, lease_acquired_at = ${nowIso},
          lease_expires_at = ${expiresAt}, updated_at = ${nowIso} WHERE filters_key = ${key}`
        const used = yield* sql<{ readonly fingerprint: string }>`SELECT fingerprint FROM ${
          sql.literal(Tables.names.pages)
        } WHERE filters_key = ${key} AND fingerprint IS NOT NULL ORDER BY page_index`
        const walk: Walk = {
          key,
          query: stringRecord(row.run_query),
          startedAt: row.run_started_at!,
          previousWatermark: row.watermark,
          resumed: true,
          start: {
            cursor: row.cursor,
            index: Number(row.page_index),
            used: used.map((u) => u.fingerprint),
            previousKeys: stringArray(row.previous_keys),
            emptyPages: Number(row.empty_pages)
          },
          maxUpdatedAt: row.max_updated_at === null ? null : Date.parse(row.max_updated_at),
          counts: { pages: Number(row.run_pages), sessions: Number(row.run_sessions), upserted: Number(row.run_written) }
        }
        return walk
      }
      const updatedAfter = latest([canonical.updatedAfter, row.watermark])
      const query: Record<string, string> = updatedAfter === null
        ? { ...canonical.filters }
        : { ...canonical.filters, updated_after: updatedAfter }
      yield* sql`UPDATE ${sql.literal(Tables.names.state)} SET lease_owner = ${owner}, lease_acquired_at = ${nowIso},
        lease_expires_at = ${expiresAt}, updated_at = ${nowIso}, filters = ${
        json(sql, dialect, JSON.stringify(canonical.filters))
      },
        run_started_at = ${nowIso}, run_query = ${json(sql, dialect, JSON.stringify(query))}, cursor = ${null},
        page_index = 0, previous_keys = ${null}, empty_pages = 0, max_updated_at = ${null},
        run_pages = 0, run_sessions = 0, run_written = 0
        WHERE filters_key = ${key}`
      yield* sql`DELETE FROM ${sql.literal(Tables.names.pages)} WHERE filters_key = ${key}`
      const walk: Walk = {
        key,
        query,
        startedAt: nowIso,
        previousWatermark: row.watermark,
        resumed: false,
        start: { cursor: null, index: 0, used: [], previousKeys: [], emptyPages: 0 },
        maxUpdatedAt: null,
        counts: { pages: 0, sessions: 0, upserted: 0 }
      }
      return walk
    })
  )

/** the lease's current holder, as a SyncInProgress for a run that lost it */
const lostLease = (sql: Sql, key: string) =>
  Effect.flatMap(selectState(sql, key, false), (rows) =>
    Effect.fail(
      new SyncInProgress({
        filtersKey: key,
        owner: rows[0]?.lease_owner ?? "nobody",
        since: rows[0]?.lease_acquired_at ?? "",
        expiresAt: rows[0]?.lease_expires_at ?? "",
        lost: true
      })
    ))

const sessionColumns = Tables.sessions.columns.map((col) => col.name)
const jsonColumns: ReadonlySet<string> = new Set(
  Tables.sessions.columns.filter((col) => col.type === "json").map((col) => col.name)
)
const timestampColumns: ReadonlySet<string> = new Set(
  Tables.sessions.columns.filter((col) => col.type === "timestamp").map((col) => col.name)
)

/** a column's placeholder: `?` on SQLite; `$n`, cast where the column needs it, on PostgreSQL */
const placeholderOf = (dialect: Tables.Dialect, name: string, n: number) =>
  dialect === "sqlite"
    ? "?"
    : jsonColumns.has(name)
    ? `$${n}::jsonb`
    : timestampColumns.has(name)
    ? `$${n}::timestamptz`
    : `$${n}`

const upsertTail = `ON CONFLICT (id) DO UPDATE SET ${
  sessionColumns.filter((name) => name !== "id").map((name) => `${name} = excluded.${name}`).join(", ")
} WHERE ${Tables.names.sessions}.updated_at <= excluded.updated_at RETURNING id`

/**
 * The upsert of `n` rows: one statement, its text built from the columns
 * (no value in it) and its values bound. Built as text rather than as
 * `sql` fragments: a page is 2,500 values, and a fragment per value cost
 * more than SQLite's own work.
 */
const upsertStatement = (dialect: Tables.Dialect, n: number): string => {
  const tuples: Array<string> = []
  for (let row = 0; row < n; row++) {
    tuples.push(`(${sessionColumns.map((name, i) => placeholderOf(dialect, name, row * sessionColumns.length + i + 1)).join(", ")})`)
  }
  return `INSERT INTO ${Tables.names.sessions} (${sessionColumns.join(", ")}) VALUES ${tuples.join(", ")} ${upsertTail}`
}

/** upserts sessions by id, never an older version over a newer one; the ids written */
const upsertSessions = (sql: Sql, dialect: Tables.Dialect, rows: ReadonlyArray<SessionRow>) =>
  Effect.map(
    Effect.forEach(chunks(rows, 500), (batch) => {
      const params: Array<string | number | boolean | null> = []
      for (const row of batch) {
        for (const name of sessionColumns) params.push(value(dialect, row[name as keyof SessionRow]))
      }
      return sql.unsafe<{ readonly id: string }>(upsertStatement(dialect, batch.length), params)
    }),
    (results) => results.flat().map((r) => r.id)
  )

/** replaces the events of these sessions; how many were written */
const replaceEvents = (
  sql: Sql,
  dialect: Tables.Dialect,
  histories: ReadonlyArray<readonly [string, ReadonlyArray<ChatHistory.HistoryItemEncoded>]>
) =>
  Effect.gen(function*() {
    let written = 0
    for (const [sessionId, items] of histories) {
      yield* sql`DELETE FROM ${sql.literal(Tables.names.events)} WHERE session_id = ${sessionId}`
      const rows = toEventRows(sessionId, items)
      for (const batch of chunks(rows, 1_000)) {
        const values = batch.map((row) =>
          sql`(${row.session_id}, ${row.seq}, ${row.event_id}, ${row.event_type}, ${
            timestamp(sql, dialect, row.created_at)
          }, ${row.created_at_raw}, ${json(sql, dialect, row.item)})`
        )
        yield* sql`INSERT INTO ${sql.literal(Tables.names.events)}
          (session_id, seq, event_id, event_type, created_at, created_at_raw, item) VALUES ${sql.csv(values)}`
      }
      written += rows.length
    }
    return written
  })

/**
 * The sync, page by page: the `Progress` after each committed page. The
 * stream holds the filter set's lease from its start to its end (released
 * when it ends, fails or is interrupted; a crashed process's lease is taken
 * over by the next run on its host, or when it expires).
 *
 * @since 0.1.0
 * @category sync
 */
export const stream = (
  options: Options = {}
): Stream.Stream<
  Progress,
  TableShapeMismatch | DatabaseError | SyncInProgress | OpenCxError.OpenCxError,
  SqlClient.SqlClient | SessionsService.SessionsService
> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const service = yield* SessionsService.SessionsService
    const dialect = yield* dialectOf(sql)
    const canonical = yield* canonicalFilters(options.filters)
    yield* migrateWith(sql, dialect)

    const owner = options.owner ?? defaultOwner()
    const leaseMillis = Math.max(1_000, Duration.toMillis(Duration.decode(options.lease ?? defaults.lease)))
    const marginMillis = Duration.toMillis(Duration.decode(options.margin ?? defaults.margin))
    const waitFor = Duration.decode(options.wait ?? Duration.zero)
    const key = canonical.key

    const walk = yield* acquire(sql, dialect, canonical, owner, leaseMillis, options.restart === true).pipe(
      Effect.catchIf(
        (error): error is SqlError => error instanceof SqlError,
        (error) => Effect.fail(databaseError("taking the sync's lease")(error))
      ),
      Duration.greaterThan(waitFor, Duration.zero)
        ? Effect.retry({
          while: (error) => error._tag === "SyncInProgress",
          schedule: Schedule.spaced(Duration.min(Duration.millis(500), waitFor)).pipe(Schedule.upTo(waitFor))
        })
        : (self) => self,
      typedDefects("taking the sync's lease")
    )

    // the lease is released whatever the outcome; renewed meanwhile
    yield* Effect.addFinalizer(() =>
      Effect.flatMap(isoNow, (now) =>
        sql`UPDATE ${sql.literal(Tables.names.state)} SET lease_owner = ${null}, lease_acquired_at = ${null},
          lease_expires_at = ${null}, updated_at = ${now} WHERE filters_key = ${key} AND lease_owner = ${owner}`).pipe(
          Effect.catchAllCause((cause) => Effect.logWarning("could not release the sync's lease", cause))
        )
    )
    yield* Effect.forkScoped(
      Effect.repeat(
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          sql<{ readonly filters_key: string }>`UPDATE ${sql.literal(Tables.names.state)}
            SET lease_expires_at = ${new Date(now + leaseMillis).toISOString()}
            WHERE filters_key = ${key} AND lease_owner = ${owner} RETURNING filters_key`).pipe(
            Effect.tap((rows) =>
              rows.length === 0 ? Effect.logWarning(`the sync of (${key || "no filters"}) lost its lease`) : Effect.void
            ),
            Effect.catchAllCause((cause) => Effect.logWarning("could not renew the sync's lease", cause))
          ),
        Schedule.spaced(Duration.millis(Math.max(100, Math.floor(leaseMillis / 3))))
      ).pipe(Effect.delay(Duration.millis(Math.max(100, Math.floor(leaseMillis / 3)))))
    )

    if (walk.resumed) {
      yield* Effect.logInfo(
        `resuming the sync of (${key || "no filters"}) at page ${walk.counts.pages} (${walk.counts.sessions} sessions committed)`
      )
    }

    const progress = yield* Ref.make<Progress>({
      filtersKey: key,
      query: walk.query,
      resumed: walk.resumed,
      pages: walk.counts.pages,
      sessions: walk.counts.sessions,
      upserted: walk.counts.upserted,
      stale: 0,
      events: 0,
      duplicatesSkipped: 0,
      done: false,
      watermark: walk.previousWatermark,
      previousWatermark: walk.previousWatermark,
      startedAt: walk.startedAt
    })
    const maxUpdated = yield* Ref.make<number | null>(walk.maxUpdatedAt)
    const previousKeys = yield* Ref.make<ReadonlyArray<string>>(walk.start.previousKeys === undefined ? [] : [...walk.start.previousKeys])
    const withHistory = options.withHistory === true
    const historyConcurrency = Math.max(1, Math.floor(options.historyConcurrency ?? defaults.historyConcurrency))

    const historiesOf = (sessions: ReadonlyArray<ChatSession.ChatSessionEncoded>) =>
      withHistory
        ? Effect.forEach(sessions, (session) =>
          service.historyEncoded(session.id).pipe(
            Stream.runCollect,
            Effect.map((items) => [session.id, Chunk.toReadonlyArray(items)] as const),
            // listed, then gone: it has no history to keep
            Effect.catchTag("NotFound", () => Effect.succeed([session.id, []] as const))
          ), { concurrency: historyConcurrency })
        : Effect.succeed([])

    const commit = (
      step: Paginator.Step<ChatSession.ListChatSessionsOutputEncoded>,
      histories: ReadonlyArray<readonly [string, ReadonlyArray<ChatHistory.HistoryItemEncoded>]>
    ) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const nowIso = new Date(now).toISOString()
        const before = yield* Ref.get(progress)
        const items = step.page.items
        // within a page, the last version of an id wins (the paginator already skips repeats)
        const byId = new Map(items.map((session) => [session.id, session]))
        const rows: Array<SessionRow> = []
        let pageMax: number | null = yield* Ref.get(maxUpdated)
        for (const session of byId.values()) {
          const row = toRow(session, nowIso)
          if (row === undefined) {
            return yield* new DatabaseError({
              operation: `committing page ${step.index}`,
              reason: `session ${session.id} has a timestamp that does not parse`
            })
          }
          rows.push(row)
          // the normalised instant (UTC, microseconds): parsed again cheaply, not the raw text a third time
          const updated = Date.parse(row.updated_at)
          if (!Number.isNaN(updated) && (pageMax === null || updated > pageMax)) pageMax = updated
        }
        const done = step.next === null
        const keys = step.keys.length > 0 ? step.keys : yield* Ref.get(previousKeys)
        const safe = pageMax === null ? null : Math.min(pageMax, Date.parse(walk.startedAt) - marginMillis)
        const watermark = done && coversSinceWatermark(walk)
          ? latest([walk.previousWatermark, safe === null ? null : new Date(safe).toISOString()])
          : walk.previousWatermark

        const committed = yield* transaction(
          sql,
          beginFor(sql),
          Effect.gen(function*() {
            // the lease first: under the row's lock, nobody else commits for this filter set meanwhile
            const mine = yield* sql<{ readonly filters_key: string }>`UPDATE ${sql.literal(Tables.names.state)}
              SET lease_expires_at = ${new Date(now + leaseMillis).toISOString()}, updated_at = ${nowIso}
              WHERE filters_key = ${key} AND lease_owner = ${owner} RETURNING filters_key`
            if (mine.length === 0) return yield* lostLease(sql, key)
            const written = yield* upsertSessions(sql, dialect, rows)
            const writtenIds = new Set(written)
            const events = yield* replaceEvents(sql, dialect, histories.filter(([id]) => writtenIds.has(id)))
            const counts = {
              pages: before.pages + 1,
              sessions: before.sessions + items.length,
              upserted: before.upserted + written.length
            }
            if (done) {
              yield* sql`UPDATE ${sql.literal(Tables.names.state)} SET watermark = ${watermark}, runs = runs + 1,
                last_run_started_at = run_started_at, last_run_finished_at = ${nowIso},
                run_started_at = ${null}, run_query = ${null}, cursor = ${null}, page_index = 0,
                previous_keys = ${null}, empty_pages = 0, max_updated_at = ${null},
                run_pages = 0, run_sessions = 0, run_written = 0
                WHERE filters_key = ${key}`
              yield* sql`DELETE FROM ${sql.literal(Tables.names.pages)} WHERE filters_key = ${key}`
            } else {
              yield* sql`INSERT INTO ${
                sql.literal(Tables.names.pages)
              } (filters_key, page_index, fingerprint, sessions, committed_at)
                VALUES (${key}, ${step.index}, ${step.fingerprint}, ${items.length}, ${nowIso})
                ON CONFLICT (filters_key, page_index) DO UPDATE SET fingerprint = excluded.fingerprint,
                sessions = excluded.sessions, committed_at = excluded.committed_at`
              yield* sql`UPDATE ${sql.literal(Tables.names.state)} SET cursor = ${step.next},
                page_index = ${step.index + 1}, previous_keys = ${json(sql, dialect, JSON.stringify(keys))},
                empty_pages = ${step.emptyPages},
                max_updated_at = ${pageMax === null ? null : new Date(pageMax).toISOString()},
                run_pages = ${counts.pages}, run_sessions = ${counts.sessions}, run_written = ${counts.upserted}
                WHERE filters_key = ${key}`
            }
            return { written: written.length, events, counts }
          })
        ).pipe(
          Effect.catchIf(
            (error): error is SqlError => error instanceof SqlError,
            (error) => Effect.fail(databaseError(`committing page ${step.index}`)(error))
          ),
          typedDefects(`committing page ${step.index}`),
          Effect.withSpan("SessionSync.commit", {
            attributes: { "opencx.sync.filters_key": key, "opencx.page.index": step.index, "opencx.page.items": items.length }
          })
        )

        yield* Ref.set(maxUpdated, pageMax)
        yield* Ref.set(previousKeys, keys)
        const after: Progress = {
          ...before,
          ...committed.counts,
          stale: before.stale + rows.length - committed.written,
          events: before.events + committed.events,
          duplicatesSkipped: before.duplicatesSkipped + step.skipped,
          done,
          watermark
        }
        yield* Ref.set(progress, after)
        yield* Effect.logDebug(
          `page ${step.index}: ${items.length} sessions, ${committed.written} written${
            withHistory ? `, ${committed.events} events` : ""
          }${done ? `; done, next run from ${watermark ?? "the start"}` : ""}`
        )
        return after
      })

    return service.steps(walk.query, {
      start: walk.start,
      prefetch: options.prefetch ?? defaults.prefetch,
      maxEmptyPages: options.maxEmptyPages
    }).pipe(
      Stream.mapEffect((step) => Effect.map(historiesOf(step.page.items), (histories) => [step, histories] as const)),
      Stream.mapEffect(([step, histories]) => commit(step, histories))
    )
  }))

/**
 * One run of the sync, to its end: every matching session updated after the
 * filter set's watermark (all of them on the first run) upserted into
 * `opencx_sessions`, page by page, and the watermark moved for the next run.
 * After a crash, running it again goes on from the last committed page.
 *
 * @since 0.1.0
 * @category sync
 */
export const run = (
  options: Options = {}
): Effect.Effect<
  Summary,
  TableShapeMismatch | DatabaseError | SyncInProgress | OpenCxError.OpenCxError,
  SqlClient.SqlClient | SessionsService.SessionsService
> =>
  Effect.flatMap(
    Stream.runLast(stream(options)),
    // every walk has a last page (an empty one when nothing matches)
    Option.match({ onNone: () => Effect.dieMessage("SessionSync.run: the walk ended without a page"), onSome: Effect.succeed })
  )

const selectSessions = (sql: Sql, ids: ReadonlyArray<string> | undefined) =>
  ids === undefined
    ? sql`SELECT * FROM ${sql.literal(Tables.names.sessions)} ORDER BY created_at, id`
    : ids.length === 0
    ? Effect.succeed([])
    : sql`SELECT * FROM ${sql.literal(Tables.names.sessions)} WHERE ${sql.in("id", ids)} ORDER BY created_at, id`

/**
 * Sessions read back from `opencx_sessions` as the API sent them (the same
 * JSON, key for key: unknown fields from `extra`, timestamps from their
 * `*_raw` columns, absent fields absent), oldest first; all of them, or
 * those with these ids. A row that no longer makes a session (edited by
 * hand) is left out.
 *
 * @since 0.1.0
 * @category reading
 */
export const readSessions = (
  ids?: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<ChatSession.ChatSessionEncoded>, DatabaseError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const rows = yield* selectSessions(sql, ids).pipe(Effect.mapError(databaseError("reading the sessions")))
    return rows.flatMap((row) => {
      const session = fromRow(row)
      return session === undefined ? [] : [session]
    })
  })

/**
 * A session's history read back from `opencx_session_events`, as the API
 * sent it, in its order.
 *
 * @since 0.1.0
 * @category reading
 */
export const readEvents = (
  sessionId: string
): Effect.Effect<ReadonlyArray<ChatHistory.HistoryItemEncoded>, DatabaseError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const rows = yield* sql<{ readonly item: unknown }>`SELECT item FROM ${
      sql.literal(Tables.names.events)
    } WHERE session_id = ${sessionId} ORDER BY seq`.pipe(Effect.mapError(databaseError("reading the events")))
    // the boundary: items we wrote as the API sent them (validated by the tolerant Schema then)
    return rows.map((row) => readJson(row.item) as ChatHistory.HistoryItemEncoded)
  })
