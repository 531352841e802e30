/**
 * The export formats, as a header, a rendering of each session and a
 * trailer. Sessions are written as they come; the JSON format is one array,
 * opened before the first session and closed after the last.
 *
 * @internal
 */
import type { ChatSession } from "@opencx-effect/core"
import * as DateTime from "effect/DateTime"
import * as Csv from "../Csv.js"

export type Format = "ndjson" | "csv" | "json"

export const formats: ReadonlyArray<Format> = ["ndjson", "csv", "json"]

/**
 * A session in its JSON form. The sessions come from the tolerant decoder,
 * so only the timestamps need encoding; every other field is already what
 * JSON holds (and keeps its place, so a session is written in the API's key
 * order, unknown fields included). The same as `Schema.encodeSync` of the
 * tolerant `ChatSession` on a decoded session, without validating it again.
 */
const encode = (session: ChatSession.ChatSession): ChatSession.ChatSessionEncoded => ({
  ...session,
  created_at: DateTime.formatIso(session.created_at),
  updated_at: DateTime.formatIso(session.updated_at)
})

export interface Renderer {
  readonly header: string
  /** `index` counts the sessions written before this one, across runs */
  readonly render: (session: ChatSession.ChatSession, index: number) => string
  readonly trailer: string
}

export const renderer = (format: Format): Renderer => {
  switch (format) {
    case "ndjson":
      return { header: "", render: (s) => JSON.stringify(encode(s)) + "\n", trailer: "" }
    case "csv":
      return { header: Csv.header, render: (s) => Csv.row(encode(s)), trailer: "" }
    case "json":
      return {
        header: "[",
        render: (s, index) => (index === 0 ? "\n" : ",\n") + JSON.stringify(encode(s)),
        trailer: "\n]\n"
      }
  }
}
