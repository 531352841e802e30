/**
 * What a user reads when a filter has a value the API does not allow: the
 * `InvalidParams` from `SessionsService` (and the fake server's 400) names
 * every allowed value, not only the first.
 */
import { FakeOpenCx, SessionsService, TestSessions } from "@opencx-effect/core"
import { assert, describe, expect, it } from "@effect/vitest"
import { Effect, Schema, Stream } from "effect"
import { errorBody, getPage } from "./utils/walk.js"

const statuses = `"open", "closed_resolved", "closed_unresolved"`
const channels = `"web", "email", "phone_voice", "slack", "sms", "whatsapp", "instagram", "messenger", "api", "web_voice"`

/** a query as a user could send it from untyped code (JSON, a form) */
const untyped = (params: Record<string, unknown>) => Schema.decodeUnknownSync(Schema.Object)(params)

const fakeLog = Effect.flatMap(FakeOpenCx.FakeOpenCx, (fake) => fake.requests)

describe("InvalidParams for an enum names every allowed value", () => {
  it.effect.each([
    ["status", { status: "archived" }, `Expected one of ${statuses}; got "archived"`],
    ["channel_type", { channel_type: "telegram" }, `Expected one of ${channels}; got "telegram"`]
  ] as const)("SessionsService.list with a bad %s", ([field, params, issue]) =>
    Effect.gen(function*() {
      const sessions = yield* SessionsService.SessionsService
      const listed = yield* Effect.flip(sessions.list(untyped(params)))
      assert(listed._tag === "InvalidParams")
      expect(listed.field).toBe(field)
      expect(listed.issue).toBe(issue)
      expect(listed.message).toBe(`Invalid query parameter "${field}": ${issue}`)
      // the stream says the same
      const streamed = yield* Effect.flip(Stream.runDrain(sessions.stream(untyped(params))))
      assert(streamed._tag === "InvalidParams")
      expect(streamed.message).toBe(listed.message)
      // and nothing was sent
      expect(yield* fakeLog).toHaveLength(0)
    }).pipe(Effect.provide(TestSessions.layerFake({ generate: { count: 5, seed: 1 } }))))

  it.effect("the fake server's 400 for a bad status says the same", () =>
    Effect.gen(function*() {
      const response = yield* getPage({ status: "archived" })
      expect(response.status).toBe(400)
      const body = yield* errorBody(response)
      expect(body.message).toBe(`Invalid query parameter "status": Expected one of ${statuses}; got "archived"`)
    }).pipe(Effect.provide(FakeOpenCx.layerHttpClient({ generate: { count: 5, seed: 1 } }))))
})
