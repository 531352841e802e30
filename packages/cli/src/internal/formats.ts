/**
 * The export formats, as a header, a rendering of each session and a
 * trailer. Sessions are written as they come; the JSON format is one array,
 * opened before the first session and closed after the last.
 *
 * @internal
 */
import { ChatSession } from "@opencx-effect/core"
import * as Schema from "effect/Schema"
import * as Csv from "../Csv.js"

export type Format = "ndjson" | "csv" | "json"

export const formats: ReadonlyArray<Format> = ["ndjson", "csv", "json"]

const encode = Schema.encodeSync(ChatSession.ChatSession)

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
