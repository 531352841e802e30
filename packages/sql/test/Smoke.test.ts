import { it, expect } from "@effect/vitest"
import { TestSessions, SessionsService } from "@opencx-effect/core"
import { SessionSync, SyncDatabase } from "@opencx-effect/sql"
import { Effect, Stream, Layer } from "effect"

it.effect("smoke", () =>
  Effect.gen(function*() {
    const summary = yield* SessionSync.run({})
    const read = yield* SessionSync.readSessions()
    const served = yield* SessionsService.streamEncoded().pipe(Stream.runCollect)
    expect(read.length).toBe(served.length)
    expect(read).toEqual([...served])
    console.log(summary)
  }).pipe(Effect.provide(Layer.merge(TestSessions.layerFake({ generate: { count: 120, seed: 3 }, pageSize: 25 }), SyncDatabase.layer(`sqlite:/tmp/smoke/${Date.now()}.db`)))))
