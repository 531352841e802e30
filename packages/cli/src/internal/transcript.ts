/**
 * A session's history as a transcript a person reads (`opencx sessions
 * history ID --format text`): one line per event, the time (UTC, ISO 8601),
 * who (the contact's name, `AI`, an agent's name) and what; events other
 * than messages as short lines (`— handed off to a human (zendesk) —`); an
 * event type this version does not know shown by its type.
 *
 * Everything in it that came from the server (texts, names, types, URLs) is
 * escaped first (`escape`): no control character, no bidirectional override
 * reaches the terminal, so that no server can retitle, clear or paint it, or
 * reorder what it shows. A message's own line breaks start indented
 * continuation lines, which can never pass for an event of their own.
 *
 * @internal
 */
import * as ChatHistory from "@opencx-effect/core/ChatHistory"
import * as DateTime from "effect/DateTime"

/**
 * Characters that must not reach a terminal as they are: C0 controls (the
 * escape character among them), DEL and C1 controls, and the Unicode format
 * characters that change how text around them is shown (bidirectional marks,
 * embeddings, overrides and isolates; line and paragraph separators).
 */
const unsafe = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

const named: Readonly<Record<string, string>> = { "\t": "\\t", "\n": "\\n", "\r": "\\r" }

/**
 * Server text, safe for a terminal: every unsafe character written as an
 * escape that shows what it was (`\x1b`, `\r`, `\u{202e}`); with `lines`,
 * line breaks (`\n`, `\r\n`) are kept as such.
 */
export const escape = (text: string, options: { readonly lines?: boolean } = {}): string => {
  const kept = options.lines === true ? text.replace(/\r\n/g, "\n") : text
  return kept.replace(unsafe, (c) => {
    if (c === "\n" && options.lines === true) return c
    const known = named[c]
    if (known !== undefined) return known
    const code = c.charCodeAt(0)
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`
  })
}

/** the width of the time column: an ISO 8601 instant with milliseconds */
const timeWidth = "2025-01-01T00:00:00.000Z".length
const indent = " ".repeat(timeWidth + 2)

const when = (at: DateTime.Utc | null) => (at === null ? "(no time)".padEnd(timeWidth) : DateTime.formatIso(at))

/** who sent a message */
export const who = (sender: ChatHistory.MessageSender): string => {
  const name = sender.name === undefined || sender.name === null || sender.name.trim() === "" ? undefined : escape(sender.name)
  switch (sender.type) {
    case "contact":
      return name ?? "contact"
    case "ai":
      return "AI"
    case "human_agent":
      return `${name ?? "agent"} (agent)`
    default:
      return name === undefined ? escape(sender.type) : `${name} (${escape(sender.type)})`
  }
}

const bytes = (n: number) => `${Math.round(n).toLocaleString("en-US")} bytes`

/** what happened, first line and continuation lines */
const describe = (event: ChatHistory.HistoryEvent): ReadonlyArray<string> => {
  const said = (prefix: string, text: string) => {
    const [first = "", ...rest] = escape(text, { lines: true }).split("\n")
    return [`${prefix}: ${first}`, ...rest]
  }
  if (ChatHistory.isMessage(event)) {
    const attachments = (event.attachments ?? []).map((a) =>
      `[attachment: ${escape(a.name)}, ${escape(a.type)}, ${bytes(a.size)}: ${escape(a.url)}]`
    )
    return [...said(who(event.sender), event.content.text), ...attachments]
  }
  if (ChatHistory.isHandoff(event)) {
    return [`— handed off to a human${event.integration === undefined ? "" : ` (${escape(event.integration.type)})`} —`]
  }
  if (ChatHistory.isAiResolvedIssue(event)) return ["— the AI resolved the issue —"]
  if (ChatHistory.isHumanAgentJoined(event)) return [`— agent ${event.human_agent_id} joined —`]
  if (ChatHistory.isHumanAgentTakeover(event)) return [`— agent ${event.human_agent_id} took over from the AI —`]
  if (ChatHistory.isHumanAgentComment(event)) {
    return said(`agent ${event.human_agent_id} (internal comment)`, event.content.text)
  }
  return [`— ${escape(event.type)} —`]
}

/**
 * An item of the history as transcript text: its first line starts with
 * the time, the others (a message's further lines, its attachments) are
 * indented under what it says; every line ends with `\n`.
 */
export const render = (item: ChatHistory.HistoryItem): string => {
  const [first, ...rest] = describe(item.event)
  return `${when(item.created_at)}  ${first}\n${rest.map((line) => `${indent}${line}\n`).join("")}`
}
