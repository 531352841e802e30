/**
 * The write commands: `opencx sessions create`, `send`, `close` and
 * `reopen`. Each builds the request's body from its flags, checks it with
 * the client's own input Schema (`SessionWrite`) before anything is asked of
 * the API (a bad value is a usage error naming its flag, exit 2), makes the
 * one write, and prints its result as one JSON object on stdout.
 *
 * A write is never repeated: the client retries it only when the server
 * cannot have acted on it (a 429, a connection refused before sending); one
 * that may have reached the server (a timeout, a connection broken after
 * sending, a 5xx) fails with the client's message, which says the outcome
 * is unknown, and the CLI adds how to check before running it again.
 *
 * @internal
 */
import type * as ChatSession from "@opencx-effect/core/ChatSession"
import * as OpenCxError from "@opencx-effect/core/OpenCxError"
import * as SessionsService from "@opencx-effect/core/SessionsService"
import * as SessionWrite from "@opencx-effect/core/SessionWrite"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { apiFailure, type ApiFailure, IoError, isOutcomeUnknown, UsageError } from "./errors.js"
import { shellQuote } from "./export.js"
import { stringify } from "./json.js"
import { writeStderr } from "./output.js"
import { writeStdout } from "./sink.js"

// ---------------------------------------------------------------------------
// Custom data
// ---------------------------------------------------------------------------

/** A flat custom data value, as the API takes it. */
export type Value = string | number | boolean

/** a JSON number, as typed (`7`, `-1.5`, `2e3`; not `007`, `0x1f`, `1_000` or `Infinity`) */
const jsonNumber = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/

/**
 * A `KEY=VALUE` value, typed: `true` and `false` are booleans, a JSON number
 * is a number (unless it is an integer too large to be kept exactly, such
 * as a 20-digit id), anything else is the string as typed.
 */
export const typedValue = (text: string): Value => {
  if (text === "true") return true
  if (text === "false") return false
  if (jsonNumber.test(text)) {
    const n = Number(text)
    const exact = !/^-?\d+$/.test(text) || Number.isSafeInteger(n)
    if (Number.isFinite(n) && exact) return n
  }
  return text
}

/** Custom data from the flags, and which flag gave each key (for messages). */
export interface CustomData {
  /** undefined when no flag gave any */
  readonly data: Readonly<Record<string, unknown>> | undefined
  /** the flag that gave a key: `--custom-data` or `--custom-data-json` */
  readonly flagOf: (key: string) => string
}

/**
 * Custom data from `--custom-data-json '{…}'` (a JSON object, whose values
 * the client checks) and `--custom-data KEY=VALUE` (typed, see `typedValue`),
 * which wins for a key both give; the last of a key given twice wins.
 */
export const customData = (
  pairs: ReadonlyArray<string>,
  json: Option.Option<string>
): Effect.Effect<CustomData, UsageError> =>
  Effect.gen(function*() {
    const data: Record<string, unknown> = {}
    const fromPairs = new Set<string>()
    if (Option.isSome(json)) {
      const parsed = yield* Effect.try({
        try: (): unknown => JSON.parse(json.value),
        catch: (error) =>
          new UsageError({
            message: `Invalid --custom-data-json: it is not JSON (${
              error instanceof Error ? error.message : String(error)
            }); give an object such as '{"plan":"pro","seats":3}'`
          })
      })
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        return yield* new UsageError({
          message: `Invalid --custom-data-json: expected a JSON object such as '{"plan":"pro","seats":3}', got ${
            Array.isArray(parsed) ? "an array" : parsed === null ? "null" : typeof parsed
          }`
        })
      }
      for (const [key, value] of Object.entries(parsed)) {
        Object.defineProperty(data, key, { value, enumerable: true, writable: true, configurable: true })
      }
    }
    for (const pair of pairs) {
      const equals = pair.indexOf("=")
      if (equals <= 0) {
        return yield* new UsageError({
          message: `Invalid --custom-data ${JSON.stringify(pair)}: expected KEY=VALUE, such as plan=pro or seats=3`
        })
      }
      const key = pair.slice(0, equals)
      // defined, not assigned: a key such as __proto__ is data
      Object.defineProperty(data, key, {
        value: typedValue(pair.slice(equals + 1)),
        enumerable: true,
        writable: true,
        configurable: true
      })
      fromPairs.add(key)
    }
    return {
      data: Option.isNone(json) && pairs.length === 0 ? undefined : data,
      flagOf: (key) => (fromPairs.has(key) ? "--custom-data" : "--custom-data-json")
    }
  })

// ---------------------------------------------------------------------------
// Checking a body as the client does
// ---------------------------------------------------------------------------

/**
 * Checks a body with the client's own Schema, as `SessionsService` does
 * before sending it (decoded, then encoded: the body as it will be sent):
 * the first issue is a usage error, its field named by the flag that gave
 * it.
 */
export const check = <A, I>(
  schema: Schema.Schema<A, I>,
  body: unknown,
  flagOf: (field: string) => string
): Effect.Effect<I, UsageError> =>
  Schema.decodeUnknown(schema)(body).pipe(
    Effect.flatMap(Schema.encode(schema)),
    Effect.mapError((error) => {
      const invalid = OpenCxError.InvalidParams.fromParseError(error)
      const flag = flagOf(invalid.field)
      const where = invalid.field.startsWith("custom_data.") ? ` (${invalid.field})` : ""
      return new UsageError({ message: `Invalid ${flag}${where}: ${invalid.issue.replace(/\s+/g, " ")}` })
    })
  )

/** the flag of a custom data field (`custom_data.plan`), or undefined */
const customDataFlag = (field: string, custom: CustomData) =>
  field.startsWith("custom_data.") ? custom.flagOf(field.slice("custom_data.".length).split(".")[0]!) : undefined

// ---------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------

/**
 * Prints a write's result: one JSON object, one line, on stdout. The write
 * is done by then: when stdout cannot take it (a full disk), the command
 * fails (exit 1) with the result in its message, so that it is not lost
 * and the write is not made again for want of it; when its reader went
 * away (`| head -c 0`), the result goes to stderr and the command stops
 * quietly, as it does elsewhere.
 */
export const printResult = (done: string, result: Readonly<Record<string, unknown>>) =>
  Effect.gen(function*() {
    const text = stringify(result) ?? "{}"
    yield* writeStdout(`${text}\n`).pipe(
      Effect.catchIf(
        (error): error is IoError => error instanceof IoError,
        (error) => Effect.fail(new IoError({ message: `${error.message}. ${done}: ${text}` }))
      ),
      Effect.tapErrorTag("OutputClosed", () =>
        writeStderr(`opencx: stdout was closed before the result was written. ${done}: ${text}\n`))
    )
    return result
  })

/**
 * Runs a write: its API errors as messages for the user, with `howToCheck`
 * (how to see whether it was applied) when its outcome is unknown.
 */
const write = <A>(effect: Effect.Effect<A, OpenCxError.OpenCxError>, howToCheck: string) =>
  Effect.catchIf(effect, OpenCxError.isOpenCxError, (error): Effect.Effect<never, ApiFailure> =>
    Effect.fail(apiFailure(error, isOutcomeUnknown(error) ? howToCheck : undefined, "write")))

// ---------------------------------------------------------------------------
// create
// ---------------------------------------------------------------------------

export interface CreateValues {
  readonly channel: Option.Option<ChatSession.KnownSessionChannel>
  readonly contactId: Option.Option<string>
  readonly contactEmail: Option.Option<string>
  readonly contactName: Option.Option<string>
  readonly contactPhone: Option.Option<string>
  readonly verified: boolean
  readonly customData: ReadonlyArray<string>
  readonly customDataJson: Option.Option<string>
}

const createFlags: Readonly<Record<string, string>> = {
  contact_id: "--contact-id",
  channel: "--channel",
  "channel.type": "--channel",
  verified: "--verified",
  contact: "--contact-email",
  "contact.email": "--contact-email",
  "contact.name": "--contact-name",
  "contact.phone_number": "--contact-phone"
}

/** The body of `POST /chat/sessions` from the flags, checked as the client checks it. */
export const createInput = (values: CreateValues) =>
  Effect.gen(function*() {
    const contactFlags = [values.contactEmail, values.contactName, values.contactPhone].some(Option.isSome)
    if (Option.isSome(values.contactId) && contactFlags) {
      return yield* new UsageError({
        message:
          "--contact-id links an existing contact; --contact-email, --contact-name and --contact-phone describe a new one: give one or the other"
      })
    }
    const custom = yield* customData(values.customData, values.customDataJson)
    const body: Record<string, unknown> = {}
    if (Option.isSome(values.channel)) body.channel = { type: values.channel.value }
    if (Option.isSome(values.contactId)) body.contact_id = values.contactId.value
    if (contactFlags) {
      body.contact = {
        ...Option.match(values.contactEmail, { onNone: () => ({}), onSome: (email) => ({ email }) }),
        ...Option.match(values.contactName, { onNone: () => ({}), onSome: (name) => ({ name }) }),
        ...Option.match(values.contactPhone, { onNone: () => ({}), onSome: (phone_number) => ({ phone_number }) })
      }
    }
    if (values.verified) body.verified = true
    if (custom.data !== undefined) body.custom_data = custom.data
    return yield* check(
      SessionWrite.CreateChatSessionInput,
      body,
      (field) => customDataFlag(field, custom) ?? createFlags[field] ?? (field === "" ? "session" : field)
    )
  })

/** `opencx sessions create`: `{"id": …}` */
export const create = (body: Schema.Schema.Encoded<typeof SessionWrite.CreateChatSessionInput>) =>
  Effect.gen(function*() {
    const service = yield* SessionsService.SessionsService
    const created = yield* write(
      service.create(body),
      "Look for it among the latest sessions (opencx sessions export --since 1h) before creating another."
    )
    return yield* printResult(`The session was created`, created)
  })

// ---------------------------------------------------------------------------
// send
// ---------------------------------------------------------------------------

export const senders = ["contact", "agent"] as const

export interface SendValues {
  readonly text: string
  readonly as: (typeof senders)[number]
  readonly agentId: Option.Option<number>
  readonly agentName: Option.Option<string>
  readonly takeOver: boolean
  readonly attach: ReadonlyArray<string>
  readonly customData: ReadonlyArray<string>
  readonly customDataJson: Option.Option<string>
}

const sendFlags: Readonly<Record<string, string>> = {
  sender: "--as",
  message: "--text",
  "message.text": "--text",
  agent: "--agent-id",
  "agent.id": "--agent-id",
  "agent.name": "--agent-name",
  should_take_over_session_from_ai: "--take-over"
}

/** a few common types by extension; the API is told application/octet-stream for the others */
const mimeTypes: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  svg: "image/svg+xml",
  pdf: "application/pdf",
  txt: "text/plain",
  csv: "text/csv",
  json: "application/json",
  zip: "application/zip",
  mp3: "audio/mpeg",
  mp4: "video/mp4",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}

/**
 * An attachment by URL: its name is the URL's last path segment (or
 * `attachment`), its type guessed from the extension.
 */
export const attachment = (url: string): Effect.Effect<Schema.Schema.Encoded<typeof SessionWrite.AttachmentInput>, UsageError> => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return Effect.fail(new UsageError({ message: `Invalid --attach ${JSON.stringify(url)}: expected the URL of a file (https://…)` }))
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return Effect.fail(
      new UsageError({ message: `Invalid --attach ${JSON.stringify(url)}: expected an http:// or https:// URL, got ${parsed.protocol}` })
    )
  }
  const last = parsed.pathname.split("/").filter((part) => part !== "").at(-1)
  const name = (() => {
    if (last === undefined) return "attachment"
    try {
      return decodeURIComponent(last)
    } catch {
      return last
    }
  })()
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase()
  return Effect.succeed({
    name,
    url,
    mime_type: (extension === undefined ? undefined : mimeTypes[extension]) ?? "application/octet-stream"
  })
}

/** The body of `POST /chat/sessions/{id}/send` from the flags, checked as the client checks it. */
export const sendInput = (values: SendValues) =>
  Effect.gen(function*() {
    if (values.text.trim() === "") {
      return yield* new UsageError({ message: "--text is empty: give the message's text (--text - reads it from stdin)" })
    }
    const agentFlags = [
      ...(Option.isSome(values.agentId) ? ["--agent-id"] : []),
      ...(Option.isSome(values.agentName) ? ["--agent-name"] : []),
      ...(values.takeOver ? ["--take-over"] : [])
    ]
    if (values.as !== "agent" && agentFlags.length > 0) {
      return yield* new UsageError({ message: `${agentFlags.join(", ")}: only for a message sent --as agent` })
    }
    if (Option.isSome(values.agentId) !== Option.isSome(values.agentName)) {
      return yield* new UsageError({ message: "--agent-id and --agent-name go together: give both, or neither" })
    }
    const custom = yield* customData(values.customData, values.customDataJson)
    const attachments = yield* Effect.forEach(values.attach, attachment)
    const body: Record<string, unknown> = {
      sender: values.as,
      message: { type: "text", text: values.text, ...(attachments.length === 0 ? {} : { attachments }) }
    }
    if (Option.isSome(values.agentId) && Option.isSome(values.agentName)) {
      body.agent = { id: values.agentId.value, name: values.agentName.value }
    }
    if (values.takeOver) body.should_take_over_session_from_ai = true
    if (custom.data !== undefined) body.custom_data = custom.data
    return yield* check(
      SessionWrite.SendMessageInput,
      body,
      (field) =>
        customDataFlag(field, custom) ?? sendFlags[field] ??
          (field.startsWith("message.attachments") ? "--attach" : field === "" ? "message" : field)
    )
  })

/** how to see whether a message whose send failed is in the session */
const checkHistory = (sessionId: string) =>
  `Read the conversation (opencx sessions history ${shellQuote(sessionId)} --format text) to see whether the message is in it.`

/** `opencx sessions send ID`: `{"messageId": …, "response": …}` */
export const send = (sessionId: string, body: Schema.Schema.Encoded<typeof SessionWrite.SendMessageInput>) =>
  Effect.gen(function*() {
    const service = yield* SessionsService.SessionsService
    const sent = yield* write(service.send(sessionId, body), checkHistory(sessionId))
    return yield* printResult(`The message was sent`, { messageId: sent.messageId ?? null, response: sent.response ?? null })
  })

// ---------------------------------------------------------------------------
// close, reopen
// ---------------------------------------------------------------------------

export interface CloseValues {
  readonly resolved: boolean
  readonly summarise: boolean
}

/** The flags of `close`, checked. */
export const closeInput = (values: CloseValues): Effect.Effect<CloseValues, UsageError> =>
  values.summarise && !values.resolved
    ? Effect.fail(
      new UsageError({
        message: "--summarise is for a session closed as resolved (the API writes the summary and sentiment on resolving): drop --unresolved or --summarise"
      })
    )
    : Effect.succeed(values)

/** how to see a session's status after a close or reopen whose outcome is unknown */
const checkStatus = "Its status may have changed: see it in an export (its updated_at moves when it changes)."

/** `opencx sessions close ID`: `{"id": …, "status": "closed_resolved" | "closed_unresolved"}` */
export const close = (sessionId: string, options: CloseValues) =>
  Effect.gen(function*() {
    const service = yield* SessionsService.SessionsService
    yield* write(
      service.close(sessionId, { resolved: options.resolved, ...(options.summarise ? { generateSummaryAndSentiment: true } : {}) }),
      checkStatus
    )
    return yield* printResult(`The session was closed`, {
      id: sessionId,
      status: options.resolved ? "closed_resolved" : "closed_unresolved"
    })
  })

/** `opencx sessions reopen ID`: `{"id": …, "status": "open"}` */
export const reopen = (sessionId: string) =>
  Effect.gen(function*() {
    const service = yield* SessionsService.SessionsService
    yield* write(service.reopen(sessionId), checkStatus)
    return yield* printResult(`The session was reopened`, { id: sessionId, status: "open" })
  })
