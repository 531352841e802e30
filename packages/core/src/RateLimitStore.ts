/**
 * Where the client's rate limiter keeps its counts, so that several
 * processes (or machines) sharing one API key share one limit: the API's
 * limit is per key, and two processes that each keep their own count send
 * twice the limit the day they overlap.
 *
 * A store keeps, per namespace (the client derives it from a hash of the
 * API key, never the key itself), the requests in flight and the end times
 * of the requests that ended in the window, and admits a request only when
 * fewer than `limit` are in flight or ended within the window: the same
 * sliding-log rule as the in-memory limiter, so that in any sliding window
 * no more than the limit start, across every process, counted until the
 * response is in. A request in flight whose process died is counted as
 * ended when its lease runs out. A pause (a 429's hint) stops every process
 * sharing the store.
 *
 * `memory` is a store in this process (the behaviour of the default
 * limiter, through the store interface); `@opencx-effect/redis` has one in
 * Redis. Give a store to the client as `rateLimit.store`, or provide the
 * `RateLimitStore` service to `OpenCxClient.layer`.
 *
 * @since 0.2.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"

/**
 * What a store answers to a request for a slot.
 *
 * @since 0.2.0
 * @category models
 */
export type Acquired =
  | { readonly _tag: "Admitted"; readonly lease: string }
  | {
    readonly _tag: "Wait"
    /** how long until a slot may free (or the pause ends), in milliseconds */
    readonly millis: number
  }

/**
 * A store could not be reached or answered wrongly.
 *
 * @since 0.2.0
 * @category errors
 */
export class RateLimitStoreError extends Schema.TaggedError<RateLimitStoreError>(
  "@opencx-effect/core/RateLimitStoreError"
)("RateLimitStoreError", {
  /** the store, as its `name` says (never with a password) */
  store: Schema.String,
  /** what went wrong */
  reason: Schema.String
}) {
  /** @since 0.2.0 */
  override get message(): string {
    return `the rate-limit store ${this.store} failed: ${this.reason}`
  }
}

/**
 * A shared store of rate-limit counts.
 *
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /** the store, for messages (e.g. `redis://127.0.0.1:6379`, never with a password) */
  readonly name: string
  /**
   * admits a request (counting it in flight under a lease) or says how long
   * to wait; `leaseMillis` is how long a request may stay in flight before
   * it is counted as ended (its process may have died)
   */
  readonly acquire: (request: {
    readonly namespace: string
    readonly limit: number
    readonly windowMillis: number
    readonly leaseMillis: number
  }) => Effect.Effect<Acquired, RateLimitStoreError>
  /** the request of this lease ended: it now counts from this moment until it leaves the window */
  readonly release: (request: {
    readonly namespace: string
    readonly lease: string
    readonly windowMillis: number
  }) => Effect.Effect<void, RateLimitStoreError>
  /** no request of the namespace starts before `millis` from now */
  readonly pause: (request: { readonly namespace: string; readonly millis: number }) => Effect.Effect<void, RateLimitStoreError>
}

/**
 * @since 0.2.0
 * @category tags
 */
export class RateLimitStore extends Context.Tag("@opencx-effect/core/RateLimitStore")<RateLimitStore, Service>() {}

interface Space {
  /** lease → start time */
  readonly inFlight: ReadonlyMap<string, number>
  /** end times in the window, ascending */
  readonly ended: ReadonlyArray<number>
  readonly pausedUntil: number
}

const emptySpace: Space = { inFlight: new Map(), ended: [], pausedUntil: 0 }

/**
 * How long a store tells a caller to wait when every slot is taken by a
 * request in flight (it ends when its response is in, which no store can
 * predict): the caller asks again then.
 *
 * @since 0.2.0
 * @category constants
 */
export const pollMillis = 25

/**
 * A store in this process's memory, with the `Clock`'s time (so that
 * `TestClock` drives it): what several clients of one process share when
 * given the same store, and the reference the shared stores are tested
 * against.
 *
 * @since 0.2.0
 * @category constructors
 */
export const memory: Effect.Effect<Service> = Effect.gen(function*() {
  const spaces = yield* Ref.make<ReadonlyMap<string, Space>>(new Map())
  const counter = yield* Ref.make(0)
  const update = <A>(namespace: string, f: (space: Space, now: number) => readonly [A, Space]) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Ref.modify(spaces, (all) => {
        const [result, space] = f(all.get(namespace) ?? emptySpace, now)
        return [result, new Map(all).set(namespace, space)] as const
      }))
  return {
    name: "memory",
    acquire: ({ leaseMillis, limit, namespace, windowMillis }) =>
      Effect.flatMap(Ref.updateAndGet(counter, (n) => n + 1), (n) =>
        update(namespace, (space, now): readonly [Acquired, Space] => {
          if (space.pausedUntil > now) return [{ _tag: "Wait", millis: space.pausedUntil - now }, space]
          // leases that ran out count as ended when they ran out
          const inFlight = new Map<string, number>()
          const ended = [...space.ended]
          for (const [lease, start] of space.inFlight) {
            if (start + leaseMillis <= now) ended.push(start + leaseMillis)
            else inFlight.set(lease, start)
          }
          const recent = ended.filter((t) => t > now - windowMillis).sort((a, b) => a - b)
          if (inFlight.size + recent.length < limit) {
            const lease = `memory-${n}`
            inFlight.set(lease, now)
            return [{ _tag: "Admitted", lease }, { ...space, inFlight, ended: recent }]
          }
          // the oldest end leaves the window; or, with every slot in flight, look again soon
          const oldest = recent[0]
          const wait = oldest !== undefined ? oldest + windowMillis - now : pollMillis
          return [{ _tag: "Wait", millis: Math.max(1, wait) }, { ...space, inFlight, ended: recent }]
        })),
    release: ({ lease, namespace }) =>
      update(namespace, (space, now) => {
        if (!space.inFlight.has(lease)) return [undefined, space]
        const inFlight = new Map(space.inFlight)
        inFlight.delete(lease)
        return [undefined, { ...space, inFlight, ended: [...space.ended, now] }]
      }),
    pause: ({ millis, namespace }) =>
      update(namespace, (space, now) => [undefined, { ...space, pausedUntil: Math.max(space.pausedUntil, now + millis) }])
  }
})
