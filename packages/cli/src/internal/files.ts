/**
 * Small files the CLI keeps: the export checkpoint and the incremental
 * state, each a JSON document checked with a Schema and written atomically
 * (written to a temporary file `.<name>.<pid>.tmp` next to it, synced, then
 * renamed over the old one).
 *
 * The Schemas hold every rule about the file alone (whole non-negative
 * counts, a non-empty cursor, ISO 8601 timestamps, a `--since-last` point
 * not in the future); the rules that need the output file are in
 * `resume.ts`.
 *
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { explainFile, IoError, isNotFound, reasonOf, UsageError } from "./errors.js"

/** a value as a short JSON text, for a message */
export const show = (value: unknown): string => {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch {
    text = undefined
  }
  text ??= String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** the message of a field that is not `what`: `(-3) is not a whole, non-negative number` */
const expected = (what: string) => ({
  message: (issue: ParseResult.ParseIssue) => ({ message: `(${show(issue.actual)}) is not ${what}`, override: true })
})

const isoTimestamp = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/

/** an ISO 8601 date-time with its offset, of a day and time that exist (no February 30th) */
export const isIsoTimestamp = (text: string): boolean => {
  const m = isoTimestamp.exec(text)
  if (m === null || Number.isNaN(Date.parse(text))) return false
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number)
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59 &&
    (m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59))
}

const Timestamp = Schema.String.pipe(
  Schema.filter(isIsoTimestamp),
  Schema.annotations(expected("an ISO 8601 timestamp (such as 2025-01-31T12:00:00.000Z)"))
)

/** a timestamp that is not later than now (by `Clock`) */
const PastTimestamp = Timestamp.pipe(
  Schema.filterEffect((text) =>
    Effect.map(Clock.currentTimeMillis, (now) =>
      Date.parse(text) <= now || `(${show(text)}) is in the future (it is now ${new Date(now).toISOString()})`)
  )
)

const Whole = Schema.Number.pipe(Schema.int(), Schema.nonNegative(), Schema.annotations(expected("a whole, non-negative number")))

const Positive = Schema.Number.pipe(Schema.int(), Schema.positive(), Schema.annotations(expected("a whole number of at least 1")))

const Query = Schema.Record({ key: Schema.String, value: Schema.String.annotations(expected("a string")) })
  .annotations(expected("an object of strings"))

/**
 * Where an export is: after each page is written to the output, the cursor
 * of the next page, the counts and the output's length.
 */
export const Checkpoint = Schema.Struct({
  /**
   * 1: before the walk's guards were saved; 2: before `withHistory` (both
   * read, never written); 3: an opencx that knows `--with-history` (an older
   * one refuses it rather than resume an export with histories without them)
   */
  version: Schema.Literal(1, 2, 3).annotations(expected("1, 2 or 3 (was it written by another version of opencx?)")),
  kind: Schema.Literal("opencx sessions export").annotations(expected(`"opencx sessions export"`)),
  /** the filters of the export, as URL parameters */
  query: Query,
  format: Schema.Literal("ndjson", "csv", "json").annotations(expected("ndjson, csv or json")),
  limit: Schema.NullOr(Positive).annotations(expected("a whole number of at least 1, or null")),
  output: Schema.NonEmptyString.annotations(expected("a file name")),
  /** the export writes each session with its history (`--with-history`) */
  withHistory: Schema.optionalWith(Schema.Boolean.annotations(expected("true or false")), { default: () => false }),
  /** the cursor of the next page; null when every page is written */
  cursor: Schema.NullOr(Schema.NonEmptyString).annotations(expected("a non-empty string or null")),
  pages: Whole,
  sessions: Whole,
  /** the output's length in bytes when this checkpoint was saved */
  bytes: Whole,
  /** the largest updated_at exported so far (for --since-last) */
  maxUpdatedAt: Schema.NullOr(Timestamp).annotations(expected("an ISO 8601 timestamp or null")),
  /** the fingerprints of the cursors the export used (so that a resumed export still detects a loop) */
  used: Schema.optionalWith(Schema.Array(Schema.NonEmptyString).annotations(expected("a list of strings")), {
    default: () => []
  }),
  /** the ids of the last page's sessions (so that a resumed export still skips one repeated from it) */
  previousIds: Schema.optionalWith(Schema.Array(Schema.String).annotations(expected("a list of strings")), {
    default: () => []
  }),
  /** the date filters given relative to now, as typed (`updated_after: "7d"`): a resumed export keeps the instants of `query` */
  relative: Schema.optionalWith(
    Schema.Record({ key: Schema.String, value: Schema.String }).annotations(expected("an object of strings")),
    { default: () => ({}) }
  ),
  /** empty pages in a row before the cursor */
  emptyPages: Schema.optionalWith(Whole, { default: () => 0 }),
  /** sessions skipped because the page before had them */
  skipped: Schema.optionalWith(Whole, { default: () => 0 }),
  startedAt: Timestamp,
  savedAt: Timestamp
})
export type Checkpoint = typeof Checkpoint.Type

/** What `--since-last` remembers between runs. */
export const State = Schema.Struct({
  version: Schema.Literal(1).annotations(expected("1 (was it written by another version of opencx?)")),
  kind: Schema.Literal("opencx sessions export --since-last").annotations(
    expected(`"opencx sessions export --since-last"`)
  ),
  /** the filters of the runs, as URL parameters, without updated_after */
  query: Query,
  /** the date filters given relative to now, as typed (`created_after: "30d"`): each run reads them afresh */
  relative: Schema.optionalWith(
    Schema.Record({ key: Schema.String, value: Schema.String }).annotations(expected("an object of strings")),
    { default: () => ({}) }
  ),
  /** the next run exports the sessions updated after this; never in the future */
  updatedAfter: Schema.NullOr(PastTimestamp),
  runs: Positive,
  savedAt: Timestamp
})
export type State = typeof State.Type

/** the first issue of a failed decoding, as `field (value) is not …` */
const describe = (error: ParseResult.ParseError): string => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (issue === undefined) return "it cannot be read"
  if (issue.path.length === 0) {
    return issue._tag === "Transformation" ? `it is not JSON (${issue.message})` : "it is not a JSON object"
  }
  const field = issue.path.map(String).join(".")
  if (issue._tag === "Missing") return `${field} is missing`
  return issue.message.startsWith("(") ? `${field} ${issue.message}` : `${field}: ${issue.message}`
}

/** a file the CLI keeps, named for messages: `the checkpoint cp.json` */
export interface Kept {
  readonly file: string
  /** `checkpoint`, `state file` */
  readonly what: string
  /** what to do about an invalid one */
  readonly remedy: string
  /** where the user named it: `--checkpoint` */
  readonly flag: string
}

/** the message for a kept file that fails a rule */
export const invalid = (kept: Kept, detail: string) =>
  new UsageError({ message: `the ${kept.what} ${kept.file} is invalid: ${detail}: ${kept.remedy}` })

/** Reads a file of the given Schema; none when the file does not exist. */
export const read = <A, I>(schema: Schema.Schema<A, I>, kept: Kept) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(kept.file).pipe(
      Effect.map(Option.some),
      Effect.catchIf(isNotFound, () => Effect.succeedNone),
      Effect.mapError((e) => new UsageError({ message: `cannot read the ${kept.what} ${kept.file}: ${reasonOf(e)}` }))
    )
    if (Option.isNone(text)) return Option.none<A>()
    return Option.some(
      yield* Schema.decodeUnknown(Schema.parseJson(schema))(text.value).pipe(
        Effect.mapError((e) => invalid(kept, describe(e)))
      )
    )
  })

/** the temporary file `writeAtomically` writes next to `file` */
const temporaryOf = (path: Path.Path, file: string, pid: number) =>
  path.join(path.dirname(file), `.${path.basename(file)}.${pid}.tmp`)

/** Writes a file atomically: a temporary file next to it, synced, then renamed over it. */
export const writeAtomically = <A, I>(schema: Schema.Schema<A, I>, kept: Kept, value: NoInfer<A>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const encoded = yield* Schema.encode(schema)(value).pipe(Effect.orDie) // the CLI's own value: a failure is a bug
    const temporary = temporaryOf(path, kept.file, process.pid)
    yield* Effect.scoped(
      Effect.gen(function*() {
        const handle = yield* fs.open(temporary, { flag: "w" })
        yield* handle.writeAll(new TextEncoder().encode(JSON.stringify(encoded, null, 2) + "\n"))
        yield* handle.sync
      })
    ).pipe(
      Effect.zipRight(fs.rename(temporary, kept.file)),
      Effect.tapError(() => Effect.ignore(fs.remove(temporary, { force: true }))),
      Effect.mapError((e) =>
        new IoError({ message: `cannot save the ${kept.what} ${kept.file}: ${explainFile(e, kept.file, kept.flag)}` })
      )
    )
  })

/**
 * Checks that the directory of a kept file exists and is one, before an
 * export starts: a usage error saying what to do otherwise.
 */
export const checkDirectory = (kept: Kept) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const directory = path.dirname(kept.file)
    const info = yield* fs.stat(directory).pipe(Effect.either)
    if (info._tag === "Left") {
      return yield* new UsageError({
        message: `cannot save the ${kept.what} ${kept.file}: ${explainFile(info.left, kept.file, kept.flag)}`
      })
    }
    if (info.right.type !== "Directory") {
      return yield* new UsageError({
        message: `cannot save the ${kept.what} ${kept.file}: ${directory} is not a directory: choose another ${kept.flag}`
      })
    }
  })

/** Removes a kept file (gone already is fine). */
export const remove = (kept: Kept) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.remove(kept.file, { force: true })).pipe(
    Effect.mapError((e) => new IoError({ message: `cannot remove the ${kept.what} ${kept.file}: ${reasonOf(e)}` }))
  )

/** whether a process with this id runs (one we may not signal runs too) */
const isRunning = (pid: number) =>
  Effect.sync(() => {
    try {
      process.kill(pid, 0)
      return true
    } catch (error) {
      return typeof error === "object" && error !== null && "code" in error && error.code === "EPERM"
    }
  })

/**
 * Removes the temporary files a killed run left next to `file`
 * (`.<name>.<pid>.tmp` of a process that no longer runs, or of this one).
 * Best effort: a file that cannot be removed is left (and logged at Debug).
 */
export const removeStaleTemporaries = (file: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const directory = path.dirname(file)
    const names = yield* fs.readDirectory(directory).pipe(Effect.orElseSucceed((): ReadonlyArray<string> => []))
    const prefix = `.${path.basename(file)}.`
    for (const name of names) {
      if (!name.startsWith(prefix) || !name.endsWith(".tmp")) continue
      const pid = name.slice(prefix.length, -".tmp".length)
      if (!/^\d+$/.test(pid)) continue
      if (Number(pid) !== process.pid && (yield* isRunning(Number(pid)))) continue // another run is writing it
      const stale = path.join(directory, name)
      yield* fs.remove(stale, { force: true }).pipe(
        Effect.zipRight(Effect.logDebug(`removed ${stale}, left by a run that was killed`)),
        Effect.catchAll((e) => Effect.logDebug(`could not remove ${stale}: ${reasonOf(e)}`))
      )
    }
  })
