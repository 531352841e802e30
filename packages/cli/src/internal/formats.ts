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
import type { ChatSession } from "@opencx-effect/core"
import * as Csv from "../Csv.js"
import { stringify } from "./json.js"

export const formats = ["ndjson", "csv", "json"] as const

export type Format = (typeof formats)[number]

/** a session's JSON text (an object always has one) */
const json = (session: ChatSession.ChatSessionEncoded): string => stringify(session) ?? "null"

/**
 * Sessions are written as the API sent them (`SessionsService.steps`
 * validates them with the tolerant Schema but does not transform them):
 * timestamps keep every fractional digit and their offset, unknown fields
 * and values are kept, in the API's key order.
 */
export interface Renderer {
  readonly header: string
  /** `index` counts the sessions written before this one, across runs */
  readonly render: (session: ChatSession.ChatSessionEncoded, index: number) => string
  readonly trailer: string
}

export const renderer = (format: Format): Renderer => {
  switch (format) {
    case "ndjson":
      return { header: "", render: (s) => json(s) + "\n", trailer: "" }
    case "csv":
      return { header: Csv.header, render: Csv.row, trailer: "" }
    case "json":
      return {
        header: "[",
        render: (s, index) => (index === 0 ? "\n" : ",\n") + json(s),
        trailer: "\n]\n"
      }
  }
}
