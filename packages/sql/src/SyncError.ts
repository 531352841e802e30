/**
 * The errors of a sync, each a `Schema.TaggedError` that a user can
 * `catchTag`. The API's errors (`OpenCxError`, from `@opencx-effect/core`)
 * pass through as they are.
 *
 * No error holds a secret: a database is named by its URL with the password
 * replaced by `***` (`SyncDatabase.describe`), and a driver's message is
 * scrubbed of the password before it becomes a `reason`.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/**
 * The database cannot be reached: a connection refused or timed out, a
 * wrong password, an unknown host or database, a SQLite file that cannot be
 * opened.
 *
 * @since 0.1.0
 * @category errors
 */
export class DatabaseUnreachable extends Schema.TaggedError<DatabaseUnreachable>(
  "@opencx-effect/sql/DatabaseUnreachable"
)("DatabaseUnreachable", {
  /** the database, as `SyncDatabase.describe` names it (never with its password) */
  database: Schema.String,
  /** what the driver said, scrubbed of the password */
  reason: Schema.String
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `cannot reach the database ${this.database}: ${this.reason}`
  }
}

/**
 * A database URL that names no database this package can open: it takes
 * `sqlite:PATH` (`sqlite::memory:` for an in-memory database) and
 * `postgres://…` / `postgresql://…`.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidDatabaseUrl extends Schema.TaggedError<InvalidDatabaseUrl>(
  "@opencx-effect/sql/InvalidDatabaseUrl"
)("InvalidDatabaseUrl", {
  /** the URL, with any password replaced by `***` */
  database: Schema.String,
  reason: Schema.String
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `invalid database URL ${this.database}: ${this.reason}`
  }
}

/**
 * A statement failed once the database was reached (a full disk, a lost
 * connection, a dialect this package does not speak, …). The sync's state
 * is as the last committed page left it: run it again to go on.
 *
 * @since 0.1.0
 * @category errors
 */
export class DatabaseError extends Schema.TaggedError<DatabaseError>("@opencx-effect/sql/DatabaseError")(
  "DatabaseError",
  {
    /** what the sync was doing (e.g. `commit page 12`, `migrate`) */
    operation: Schema.String,
    /** what the driver said, scrubbed of the password */
    reason: Schema.String
  }
) {
  /** @since 0.1.0 */
  override get message(): string {
    return `database error while ${this.operation}: ${this.reason}`
  }
}

/**
 * A table the sync owns exists with another shape than the one its
 * migrations make (another application's `opencx_sessions`, a column
 * dropped by hand, a database migrated by a newer version of this package).
 * It is refused before anything is written: the table and its rows are left
 * as they are.
 *
 * @since 0.1.0
 * @category errors
 */
export class TableShapeMismatch extends Schema.TaggedError<TableShapeMismatch>(
  "@opencx-effect/sql/TableShapeMismatch"
)("TableShapeMismatch", {
  table: Schema.String,
  reason: Schema.String
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `the table ${this.table} is not the one @opencx-effect/sql maintains: ${this.reason}; nothing was changed (use another database or schema, or rename that table)`
  }
}

/**
 * Another sync of the same filters holds the lease on their state (or took
 * it over while this one was running: this one stops before committing
 * anything more). Wait for it to finish, or give `wait` to wait for it.
 *
 * @since 0.1.0
 * @category errors
 */
export class SyncInProgress extends Schema.TaggedError<SyncInProgress>("@opencx-effect/sql/SyncInProgress")(
  "SyncInProgress",
  {
    /** the filter set's key in `opencx_sync_state` */
    filtersKey: Schema.String,
    /** who holds the lease: `host/pid/token` */
    owner: Schema.String,
    /** since when it holds it (ISO 8601) */
    since: Schema.String,
    /** when the lease runs out unless renewed (ISO 8601) */
    expiresAt: Schema.String,
    /** this sync had the lease and lost it (its holder stopped renewing it for too long) */
    lost: Schema.optionalWith(Schema.Boolean, { exact: true })
  }
) {
  /** @since 0.1.0 */
  override get message(): string {
    const filters = this.filtersKey === "" ? "no filters" : this.filtersKey
    return this.lost === true
      ? `the sync of (${filters}) lost its lease to ${this.owner} (since ${this.since}); it stopped before committing another page`
      : `another sync of (${filters}) is in progress: ${this.owner} holds the lease since ${this.since} (until ${this.expiresAt} unless renewed)`
  }
}

/**
 * Every error of this package, as a Schema.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SyncError = Schema.Union(
  DatabaseUnreachable,
  InvalidDatabaseUrl,
  DatabaseError,
  TableShapeMismatch,
  SyncInProgress
)

/**
 * @since 0.1.0
 * @category models
 */
export type SyncError = typeof SyncError.Type

const tags: ReadonlySet<string> = new Set(SyncError.members.map((member) => member._tag))

/**
 * @since 0.1.0
 * @category guards
 */
export const isSyncError = (u: unknown): u is SyncError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && tags.has(u._tag) && u instanceof Error
