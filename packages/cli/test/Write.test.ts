/**
 * The write commands' inputs, before any request: custom data typed from
 * `KEY=VALUE`, attachments from URLs, and bodies checked with the client's
 * own Schemas, each mistake named by its flag.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import * as Write from "../src/internal/write.js"

const left = <A, E extends { readonly message: string }>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.either(effect), (result) => (Either.isLeft(result) ? result.left.message : "no error"))

describe("custom data", () => {
  it.each([
    ["true", true],
    ["false", false],
    ["3", 3],
    ["-1.5", -1.5],
    ["2e3", 2000],
    ["007", "007"],
    ["0x1f", "0x1f"],
    ["1_000", "1_000"],
    ["Infinity", "Infinity"],
    ["12345678901234567890", "12345678901234567890"],
    ["TRUE", "TRUE"],
    ["", ""],
    ["pro", "pro"]
  ] as const)("%j is %j", (text, value) => {
    expect(Write.typedValue(text)).toStrictEqual(value)
  })

  it.effect("KEY=VALUE wins over --custom-data-json; a key is split at the first =; __proto__ is data", () =>
    Effect.gen(function*() {
      const { data, flagOf } = yield* Write.customData(["plan=pro", "note=a=b", "__proto__=x"], Option.some(`{"plan":"basic","seats":2}`))
      expect(data).toStrictEqual(Object.defineProperty({ plan: "pro", seats: 2, note: "a=b" }, "__proto__", {
        value: "x",
        enumerable: true,
        writable: true,
        configurable: true
      }))
      expect(Object.getPrototypeOf(data)).toBe(Object.prototype)
      expect([flagOf("plan"), flagOf("seats")]).toEqual(["--custom-data", "--custom-data-json"])
      expect((yield* Write.customData([], Option.none())).data).toBeUndefined()
    }))

  it.effect("mistakes name their flag", () =>
    Effect.gen(function*() {
      expect(yield* left(Write.customData(["plan"], Option.none()))).toContain(`Invalid --custom-data "plan": expected KEY=VALUE`)
      expect(yield* left(Write.customData([], Option.some("null")))).toContain("Invalid --custom-data-json: expected a JSON object")
      expect(yield* left(Write.customData([], Option.some("{")))).toContain("Invalid --custom-data-json: it is not JSON")
    }))
})

describe("attachments", () => {
  it.effect("a name from the URL's last segment, a type from its extension", () =>
    Effect.gen(function*() {
      expect(yield* Write.attachment("https://x.example/a/Invoice%20May.PDF?sig=1")).toEqual({
        name: "Invoice May.PDF",
        url: "https://x.example/a/Invoice%20May.PDF?sig=1",
        mime_type: "application/pdf"
      })
      expect(yield* Write.attachment("https://x.example/")).toMatchObject({ name: "attachment", mime_type: "application/octet-stream" })
      expect(yield* Write.attachment("http://x.example/photo.jpeg")).toMatchObject({ name: "photo.jpeg", mime_type: "image/jpeg" })
      expect(yield* left(Write.attachment("ftp://x.example/a.pdf"))).toContain("expected an http:// or https:// URL, got ftp:")
    }))
})

describe("bodies, checked as the client checks them", () => {
  const send: Write.SendValues = {
    text: "hi",
    as: "contact",
    agentId: Option.none(),
    agentName: Option.none(),
    takeOver: false,
    attach: [],
    customData: [],
    customDataJson: Option.none()
  }

  it.effect("send: the smallest body, and an agent's", () =>
    Effect.gen(function*() {
      expect(yield* Write.sendInput(send)).toEqual({ sender: "contact", message: { type: "text", text: "hi" } })
      expect(
        yield* Write.sendInput({ ...send, as: "agent", agentId: Option.some(7), agentName: Option.some("Sam"), takeOver: true })
      ).toEqual({
        sender: "agent",
        message: { type: "text", text: "hi" },
        agent: { id: 7, name: "Sam" },
        should_take_over_session_from_ai: true
      })
    }))

  it.effect("a nested custom data value is refused as the client refuses it, naming the flag and the key", () =>
    Effect.gen(function*() {
      expect(yield* left(Write.sendInput({ ...send, customDataJson: Option.some(`{"plan":{"tier":1}}`) }))).toBe(
        "Invalid --custom-data-json (custom_data.plan): Expected a string, a number or a boolean: custom data is flat (the API refuses nested values)"
      )
      expect(yield* left(Write.createInput({
        channel: Option.none(),
        contactId: Option.none(),
        contactEmail: Option.none(),
        contactName: Option.none(),
        contactPhone: Option.none(),
        verified: false,
        customData: [],
        customDataJson: Option.some(`{"ok":1,"list":[1]}`)
      }))).toContain("Invalid --custom-data-json (custom_data.list)")
    }))

  it.effect("close: --summarise only when resolving", () =>
    Effect.gen(function*() {
      expect(yield* Write.closeInput({ resolved: true, summarise: true })).toEqual({ resolved: true, summarise: true })
      expect(yield* left(Write.closeInput({ resolved: false, summarise: true }))).toContain("--summarise is for a session closed as resolved")
    }))
})
