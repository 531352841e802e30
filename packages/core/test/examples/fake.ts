import { ChatSession, FakeOpenCx } from "@opencx-effect/core"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { Effect } from "effect"

// Any code that takes an HttpClient can be tested against the fake, in-process.
const firstPage = Effect.gen(function*() {
  const client = yield* HttpClient.HttpClient
  const response = yield* client.get("https://api.open.cx/chat/sessions", {
    urlParams: { status: "open" },
    headers: { authorization: `Bearer ${FakeOpenCx.defaultApiKey}` }
  })
  return yield* HttpClientResponse.schemaBodyJson(ChatSession.ListChatSessionsOutput)(response)
})

export const program = Effect.gen(function*() {
  const page = yield* firstPage // request 1: a page of open sessions
  const retried = yield* Effect.either(firstPage) // request 2: the injected 503
  const fake = yield* FakeOpenCx.FakeOpenCx
  const log = yield* fake.requests // what the client did (the token is redacted)
  return { items: page.items.length, failed: retried._tag === "Left", statuses: log.map((r) => r.status) }
}).pipe(
  Effect.provide(FakeOpenCx.layerHttpClient({
    generate: { count: 200, seed: 42 }, // deterministic sessions
    pageSize: 10,
    faults: [FakeOpenCx.onRequest(2, FakeOpenCx.Fault.status(503))]
  }))
)
