/**
 * The export formats, as a header, a rendering of each session and a
 * trailer. Sessions are written as they come; the JSON format is one array,
 * opened before the first session and closed after the last.
 *
 * Where a session's text ends (a record boundary, where a checkpoint can
 * point):
 * - ndjson: the header is empty and each session is one line of JSON ended
 *   by `\n` (JSON text holds no raw line break): a boundary is 0 or just
 *   after a `\n`.
 * - csv: the header row, then one row per session, each ended by `\r\n`: a
 *   boundary is just after the header or just after a `\r\n` (a quoted field
 *   can hold a `\r\n` too, which this local rule cannot tell apart).
 * - json: `[`, then each session as `\n` (the first) or `,\n` (the others)
 *   followed by the session as one line of compact JSON, then the trailer
 *   `\n]\n`: a boundary is just after the `[`, or just after a session,
 *   where the text from the preceding `\n` (itself just after `[` or `,`) is
 *   one whole JSON object.
 *
 * Sessions are serialized by `stringify`, which writes what `JSON.stringify`
 * does at any depth (an unknown field can be nested deeper than
 * `JSON.stringify` can go).
 *
 * @internal
 */
import type * as ChatHistory from "@opencx-effect/core/ChatHistory"
import type * as ChatSession from "@opencx-effect/core/ChatSession"
import * as Csv from "../Csv.js"
import { stringify } from "./json.js"

export const formats = ["ndjson", "csv", "json"] as const

export type Format = (typeof formats)[number]

/** an object's JSON text (an object always has one) */
const json = (value: object): string => stringify(value) ?? "null"

/**
 * What an export writes for a session: the session as the API sent it and,
 * with `--with-history`, its history's items as the API sent them.
 */
export interface Exported {
  readonly session: ChatSession.ChatSessionEncoded
  /** the session's history, oldest first; undefined without `--with-history` */
  readonly history?: ReadonlyArray<ChatHistory.HistoryItemEncoded> | undefined
}

/**
 * A session's JSON: the session as the API sent it (its keys in the API's
 * order), with `history` last when there is one (replacing a `history` key
 * the API sent, if it ever does).
 */
const sessionJson = (exported: Exported): string =>
  exported.history === undefined ? json(exported.session) : json({ ...exported.session, history: exported.history })

/** the CSV column `--with-history` adds, after the others: the number of events of the session's history */
export const historyColumn = "history_events"

/**
 * Sessions are written as the API sent them (`SessionsService.steps`
 * validates them with the tolerant Schema but does not transform them):
 * timestamps keep every fractional digit and their offset, unknown fields
 * and values are kept, in the API's key order. So are history items
 * (`SessionsService.historyEncoded`).
 */
export interface Renderer {
  readonly header: string
  /** `index` counts the sessions written before this one, across runs */
  readonly render: (exported: Exported, index: number) => string
  readonly trailer: string
}

/**
 * How `format` writes sessions; `withHistory`: with their history (a
 * `history` array in ndjson and json, the `history_events` count column in
 * csv).
 */
export const renderer = (format: Format, withHistory = false): Renderer => {
  switch (format) {
    case "ndjson":
      return { header: "", render: (e) => sessionJson(e) + "\n", trailer: "" }
    case "csv":
      return withHistory
        ? {
          header: Csv.header.replace(/\r\n$/, `,${historyColumn}\r\n`),
          render: (e) => Csv.row(e.session).replace(/\r\n$/, `,${e.history?.length ?? ""}\r\n`),
          trailer: ""
        }
        : { header: Csv.header, render: (e) => Csv.row(e.session), trailer: "" }
    case "json":
      return {
        header: "[",
        render: (e, index) => (index === 0 ? "\n" : ",\n") + sessionJson(e),
        trailer: "\n]\n"
      }
  }
}
