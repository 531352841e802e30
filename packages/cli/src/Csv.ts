/**
 * The CSV form of a chat session: one row per session, nested fields
 * flattened into a fixed set of columns, quoted as RFC 4180 says (a field
 * with a comma, a quote, a line break or surrounding spaces is quoted, quotes
 * doubled; rows end with CRLF).
 *
 * Absent and null both give an empty cell; booleans are `true` / `false`;
 * timestamps are ISO 8601 UTC; the custom data objects are JSON text.
 *
 * @since 0.1.0
 */
import * as ChatSession from "@opencx-effect/core/ChatSession"
import { stringify } from "./internal/json.js"

type Encoded = ChatSession.ChatSessionEncoded

type Cell = string | number | boolean | null | undefined

/** JSON text at any depth (see internal/json.ts) */
const json = (value: object | null | undefined): Cell => (value === null || value === undefined ? undefined : stringify(value))

/**
 * The columns, in order, and how each is read from a session (in its JSON
 * form).
 *
 * @since 0.1.0
 * @category columns
 */
export const columns: ReadonlyArray<readonly [name: string, read: (session: Encoded) => Cell]> = [
  ["id", (s) => s.id],
  ["status", (s) => s.status],
  ["ai_closure_type", (s) => s.ai_closure_type],
  ["sentiment", (s) => s.sentiment],
  ["channel_type", (s) => s.channel.type],
  ["ticket_number", (s) => s.ticket_number],
  ["assist_mode", (s) => s.assist_mode],
  ["created_at", (s) => s.created_at],
  ["updated_at", (s) => s.updated_at],
  ["language", (s) => s.language],
  ["assignee_id", (s) => s.assignee_id],
  ["contact_id", (s) => s.contact?.id],
  ["contact_email", (s) => s.contact?.email],
  ["contact_phone_number", (s) => s.contact?.phone_number],
  ["contact_name", (s) => s.contact?.name],
  ["contact_created_at", (s) => s.contact?.created_at],
  ["contact_updated_at", (s) => s.contact?.updated_at],
  ["contact_non_verified_name", (s) => s.contact?.non_verified_name],
  ["contact_non_verified_email", (s) => s.contact?.non_verified_email],
  ["contact_custom_data", (s) => json(s.contact?.custom_data)],
  ["contact_non_verified_custom_data", (s) => json(s.contact?.non_verified_custom_data)],
  ["team_id", (s) => s.team?.id],
  ["team_name", (s) => s.team?.name],
  ["team_description", (s) => s.team?.description],
  ["handoff_summary", (s) => s.handoff?.summary],
  ["handoff_sentiment", (s) => s.handoff?.sentiment],
  ["ticketing_system_name", (s) => s.ticketing_system?.name],
  ["ticketing_system_external_id", (s) => s.ticketing_system?.external_id],
  ["ticketing_system_id_type", (s) => s.ticketing_system?.id_type],
  ["custom_data", (s) => json(s.custom_data)]
]

/**
 * A field, quoted when it must be.
 *
 * @since 0.1.0
 * @category formatting
 */
export const quote = (cell: Cell): string => {
  if (cell === null || cell === undefined) return ""
  const text = String(cell)
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text
}

/**
 * The header row, with its CRLF.
 *
 * @since 0.1.0
 * @category formatting
 */
export const header: string = columns.map(([name]) => name).join(",") + "\r\n"

/**
 * A session's row, with its CRLF.
 *
 * @since 0.1.0
 * @category formatting
 */
export const row = (session: Encoded): string => columns.map(([, read]) => quote(read(session))).join(",") + "\r\n"
