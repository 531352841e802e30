/**
 * A session (and its history items) as the API sent them ⇄ a row.
 *
 * A row keeps everything the API sent: a typed column per field of the
 * spec, the nested objects as JSON, the fields the spec does not know in
 * `extra`, the timestamps both as instants (for queries) and as the strings
 * that came (`*_raw`: PostgreSQL keeps microseconds, the API may send
 * nanoseconds), and the keys in the order they came (`sent_keys`: an
 * optional field that was absent is told apart from one that was `null`).
 * `fromRow` rebuilds the very JSON the API sent from them.
 *
 * @internal
 */
import type { ChatHistory, ChatSession } from "@opencx-effect/core"
import { ChatSession as ChatSessionModels } from "@opencx-effect/core"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { Dialect } from "./tables.js"

/** the top-level fields of the spec's session, each with a column of its own */
export const knownKeys: ReadonlySet<string> = new Set([
  "id",
  "status",
  "ai_closure_type",
  "sentiment",
  "channel",
  "contact",
  "language",
  "assignee_id",
  "custom_data",
  "team",
  "handoff",
  "ticketing_system",
  "ticket_number",
  "assist_mode",
  "created_at",
  "updated_at"
])

const parseTimestamp = Schema.decodeUnknownEither(ChatSessionModels.ChatSession.fields.updated_at)

/** the digits of a fraction of a second, after hh:mm:ss */
const fractionPattern = /\d{2}:\d{2}:\d{2}[.,](\d+)/

/**
 * A timestamp as the API sent it (any form the tolerant reader takes) as
 * `YYYY-MM-DDTHH:MM:SS.ffffffZ`, UTC, microseconds (truncated: what
 * PostgreSQL's timestamptz holds; fixed width, so that SQLite's text
 * comparison orders instants). `undefined` if it does not parse.
 */
export const normalizeTimestamp = (raw: string): string | undefined => {
  const parsed = parseTimestamp(raw)
  if (Either.isLeft(parsed)) return undefined
  const millis = DateTime.toEpochMillis(parsed.right)
  const iso = new Date(millis).toISOString() // …SS.mmmZ
  const fraction = fractionPattern.exec(raw)?.[1]
  const micros = fraction === undefined ? "000" : (fraction + "000000").slice(3, 6)
  return `${iso.slice(0, -1)}${micros}Z`
}

const definedOwn = (target: Record<string, unknown>, key: string, value: unknown) =>
  // a "__proto__" key is data, never a prototype
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })

/** a row of `opencx_sessions`, in values any driver binds (JSON as text, booleans as booleans) */
export interface SessionRow {
  readonly id: string
  readonly status: string
  readonly ai_closure_type: string | null
  readonly sentiment: string | null
  readonly channel_type: string
  readonly channel: string
  readonly contact_id: string | null
  readonly contact: string | null
  readonly language: string | null
  readonly assignee_id: string | null
  readonly custom_data: string | null
  readonly team: string | null
  readonly handoff: string | null
  readonly ticketing_system: string | null
  readonly ticket_number: number
  readonly assist_mode: boolean
  readonly created_at: string
  readonly updated_at: string
  readonly created_at_raw: string
  readonly updated_at_raw: string
  readonly extra: string
  readonly sent_keys: string
  readonly synced_at: string
}

const json = (value: unknown): string | null => value === undefined ? null : JSON.stringify(value)

/** the row of a session as the API sent it; `undefined` when a timestamp does not parse (the tolerant reader refuses it first) */
export const toRow = (session: ChatSession.ChatSessionEncoded, syncedAt: string): SessionRow | undefined => {
  const createdAt = normalizeTimestamp(session.created_at)
  const updatedAt = normalizeTimestamp(session.updated_at)
  if (createdAt === undefined || updatedAt === undefined) return undefined
  const record: Readonly<Record<string, unknown>> = session
  const keys = Object.keys(record)
  const extra: Record<string, unknown> = {}
  for (const key of keys) if (!knownKeys.has(key)) definedOwn(extra, key, record[key])
  return {
    id: session.id,
    status: session.status,
    ai_closure_type: session.ai_closure_type,
    sentiment: session.sentiment,
    channel_type: session.channel.type,
    channel: JSON.stringify(session.channel),
    contact_id: session.contact?.id ?? null,
    contact: json(session.contact),
    language: session.language ?? null,
    assignee_id: session.assignee_id ?? null,
    custom_data: json(session.custom_data),
    team: json(session.team),
    handoff: json(session.handoff),
    ticketing_system: json(session.ticketing_system),
    ticket_number: session.ticket_number,
    assist_mode: session.assist_mode,
    created_at: createdAt,
    updated_at: updatedAt,
    created_at_raw: session.created_at,
    updated_at_raw: session.updated_at,
    extra: JSON.stringify(extra),
    sent_keys: JSON.stringify(keys),
    synced_at: syncedAt
  }
}

/** a JSON column as the driver returns it: parsed already (PostgreSQL's jsonb) or text (SQLite) */
export const readJson = (value: unknown): unknown => typeof value === "string" ? JSON.parse(value) : value

const readBoolean = (value: unknown): boolean => value === true || value === 1 || value === 1n || value === "1" || value === "t"

const readNumber = (value: unknown): number => typeof value === "number" ? value : Number(value)

const decodeSession = Schema.decodeUnknownEither(ChatSessionModels.ChatSession)

/**
 * The session as the API sent it, rebuilt from its row: the keys that came,
 * in their order, each from its column (`extra` for those the spec does not
 * know, `*_raw` for the timestamps). `undefined` if the row does not make a
 * session the tolerant reader accepts (a row edited by hand).
 */
export const fromRow = (row: Readonly<Record<string, unknown>>): ChatSession.ChatSessionEncoded | undefined => {
  const keys = readJson(row.sent_keys)
  const extra = readJson(row.extra)
  if (!Array.isArray(keys) || typeof extra !== "object" || extra === null) return undefined
  const extraRecord: Readonly<Record<string, unknown>> = extra as Readonly<Record<string, unknown>>
  const out: Record<string, unknown> = {}
  for (const key of keys) {
    if (typeof key !== "string") return undefined
    switch (key) {
      case "channel":
      case "contact":
      case "custom_data":
      case "team":
      case "handoff":
      case "ticketing_system":
        definedOwn(out, key, readJson(row[key]))
        break
      case "ticket_number":
        definedOwn(out, key, readNumber(row[key]))
        break
      case "assist_mode":
        definedOwn(out, key, readBoolean(row[key]))
        break
      case "created_at":
      case "updated_at":
        definedOwn(out, key, row[`${key}_raw`])
        break
      default:
        definedOwn(out, key, knownKeys.has(key) ? row[key] : extraRecord[key])
    }
  }
  // the boundary: a row we wrote from a valid session; checked by the tolerant reader before it is typed
  return Either.isRight(decodeSession(out)) ? out as unknown as ChatSession.ChatSessionEncoded : undefined
}

/** a row of `opencx_session_events` */
export interface EventRow {
  readonly session_id: string
  readonly seq: number
  readonly event_id: string | null
  readonly event_type: string
  readonly created_at: string | null
  readonly created_at_raw: string | null
  readonly item: string
}

export const toEventRows = (
  sessionId: string,
  items: ReadonlyArray<ChatHistory.HistoryItemEncoded>
): ReadonlyArray<EventRow> =>
  items.map((item, seq) => ({
    session_id: sessionId,
    seq,
    event_id: item.id ?? null,
    event_type: item.event.type,
    created_at: item.created_at === null ? null : normalizeTimestamp(item.created_at) ?? null,
    created_at_raw: item.created_at,
    item: JSON.stringify(item)
  }))

/** a value as this dialect binds it (SQLite has no booleans) */
export const bindable = (dialect: Dialect, value: string | number | boolean | null): string | number | boolean | null =>
  dialect === "sqlite" && typeof value === "boolean" ? (value ? 1 : 0) : value
