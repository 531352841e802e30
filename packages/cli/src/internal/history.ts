/**
 * `opencx sessions history ID`: one conversation, streamed page by page in
 * constant memory:
 *
 * - `ndjson` (the default): each history item exactly as the API sent it
 *   (`SessionsService.historyEncoded`), one per line;
 * - `json`: the same items as one array;
 * - `text`: a transcript a person reads (see `transcript.ts`), every server
 *   text escaped.
 *
 * To stdout, or to `--output FILE`, written whole or not at all (a failed
 * run leaves FILE as it was). A session that does not exist is the API's
 * `NotFound` (exit 1); an id that cannot be one was refused when the command
 * line was read (exit 2, no request).
 *
 * @internal
 */
import type * as OpenCxError from "@opencx-effect/core/OpenCxError"
import * as SessionsService from "@opencx-effect/core/SessionsService"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { IoError } from "./errors.js"
import { stringify } from "./json.js"
import * as Output from "./output.js"
import * as Progress from "./progress.js"
import * as Sink from "./sink.js"
import * as Transcript from "./transcript.js"

export const formats = ["ndjson", "text", "json"] as const
export type Format = (typeof formats)[number]

export interface HistoryOptions {
  readonly sessionId: string
  readonly format: Format
  readonly output: Option.Option<string>
  readonly ui: Output.Ui
}

/** an item's JSON text, or an IoError naming it when it cannot be written */
const itemJson = (item: unknown, sessionId: string, index: number) =>
  Effect.try({
    try: () => stringify(item) ?? "null",
    catch: (error) =>
      new IoError({
        message: `cannot write event ${index + 1} of session ${sessionId} as JSON: ${
          error instanceof Error ? error.message : String(error)
        }`
      })
  })

export const run = (options: HistoryOptions) =>
  Effect.gen(function*() {
    const service = yield* SessionsService.SessionsService
    const started = yield* Clock.currentTimeMillis
    const requests0 = (yield* Metric.value(SessionsService.metrics.requests)).count
    const output = Option.getOrUndefined(options.output)
    const target: Sink.Committed = output === undefined
      ? { sink: Sink.stdout, commit: Effect.void }
      : yield* Sink.replace(output)
    const { sink } = target
    const id = options.sessionId

    /** the items' text, a chunk (a page) at a time */
    const lines: Stream.Stream<string, OpenCxError.OpenCxError | IoError> = options.format === "text"
      ? service.history(id).pipe(Stream.map(Transcript.render))
      : service.historyEncoded(id).pipe(
        Stream.zipWithIndex,
        Stream.mapEffect(([item, index]) =>
          Effect.map(itemJson(item, id, index), (text) =>
            options.format === "ndjson" ? `${text}\n` : `${index === 0 ? "\n" : ",\n"}${text}`)
        )
      )
    if (options.format === "json") yield* sink.write("[")
    const events = yield* lines.pipe(
      Stream.mapChunksEffect((chunk) =>
        Effect.as(sink.write(Chunk.join(chunk, "")), Chunk.of(chunk.length))
      ),
      Stream.runFold(0, (total, n) => total + n)
    )
    if (options.format === "json") yield* sink.write("\n]\n")
    yield* target.commit // the output is synced (and renamed into place) before the command says it is done

    if (options.ui.quiet) return events
    const seconds = ((yield* Clock.currentTimeMillis) - started) / 1_000
    const requests = (yield* Metric.value(SessionsService.metrics.requests)).count - requests0
    const done = `history of ${id}${output === undefined ? "" : ` written to ${output}`}`
    const text = `${done}: ${Progress.count(events)} ${events === 1 ? "event" : "events"}, ${
      Progress.count(requests)
    } ${requests === 1 ? "request" : "requests"}, ${seconds.toFixed(1)} s`
    yield* options.ui.format === "json"
      ? Output.writeJson("INFO", done, { command: "sessions history", events, requests, elapsedSeconds: seconds, done: true })
      : Output.writeStderr(`${text}\n`)
    return events
  }).pipe(Effect.scoped)
