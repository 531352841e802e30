import { assert, describe, expect, it } from "@effect/vitest"
import { FakeOpenCx, SessionsService } from "@opencx-effect/core"
import { NodeFakeOpenCx, NodeSessionsService } from "@opencx-effect/platform-node"
import { Chunk, ConfigProvider, Effect, Exit, Fiber, Layer, Redacted, Schedule, Stream } from "effect"

const F = FakeOpenCx.Fault

/** the service over undici, pointed at the fake on its socket */
const serviceOnSocket = (options: Partial<SessionsService.Options> = {}) =>
  Layer.unwrapEffect(
    Effect.map(NodeFakeOpenCx.NodeFakeOpenCx, ({ fake, url }) =>
      NodeSessionsService.layer({ apiKey: fake.apiKey, baseUrl: url, rateLimit: false, ...options })
    )
  )

const waitForLog = (predicate: (log: ReadonlyArray<FakeOpenCx.LoggedRequest>) => boolean) =>
  Effect.gen(function*() {
    const fake = yield* FakeOpenCx.FakeOpenCx
    const log = yield* fake.requests
    if (!predicate(log)) return yield* Effect.fail("not yet" as const)
    return log
  }).pipe(Effect.retry(Schedule.spaced("10 millis").pipe(Schedule.upTo("5 seconds"))))

describe("NodeSessionsService", () => {
  it.live("walks every session exactly once over a real socket, riding out faults", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.FakeOpenCx
      const ids = yield* SessionsService.stream({ handed_off: false }).pipe(
        Stream.map((session) => session.id),
        Stream.runCollect,
        Effect.provide(serviceOnSocket({ retry: { baseDelay: "20 millis" } }))
      )
      const expected = (yield* fake.sessions)
        .filter((s) => s.handoff === undefined && s.ai_closure_type !== "handed_off")
        .map((s) => s.id)
      expect(Chunk.toReadonlyArray(ids)).toEqual(expected)
      const log = yield* fake.requests
      expect(log.filter((r) => r.outcome === "reset")).toHaveLength(1)
      expect(log.filter((r) => r.status === 503)).toHaveLength(1)
    }).pipe(
      Effect.provide(NodeFakeOpenCx.layer({
        generate: { count: 400, seed: 17 },
        pageSize: 30,
        faults: [FakeOpenCx.onRequest(2, F.connectionReset), FakeOpenCx.onRequest(5, F.status(503))]
      }))
    ))

  it.live("interrupting the consumer closes the socket of the request in flight; the server sees it", () =>
    Effect.gen(function*() {
      const fiber = yield* SessionsService.stream().pipe(
        Stream.runDrain,
        Effect.provide(serviceOnSocket()),
        Effect.fork
      )
      yield* waitForLog((log) => log.length >= 1)
      yield* Effect.sleep("100 millis") // page 2 is on its way, and hangs
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      const log = yield* waitForLog((entries) => entries.length >= 2)
      expect(log[1]).toMatchObject({ number: 2, outcome: "aborted" })
    }).pipe(
      Effect.provide(NodeFakeOpenCx.layer({
        generate: { count: 100, seed: 1 },
        pageSize: 10,
        faults: [FakeOpenCx.onRequest(2, F.noResponse)]
      }))
    ))

  it.live("layerConfig reads OPENCX_API_KEY and OPENCX_BASE_URL", () =>
    Effect.gen(function*() {
      const { fake, url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      const provider = ConfigProvider.fromMap(
        new Map([["OPENCX_API_KEY", Redacted.value(fake.apiKey)], ["OPENCX_BASE_URL", url]])
      )
      const count = yield* SessionsService.stream().pipe(
        Stream.runCount,
        Effect.provide(NodeSessionsService.layerConfig({ rateLimit: false })),
        Effect.withConfigProvider(provider)
      )
      expect(count).toBe(42)
      const missing = yield* SessionsService.list().pipe(
        Effect.provide(NodeSessionsService.layerConfig()),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map())),
        Effect.exit
      )
      assert(Exit.isFailure(missing))
      expect(String(missing.cause)).toContain("OPENCX_API_KEY")
    }).pipe(Effect.provide(NodeFakeOpenCx.layer({ generate: { count: 42, seed: 3 } }))))
})
