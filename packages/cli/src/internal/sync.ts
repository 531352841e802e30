/**
 * `opencx sessions sync`: keeps a database (SQLite, the default, or
 * PostgreSQL) in step with OpenCX through `SessionSync.stream`: every
 * session of a filter set upserted by id, one transaction per page with the
 * cursor of the next page and the watermark, so that a run stopped anyhow
 * (Ctrl-C, `kill -9`) leaves whole pages and the next run continues where it
 * stopped; a run after a complete one asks only for the sessions updated
 * since (the watermark, at most a minute before that run began).
 *
 * The database is `--db`, else `OPENCX_DB_URL`, else `sqlite:opencx.db`; it
 * is named everywhere by `SyncDatabase.describe` (its password replaced by
 * `***`). It is connected, and its tables checked and migrated, before any
 * request to the API.
 *
 * Cli.ts imports this module only when the command runs: `@effect/sql` and
 * its drivers are not loaded by the other commands.
 *
 * @internal
 */
import type * as ListChatSessionsParams from "@opencx-effect/core/ListChatSessionsParams"
import type * as OpenCxError from "@opencx-effect/core/OpenCxError"
import * as SessionSync from "@opencx-effect/sql/SessionSync"
import * as SyncDatabase from "@opencx-effect/sql/SyncDatabase"
import type * as SyncError from "@opencx-effect/sql/SyncError"
import * as FileSystem from "@effect/platform/FileSystem"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as path from "node:path"
import type * as Dates from "./dates.js"
import { apiFailure, CommandFailure, UsageError } from "./errors.js"
import { describeFilters, relativeOf } from "./export.js"
import type * as Output from "./output.js"
import * as Progress from "./progress.js"
import { escape } from "./transcript.js"
import * as Totals from "./totals.js"

/** The database to sync into, as the flags and the environment name it. */
export interface Database {
  /** its URL, secret (it may hold a password) */
  readonly url: Redacted.Redacted<string>
  /** where the URL came from: `--db`, `OPENCX_DB_URL`, or the default */
  readonly from: "--db" | "OPENCX_DB_URL" | "default"
  /** the database for messages: its URL with the password replaced by `***` */
  readonly name: string
  readonly kind: SyncDatabase.Target["_tag"]
}

/** how a message names where the URL came from */
const origin = (database: Database) =>
  database.from === "default" ? `--db (default ${SyncDatabase.defaultUrl}, in the current directory)` : database.from

/**
 * `--db`, else `OPENCX_DB_URL` (a blank one counts as unset), else
 * `sqlite:opencx.db`: a URL that names no database this command can open
 * (not `sqlite:PATH` nor `postgres://…`, or one that does not parse) is a
 * usage error, before anything is connected or requested.
 */
export const database = (flag: Option.Option<string>): Effect.Effect<Database, UsageError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fromEnv = yield* Config.option(Config.redacted("OPENCX_DB_URL")).pipe(
      Effect.map(Option.filter((url) => Redacted.value(url).trim() !== "")),
      Effect.mapError((e) => new UsageError({ message: `OPENCX_DB_URL: ${e.message}` }))
    )
    const [url, from]: readonly [Redacted.Redacted<string>, Database["from"]] = Option.isSome(flag)
      ? [Redacted.make(flag.value), "--db"]
      : Option.isSome(fromEnv)
      ? [fromEnv.value, "OPENCX_DB_URL"]
      : [Redacted.make(SyncDatabase.defaultUrl), "default"]
    const parsed = SyncDatabase.parse(url)
    if (Either.isLeft(parsed)) {
      return yield* new UsageError({
        message: `Invalid ${from === "default" ? "--db" : from} ${parsed.left.database}: ${parsed.left.reason}`
      })
    }
    // a SQLite file in a directory that does not exist: a usage error, as for export's --output
    // (not a file: URI, which better-sqlite3 reads itself)
    if (parsed.right._tag === "Sqlite" && parsed.right.filename !== ":memory:" && !parsed.right.filename.startsWith("file:")) {
      const directory = path.dirname(parsed.right.filename)
      const fs = yield* FileSystem.FileSystem
      if (!(yield* fs.exists(directory).pipe(Effect.orElseSucceed(() => true)))) {
        return yield* new UsageError({
          message: `${from === "default" ? "--db" : from} ${
            SyncDatabase.describe(url)
          }: the directory ${directory} does not exist: create it (mkdir -p ${directory}), or choose another --db`
        })
      }
    }
    return { url, from, name: SyncDatabase.describe(url), kind: parsed.right._tag }
  })

export interface SyncOptions {
  /** the filters (`updated_after`, if given, is a floor) */
  readonly filters: SessionSync.Filters
  /** the filters as URL parameters (checked), to echo them */
  readonly query: Readonly<Record<string, string>>
  /** the date filters as typed, by parameter */
  readonly dates: Readonly<Record<string, Dates.DateInput>>
  readonly database: Database
  readonly withHistory: boolean
  /** seconds to wait for another sync of the same filters (none: fail at once) */
  readonly wait: Option.Option<number>
  /** forget the walk a stopped run left, and start a new one from the watermark */
  readonly restart: boolean
  readonly ui: Output.Ui
  /** where the sessions come from (for the totals cache) */
  readonly source: string
  /** the client-side rate limit, in requests per minute (none: off) */
  readonly requestsPerMinute: number | undefined
}

type Failure =
  | CommandFailure
  | SyncError.TableShapeMismatch
  | SyncError.DatabaseError
  | SyncError.SyncInProgress
  | SyncError.DatabaseUnreachable
  | SyncError.InvalidDatabaseUrl
  | OpenCxError.OpenCxError

/** what to say after an error that stopped a walk */
const continues = "The pages committed before it are in the database: run the same command again to continue where it stopped."

/** each error as the user needs it: what failed, where, what to do; and its exit code */
const explain = (options: SyncOptions) => (error: Failure): UsageError | CommandFailure | ReturnType<typeof apiFailure> => {
  const db = options.database
  switch (error._tag) {
    case "CommandFailure":
      return error
    case "InvalidDatabaseUrl":
      return new UsageError({ message: `Invalid ${origin(db)} ${error.database}: ${error.reason}` })
    case "DatabaseUnreachable":
      return new CommandFailure({
        message: `${error.message}. ${
          db.kind === "Sqlite"
            ? `Check that the file's directory exists and that you may write there, or choose another ${origin(db)}.`
            : `Check that the PostgreSQL server is up and reachable from here, and the user, password and database in ${
              origin(db)
            }.`
        } Nothing was asked of the API.`,
        exitCode: 1
      })
    case "TableShapeMismatch":
      return new CommandFailure({ message: `In ${db.name}, ${error.message}.`, exitCode: 2 })
    case "SyncInProgress":
      return new CommandFailure({
        message: error.lost === true
          ? `${error.message}. ${continues}`
          : `${error.message}${
            Option.isSome(options.wait) && options.wait.value > 0 ? `, after waiting ${options.wait.value} s` : ""
          }. Wait for it to finish, or give --wait SECONDS to wait for it.`,
        exitCode: 1
      })
    case "DatabaseError":
      return new CommandFailure({ message: `In ${db.name}, ${error.message}. ${continues}`, exitCode: 1 })
    default:
      return apiFailure(error, continues)
  }
}

/** the command's own counters, from the last committed page */
const counters = (last: Option.Option<SessionSync.Progress>, withHistory: boolean): ReadonlyArray<Progress.Counter> => {
  const p = Option.getOrUndefined(last)
  return [
    { key: "upserted", label: "upserted", value: p?.upserted ?? 0 },
    { key: "stale", label: "stale skipped", value: p?.stale ?? 0, hideZero: true },
    ...(withHistory ? [{ key: "events", label: "events", value: p?.events ?? 0 }] : [])
  ]
}

/** resumes after a turn of Node's event loop (its timers and signals), not only after the microtasks */
const nextTurn: Effect.Effect<void> = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/** how a source names itself in messages: an origin, or the embedded fake whatever its count and seed */
const sourceName = (source: string) => source.startsWith("embedded:") ? "the embedded FakeOpenCx" : source

/**
 * The database remembers where its sessions come from (`opencx_cli_source`,
 * one row, written by the first sync): a sync from elsewhere is refused
 * (exit 2) before any request. Without it, a database filled from the
 * embedded FakeOpenCx (`npm run sync` with no key) and then synced from the
 * real API would keep the fake's sessions and walk the real ones only from
 * the fake's watermark: made-up data passing for the organisation's, and
 * real sessions missing.
 */
const checkSource = (options: SyncOptions) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const now = new Date(yield* Clock.currentTimeMillis).toISOString()
    // two first runs at once may both create it: PostgreSQL fails one of them (a unique violation), which then finds it made
    yield* sql`CREATE TABLE IF NOT EXISTS opencx_cli_source (id INTEGER PRIMARY KEY, source TEXT NOT NULL, recorded_at TEXT NOT NULL)`
      .pipe(Effect.retry({ times: 2 }))
    const mine = sourceName(options.source)
    yield* sql`INSERT INTO opencx_cli_source (id, source, recorded_at) VALUES (1, ${mine}, ${now}) ON CONFLICT (id) DO NOTHING`
    const rows = yield* sql<{ readonly source: string; readonly recorded_at: string }>`SELECT source, recorded_at FROM opencx_cli_source WHERE id = 1`
    const theirs = rows[0]
    if (theirs !== undefined && theirs.source !== mine) {
      // a source that never got a session in (a first run that failed: a wrong base URL, say) claims nothing
      const held = yield* sql<{ readonly id: string }>`SELECT id FROM opencx_sessions LIMIT 1`
      if (held.length === 0) {
        yield* sql`UPDATE opencx_cli_source SET source = ${mine}, recorded_at = ${now} WHERE id = 1`
        return
      }
      return yield* new CommandFailure({
        message: `${options.database.name} holds the sessions of ${
          escape(theirs.source.slice(0, 200))
        } (synced since ${theirs.recorded_at}), and this run reads ${mine}: its sessions would mix with those, and its walk would start from their watermark. Sync into another database (--db), or remove this one to start it over. Nothing was asked of the API.`,
        exitCode: 2
      })
    }
  }).pipe(
    Effect.catchTag("SqlError", (error) =>
      Effect.fail(
        new CommandFailure({
          message: `In ${options.database.name}, recording where the sessions come from failed: ${
            escape(error.message)
          }. Nothing was asked of the API.`,
          exitCode: 1
        })
      ))
  )

/**
 * The sync, to its end: progress on stderr as for an export (pages,
 * sessions, rows upserted, stale versions skipped, history events,
 * duplicates skipped, requests, the rate limit's countdown), then a summary
 * that says where the watermark stands for the next run.
 */
export const run = (options: SyncOptions) => {
  const db = options.database
  const body = Effect.gen(function*() {
    // the tables checked (a table of another shape refused untouched) and migrated, before any request
    const before = yield* SessionSync.state(options.filters)
    yield* checkSource(options)
    const unfinished = Option.flatMap(before, (state) => state.inProgress)
    const resuming = !options.restart && Option.isSome(unfinished)
    // a first run walks every matching session: a previous export or stats of these filters counted them
    const fullWalk = Option.match(before, { onNone: () => true, onSome: (state) => state.watermark === null })
    const totalKey = fullWalk ? Totals.key(options.source, { ...options.query, ...relativeOf(options.dates) }) : undefined
    const previous = totalKey === undefined ? Option.none<number>() : yield* Totals.lookup(totalKey)

    const last = yield* Ref.make(Option.none<SessionSync.Progress>())
    const start = resuming && Option.isSome(unfinished)
      ? { pages: unfinished.value.pages, sessions: unfinished.value.sessions, skipped: 0 }
      : undefined
    const progress = yield* Progress.make({
      ui: options.ui,
      command: "sessions sync",
      verb: "syncing",
      total: Option.match(previous, {
        onNone: () => undefined,
        onSome: (sessions) => ({ sessions, source: "previous run" as const })
      }),
      requests: { perMinute: options.requestsPerMinute },
      start,
      counters: Effect.map(Ref.get(last), (p) => counters(p, options.withHistory)),
      onInterrupt: (s) =>
        Effect.succeed<Progress.More>({
          lines: [
            `The database ${db.name} holds whole pages (${Progress.count(s.pages)} committed by this walk). Run the same command again: it continues where this one stopped.`
          ],
          fields: { database: db.name, committedPages: s.pages, resume: "run the same command again" }
        })
    })

    const seen = yield* Ref.make({ pages: start?.pages ?? 0, sessions: start?.sessions ?? 0, skipped: 0 })
    yield* SessionSync.stream({
      filters: options.filters,
      withHistory: options.withHistory,
      restart: options.restart,
      ...(Option.isSome(options.wait) ? { wait: Duration.seconds(options.wait.value) } : {})
    }).pipe(
      Stream.runForEach((p) =>
        Effect.gen(function*() {
          yield* Ref.set(last, Option.some(p))
          const was = yield* Ref.getAndSet(seen, { pages: p.pages, sessions: p.sessions, skipped: p.duplicatesSkipped })
          yield* progress.add(
            Math.max(0, p.pages - was.pages),
            Math.max(0, p.sessions - was.sessions),
            Math.max(0, p.duplicatesSkipped - was.skipped)
          )
          // a turn of the event loop after each committed page (counted first): with the embedded FakeOpenCx
          // and SQLite nothing in a page waits for I/O, and the progress line's timer and Ctrl-C would wait for the end
          yield* nextTurn
        })
      )
    )

    const end = yield* Effect.flatMap(
      Ref.get(last),
      Option.match({
        // every walk has a last page (an empty one when nothing matches)
        onNone: () => Effect.dieMessage("the sync ended without a committed page"),
        onSome: Effect.succeed
      })
    )
    // a complete first walk counted every session of these filters
    if (totalKey !== undefined && end.previousWatermark === null) yield* Totals.record(totalKey, end.sessions)

    const echoed = describeFilters(options.query, options.dates)
    const since = end.query.updated_after
    const next = end.watermark === null
      ? end.sessions > 0
        ? "from the start: this run walked from a floor (--since or --updated-after), not from a watermark, so it set none"
        : "from the start (no session synced yet)"
      : `the sessions updated after ${end.watermark} (the watermark: the latest updated_at synced, at most a minute before this run began)`
    yield* progress.finish(`synced into ${db.name}`, {
      lines: [
        ...(echoed === "" ? [] : [`  filters: ${echoed}`]),
        ...(since !== undefined ? [`  this run: the sessions updated after ${since}`] : []),
        `  next run: ${next}`
      ],
      fields: {
        database: db.name,
        filters: echoed,
        updatedAfter: since ?? null,
        watermark: end.watermark,
        previousWatermark: end.previousWatermark
      }
    })
    return end
  }).pipe(Effect.scoped)

  return body.pipe(
    Effect.provide(SyncDatabase.layer(db.url)),
    Effect.mapError(explain(options))
  )
}

/** the filters of a sync: the export's, but a walk never starts from a cursor */
export const syncFilters = (params: ListChatSessionsParams.Input): SessionSync.Filters => {
  const { cursor: _cursor, ...filters } = params
  return filters
}
