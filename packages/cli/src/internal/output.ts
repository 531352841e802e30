/**
 * What the CLI says on stderr, and how: logs, notices, errors and progress,
 * as text for a person (`--log-format text`, the default) or as one JSON
 * object per line for a machine (`--log-format json`), each with at least
 * `timestamp` (ISO 8601), `level` and `message`. Stdout is for data only.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Inspectable from "effect/Inspectable"
import * as Logger from "effect/Logger"
import * as Terminal from "./terminal.js"

export const logFormats = ["text", "json"] as const
export type LogFormat = (typeof logFormats)[number]

/** How a command reports on stderr. */
export interface Ui {
  readonly format: LogFormat
  readonly streams: Terminal.Streams
  /** no progress, no summary */
  readonly quiet: boolean
  /** how often a plain progress line is written when stderr is not a live terminal line (milliseconds) */
  readonly progressInterval: number
}

/** seconds between plain progress lines, by default */
export const defaultProgressInterval = 10

export const writeStderr = (text: string) => Effect.sync(() => void process.stderr.write(text))

/** a value as JSON can hold it (an Error as its message, a bigint as a number) */
const jsonValue = (value: unknown): unknown =>
  typeof value === "bigint" ? Number(value) : value instanceof Error ? value.message : Inspectable.redact(value)

/** One JSON line: timestamp, level, message, then `fields`. */
export const jsonLine = (at: number, level: string, message: string, fields: Readonly<Record<string, unknown>> = {}) => {
  const record: Record<string, unknown> = { timestamp: new Date(at).toISOString(), level, message }
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) record[key] = jsonValue(value)
  return JSON.stringify(record) + "\n"
}

/** Writes a JSON line at the `Clock`'s now. */
export const writeJson = (level: string, message: string, fields: Readonly<Record<string, unknown>> = {}) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => writeStderr(jsonLine(now, level, message, fields)))

/** the text of a log message (Effect.log takes several values) */
const messageText = (message: unknown): string => {
  const parts = Array.isArray(message) ? message : [message]
  return parts.map((part) => (typeof part === "string" ? part : JSON.stringify(jsonValue(part)))).join(" ")
}

/** Effect's logs as JSON lines on stderr. */
export const jsonLogger = Logger.make<unknown, void>(({ annotations, cause, date, logLevel, message }) => {
  const fields: Record<string, unknown> = {}
  for (const [key, value] of HashMap.toEntries(annotations)) fields[key] = value
  if (!Cause.isEmpty(cause)) fields.cause = Cause.pretty(cause, { renderErrorCause: true })
  process.stderr.write(jsonLine(date.getTime(), logLevel.label, messageText(message), fields))
})

/**
 * The logger of a command: JSON lines, or Effect's pretty lines on stderr
 * (in colour only when stderr takes it: the pretty logger would otherwise
 * decide from stdout).
 */
export const logger = (ui: Pick<Ui, "format" | "streams">) =>
  Logger.replace(
    Logger.defaultLogger,
    ui.format === "json" ? jsonLogger : Logger.prettyLogger({ stderr: true, colors: ui.streams.stderr.color })
  )

/** Says something that is not an error (the embedded FakeOpenCx's notice). */
export const notice = (ui: Pick<Ui, "format">, text: string, fields: Readonly<Record<string, unknown>> = {}) =>
  ui.format === "json" ? writeJson("INFO", text, fields) : writeStderr(`${text}\n`)

/** Says what went wrong, and the exit code it leads to. */
export const error = (ui: Pick<Ui, "format" | "streams">, text: string, exitCode: number) =>
  ui.format === "json"
    ? writeJson("ERROR", text, { exitCode })
    : writeStderr(`${Terminal.red(ui.streams.stderr.color)("opencx:")} ${text}\n`)
