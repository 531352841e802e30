/**
 * The one transport per API key: every OpenCX service (`SessionsService`,
 * `ContactsService`, …) is built on an `OpenCxClient` and sends its requests
 * through it.
 *
 * The client owns what is the same for every endpoint:
 * - the base URL policy (`https://` only, but on loopback or when
 *   `allowInsecureHttp` is set; no credentials, query or fragment);
 * - `Authorization: Bearer …` (the key is `Redacted` end to end) and
 *   `Accept: application/json`;
 * - a timeout per attempt (request and body);
 * - **the** rate limiter: created once with the client, shared by every call
 *   of every service built on it (the API's limit is per key), counting
 *   each request from its start until its response is in; a 429 with a hint
 *   pauses every caller;
 * - the retry policy, with hints and budgets (reads are retried on 429 and
 *   transient failures; writes only when the server cannot have acted);
 * - the mapping of responses to `OpenCxError`, with every server text
 *   scrubbed of the key, its control characters escaped, cut to a length,
 *   and binary described rather than dumped;
 * - a span per request and the metrics (`metrics`).
 *
 * Its primitive, `execute(request, decode)`, sends one logical request
 * (retried as the policy says) and decodes its JSON body with the decoder
 * given.
 *
 * @example
 * ```ts
 * import { OpenCxClient } from "@opencx-effect/core"
 * import { Effect, Schema } from "effect"
 *
 * // any endpoint, through the shared limiter, retries and error mapping
 * const Contact = Schema.Struct({ id: Schema.String })
 * const contact = (id: string) =>
 *   OpenCxClient.execute(
 *     { method: "GET", path: OpenCxClient.path`/contacts/${id}` },
 *     Schema.decodeUnknownEither(Contact)
 *   )
 * ```
 *
 * @since 0.2.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import type * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import type * as RateLimitStore from "./RateLimitStore.js"
import * as internal from "./internal/client/client.js"
import * as Ids from "./internal/client/ids.js"
import type { InvalidParams, OpenCxError } from "./OpenCxError.js"

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/**
 * The retry knobs. Every field is optional; see `defaults.retry`.
 *
 * @since 0.2.0
 * @category models
 */
export interface RetryOptions {
  /** retries of a transient failure (transport, timeout, 408, 500, 502, 503, 504) per request; default 2 */
  readonly maxRetries?: number | undefined
  /** the first backoff; default 500 ms */
  readonly baseDelay?: Duration.DurationInput | undefined
  /** the longest backoff; default 8 s */
  readonly maxDelay?: Duration.DurationInput | undefined
  /** a server hint longer than this fails at once with the hint on the error; default 60 s */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
  /**
   * how long one request may wait in total between its attempts (for 429s,
   * and transient failures with long hints) before failing; default 60 s
   */
  readonly rateLimitBudget?: Duration.DurationInput | undefined
  /**
   * whether writes (POST, PATCH) are retried when the server cannot have
   * acted on them (a 429, a connection that failed before the request was
   * sent); default true. Writes are never retried after a timeout, a broken
   * connection or a 5xx: the server may have acted.
   */
  readonly retryWrites?: boolean | undefined
}

/**
 * The client-side rate limit: at most `limit` requests in any sliding window
 * of `interval`.
 *
 * @since 0.2.0
 * @category models
 */
export interface RateLimitOptions {
  readonly limit: number
  readonly interval: Duration.DurationInput
  /**
   * where the counts are kept, for several processes sharing the key (e.g.
   * `@opencx-effect/redis`); default: this process (or the `RateLimitStore`
   * service, when one is in context)
   */
  readonly store?: RateLimitStore.Service | undefined
  /**
   * when the store fails or does not answer within `storeTimeout`: `"fail"`
   * (the default: the request fails with `RateLimiterUnavailable`, nothing
   * sent), or fall back to a limit of this process, `limit / processes`,
   * with a warning, until the store answers again. Never a hang, never an
   * unlimited client.
   */
  readonly onStoreFailure?: "fail" | { readonly fallback: "local"; readonly processes: number } | undefined
  /** the deadline of one store operation; default 2 s */
  readonly storeTimeout?: Duration.DurationInput | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** the API key, sent as `Authorization: Bearer …` */
  readonly apiKey: Redacted.Redacted<string> | string
  /** default `https://api.open.cx`; `http://` is refused except on loopback, unless `allowInsecureHttp` */
  readonly baseUrl?: string | undefined
  /** the client-side limit; default 100 requests per minute; `false` turns it off */
  readonly rateLimit?: RateLimitOptions | false | undefined
  /**
   * the retry policy: knobs, or a `Schedule` of your own (still only
   * retryable errors are retried, and a hint is the minimum wait), or `false`
   */
  readonly retry?: RetryOptions | Schedule.Schedule<unknown, OpenCxError> | false | undefined
  /** the per-attempt timeout (request and body); default 30 s */
  readonly timeout?: Duration.DurationInput | undefined
  /** a last word on the HttpClient (middleware, tracing, …) */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
  /** allow `http://` to a host other than loopback (the key would travel in clear) */
  readonly allowInsecureHttp?: boolean | undefined
}

/**
 * The documented defaults.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaults: {
  readonly baseUrl: string
  readonly rateLimit: { readonly limit: number; readonly interval: Duration.Duration }
  readonly retry: {
    readonly maxRetries: number
    readonly baseDelay: Duration.Duration
    readonly maxDelay: Duration.Duration
    readonly maxRetryAfter: Duration.Duration
    readonly rateLimitBudget: Duration.Duration
    readonly retryWrites: boolean
  }
  readonly timeout: Duration.Duration
} = internal.defaults

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/**
 * One request to the API.
 *
 * @since 0.2.0
 * @category models
 */
export interface Request {
  readonly method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE"
  /** the path under the base URL, its segments already encoded (see `path`) */
  readonly path: string
  /** query parameters */
  readonly urlParams?: Readonly<Record<string, string>> | undefined
  /** a JSON body */
  readonly body?: unknown
  /**
   * whether the request may be repeated safely; default: true for GET, PUT
   * and DELETE, false for POST and PATCH
   */
  readonly idempotent?: boolean | undefined
  /** whether a 2xx response with an empty body is fine (the decoder then gets `undefined`); default false */
  readonly emptyBody?: boolean | undefined
  /** for a request about one resource: a 404 is then `NotFound` with these (otherwise a `BadRequest`) */
  readonly notFound?: { readonly resource: string; readonly id: string } | undefined
  /** for a page of a cursor walk: the cursor sent (`null` for the first page); named by `Decode` errors */
  readonly cursor?: string | null | undefined
  /** the span around the request (and its retries); default `OpenCxClient.request` */
  readonly span?: {
    readonly name: string
    readonly attributes?: Readonly<Record<string, unknown>> | undefined
  } | undefined
}

/**
 * A decoder of a response's JSON body: a value, or why not. For a Schema,
 * `Schema.decodeUnknownEither(schema)`.
 *
 * @since 0.2.0
 * @category models
 */
export type Decoder<A> = (json: unknown) => Either.Either<A, ParseResult.ParseError>

/**
 * What the client tells about a response it decoded.
 *
 * @since 0.2.0
 * @category models
 */
export interface Response<A> {
  readonly value: A
  readonly status: number
  /** the server's `x-request-id`, when it sent one (sanitised) */
  readonly requestId: string | undefined
  /** how many attempts it took */
  readonly attempts: number
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /** the base URL, checked, without a trailing slash */
  readonly baseUrl: string
  /** sends a request (retried as the policy says, within the shared limit) and decodes its body */
  readonly execute: <A>(request: Request, decode: Decoder<A>) => Effect.Effect<A, OpenCxError>
  /**
   * as `execute`, with the response's status, request id and attempts;
   * `annotate` adds attributes to the request's span from the response
   */
  readonly executeResponse: <A>(
    request: Request,
    decode: Decoder<A>,
    annotate?: (response: Response<A>) => Readonly<Record<string, unknown>>
  ) => Effect.Effect<Response<A>, OpenCxError>
  /** the URL of a request, as errors name it */
  readonly urlOf: (request: Pick<Request, "path" | "urlParams">) => string
}

/**
 * @since 0.2.0
 * @category tags
 */
export class OpenCxClient extends Context.Tag("@opencx-effect/core/OpenCxClient")<OpenCxClient, Service>() {}

/**
 * Counters the client keeps (Effect metrics): the CLI reads them for its
 * progress line, an application may export them.
 *
 * @since 0.2.0
 * @category metrics
 */
export const metrics: {
  /** attempts sent */
  readonly requests: Metric.Metric.Counter<number>
  /** retries made */
  readonly retries: Metric.Metric.Counter<number>
  /** milliseconds spent waiting for the rate limiter or a 429's hint before a request */
  readonly rateLimitWaitMillis: Metric.Metric.Counter<number>
  /** 429 responses received */
  readonly rateLimited: Metric.Metric.Counter<number>
  /** when a request waiting for the rate limit (or a 429's pause) may go, epoch ms; 0 when none waits or it is not known */
  readonly rateLimitWaitingUntil: Metric.Metric.Gauge<number>
  /** when a request waiting to be retried goes again, epoch ms; 0 when none waits */
  readonly retryWaitingUntil: Metric.Metric.Gauge<number>
} = internal.metrics

/**
 * A path whose interpolated values are encoded as one segment each, so that
 * no value can change the path (`../`, `?`, `#`, `/` are encoded).
 *
 * @example
 * ```ts
 * import { OpenCxClient } from "@opencx-effect/core"
 *
 * OpenCxClient.path`/chat/sessions/${"a/../b?c"}/history`
 * // => "/chat/sessions/a%2F..%2Fb%3Fc/history"
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const path = (strings: TemplateStringsArray, ...values: ReadonlyArray<string>): string =>
  strings.reduce((out, part, i) => out + part + (i < values.length ? internal.encodeSegment(values[i]!) : ""), "")

/**
 * Checks an id before it goes into a path (see `path`): the API's ids are
 * uuids, but an id is refused only when it cannot be one at all (empty, `.`
 * or `..`, control characters, spaces around it, over 256 characters), so
 * that ids of another shape still work. The services check their ids with
 * it; `field` names the id in the error.
 *
 * @since 0.2.0
 * @category utils
 */
export const checkId: (field: string, id: unknown) => Either.Either<string, InvalidParams> = Ids.checkId

/**
 * Builds the client over the `HttpClient` in context. The rate limiter is
 * created here, once: every call of every service built on this client
 * shares it.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<Service, ConfigError.ConfigError, HttpClient.HttpClient> =
  internal.make

/**
 * The client as a layer over the `HttpClient` in context (see `NodeOpenCx`
 * in `@opencx-effect/platform-node` for the client and every service over
 * Node's HTTP client).
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<OpenCxClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(OpenCxClient, make(options))

/**
 * The settings read from the environment: `OPENCX_API_KEY` (as `Redacted`)
 * and `OPENCX_BASE_URL` (default `https://api.open.cx`).
 *
 * @since 0.2.0
 * @category config
 */
export const config: Config.Config<{ readonly apiKey: Redacted.Redacted<string>; readonly baseUrl: string }> = Config
  .all({
    apiKey: Config.redacted("OPENCX_API_KEY"),
    baseUrl: Config.string("OPENCX_BASE_URL").pipe(Config.withDefault(defaults.baseUrl))
  })

/**
 * The client as a layer whose key and base URL come from `config`; the
 * other options are given here.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<Options, "apiKey" | "baseUrl"> = {}
): Layer.Layer<OpenCxClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(OpenCxClient, Effect.flatMap(config, (settings) => make({ ...options, ...settings })))

/**
 * Sends a request with the client from context and decodes its body.
 *
 * @since 0.2.0
 * @category accessors
 */
export const execute = <A>(request: Request, decode: Decoder<A>): Effect.Effect<A, OpenCxError, OpenCxClient> =>
  Effect.flatMap(OpenCxClient, (client) => client.execute(request, decode))
