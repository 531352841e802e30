/**
 * The client-side rate limiter of a SessionsService layer: a sliding log.
 *
 * A request may start when fewer than `limit` requests started in the last
 * `window`; otherwise it waits until the oldest leaves the window. So in any
 * window of that length no more than `limit` start, whatever the concurrency
 * (effect's token bucket starts full and lets about twice the limit through
 * in the first interval), and a steady walk runs at the limit itself.
 * Callers are served first come, first served.
 *
 * The window is the interval plus a margin (2% by default) that absorbs the
 * network's jitter: a request that starts one window after another may
 * arrive a little earlier than that at the server.
 *
 * A 429 with a hint pauses every caller until the hint has passed.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"

export interface Limiter {
  /** waits for a slot (and for any pause), then counts a start */
  readonly take: Effect.Effect<void>
  /** no caller starts a request before this time (epoch millis) */
  readonly pauseUntil: (millis: number) => Effect.Effect<void>
}

export const make = (
  options: { readonly limit: number; readonly interval: Duration.DurationInput; readonly margin?: number } | false
): Effect.Effect<Limiter> =>
  Effect.gen(function*() {
    const pausedUntil = yield* Ref.make(0)
    const starts = yield* Ref.make<ReadonlyArray<number>>([])
    const semaphore = yield* Effect.makeSemaphore(1)
    const limit = options === false ? Infinity : Math.max(1, Math.floor(options.limit))
    const window = options === false ? 0 : Math.ceil(Duration.toMillis(options.interval) * (1 + (options.margin ?? 0.02)))

    const waitForPause: Effect.Effect<void> = Effect.gen(function*() {
      while (true) {
        const now = yield* Clock.currentTimeMillis
        const until = yield* Ref.get(pausedUntil)
        if (until <= now) return
        yield* Effect.sleep(until - now)
      }
    })

    const take: Effect.Effect<void> = options === false ? waitForPause : semaphore.withPermits(1)(
      Effect.gen(function*() {
        while (true) {
          yield* waitForPause
          const now = yield* Clock.currentTimeMillis
          const all = yield* Ref.get(starts)
          let first = 0
          while (first < all.length && all[first]! <= now - window) first++
          const recent = first === 0 ? all : all.slice(first)
          if (recent.length < limit) {
            yield* Ref.set(starts, [...recent, now])
            return
          }
          yield* Effect.sleep(recent[0]! + window - now)
        }
      })
    )

    return {
      take,
      pauseUntil: (millis) => Ref.update(pausedUntil, (current) => Math.max(current, millis))
    }
  })
