/**
 * The transcript of `opencx sessions history ID --format text`: one line
 * per event, and nothing from the server that could drive a terminal.
 */
import { describe, expect, it } from "@effect/vitest"
import * as ChatHistory from "@opencx-effect/core/ChatHistory"
import { Schema } from "effect"
import * as Transcript from "../src/internal/transcript.js"

const item = Schema.decodeUnknownSync(ChatHistory.HistoryItem)

describe("escape", () => {
  it.each([
    ["\u001b[31mred", "\\x1b[31mred"],
    ["title\u001b]0;x\u0007", "title\\x1b]0;x\\x07"],
    ["a\tb\rc", "a\\tb\\rc"],
    ["del\u007f c1\u009b", "del\\x7f c1\\x9b"],
    ["\u202eevil\u202c \u2066iso\u2069 \u200fmark", "\\u{202e}evil\\u{202c} \\u{2066}iso\\u{2069} \\u{200f}mark"],
    ["line\u2028sep", "line\\u{2028}sep"],
    ["plain text, accents é and emoji 😀", "plain text, accents é and emoji 😀"]
  ])("%j → %s", (text, escaped) => {
    expect(Transcript.escape(text)).toBe(escaped)
  })

  it("keeps line breaks only when asked, \\r\\n as \\n", () => {
    expect(Transcript.escape("a\nb")).toBe("a\\nb")
    expect(Transcript.escape("a\r\nb\nc\rd", { lines: true })).toBe("a\nb\nc\\rd")
  })
})

describe("render", () => {
  it("who: the contact's name (or contact), AI, an agent's name (agent), an unknown sender's type", () => {
    const line = (sender: unknown) =>
      Transcript.render(item({ created_at: "2025-01-01T00:00:00Z", event: { type: "message", sender, content: { type: "text", text: "x" } } }))
    expect(line({ type: "contact", name: "Ada" })).toBe("2025-01-01T00:00:00.000Z  Ada: x\n")
    expect(line({ type: "contact", name: null })).toBe("2025-01-01T00:00:00.000Z  contact: x\n")
    expect(line({ type: "contact", name: "  " })).toBe("2025-01-01T00:00:00.000Z  contact: x\n")
    expect(line({ type: "ai", name: "Bot" })).toBe("2025-01-01T00:00:00.000Z  AI: x\n")
    expect(line({ type: "human_agent" })).toBe("2025-01-01T00:00:00.000Z  agent (agent): x\n")
    expect(line({ type: "bot\u001b[0m", name: "Zed" })).toBe("2025-01-01T00:00:00.000Z  Zed (bot\\x1b[0m): x\n")
  })

  it("a message's further lines are indented under it: they cannot pass for an event", () => {
    const text = Transcript.render(item({
      created_at: "2025-01-01T00:00:00.25+02:00",
      event: { type: "message", sender: { type: "ai" }, content: { type: "text", text: "one\ntwo\n\nthree" } }
    }))
    const pad = " ".repeat(26)
    expect(text).toBe(`2024-12-31T22:00:00.250Z  AI: one\n${pad}two\n${pad}\n${pad}three\n`)
  })

  it("an unknown event type is shown by its type, escaped", () => {
    expect(Transcript.render(item({ created_at: null, event: { type: "status_changed", from: "open" } })))
      .toBe(`${"(no time)".padEnd(24)}  — status_changed —\n`)
  })
})
