import { assert, describe, expect, it } from "@effect/vitest"
import { FakeOpenCx, OpenCxClient, SessionsService } from "@opencx-effect/core"
import { NodeFakeOpenCx, NodeOpenCx } from "@opencx-effect/platform-node"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Chunk, Effect, Layer, Stream } from "effect"
import * as Zlib from "node:zlib"

const F = FakeOpenCx.Fault

/** every service over undici, pointed at the fake on its socket */
const onSocket = (options: Partial<OpenCxClient.Options> = {}) =>
  Layer.unwrapEffect(
    Effect.map(NodeFakeOpenCx.NodeFakeOpenCx, ({ fake, url }) =>
      NodeOpenCx.layer({ apiKey: fake.apiKey, baseUrl: url, rateLimit: false, retry: { baseDelay: "10 millis" }, ...options })
    )
  )

const served = (options: Partial<FakeOpenCx.Options & NodeFakeOpenCx.ServeOptions> = {}) =>
  NodeFakeOpenCx.layer({ generate: { count: 120, seed: 5 }, pageSize: 25, ...options })

const allIds = Effect.flatMap(FakeOpenCx.FakeOpenCx, (fake) => Effect.map(fake.sessions, (s) => s.map((x) => x.id)))
const walkIds = SessionsService.stream().pipe(
  Stream.map((session) => session.id),
  Stream.runCollect,
  Effect.map(Chunk.toReadonlyArray)
)

describe("NodeOpenCx", () => {
  it.live("provides the client and the sessions service over one transport", () =>
    Effect.gen(function*() {
      const ids = yield* walkIds.pipe(Effect.provide(onSocket()))
      expect(ids).toEqual(yield* allIds)
      const client = yield* OpenCxClient.OpenCxClient.pipe(Effect.provide(onSocket()))
      expect(client.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    }).pipe(Effect.provide(served())))

  describe("compressed responses", () => {
    it.live.each(["br", "gzip", "deflate"] as const)("%s bodies are asked for and decoded", (coding) =>
      Effect.gen(function*() {
        const ids = yield* walkIds.pipe(
          Effect.provide(onSocket({
            transformClient: HttpClient.mapRequest(HttpClientRequest.setHeader("accept-encoding", coding))
          }))
        )
        expect(ids).toEqual(yield* allIds)
        const log = yield* Effect.flatMap(FakeOpenCx.FakeOpenCx, (fake) => fake.requests)
        expect(log.every((r) => r.headers["accept-encoding"] === coding)).toBe(true)
      }).pipe(Effect.provide(served())))

    it.live("by default the client asks for gzip, deflate and br", () =>
      Effect.gen(function*() {
        expect(yield* walkIds.pipe(Effect.provide(onSocket()))).toEqual(yield* allIds)
        const log = yield* Effect.flatMap(FakeOpenCx.FakeOpenCx, (fake) => fake.requests)
        expect(log[0]!.headers["accept-encoding"]).toBe("gzip, deflate, br")
      }).pipe(Effect.provide(served())))

    it.live("a raw-deflate body (as some servers send it) decodes too", () =>
      Effect.gen(function*() {
        const page = JSON.stringify({ items: [], next: null })
        const fake = yield* FakeOpenCx.FakeOpenCx
        yield* fake.addFaults(FakeOpenCx.onRequest(1, F.body(200, Zlib.deflateRawSync(page), "application/json", { "content-encoding": "deflate" })))
        expect(yield* walkIds.pipe(Effect.provide(onSocket()))).toEqual([])
      }).pipe(Effect.provide(served({ compression: false }))))

    it.live("a body that would decode to more than 64 MiB is refused, not decoded", () =>
      Effect.gen(function*() {
        const bomb = Zlib.gzipSync(new Uint8Array(80 * 1024 * 1024))
        expect(bomb.length).toBeLessThan(200_000)
        const fake = yield* FakeOpenCx.FakeOpenCx
        yield* fake.addFaults(FakeOpenCx.when(() => true, F.body(200, bomb, "application/json", { "content-encoding": "gzip" })))
        const error = yield* Effect.flip(walkIds.pipe(Effect.provide(onSocket({ retry: false }))))
        assert(error._tag === "Transport")
        expect(error.message).toContain("more than 64 MiB")
      }).pipe(Effect.provide(served({ compression: false }))))

    it.live("an encoding the client does not know is a Decode error describing the body, not binary", () =>
      Effect.gen(function*() {
        const fake = yield* FakeOpenCx.FakeOpenCx
        const bytes = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0xff, 0x80])
        yield* fake.addFaults(FakeOpenCx.onRequest(1, F.body(200, bytes, "application/json", { "content-encoding": "zstd" })))
        const error = yield* Effect.flip(walkIds.pipe(Effect.provide(onSocket())))
        assert(error._tag === "Decode")
        expect(error.issue).toContain("<8 bytes of zstd-compressed application/json>")
      }).pipe(Effect.provide(served({ compression: false }))))
  })
})
