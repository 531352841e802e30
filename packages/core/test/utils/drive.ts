import { Chunk, Clock, Effect, Fiber, TestClock } from "effect"

/** lets promise-based work (the in-process body reads) settle, without moving virtual time */
export const settle = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/**
 * Runs `effect` in a fiber and moves the TestClock from one pending sleep to
 * the next until the fiber completes: virtual time passes exactly as fast as
 * the program waits. Fails the test if the fiber hangs with nothing asleep,
 * or runs past `limit` milliseconds of virtual time.
 */
export const drive = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options: { readonly limit?: number } = {}
): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const limit = options.limit ?? 24 * 3_600_000
    const fiber = yield* Effect.fork(effect)
    let idle = 0
    while (true) {
      yield* settle
      if (fiber.unsafePoll() !== null) break
      const sleeps = yield* TestClock.sleeps()
      if (Chunk.isEmpty(sleeps)) {
        if (++idle > 50) return yield* Effect.dieMessage("drive: the program hangs with nothing asleep")
        continue
      }
      idle = 0
      const next = Math.min(...Chunk.toReadonlyArray(sleeps))
      if (next - start > limit) return yield* Effect.dieMessage(`drive: still running after ${limit} ms of virtual time`)
      yield* TestClock.setTime(next)
    }
    return yield* Fiber.join(fiber)
  })
