/**
 * `opencx sessions export`: every matching session, written as it comes, in
 * constant memory; resumable with a checkpoint; incremental with a state
 * file.
 *
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as ChatSession from "@opencx-effect/core/ChatSession"
import * as ListChatSessionsParams from "@opencx-effect/core/ListChatSessionsParams"
import * as OpenCxError from "@opencx-effect/core/OpenCxError"
import type * as Paginator from "@opencx-effect/core/Paginator"
import * as SessionsService from "@opencx-effect/core/SessionsService"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Dates from "./dates.js"
import { apiFailure, IoError, UsageError } from "./errors.js"
import * as Files from "./files.js"
import { type Exported, type Format, renderer } from "./formats.js"
import type * as Output from "./output.js"
import * as Progress from "./progress.js"
import { checkAgainstOutput } from "./resume.js"
import * as Sink from "./sink.js"
import * as Totals from "./totals.js"

export interface ExportOptions {
  readonly filters: ListChatSessionsParams.Input
  /** the date filters as typed, by parameter (`updated_after`) */
  readonly dates: Readonly<Record<string, Dates.DateInput>>
  readonly format: Format
  /** each session with its history (`--with-history`) */
  readonly withHistory: boolean
  readonly output: Option.Option<string>
  readonly limit: Option.Option<number>
  readonly checkpoint: Option.Option<string>
  readonly sinceLast: Option.Option<string>
  readonly ui: Output.Ui
  /** where the sessions come from (for the totals cache) */
  readonly source: string
  /** the client-side rate limit, in requests per minute (none: off), for the estimate of the time left */
  readonly requestsPerMinute: number | undefined
  /** the command line, without the executable (for the resume hint) */
  readonly argv: ReadonlyArray<string>
}

/**
 * How far back a run's start is moved for `--since-last`: sessions updated
 * less than this before a run began are exported again by the next run,
 * which absorbs clock skew between this machine and the API.
 */
const sinceLastMargin = 60_000

/**
 * How many sessions' histories are fetched at once with `--with-history`
 * (each in order of its session, which is written as soon as its history
 * and those before it are in): a bounded number of histories in memory, and
 * requests that overlap their latency. The client's one limiter paces them
 * all.
 */
export const historyConcurrency = 4

/** every item of a session's history, as the API sent them */
const historyOf = (service: SessionsService.Service, sessionId: string) =>
  service.historyEncoded(sessionId).pipe(Stream.runCollect, Effect.map(Chunk.toReadonlyArray))

const describeQuery = (query: Readonly<Record<string, string>>) => {
  const text = Object.entries(query).map(([k, v]) => `${k}=${v}`).join(" ")
  return text === "" ? "no filters" : text
}

const sameQuery = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) => {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k])
}

/** the date filters given relative to now, as typed, by parameter */
export const relativeOf = (dates: Readonly<Record<string, Dates.DateInput>>): Record<string, string> =>
  Object.fromEntries(Object.entries(dates).filter(([, d]) => d.relative).map(([param, d]) => [param, d.input]))

/**
 * `query`, with the instants of `saved` for the date filters typed the same
 * relative way as then (`7d`): a resumed export goes on with the window it
 * started with, and a state file's filters match when typed the same way.
 */
export const keepRelative = (
  query: Readonly<Record<string, string>>,
  relative: Readonly<Record<string, string>>,
  saved: { readonly query: Readonly<Record<string, string>>; readonly relative: Readonly<Record<string, string>> }
): Record<string, string> => {
  const kept: Record<string, string> = { ...query }
  for (const [param, typed] of Object.entries(relative)) {
    const was = saved.query[param]
    if (saved.relative[param] === typed && was !== undefined && param in kept) kept[param] = was
  }
  return kept
}

const words: Record<string, string> = {
  status: "status",
  channel_type: "channel",
  created_after: "created after",
  created_before: "created before",
  updated_after: "updated after",
  updated_before: "updated before"
}

/**
 * The filters as sent, for a person: `status open, updated after
 * 2026-11-22T23:00:00.000Z (7d)`; empty for none.
 */
export const describeFilters = (
  query: Readonly<Record<string, string>>,
  dates: Readonly<Record<string, Dates.DateInput>>
): string =>
  Object.entries(query).map(([param, value]) => {
    if (param === "handed_off") return value === "true" ? "handed off" : "not handed off"
    return `${words[param] ?? param} ${Dates.echo(value, dates[param])}`
  }).join(", ")

/** an argument as a POSIX shell reads it back */
export const shellQuote = (arg: string): string =>
  /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`

const flagOf: Record<string, string> = {
  status: "--status",
  channel_type: "--channel",
  handed_off: "--handed-off",
  created_after: "--created-after",
  created_before: "--created-before",
  updated_after: "--updated-after",
  updated_before: "--updated-before"
}

/** the filters as URL parameters, validated: a bad one is a usage error naming its flag */
export const filtersQuery = (filters: ListChatSessionsParams.Input) =>
  ListChatSessionsParams.toUrlParams(filters).pipe(
    Effect.mapError((e) => {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(e)[0]
      const field = String(issue?.path[0] ?? "")
      const flag = flagOf[field] ?? field
      const message = (issue?.message ?? e.message).replace(/\s+/g, " ").replace(new RegExp(field, "g"), flag)
      return new UsageError({ message: `Invalid ${flag}: ${message}` })
    })
  )

/** the latest of these ISO 8601 timestamps (compared as instants), as `toISOString` writes it; null for none */
const latest = (timestamps: ReadonlyArray<string | undefined>): string | null => {
  const instants = timestamps.filter((t): t is string => t !== undefined).map((t) => Date.parse(t))
  return instants.length === 0 ? null : new Date(Math.max(...instants)).toISOString()
}

export interface Position {
  readonly cursor: string | null
  readonly pages: number
  readonly sessions: number
  readonly bytes: number
  readonly maxUpdatedAt: number | null
  readonly done: boolean
  /** what the walk's guards remember: the cursors used, the last page's ids, empty pages in a row */
  readonly used: Chunk.Chunk<string>
  readonly previousIds: ReadonlyArray<string>
  readonly emptyPages: number
  /** sessions skipped because the page before had them */
  readonly skipped: number
}

/** a session's `updated_at` as the API sent it (any ISO 8601 form the tolerant reader takes), in epoch milliseconds */
const updatedAtOf = (() => {
  const parse = Schema.decodeUnknownEither(ChatSession.ChatSession.fields.updated_at)
  return (session: ChatSession.ChatSessionEncoded): number | undefined =>
    Either.match(parse(session.updated_at), { onLeft: () => undefined, onRight: DateTime.toEpochMillis })
})()

export const run = (options: ExportOptions) =>
  Effect.gen(function*() {
    if (Option.isSome(options.checkpoint) && Option.isNone(options.output)) {
      return yield* new UsageError({
        message: "--checkpoint needs --output FILE: an export to stdout cannot be resumed"
      })
    }
    if (Option.isSome(options.sinceLast) && Option.isSome(options.limit)) {
      return yield* new UsageError({
        message: "--since-last cannot be combined with --limit: a partial run would leave sessions behind for good"
      })
    }
    if (Option.isSome(options.limit) && options.limit.value < 1) {
      return yield* new UsageError({ message: "--limit must be at least 1" })
    }
    const filters = yield* filtersQuery(options.filters)

    // --since-last: export only what was updated after the last run
    const stateFile = Option.map(options.sinceLast, (file): Files.Kept => ({
      file,
      what: "state file",
      remedy: "remove it to export everything again",
      flag: "--since-last"
    }))
    const state = Option.isSome(stateFile)
      ? yield* Files.read(Files.State, stateFile.value)
      : Option.none<Files.State>()
    const relative = relativeOf(options.dates)
    const { updated_after: ownUpdatedAfter, ...baseQuery } = filters
    const { updated_after: _, ...baseRelative } = relative
    if (
      Option.isSome(state) &&
      !sameQuery(state.value.query, keepRelative(baseQuery, baseRelative, state.value))
    ) {
      return yield* new UsageError({
        message: `The state file ${Option.getOrThrow(options.sinceLast)} was made with other filters (${
          describeQuery(state.value.query)
        }), not (${describeQuery(baseQuery)}): use the same filters, or another state file`
      })
    }
    const stateUpdatedAfter = Option.flatMap(state, (s) => Option.fromNullable(s.updatedAfter))
    const updatedAfter = latest([ownUpdatedAfter, Option.getOrUndefined(stateUpdatedAfter)])
    const asked: Record<string, string> = updatedAfter === null
      ? baseQuery
      : { ...baseQuery, updated_after: updatedAfter }

    // --checkpoint: go on from where a previous run stopped
    const checkpointFile = Option.getOrUndefined(options.checkpoint)
    const checkpointKept: Files.Kept | undefined = checkpointFile === undefined
      ? undefined
      : { file: checkpointFile, what: "checkpoint", remedy: "remove it to start afresh", flag: "--checkpoint" }
    const output = Option.getOrUndefined(options.output)
    const limit = Option.getOrNull(options.limit)
    const saved = checkpointKept === undefined
      ? Option.none<Files.Checkpoint>()
      : yield* Files.read(Files.Checkpoint, checkpointKept)
    // with --since-last, updated_after is the state's point, not the flag's
    const walkRelative = Option.isSome(state) ? baseRelative : relative
    // a resumed export goes on with the instants it started with, for the dates typed the same relative way
    const query: Record<string, string> = Option.match(saved, {
      onNone: () => asked,
      onSome: (c) => keepRelative(asked, walkRelative, c)
    })
    if (Option.isSome(saved)) {
      const c = saved.value
      const mismatch = !sameQuery(c.query, query)
        ? `other filters (${describeQuery(c.query)}), not (${describeQuery(query)})`
        : c.format !== options.format
        ? `another format (${c.format}, not ${options.format})`
        : c.withHistory !== options.withHistory
        ? (c.withHistory ? "--with-history, which this command does not have" : "no --with-history, which this command has")
        : c.limit !== limit
        ? `another --limit (${c.limit ?? "none"}, not ${limit ?? "none"})`
        : c.output !== output
        ? `another output (${c.output}, not ${output})`
        : undefined
      if (mismatch !== undefined) {
        return yield* new UsageError({
          message:
            `The checkpoint ${checkpointFile} was made by an export with ${mismatch}: run that export again to finish it, or remove the checkpoint to start afresh`
        })
      }
      // where the checkpoint says the output ends must be where a session ends in it
      if (checkpointKept !== undefined && output !== undefined) yield* checkAgainstOutput(c, checkpointKept, output)
    }

    // every file is as it should be: clear what a killed run left, then start
    if (checkpointKept !== undefined) {
      yield* Files.checkDirectory(checkpointKept)
      yield* Files.removeStaleTemporaries(checkpointKept.file)
    }
    if (Option.isSome(stateFile)) {
      yield* Files.checkDirectory(stateFile.value)
      yield* Files.removeStaleTemporaries(stateFile.value.file)
    }

    // the total, when it can be known: --limit, or what a previous complete run of these filters counted
    const totalKey = Option.isSome(stateFile) ? undefined : Totals.key(options.source, { ...filters, ...relative })
    const previous = totalKey === undefined ? Option.none<number>() : yield* Totals.lookup(totalKey)
    const total: Progress.Total | undefined = Option.isSome(previous) && (limit === null || previous.value < limit)
      ? { sessions: previous.value, source: "previous run" }
      : limit === null
      ? undefined
      : { sessions: limit, source: "limit" }

    const service = yield* SessionsService.SessionsService
    const format = renderer(options.format, options.withHistory)
    /** the sessions' text; one that cannot be written (too large for a string) is an IoError naming it */
    const render = (sessions: ReadonlyArray<Exported>, index: number) => {
      let at = 0
      return Effect.try({
        try: () => {
          let text = ""
          for (; at < sessions.length; at++) text += format.render(sessions[at]!, index + at)
          return text
        },
        catch: (error) =>
          new IoError({
            message: `cannot write session ${sessions[at]?.session.id} as ${options.format}: ${
              error instanceof Error ? error.message : String(error)
            }`
          })
      })
    }
    const now = yield* Clock.currentTimeMillis
    const startedAt = Option.match(saved, { onNone: () => new Date(now).toISOString(), onSome: (c) => c.startedAt })

    const sink = output === undefined
      ? Sink.stdout
      : yield* Sink.file(output, Option.match(saved, { onNone: () => 0, onSome: (c) => c.bytes }))
    const fs = yield* FileSystem.FileSystem
    const resumeHint = Effect.gen(function*() {
      if (checkpointKept === undefined) return undefined
      const exists = yield* fs.exists(checkpointKept.file).pipe(Effect.orElseSucceed(() => false))
      return exists ? `opencx ${options.argv.map(shellQuote).join(" ")}` : undefined
    })
    const progress = yield* Progress.make({
      ui: options.ui,
      command: "sessions export",
      verb: "exporting",
      notLive: output === undefined && options.ui.streams.stdout.tty,
      total,
      requests: options.withHistory ? { perMinute: options.requestsPerMinute } : undefined,
      start: Option.match(saved, {
        onNone: () => undefined,
        onSome: (c) => ({ pages: c.pages, sessions: c.sessions, skipped: c.skipped })
      }),
      onInterrupt: () =>
        Effect.map(resumeHint, (command): Progress.More =>
          command === undefined
            ? {
              lines: [
                checkpointKept === undefined
                  ? "To be able to resume an interrupted export, give it --checkpoint FILE (with --output FILE)."
                  : `Nothing was saved in ${checkpointKept.file} yet: run the same command to start again.`
              ],
              fields: {}
            }
            : {
              lines: [`The checkpoint ${checkpointKept?.file} is saved. Resume with the same command:`, `  ${command}`],
              fields: { checkpoint: checkpointKept?.file, resumeCommand: command }
            })
    })

    const initial: Position = Option.match(saved, {
      onNone: () => ({
        cursor: null,
        pages: 0,
        sessions: 0,
        bytes: 0,
        maxUpdatedAt: null,
        done: false,
        used: Chunk.empty(),
        previousIds: [],
        emptyPages: 0,
        skipped: 0
      }),
      onSome: (c) => ({
        cursor: c.cursor,
        pages: c.pages,
        sessions: c.sessions,
        bytes: c.bytes,
        maxUpdatedAt: c.maxUpdatedAt === null ? null : Date.parse(c.maxUpdatedAt),
        done: c.cursor === null,
        used: Chunk.fromIterable(c.used),
        previousIds: c.previousIds,
        emptyPages: c.emptyPages,
        skipped: c.skipped
      })
    })
    const position = yield* Ref.make<Position>(
      Option.isNone(saved) ? { ...initial, bytes: yield* sink.write(format.header) } : initial
    )

    // the output is synced before the checkpoint that counts its bytes is saved
    const save = (p: Position) =>
      checkpointKept === undefined || output === undefined ? Effect.void : Effect.zipRight(
        sink.flush,
        Effect.flatMap(Clock.currentTimeMillis, (savedAt) =>
          Files.writeAtomically(Files.Checkpoint, checkpointKept, {
            version: 3,
            kind: "opencx sessions export",
            query,
            format: options.format,
            withHistory: options.withHistory,
            limit,
            output,
            cursor: p.done ? null : p.cursor,
            pages: p.pages,
            sessions: p.sessions,
            bytes: p.bytes,
            maxUpdatedAt: p.maxUpdatedAt === null ? null : new Date(p.maxUpdatedAt).toISOString(),
            used: Chunk.toReadonlyArray(p.used),
            previousIds: p.previousIds,
            emptyPages: p.emptyPages,
            skipped: p.skipped,
            relative: walkRelative,
            startedAt,
            savedAt: new Date(savedAt).toISOString()
          }))
      )

    /**
     * With `--with-history`: the sessions of a page, each written once its
     * whole history is in (and those before it are written), a bounded
     * number of histories fetched at once. The checkpoint is saved after the
     * page (see `writePage`): a run that stops in the middle of a page
     * resumes at that page's cursor, the output truncated to the page's
     * start, so that no session is lost or written twice.
     */
    const writeWithHistories = (items: ReadonlyArray<ChatSession.ChatSessionEncoded>, index: number) =>
      Stream.fromIterable(items).pipe(
        Stream.mapEffect(
          (session) => Effect.map(historyOf(service, session.id), (history): Exported => ({ session, history })),
          { concurrency: historyConcurrency }
        ),
        Stream.zipWithIndex,
        Stream.mapEffect(([exported, k]) =>
          Effect.gen(function*() {
            const text = yield* render([exported], index + k)
            const bytes = yield* sink.write(text)
            yield* progress.add(0, 1)
            yield* Effect.logDebug(`session ${exported.session.id}: ${exported.history?.length ?? 0} events`)
            return bytes
          })
        ),
        Stream.runFold(0, (total, bytes) => total + bytes)
      )

    const writePage = (step: Paginator.Step<ChatSession.ListChatSessionsOutputEncoded>) =>
      Effect.gen(function*() {
        const page = step.page
        const before = yield* Ref.get(position)
        const room = limit === null ? page.items.length : Math.max(0, limit - before.sessions)
        const items = page.items.length > room ? page.items.slice(0, room) : page.items
        let maxUpdatedAt = before.maxUpdatedAt
        for (const session of items) {
          const updated = updatedAtOf(session)
          if (updated !== undefined && (maxUpdatedAt === null || updated > maxUpdatedAt)) maxUpdatedAt = updated
        }
        const written = options.withHistory
          ? yield* writeWithHistories(items, before.sessions)
          : yield* Effect.flatMap(render(items.map((session) => ({ session })), before.sessions), (text) =>
            text === "" ? Effect.succeed(0) : sink.write(text))
        const sessions = before.sessions + items.length
        const after: Position = {
          // a next already used is saved too: with `used`, a resumed export fails at once on the loop
          cursor: step.next,
          pages: before.pages + 1,
          sessions,
          bytes: before.bytes + written,
          maxUpdatedAt,
          done: step.next === null || (limit !== null && sessions >= limit),
          used: step.fingerprint === null ? before.used : Chunk.append(before.used, step.fingerprint),
          previousIds: step.keys.length > 0 ? step.keys : before.previousIds,
          emptyPages: step.emptyPages,
          skipped: before.skipped + step.skipped
        }
        yield* Ref.set(position, after)
        yield* save(after)
        yield* progress.add(1, options.withHistory ? 0 : items.length, step.skipped)
        yield* Effect.logDebug(
          `page ${after.pages}: ${items.length} sessions, ${written} bytes written (${after.sessions} sessions, ${after.bytes} bytes in all)${
            step.skipped === 0 ? "" : `; ${step.skipped} repeated from the page before, skipped`
          }`
        )
        return after
      })

    const start = yield* Ref.get(position)
    if (!start.done) {
      // one page fetched ahead while this one is written (not with --limit, which may need no more pages)
      yield* service.steps(query, {
        prefetch: limit === null ? 1 : 0,
        start: {
          cursor: start.cursor,
          index: start.pages,
          used: start.used,
          previousKeys: start.previousIds,
          emptyPages: start.emptyPages
        }
      }).pipe(
        Stream.mapEffect(writePage),
        Stream.takeUntil((after) => after.done),
        Stream.runDrain,
        Effect.catchIf(OpenCxError.isOpenCxError, (error) =>
          Effect.flatMap(resumeHint, (command) =>
            Effect.fail(apiFailure(
              error,
              command === undefined
                ? undefined
                : `The checkpoint ${checkpointFile} is saved: run the same command again to resume (${command}).`
            ))))
      )
    }
    yield* sink.write(format.trailer)
    yield* sink.flush // a write the OS deferred fails here, before the export is said to be done
    if (checkpointKept !== undefined) yield* Files.remove(checkpointKept)

    if (Option.isSome(stateFile)) {
      const previous = Option.getOrUndefined(stateUpdatedAfter)
      const { maxUpdatedAt } = yield* Ref.get(position)
      const safe = maxUpdatedAt === null ? null : Math.min(maxUpdatedAt, Date.parse(startedAt) - sinceLastMargin)
      const next = latest([previous, safe === null ? undefined : new Date(safe).toISOString()])
      const savedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
      yield* Files.writeAtomically(Files.State, stateFile.value, {
        version: 1,
        kind: "opencx sessions export --since-last",
        query: baseQuery,
        relative: baseRelative,
        updatedAfter: next,
        runs: Option.match(state, { onNone: () => 1, onSome: (s) => s.runs + 1 }),
        savedAt
      })
    }
    const end = yield* Ref.get(position)
    // a complete walk (not one --limit stopped) counted every session of these filters
    if (totalKey !== undefined && (limit === null || end.sessions < limit)) yield* Totals.record(totalKey, end.sessions)
    const echoed = describeFilters(
      query,
      Option.isSome(state) ? Object.fromEntries(Object.entries(options.dates).filter(([p]) => p !== "updated_after")) : options.dates
    )
    yield* progress.finish(
      `exported${output === undefined ? "" : ` to ${output}`}`,
      echoed === "" ? undefined : { lines: [`  filters: ${echoed}`], fields: { filters: echoed } }
    )
    return end
  }).pipe(Effect.scoped)
