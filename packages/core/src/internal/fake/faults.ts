/**
 * FakeOpenCx's faults: what a fault does to a response, and when it applies.
 * The public names are re-exported by `FakeOpenCx`.
 *
 * @internal
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import { mix, prng } from "./data.js"

// ---------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------

/**
 * What a fault does to a response.
 *
 * @since 0.1.0
 * @category faults
 */
export type Fault = Data.TaggedEnum<{
  /** Answer with this status and an ErrorDto body (plus optional headers). */
  Status: {
    readonly status: number
    readonly retryAfter?: RetryAfter | undefined
    readonly headers?: Readonly<Record<string, string>> | undefined
    readonly message?: string | undefined
  }
  /** Wait before answering (then answer normally, or with the next fault). */
  Latency: { readonly delay: Duration.Duration }
  /** 200 with a JSON body cut in half. */
  MalformedJson: {}
  /** An HTML error page, as a CDN in front of the API sends. */
  Html: { readonly status: number }
  /** A response with no body at all. */
  EmptyBody: { readonly status: number }
  /** Any status, content type and body (text, or bytes as they are). */
  Body: {
    readonly status: number
    readonly contentType: string
    readonly body: string | Uint8Array
    readonly headers?: Readonly<Record<string, string>> | undefined
  }
  /** The page, with one item that breaks the schema (`ticket_number` as a string). */
  InvalidItem: { readonly index?: number | undefined }
  /** No items, and a non-null `next` that resumes at the same position. */
  EmptyPageWithNext: {}
  /** The page, with `next` equal to the cursor just used (requests that carry a cursor only). */
  RepeatCursor: {}
  /**
   * The page, with a `next` that makes the following page start `count`
   * items earlier, so that it repeats the end of this one (a server that
   * pages by offset while rows are inserted before the position).
   */
  OverlappingNext: { readonly count: number }
  /** The status line, headers and part of the body, then the connection breaks. */
  ConnectionReset: {}
  /** The request is accepted and never answered. */
  NoResponse: {}
  /** The request is handled (a write is applied), then the answer waits this long. */
  Stall: { readonly delay: Duration.Duration }
  /** The request is handled (a write is applied), then answered with this status and an ErrorDto. */
  StatusAfter: { readonly status: number }
}>

/**
 * A `Retry-After` header: delay-seconds, or an HTTP-date this far from now.
 *
 * @since 0.1.0
 * @category faults
 */
export type RetryAfter =
  | { readonly _tag: "Seconds"; readonly seconds: number }
  | { readonly _tag: "HttpDate"; readonly after: Duration.Duration }

const FaultCtor = Data.taggedEnum<Fault>()

/**
 * Constructors of faults.
 *
 * @example
 * ```ts
 * import { FakeOpenCx } from "@opencx-effect/core"
 *
 * const faults = [
 *   FakeOpenCx.onRequest(2, FakeOpenCx.Fault.status(503)),
 *   FakeOpenCx.onRequest(3, FakeOpenCx.Fault.status(429, { retryAfter: FakeOpenCx.RetryAfter.seconds(2) })),
 *   FakeOpenCx.onRequest(5, FakeOpenCx.Fault.html(502))
 * ]
 * ```
 *
 * @since 0.1.0
 * @category faults
 */
export const Fault = {
  status: (
    status: number,
    options?: {
      readonly retryAfter?: RetryAfter | undefined
      readonly headers?: Readonly<Record<string, string>> | undefined
      readonly message?: string | undefined
    }
  ): Fault => FaultCtor.Status({ status, ...options }),
  latency: (delay: Duration.DurationInput): Fault => FaultCtor.Latency({ delay: Duration.decode(delay) }),
  malformedJson: FaultCtor.MalformedJson(),
  html: (status = 502): Fault => FaultCtor.Html({ status }),
  emptyBody: (status = 200): Fault => FaultCtor.EmptyBody({ status }),
  body: (
    status: number,
    body: string | Uint8Array,
    contentType = "application/json",
    headers?: Readonly<Record<string, string>>
  ): Fault => FaultCtor.Body({ status, body, contentType, headers }),
  invalidItem: (index?: number): Fault => FaultCtor.InvalidItem({ index }),
  emptyPageWithNext: FaultCtor.EmptyPageWithNext(),
  repeatCursor: FaultCtor.RepeatCursor(),
  overlappingNext: (count = 1): Fault => FaultCtor.OverlappingNext({ count }),
  connectionReset: FaultCtor.ConnectionReset(),
  noResponse: FaultCtor.NoResponse(),
  stall: (delay: Duration.DurationInput): Fault => FaultCtor.Stall({ delay: Duration.decode(delay) }),
  statusAfter: (status: number): Fault => FaultCtor.StatusAfter({ status }),
  $is: FaultCtor.$is,
  $match: FaultCtor.$match
} as const

/**
 * Constructors of `Retry-After` values.
 *
 * @since 0.1.0
 * @category faults
 */
export const RetryAfter = {
  seconds: (seconds: number): RetryAfter => ({ _tag: "Seconds", seconds }),
  httpDate: (after: Duration.DurationInput): RetryAfter => ({ _tag: "HttpDate", after: Duration.decode(after) })
} as const

/**
 * What a fault rule sees of a request.
 *
 * @since 0.1.0
 * @category faults
 */
export interface FaultRequest {
  /** 1 for the first request the fake received, 2 for the next, … */
  readonly number: number
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly cursor: string | undefined
  /** epoch milliseconds, from the fake's `Clock` */
  readonly arrivedAt: number
}

/**
 * When a fault applies: on request number(s), or when a predicate holds;
 * `times` caps how often it fires.
 *
 * @since 0.1.0
 * @category faults
 */
export interface FaultRule {
  readonly when: number | ReadonlyArray<number> | ((request: FaultRequest) => boolean)
  readonly fault: Fault
  readonly times?: number | undefined
}

/**
 * A fault on the request(s) with these numbers (1-based, counting every
 * request the fake receives).
 *
 * @since 0.1.0
 * @category faults
 */
export const onRequest = (number: number | ReadonlyArray<number>, fault: Fault): FaultRule => ({ when: number, fault })

/**
 * A fault on every request for which the predicate holds, at most `times`
 * times.
 *
 * @since 0.1.0
 * @category faults
 */
export const when = (predicate: (request: FaultRequest) => boolean, fault: Fault, times?: number): FaultRule => ({
  when: predicate,
  fault,
  times
})

/**
 * Faults at random, reproducibly: each request fails with probability `rate`
 * (decided by a hash of `seed` and the request number), with a fault picked
 * from `faults` the same way.
 *
 * @since 0.1.0
 * @category faults
 */
export const randomFaults = (options: {
  readonly rate: number
  readonly seed: number
  readonly faults: ReadonlyArray<Fault>
}): ReadonlyArray<FaultRule> =>
  options.faults.map((fault, k) => ({
    when: (request: FaultRequest) => {
      const next = prng(mix(options.seed, request.number))
      return next() < options.rate && Math.floor(next() * options.faults.length) === k
    },
    fault
  }))

