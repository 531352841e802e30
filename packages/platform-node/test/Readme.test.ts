import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as FakeServer from "./examples/fake-server.js"

it.effect("the NodeFakeOpenCx example of the README runs", () =>
  Effect.gen(function*() {
    const result = yield* Effect.promise(FakeServer.main)
    expect(result.status).toBe(200)
    expect(result.items).toBeGreaterThan(0)
  }))
