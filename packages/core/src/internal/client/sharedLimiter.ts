/**
 * The client's rate limiter over a shared store (`RateLimitStore`): the
 * same contract as the in-memory limiter (`limiter.ts`), with the counts
 * kept where every process sharing the API key sees them.
 *
 * A request asks the store for a slot; told to wait, it sleeps that long
 * (interruptibly) and asks again; admitted, it runs, and its slot is given
 * back (as an end time) however it ends. A 429's pause goes to the store,
 * so that every process waits.
 *
 * Every store operation has a deadline: a store that hangs or fails is
 * never a hang and never an unlimited client. What happens then is the
 * client's explicit choice (`onStoreFailure`): fail the request with
 * `RateLimiterUnavailable` (nothing sent), or fall back to a limit of this
 * process (the limit divided by the number of processes that share the key),
 * with a warning, until the store answers again.
 *
 * The hand-overs keep the limit: what the store admitted in the last window
 * is not known to the fallback, so the fallback starts one window after the
 * store's last answer; and what the fallback sent is not known to the store,
 * so back from it, the namespace is paused until the fallback's requests
 * (those ended, and those still in flight) have left the window.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import { RateLimiterUnavailable } from "../../OpenCxError.js"
import { type Acquired, RateLimitStoreError, type Service as Store } from "../../RateLimitStore.js"
import * as Limiter from "./limiter.js"

export type OnStoreFailure = "fail" | { readonly fallback: "local"; readonly processes: number }

export interface Options {
  readonly store: Store
  readonly namespace: string
  readonly limit: number
  readonly interval: Duration.DurationInput
  /** how long a request may stay in flight before the store counts it as ended */
  readonly leaseMillis: number
  readonly onStoreFailure: OnStoreFailure
  /** the deadline of one store operation */
  readonly storeTimeout: Duration.DurationInput
  readonly waiting: (until: number | null) => Effect.Effect<void>
  /** told how long a request waited for its permit (when it waited) */
  readonly waited: (millis: number) => Effect.Effect<void>
}

/** the request a permit is for, named by `RateLimiterUnavailable` */
export interface Where {
  readonly method: string
  readonly url: string
}

export interface SharedLimiter {
  readonly withPermit: <A, E, R>(
    effect: Effect.Effect<A, E, R>,
    where: Where
  ) => Effect.Effect<A, E | RateLimiterUnavailable, R>
  readonly pauseUntil: (millis: number) => Effect.Effect<void>
}

export const make = (options: Options): Effect.Effect<SharedLimiter> =>
  Effect.gen(function*() {
    const { namespace, store } = options
    const limit = Math.max(1, Math.floor(options.limit))
    const windowMillis = Math.ceil(Duration.toMillis(options.interval)) + 1
    const deadline = <A>(operation: Effect.Effect<A, RateLimitStoreError>) =>
      Effect.timeoutFail(operation, {
        duration: options.storeTimeout,
        onTimeout: () =>
          new RateLimitStoreError({ store: store.name, reason: `no answer within ${Duration.format(options.storeTimeout)}` })
      })
    const fallback = options.onStoreFailure === "fail" ? undefined : yield* Limiter.make(
      {
        limit: Math.max(1, Math.floor(limit / Math.max(1, options.onStoreFailure.processes))),
        interval: options.interval
      },
      options.waiting,
      options.waited
    )
    // warn once per stretch of failures, not once per request
    const failing = yield* Ref.make(false)
    // when the store last answered, and what went through the fallback since (ended, and in flight)
    // (until it first answers, the store may have admitted up to the limit in the last window)
    const lastAnswer = yield* Ref.make(yield* Clock.currentTimeMillis)
    const fallbackEnded = yield* Ref.make(0)
    const fallbackInFlight = yield* Ref.make(0)
    const storeFailed = (error: RateLimitStoreError) =>
      Effect.flatMap(Ref.getAndSet(failing, true), (already) =>
        already ? Effect.void : Effect.zipRight(
          // the store may have admitted up to the limit in the last window: the fallback starts after it
          fallback === undefined
            ? Effect.void
            : Effect.flatMap(Ref.get(lastAnswer), (answered) => fallback.pauseUntil(answered + windowMillis)),
          Effect.logWarning(
            `OpenCX: the shared rate limiter (${store.name}) failed (${error.reason}); ${
              fallback === undefined
                ? "requests fail until it answers"
                : "falling back to a limit of this process until it answers"
            }`
          )
        ))
    /** the store answered: after a failure, how long the namespace must wait for the fallback's requests (0: none) */
    const storeAnswered = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      yield* Ref.set(lastAnswer, now)
      if (!(yield* Ref.getAndSet(failing, false))) return 0
      yield* Effect.logInfo(`OpenCX: the shared rate limiter (${store.name}) answers again`)
      if (fallback === undefined) return 0
      // a request still in flight through the fallback counts as ending now
      const lastEnd = (yield* Ref.get(fallbackInFlight)) > 0 ? now : yield* Ref.get(fallbackEnded)
      return Math.max(0, lastEnd + windowMillis - now)
    })
    const throughFallback = <A, E, R>(limiter: Limiter.Limiter, effect: Effect.Effect<A, E, R>) =>
      limiter.withPermit(
        Effect.acquireUseRelease(
          Ref.update(fallbackInFlight, (n) => n + 1),
          () => effect,
          () =>
            Effect.zipRight(
              Ref.update(fallbackInFlight, (n) => n - 1),
              Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.update(fallbackEnded, (last) => Math.max(last, now)))
            )
        )
      )

    const release = (lease: string) =>
      deadline(store.release({ namespace, lease, windowMillis })).pipe(
        Effect.catchAll((error) => Effect.logWarning(`OpenCX: could not give a slot back to ${store.name}: ${error.reason}`))
      )

    const withPermit = <A, E, R>(
      effect: Effect.Effect<A, E, R>,
      where: Where
    ): Effect.Effect<A, E | RateLimiterUnavailable, R> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function*() {
          const startedAt = yield* Clock.currentTimeMillis
          const measure = Effect.flatMap(Clock.currentTimeMillis, (now) =>
            now > startedAt ? options.waited(now - startedAt) : Effect.void)
          while (true) {
            const acquired = yield* restore(
              Effect.either(deadline(store.acquire({ namespace, limit, windowMillis, leaseMillis: options.leaseMillis })))
            )
            if (acquired._tag === "Left") {
              yield* storeFailed(acquired.left)
              if (fallback === undefined) {
                return yield* new RateLimiterUnavailable({ ...where, store: store.name, reason: acquired.left.reason })
              }
              // restored as a whole: the fallback limiter masks interruption itself
              return yield* restore(throughFallback(fallback, effect))
            }
            const holdFor = yield* storeAnswered
            if (holdFor > 0) {
              // the store does not know what the fallback sent: every process waits until it left the window
              if (acquired.right._tag === "Admitted") yield* release(acquired.right.lease)
              yield* Effect.ignore(deadline(store.pause({ namespace, millis: holdFor })))
              continue
            }
            const decision: Acquired = acquired.right
            if (decision._tag === "Admitted") {
              yield* options.waiting(null)
              yield* measure
              return yield* Effect.ensuring(restore(effect), release(decision.lease))
            }
            const now = yield* Clock.currentTimeMillis
            yield* options.waiting(now + decision.millis)
            yield* restore(Effect.sleep(Math.max(1, decision.millis)))
          }
        })
      )

    const pauseUntil = (millis: number) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        millis <= now
          ? Effect.void
          : deadline(store.pause({ namespace, millis: millis - now })).pipe(
            Effect.zipRight(fallback === undefined ? Effect.void : fallback.pauseUntil(millis)),
            Effect.catchAll((error) =>
              Effect.zipRight(storeFailed(error), fallback === undefined ? Effect.void : fallback.pauseUntil(millis))
            )
          ))

    return { withPermit, pauseUntil }
  })
