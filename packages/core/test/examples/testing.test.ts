import { FakeOpenCx, SessionsService, TestSessions } from "@opencx-effect/core"
import { expect, it } from "@effect/vitest"
import { Effect, Fiber, Stream, TestClock } from "effect"

// The code under test: anything that needs SessionsService.
const countHandedOff = SessionsService.stream({ handed_off: true }).pipe(Stream.runCount)

it.effect("counts the handed-off sessions, riding out a 503", () =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(countHandedOff)
    yield* TestClock.adjust("1 second") // virtual time: lets the retry's backoff pass at once
    const count = yield* Fiber.join(fiber)

    const fake = yield* FakeOpenCx.FakeOpenCx
    const sessions = yield* fake.sessions
    expect(count).toBe(sessions.filter((s) => s.handoff !== undefined || s.ai_closure_type === "handed_off").length)
    const requests = yield* fake.requests
    expect(requests.map((r) => r.status)).toEqual([200, 503, 200, 200]) // page 2 was asked twice
  }).pipe(
    Effect.provide(TestSessions.layerFake({
      generate: { count: 300, seed: 7 },
      pageSize: 25,
      faults: [FakeOpenCx.onRequest(2, FakeOpenCx.Fault.status(503))]
    }))
  ))
