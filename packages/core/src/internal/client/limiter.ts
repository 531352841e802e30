/**
 * The client-side rate limiter of a SessionsService layer: a sliding log of
 * when requests *ended*.
 *
 * A request may start when fewer than `limit` requests are in flight or
 * ended in the last `interval`; otherwise it waits until one of them ends,
 * or leaves the window. Counting from the end of a request rather than its
 * start makes the guarantee hold at the server, whatever the network does:
 * a request reaches the server no later than its response comes back, so
 * the server never sees more than `limit` requests in any window of the
 * interval, even when a connection takes a while to open. In particular no
 * more than `limit` start in any such window, whatever the concurrency
 * (effect's token bucket starts full and lets about twice the limit through
 * in the first interval). A steady walk runs at `limit` per (interval + one
 * round trip).
 *
 * A 429 with a hint pauses every caller until the hint has passed.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"

export interface Limiter {
  /**
   * Runs `effect` as one request: waits for a slot (and for any pause), and
   * counts the request until it ends (success, failure or interruption).
   */
  readonly withPermit: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** no caller starts a request before this time (epoch millis) */
  readonly pauseUntil: (millis: number) => Effect.Effect<void>
}

interface State {
  /** requests in flight */
  readonly inFlight: number
  /** end times of the requests that ended in the window, ascending */
  readonly ended: ReadonlyArray<number>
  /** completed when a request ends, then replaced */
  readonly changed: Deferred.Deferred<void>
}

export const make = (
  options: { readonly limit: number; readonly interval: Duration.DurationInput } | false,
  /** told when a caller starts waiting (until when, epoch millis; 0 when unknown) and when it stops (null) */
  waiting: (until: number | null) => Effect.Effect<void> = () => Effect.void,
  /** told how long a caller waited for its permit (milliseconds, only when it waited) */
  waited: (millis: number) => Effect.Effect<void> = () => Effect.void
): Effect.Effect<Limiter> =>
  Effect.gen(function*() {
    const pausedUntil = yield* Ref.make(0)
    const waitForPause: Effect.Effect<void> = Effect.gen(function*() {
      while (true) {
        const now = yield* Clock.currentTimeMillis
        const until = yield* Ref.get(pausedUntil)
        if (until <= now) return
        yield* waiting(until)
        yield* Effect.sleep(until - now)
      }
    })
    /** `effect`, and how long it took if it took any time */
    const timed = (effect: Effect.Effect<void>): Effect.Effect<void> =>
      Effect.flatMap(Clock.currentTimeMillis, (since) =>
        Effect.zipRight(
          effect,
          Effect.flatMap(Clock.currentTimeMillis, (now) => (now > since ? waited(now - since) : Effect.void))
        ))
    const pauseUntil = (millis: number) => Ref.update(pausedUntil, (current) => Math.max(current, millis))
    if (options === false) {
      // the hot path: no pause was ever asked for, so no clock to read
      const noPause: Effect.Effect<void> = Effect.flatMap(
        Ref.get(pausedUntil),
        (until) => (until === 0 ? Effect.void : timed(waitForPause))
      )
      const ready = Effect.zipRight(noPause, waiting(null))
      return { withPermit: (effect) => Effect.zipRight(ready, effect), pauseUntil }
    }

    const limit = Math.max(1, Math.floor(options.limit))
    // one millisecond more than the interval: servers count whole milliseconds
    const window = Math.ceil(Duration.toMillis(options.interval)) + 1
    const state = yield* Ref.make<State>({ inFlight: 0, ended: [], changed: yield* Deferred.make<void>() })

    type Decision =
      | { readonly admitted: true }
      | { readonly admitted: false; readonly wait: number; readonly changed: Deferred.Deferred<void> }

    /** admits the request (counting it in flight) or says how long to wait, atomically */
    const decide = (now: number) =>
      Ref.modify(state, (current): readonly [Decision, State] => {
        let first = 0
        while (first < current.ended.length && current.ended[first]! <= now - window) first++
        const ended = first === 0 ? current.ended : current.ended.slice(first)
        if (current.inFlight + ended.length < limit) {
          return [{ admitted: true }, { ...current, inFlight: current.inFlight + 1, ended }]
        }
        // the oldest end leaves the window, or a request in flight ends
        const wait = ended.length > 0 ? ended[0]! + window - now : Infinity
        return [{ admitted: false, wait, changed: current.changed }, { ...current, ended }]
      })

    const release: Effect.Effect<void> = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.flatMap(Deferred.make<void>(), (fresh) =>
        Effect.flatMap(
          Ref.modify(state, (current) =>
            [current.changed, {
              inFlight: current.inFlight - 1,
              ended: [...current.ended, now],
              changed: fresh
            }] as const),
          (changed) => Deferred.succeed(changed, undefined)
        )))

    // Waiting is interruptible; taking a slot and arranging its release are not, so none leaks.
    const withPermit = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function*() {
          const since = yield* Clock.currentTimeMillis
          while (true) {
            yield* restore(waitForPause)
            const now = yield* Clock.currentTimeMillis
            const decision = yield* decide(now)
            if (decision.admitted) {
              if (now > since) yield* waited(now - since)
              break
            }
            const wake = Deferred.await(decision.changed)
            yield* waiting(Number.isFinite(decision.wait) ? now + decision.wait : 0)
            yield* restore(Number.isFinite(decision.wait) ? Effect.race(Effect.sleep(decision.wait), wake) : wake)
          }
          yield* waiting(null)
          return yield* Effect.ensuring(restore(effect), release)
        })
      )

    return { withPermit, pauseUntil }
  })
