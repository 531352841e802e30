/**
 * Small files the CLI keeps: the export checkpoint and the incremental
 * state, each a JSON document checked with a Schema and written atomically
 * (written to a temporary file, synced, then renamed over the old one).
 *
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { UsageError } from "./errors.js"

const Query = Schema.Record({ key: Schema.String, value: Schema.String })

/**
 * Where an export is: after each page is written to the output, the cursor
 * of the next page, the counts and the output's length.
 */
export const Checkpoint = Schema.Struct({
  version: Schema.Literal(1),
  kind: Schema.Literal("opencx sessions export"),
  /** the filters of the export, as URL parameters */
  query: Query,
  format: Schema.Literal("ndjson", "csv", "json"),
  limit: Schema.NullOr(Schema.Int),
  output: Schema.String,
  /** the cursor of the next page; null when every page is written */
  cursor: Schema.NullOr(Schema.String),
  pages: Schema.Int,
  sessions: Schema.Int,
  /** the output's length in bytes when this checkpoint was saved */
  bytes: Schema.Int,
  /** the largest updated_at exported so far (for --since-last) */
  maxUpdatedAt: Schema.NullOr(Schema.String),
  startedAt: Schema.String,
  savedAt: Schema.String
})
export type Checkpoint = typeof Checkpoint.Type

/** What `--since-last` remembers between runs. */
export const State = Schema.Struct({
  version: Schema.Literal(1),
  kind: Schema.Literal("opencx sessions export --since-last"),
  /** the filters of the runs, as URL parameters, without updated_after */
  query: Query,
  /** the next run exports the sessions updated after this */
  updatedAfter: Schema.NullOr(Schema.String),
  runs: Schema.Int,
  savedAt: Schema.String
})
export type State = typeof State.Type

/** Reads a file of the given Schema; none when the file does not exist. */
export const read = <S extends Schema.Schema.AnyNoContext>(schema: S, file: string, what: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const exists = yield* fs.exists(file).pipe(
      Effect.mapError((e) => new UsageError({ message: `Cannot read the ${what} ${file}: ${e.message}` }))
    )
    if (!exists) return Option.none<Schema.Schema.Type<S>>()
    const text = yield* fs.readFileString(file).pipe(
      Effect.mapError((e) => new UsageError({ message: `Cannot read the ${what} ${file}: ${e.message}` }))
    )
    return Option.some(
      yield* Schema.decodeUnknown(Schema.parseJson(schema))(text).pipe(
        Effect.mapError((e) =>
          new UsageError({
            message: `${file} is not a valid ${what} (${e.message.split("\n").slice(-1)[0]?.trim()}); remove it to start afresh`
          })
        )
      )
    )
  })

/** Writes a file atomically: a temporary file next to it, synced, then renamed over it. */
export const writeAtomically = <S extends Schema.Schema.AnyNoContext>(
  schema: S,
  file: string,
  value: Schema.Schema.Type<S>
) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const encoded = yield* Schema.encode(schema)(value).pipe(Effect.orDie)
    const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`)
    yield* Effect.scoped(
      Effect.gen(function*() {
        const handle = yield* fs.open(temporary, { flag: "w" })
        yield* handle.writeAll(new TextEncoder().encode(JSON.stringify(encoded, null, 2) + "\n"))
        yield* handle.sync
      })
    )
    yield* fs.rename(temporary, file)
  })

export const remove = (file: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.remove(file, { force: true }))
