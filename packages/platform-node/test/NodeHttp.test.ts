/**
 * NodeHttp's undici client enforces OpenCxClient's per-attempt timeout
 * itself (a timer that aborts the request or the reading of its body): the
 * same `Timeout` as `Effect.timeoutFail` gives, without its two fibers per
 * request. No timing is asserted, only outcomes.
 */
import { assert, describe, expect, it } from "@effect/vitest"
import { FakeOpenCx, SessionsService } from "@opencx-effect/core"
import { NodeFakeOpenCx, NodeSessionsService } from "@opencx-effect/platform-node"
import { HttpClient } from "@effect/platform"
import { Duration, Effect, Schedule, Stream } from "effect"
import * as Http from "node:http"

const F = FakeOpenCx.Fault

const requestLog = Effect.flatMap(FakeOpenCx.FakeOpenCx, (fake) => fake.requests)

/** a server that sends its headers and part of a body, then nothing more */
const stalledBody = Effect.acquireRelease(
  Effect.async<{ readonly url: string; readonly server: Http.Server }>((resume) => {
    const server = Http.createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
      response.write("{\"items\":[")
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, server }))
    })
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
)

describe("NodeHttp enforces the per-attempt timeout", () => {
  it.live("a response that never comes fails with Timeout, and the request is aborted", () =>
    Effect.gen(function*() {
      const { fake, url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      const error = yield* SessionsService.list().pipe(
        Effect.provide(NodeSessionsService.layer({ apiKey: fake.apiKey, baseUrl: url, rateLimit: false, retry: false, timeout: "300 millis" })),
        Effect.flip
      )
      assert(error._tag === "Timeout")
      expect(Duration.toMillis(error.timeout)).toBe(300)
      const log = yield* requestLog.pipe(
        Effect.filterOrFail((entries) => entries[0]?.outcome === "aborted"),
        Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.upTo("5 seconds")))
      )
      expect(log).toHaveLength(1)
    }).pipe(Effect.provide(NodeFakeOpenCx.layer({ generate: { count: 10 }, faults: [FakeOpenCx.onRequest(1, F.noResponse)] }))))

  it.live("a body that stops coming fails with Timeout, not as a body cut short", () =>
    Effect.gen(function*() {
      const { url } = yield* stalledBody
      const error = yield* SessionsService.list().pipe(
        Effect.provide(NodeSessionsService.layer({ apiKey: "key", baseUrl: url, rateLimit: false, retry: false, timeout: "300 millis" })),
        Effect.flip
      )
      assert(error._tag === "Timeout")
    }).pipe(Effect.scoped))

  it.live("a walk rides out a response that never comes: the attempt times out and is retried", () =>
    Effect.gen(function*() {
      const { fake, url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      const count = yield* SessionsService.stream().pipe(
        Stream.runCount,
        Effect.provide(
          NodeSessionsService.layer({
            apiKey: fake.apiKey,
            baseUrl: url,
            rateLimit: false,
            timeout: "300 millis",
            retry: { baseDelay: "10 millis" }
          })
        )
      )
      expect(count).toBe(60)
    }).pipe(
      Effect.provide(
        NodeFakeOpenCx.layer({ generate: { count: 60 }, pageSize: 20, faults: [FakeOpenCx.onRequest(2, F.noResponse)] })
      )
    ))

  it.live("with a transformClient in between, the client's own timeout still applies", () =>
    Effect.gen(function*() {
      const { fake, url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      const error = yield* SessionsService.list().pipe(
        Effect.provide(NodeSessionsService.layer({
          apiKey: fake.apiKey,
          baseUrl: url,
          rateLimit: false,
          retry: false,
          timeout: "300 millis",
          transformClient: HttpClient.tapRequest(() => Effect.void)
        })),
        Effect.flip
      )
      assert(error._tag === "Timeout")
    }).pipe(Effect.provide(NodeFakeOpenCx.layer({ generate: { count: 10 }, faults: [FakeOpenCx.onRequest(1, F.noResponse)] }))))
})
