/**
 * A database to sync into, named by a URL: `sqlite:PATH` (the embedded
 * default, through `@effect/sql-sqlite-node`) or `postgres://…` (through
 * `@effect/sql-pg`). Either gives an `@effect/sql` `SqlClient`, which is all
 * `SessionSync` needs; every other `SqlClient` of those two dialects will do
 * too (one your application already has, `@effect/sql-libsql`, …).
 *
 * The URL is a secret (it may hold a password): take it as `Redacted`
 * (`config` reads `OPENCX_DB_URL` so), and name the database with
 * `describe`, which replaces the password by `***`. No error of this module
 * holds the password, nor any log line.
 *
 * Each driver is an optional peer dependency, loaded only when a URL of its
 * kind is opened: install `@effect/sql-sqlite-node` for SQLite,
 * `@effect/sql-pg` for PostgreSQL.
 *
 * @example
 * ```ts
 * import { SyncDatabase } from "@opencx-effect/sql"
 * import { Redacted } from "effect"
 *
 * const local = SyncDatabase.layer("sqlite:opencx.db")
 * const shared = SyncDatabase.layer(Redacted.make("postgres://sync:secret@db.internal:5432/support"))
 * const fromEnv = SyncDatabase.layerConfig() // OPENCX_DB_URL, default sqlite:opencx.db
 * ```
 *
 * @since 0.1.0
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { reasonOf, scrub } from "./internal/text.js"
import { DatabaseUnreachable, InvalidDatabaseUrl } from "./SyncError.js"

/**
 * Where a URL points.
 *
 * @since 0.1.0
 * @category models
 */
export type Target =
  | {
    readonly _tag: "Sqlite"
    /** the file (`:memory:` for an in-memory database) */
    readonly filename: string
  }
  | {
    readonly _tag: "Postgres"
    /** the connection URL, secret */
    readonly url: Redacted.Redacted<string>
  }

/**
 * The URL used when none is given.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultUrl = "sqlite:opencx.db"

/**
 * Options of the connection.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** how long connecting may take (PostgreSQL; default 10 seconds) */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** the PostgreSQL `application_name` (default `opencx-effect`) */
  readonly applicationName?: string | undefined
}

const reveal = (url: string | Redacted.Redacted<string>): string => Redacted.isRedacted(url) ? Redacted.value(url) : url

const passwordsOf = (parsed: URL): ReadonlyArray<string> => {
  const out: Array<string> = []
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s)
    } catch {
      return s
    }
  }
  if (parsed.password !== "") out.push(parsed.password, decode(parsed.password))
  const param = parsed.searchParams.get("password")
  if (param !== null && param !== "") out.push(param)
  return out
}

/**
 * The database a URL names, for messages: the URL with its password (in the
 * user info or a `password` parameter) replaced by `***`.
 *
 * @since 0.1.0
 * @category utils
 */
export const describe = (url: string | Redacted.Redacted<string>): string => {
  const text = reveal(url).trim()
  if (/^sqlite:/i.test(text)) return text
  try {
    const parsed = new URL(text)
    const secrets = passwordsOf(parsed)
    if (parsed.password !== "") parsed.password = "***"
    if (parsed.searchParams.has("password")) parsed.searchParams.set("password", "***")
    return scrub(parsed.toString().replace("%2A%2A%2A", "***"), secrets)
  } catch {
    // not a URL: show its scheme only (the rest may hold a password)
    const colon = text.indexOf(":")
    return colon > 0 && colon < 20 ? `${text.slice(0, colon + 1)}…` : "…"
  }
}

/**
 * Reads a database URL: `sqlite:PATH` (also `sqlite://PATH`, and
 * `sqlite::memory:`), `postgres://…` or `postgresql://…`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (url: string | Redacted.Redacted<string>): Either.Either<Target, InvalidDatabaseUrl> => {
  const text = reveal(url).trim()
  const database = describe(text)
  const sqlite = /^sqlite:(.*)$/i.exec(text)
  if (sqlite !== null) {
    const rest = sqlite[1]!
    const filename = rest === ":memory:" ? rest : rest.startsWith("//") ? rest.slice(2) : rest
    return filename === ""
      ? Either.left(new InvalidDatabaseUrl({ database, reason: "no file: write sqlite:PATH (e.g. sqlite:opencx.db)" }))
      : Either.right({ _tag: "Sqlite", filename })
  }
  if (/^postgres(ql)?:\/\//i.test(text)) {
    try {
      const parsed = new URL(text)
      if (parsed.hostname === "" && !parsed.searchParams.has("host")) {
        return Either.left(new InvalidDatabaseUrl({ database, reason: "no host" }))
      }
      return Either.right({ _tag: "Postgres", url: Redacted.make(text) })
    } catch {
      return Either.left(new InvalidDatabaseUrl({ database, reason: "not a valid URL" }))
    }
  }
  return Either.left(
    new InvalidDatabaseUrl({
      database,
      reason: "expected sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE"
    })
  )
}

/** the password of a PostgreSQL URL (in its user info or a `password` parameter), to scrub from messages */
const secretsOf = (url: Redacted.Redacted<string>): ReadonlyArray<string> => {
  try {
    return passwordsOf(new URL(Redacted.value(url)))
  } catch {
    return []
  }
}

const missingDriver = (database: string, driver: string) => (cause: unknown) =>
  new DatabaseUnreachable({
    database,
    reason: `its driver ${driver} cannot be loaded (npm install ${driver}): ${reasonOf(cause)}`
  })

const sqliteClient = (filename: string, database: string) =>
  Effect.gen(function*() {
    const driver = yield* Effect.tryPromise({
      try: () => import("@effect/sql-sqlite-node/SqliteClient"),
      catch: missingDriver(database, "@effect/sql-sqlite-node")
    })
    // better-sqlite3 throws while opening (a missing directory, a file that is no database): a defect there
    const client = yield* driver.make({ filename }).pipe(
      Effect.catchAllDefect((defect) => Effect.fail(new DatabaseUnreachable({ database, reason: reasonOf(defect) })))
    )
    // WAL (the driver's default) with synchronous = NORMAL: a commit is not
    // fsynced, a checkpoint is. A process that dies (kill -9 included) loses
    // nothing committed; a power loss may roll back the last pages, cursor
    // and watermark with them, which the next run syncs again. FULL would
    // fsync every page's transaction, for a durability the sync does not need.
    yield* client.unsafe("PRAGMA synchronous = NORMAL").pipe(
      Effect.zipRight(client`SELECT 1`),
      Effect.mapError((error) => new DatabaseUnreachable({ database, reason: reasonOf(error) }))
    )
    return client
  })

const pgClient = (target: Extract<Target, { _tag: "Postgres" }>, database: string, options: Options) =>
  Effect.gen(function*() {
    const driver = yield* Effect.tryPromise({
      try: () => import("@effect/sql-pg/PgClient"),
      catch: missingDriver(database, "@effect/sql-pg")
    })
    return yield* driver.make({
      url: target.url,
      connectTimeout: options.connectTimeout ?? Duration.seconds(10),
      applicationName: options.applicationName ?? "opencx-effect"
    }).pipe(
      Effect.catchAllDefect((defect) => Effect.fail(defect)),
      Effect.mapError((error) => new DatabaseUnreachable({ database, reason: reasonOf(error, secretsOf(target.url)) }))
    )
  })

/**
 * A `SqlClient` for the database at `url`, connected (and checked with a
 * first statement) when the layer is built. Fails with `InvalidDatabaseUrl`
 * or `DatabaseUnreachable`, whose messages name the database without its
 * password.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  url: string | Redacted.Redacted<string>,
  options: Options = {}
): Layer.Layer<SqlClient.SqlClient, DatabaseUnreachable | InvalidDatabaseUrl> =>
  Layer.scopedContext(
    Effect.gen(function*() {
      const target = yield* parse(url)
      const database = describe(url)
      const client: SqlClient.SqlClient = target._tag === "Sqlite"
        ? yield* sqliteClient(target.filename, database)
        : yield* pgClient(target, database, options)
      return Context.make(SqlClient.SqlClient, client)
    })
  ).pipe(Layer.provide(Reactivity.layer))

/**
 * `OPENCX_DB_URL`, as `Redacted`, with `defaultUrl` when it is unset.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<Redacted.Redacted<string>> = Config.redacted("OPENCX_DB_URL").pipe(
  Config.withDefault(Redacted.make(defaultUrl))
)

/**
 * `layer` with the URL from `config` (`OPENCX_DB_URL`, default
 * `sqlite:opencx.db`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Options = {}
): Layer.Layer<SqlClient.SqlClient, DatabaseUnreachable | InvalidDatabaseUrl | ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(config, (url) => layer(url, options)))
