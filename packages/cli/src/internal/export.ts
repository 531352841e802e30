/**
 * `opencx sessions export`: every matching session, written as it comes, in
 * constant memory; resumable with a checkpoint; incremental with a state
 * file.
 *
 * @internal
 */
import { type ChatSession, ListChatSessionsParams, SessionsService } from "@opencx-effect/core"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { UsageError } from "./errors.js"
import * as Files from "./files.js"
import { type Format, renderer } from "./formats.js"
import * as Progress from "./progress.js"
import * as Sink from "./sink.js"

export interface ExportOptions {
  readonly filters: ListChatSessionsParams.Input
  readonly format: Format
  readonly output: Option.Option<string>
  readonly limit: Option.Option<number>
  readonly checkpoint: Option.Option<string>
  readonly sinceLast: Option.Option<string>
  readonly quiet: boolean
}

/**
 * How far back a run's start is moved for `--since-last`: sessions updated
 * less than this before a run began are exported again by the next run,
 * which absorbs clock skew between this machine and the API.
 */
const sinceLastMargin = 60_000

const describeQuery = (query: Readonly<Record<string, string>>) => {
  const text = Object.entries(query).map(([k, v]) => `${k}=${v}`).join(" ")
  return text === "" ? "no filters" : text
}

const sameQuery = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) => {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k])
}

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

export interface Position {
  readonly cursor: string | null
  readonly pages: number
  readonly sessions: number
  readonly bytes: number
  readonly maxUpdatedAt: number | null
  readonly done: boolean
}

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
    const state = Option.isSome(options.sinceLast)
      ? yield* Files.read(Files.State, options.sinceLast.value, "state file")
      : Option.none<Files.State>()
    const { updated_after: ownUpdatedAfter, ...baseQuery } = filters
    if (Option.isSome(state) && !sameQuery(state.value.query, baseQuery)) {
      return yield* new UsageError({
        message: `The state file ${Option.getOrThrow(options.sinceLast)} was made with other filters (${
          describeQuery(state.value.query)
        }), not (${describeQuery(baseQuery)}): use the same filters, or another state file`
      })
    }
    const stateUpdatedAfter = Option.flatMap(state, (s) => Option.fromNullable(s.updatedAfter))
    const updatedAfter = [ownUpdatedAfter, Option.getOrUndefined(stateUpdatedAfter)]
      .filter((v): v is string => v !== undefined)
      .sort()
      .at(-1)
    const query: Record<string, string> = updatedAfter === undefined
      ? baseQuery
      : { ...baseQuery, updated_after: updatedAfter }

    // --checkpoint: go on from where a previous run stopped
    const checkpointFile = Option.getOrUndefined(options.checkpoint)
    const output = Option.getOrUndefined(options.output)
    const limit = Option.getOrNull(options.limit)
    const saved = checkpointFile === undefined
      ? Option.none<Files.Checkpoint>()
      : yield* Files.read(Files.Checkpoint, checkpointFile, "checkpoint")
    if (Option.isSome(saved)) {
      const c = saved.value
      const mismatch = !sameQuery(c.query, query)
        ? `other filters (${describeQuery(c.query)}), not (${describeQuery(query)})`
        : c.format !== options.format
        ? `another format (${c.format}, not ${options.format})`
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
    }

    const service = yield* SessionsService.SessionsService
    const format = renderer(options.format)
    const now = yield* Clock.currentTimeMillis
    const startedAt = Option.match(saved, { onNone: () => new Date(now).toISOString(), onSome: (c) => c.startedAt })

    const sink = output === undefined
      ? Sink.stdout
      : yield* Sink.file(output, Option.match(saved, { onNone: () => 0, onSome: (c) => c.bytes })).pipe(
        Effect.mapError((e) => new UsageError({ message: `Cannot write --output ${output}: ${e.message}` }))
      )
    const progress = yield* Progress.make({ quiet: options.quiet, verb: "exporting" })

    const initial: Position = Option.match(saved, {
      onNone: () => ({ cursor: null, pages: 0, sessions: 0, bytes: 0, maxUpdatedAt: null, done: false }),
      onSome: (c) => ({
        cursor: c.cursor,
        pages: c.pages,
        sessions: c.sessions,
        bytes: c.bytes,
        maxUpdatedAt: c.maxUpdatedAt === null ? null : Date.parse(c.maxUpdatedAt),
        done: c.cursor === null
      })
    })
    const position = yield* Ref.make<Position>(
      Option.isNone(saved) ? { ...initial, bytes: yield* sink.write(format.header) } : initial
    )

    const save = (p: Position) =>
      checkpointFile === undefined || output === undefined ? Effect.void : Effect.flatMap(
        Clock.currentTimeMillis,
        (savedAt) =>
          Files.writeAtomically(Files.Checkpoint, checkpointFile, {
            version: 1,
            kind: "opencx sessions export",
            query,
            format: options.format,
            limit,
            output,
            cursor: p.done ? null : p.cursor,
            pages: p.pages,
            sessions: p.sessions,
            bytes: p.bytes,
            maxUpdatedAt: p.maxUpdatedAt === null ? null : new Date(p.maxUpdatedAt).toISOString(),
            startedAt,
            savedAt: new Date(savedAt).toISOString()
          })
      ).pipe(Effect.mapError((e) => new UsageError({ message: `Cannot save the checkpoint ${checkpointFile}: ${e.message}` })))

    const writePage = (page: ChatSession.ListChatSessionsOutput) =>
      Effect.gen(function*() {
        const before = yield* Ref.get(position)
        const room = limit === null ? page.items.length : Math.max(0, limit - before.sessions)
        const items = page.items.length > room ? page.items.slice(0, room) : page.items
        let text = ""
        let maxUpdatedAt = before.maxUpdatedAt
        for (let i = 0; i < items.length; i++) {
          const session = items[i]!
          text += format.render(session, before.sessions + i)
          const updated = DateTime.toEpochMillis(session.updated_at)
          if (maxUpdatedAt === null || updated > maxUpdatedAt) maxUpdatedAt = updated
        }
        const written = text === "" ? 0 : yield* sink.write(text)
        const sessions = before.sessions + items.length
        const next = page.next === "" ? null : page.next
        const after: Position = {
          cursor: next,
          pages: before.pages + 1,
          sessions,
          bytes: before.bytes + written,
          maxUpdatedAt,
          done: next === null || (limit !== null && sessions >= limit)
        }
        yield* Ref.set(position, after)
        yield* save(after)
        yield* progress.add(1, items.length)
        return after
      })

    const start = yield* Ref.get(position)
    if (!start.done) {
      const params = { ...query, ...(start.cursor === null ? {} : { cursor: start.cursor }) }
      // one page fetched ahead while this one is written (not with --limit, which may need no more pages)
      yield* service.pages(params, { prefetch: limit === null ? 1 : 0 }).pipe(
        Stream.mapEffect(writePage),
        Stream.takeUntil((after) => after.done),
        Stream.runDrain
      )
    }
    yield* sink.write(format.trailer)
    if (checkpointFile !== undefined) yield* Files.remove(checkpointFile).pipe(Effect.orDie)

    if (Option.isSome(options.sinceLast)) {
      const previous = Option.getOrNull(stateUpdatedAfter)
      const { maxUpdatedAt } = yield* Ref.get(position)
      const safe = maxUpdatedAt === null ? null : Math.min(maxUpdatedAt, Date.parse(startedAt) - sinceLastMargin)
      const next = [previous, safe === null ? null : new Date(safe).toISOString()]
        .filter((v): v is string => v !== null)
        .sort()
        .at(-1) ?? null
      const savedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
      yield* Files.writeAtomically(Files.State, options.sinceLast.value, {
        version: 1,
        kind: "opencx sessions export --since-last",
        query: baseQuery,
        updatedAfter: next,
        runs: Option.match(state, { onNone: () => 1, onSome: (s) => s.runs + 1 }),
        savedAt
      }).pipe(Effect.mapError((e) => new UsageError({ message: `Cannot save the state file: ${e.message}` })))
    }
    yield* progress.finish(`exported${output === undefined ? "" : ` to ${output}`}`)
    return yield* Ref.get(position)
  }).pipe(Effect.scoped)
