import { expect, it } from "@effect/vitest"
import { NodeFakeOpenCx } from "@opencx-effect/platform-node"
import { ConfigProvider, Effect, Logger, Redacted } from "effect"
import * as FakeServer from "./examples/fake-server.js"
import * as QuickStart from "./examples/quickstart.js"

it.effect("the NodeFakeOpenCx example of the README runs", () =>
  Effect.gen(function*() {
    const result = yield* Effect.promise(FakeServer.main)
    expect(result.status).toBe(200)
    expect(result.items).toBeGreaterThan(0)
  }))

it.live("the quick start runs against a fake server, configured from the environment", () =>
  Effect.gen(function*() {
    const { fake, url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
    const env = ConfigProvider.fromMap(new Map([["OPENCX_API_KEY", Redacted.value(fake.apiKey)], ["OPENCX_BASE_URL", url]]))
    const byChannel = yield* QuickStart.program.pipe(
      Effect.provide(QuickStart.MainLayer),
      Effect.withConfigProvider(env),
      Effect.provide(Logger.remove(Logger.defaultLogger))
    )
    const total = [...byChannel.values()].reduce((a, b) => a + b, 0)
    expect(total).toBe(
      (yield* fake.sessions).filter((s) => s.status === "closed_resolved" && s.created_at.epochMillis > Date.parse("2025-01-01")).length
    )
  }).pipe(Effect.provide(NodeFakeOpenCx.layer({ generate: { count: 300, seed: 2 }, pageSize: 50 }))))
