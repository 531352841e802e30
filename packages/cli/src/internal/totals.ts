/**
 * How many sessions the last complete export or stats of the same filters
 * counted, so that the next run can show a bar and an ETA. Kept in a small
 * JSON file, `totals.json`, in `$OPENCX_CACHE_DIR` (default
 * `$XDG_CACHE_HOME/opencx`, or `~/.cache/opencx`), one entry per source
 * (the API's origin, or the embedded FakeOpenCx) and filters as typed (a
 * relative date as typed: `updated_after=7d`), at most 100 entries. It holds
 * counts only: no key, no session. A run that cannot read or write it goes
 * on without (a debug line says why).
 *
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as os from "node:os"
import { reasonOf } from "./errors.js"
import * as Files from "./files.js"

const maxEntries = 100

const Entry = Schema.Struct({
  sessions: Schema.Number.pipe(Schema.int(), Schema.nonNegative()),
  savedAt: Schema.String
})

const Totals = Schema.Struct({
  version: Schema.Literal(1),
  kind: Schema.Literal("opencx totals"),
  totals: Schema.Record({ key: Schema.String, value: Entry })
})
type Totals = typeof Totals.Type

/** The key of a run: where its sessions come from, and its filters as typed, in a stable order. */
export const key = (source: string, filters: Readonly<Record<string, string>>): string =>
  `${source} ${Object.keys(filters).sort().map((k) => `${k}=${filters[k]}`).join("&")}`

const nonBlank = (name: string) =>
  Config.option(Config.string(name)).pipe(
    Effect.map(Option.filter((value) => value.trim() !== "")),
    Effect.orElseSucceed(() => Option.none<string>())
  )

/** The file, as the environment says. */
export const file = Effect.gen(function*() {
  const path = yield* Path.Path
  const own = yield* nonBlank("OPENCX_CACHE_DIR")
  if (Option.isSome(own)) return path.join(own.value, "totals.json")
  const xdg = yield* nonBlank("XDG_CACHE_HOME")
  return path.join(Option.getOrElse(xdg, () => path.join(os.homedir(), ".cache")), "opencx", "totals.json")
})

const kept = (name: string): Files.Kept => ({
  file: name,
  what: "totals cache",
  remedy: "remove it",
  flag: "OPENCX_CACHE_DIR"
})

const readAll = Effect.gen(function*() {
  const name = yield* file
  const read = yield* Files.read(Totals, kept(name))
  return { name, totals: Option.getOrUndefined(read) }
})

/** What a previous run of `key` counted, if one did (and the cache can be read). */
export const lookup = (runKey: string): Effect.Effect<Option.Option<number>, never, FileSystem.FileSystem | Path.Path> =>
  readAll.pipe(
    Effect.map(({ totals }) => Option.fromNullable(totals?.totals[runKey]?.sessions)),
    Effect.catchAll((e) => Effect.as(Effect.logDebug(`no total from the cache: ${e.message}`), Option.none()))
  )

/** Records what a complete run of `key` counted. */
export const record = (runKey: string, sessions: number): Effect.Effect<void, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const { name, totals } = yield* readAll.pipe(
      Effect.catchAll(() => Effect.map(file, (name) => ({ name, totals: undefined as Totals | undefined })))
    )
    const savedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
    const entries = Object.entries({ ...totals?.totals, [runKey]: { sessions, savedAt } })
      .sort(([, a], [, b]) => (a.savedAt < b.savedAt ? 1 : a.savedAt > b.savedAt ? -1 : 0))
      .slice(0, maxEntries)
    yield* fs.makeDirectory(path.dirname(name), { recursive: true })
    yield* Files.writeAtomically(Totals, kept(name), { version: 1, kind: "opencx totals", totals: Object.fromEntries(entries) })
  }).pipe(Effect.catchAll((e) => Effect.logDebug(`the total was not saved in the cache: ${reasonOf(e)}`)))
