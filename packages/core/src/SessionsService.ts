/**
 * The OpenCX chat sessions service: one page (`list`), every page (`pages`)
 * or every session (`stream`) of `GET /chat/sessions`, lazily, at the API's
 * rate limit and never past it, riding out the faults a real API has.
 *
 * - **Lazy**: building a stream sends nothing; page n+1 is requested when
 *   page n's sessions have been consumed; each run starts afresh. An opt-in,
 *   bounded `prefetch` overlaps the next request with the consumer's work.
 * - **Complete**: every session once, in the server's order; empty pages
 *   with a `next` are followed; the walk ends when `next` is null (or empty);
 *   the filters are sent with every cursor; a `next` already used in the walk
 *   fails with `CursorLoop` instead of spinning.
 * - **Retried per page**, never by restarting the stream.
 * - **Rate-limited** by one limiter per layer, shared by every call and
 *   every retry; a 429 with a hint pauses every caller of the layer.
 * - **Interruptible**: interrupting the consumer aborts the request in
 *   flight and any wait at once.
 * - **Traced**: a span per page request (`SessionsService.page`), around the
 *   HttpClient's own span; the API key is `Redacted` end to end and the
 *   `authorization` header is redacted in traces.
 *
 * Defaults (see `defaults`), after openai-node and the API's documented
 * limit: 100 requests per minute; 2 retries of transient failures
 * (transport, timeout, 408, 500, 502, 503, 504) 0.5 s doubling to 8 s, each
 * delay times a random factor in [0.75, 1]; a 429 waits for its
 * `Retry-After` / `X-RateLimit-Reset` hint (or 1 s doubling to 30 s without
 * one) within a 60 s budget per page; a hint over 60 s fails at once with
 * `RateLimited`; 30 s per attempt.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as HashSet from "effect/HashSet"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { type ChatSession, decodeListChatSessionsOutput, ErrorDto, type ListChatSessionsOutput } from "./ChatSession.js"
import { firstIssue } from "./internal/issues.js"
import * as Limiter from "./internal/limiter.js"
import * as RetryAfter from "./internal/retryAfter.js"
import * as RetryPolicy from "./internal/retryPolicy.js"
import * as ListChatSessionsParams from "./ListChatSessionsParams.js"
import {
  BadRequest,
  CursorLoop,
  Decode,
  Forbidden,
  InvalidParams,
  type OpenCxError,
  RateLimited,
  ServerError,
  Timeout,
  Transport,
  Unauthorized
} from "./OpenCxError.js"

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/**
 * The retry knobs. Every field is optional; see `defaults.retry`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryOptions {
  /** retries of a transient failure (transport, timeout, 408, 500, 502, 503, 504) per page; default 2 */
  readonly maxRetries?: number | undefined
  /** the first backoff; default 500 ms */
  readonly baseDelay?: Duration.DurationInput | undefined
  /** the longest backoff; default 8 s */
  readonly maxDelay?: Duration.DurationInput | undefined
  /** a server hint longer than this fails at once with the hint on the error; default 60 s */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
  /** how long one page may wait in total for 429s before failing with `RateLimited`; default 60 s */
  readonly rateLimitBudget?: Duration.DurationInput | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** the API key, sent as `Authorization: Bearer …` */
  readonly apiKey: Redacted.Redacted<string> | string
  /** default `https://api.open.cx`; `http://` is refused except on loopback, unless `allowInsecureHttp` */
  readonly baseUrl?: string | undefined
  /** the client-side limit; default 100 requests per minute; `false` turns it off */
  readonly rateLimit?: { readonly limit: number; readonly interval: Duration.DurationInput } | false | undefined
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
 * Options of `pages` and `stream`.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamOptions {
  /**
   * how many pages to fetch ahead of the consumer (default 0: fully lazy).
   * With 1, page n+1 is requested while the consumer works on page n.
   */
  readonly prefetch?: number | undefined
}

/**
 * The documented defaults.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults = {
  baseUrl: "https://api.open.cx",
  rateLimit: { limit: 100, interval: Duration.minutes(1) },
  retry: {
    maxRetries: 2,
    baseDelay: Duration.millis(500),
    maxDelay: Duration.seconds(8),
    maxRetryAfter: Duration.seconds(60),
    rateLimitBudget: Duration.seconds(60)
  },
  timeout: Duration.seconds(30)
} as const

// ---------------------------------------------------------------------------
// Service
// ---------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** one page */
  readonly list: (params?: ListChatSessionsParams.Input) => Effect.Effect<ListChatSessionsOutput, OpenCxError>
  /** every page from `params.cursor` (or the start) until `next` is null */
  readonly pages: (
    params?: ListChatSessionsParams.Input,
    options?: StreamOptions
  ) => Stream.Stream<ListChatSessionsOutput, OpenCxError>
  /** every session of those pages, in order */
  readonly stream: (params?: ListChatSessionsParams.Input, options?: StreamOptions) => Stream.Stream<ChatSession, OpenCxError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class SessionsService extends Context.Tag("@opencx-effect/core/SessionsService")<SessionsService, Service>() {}

/**
 * Counters the service keeps (Effect metrics): the CLI reads them for its
 * progress line, an application may export them.
 *
 * @since 0.1.0
 * @category metrics
 */
export const metrics = {
  /** attempts sent */
  requests: Metric.counter("opencx_requests_total", { description: "page requests sent to OpenCX" }),
  /** retries scheduled */
  retries: Metric.counter("opencx_retries_total", { description: "page requests retried" }),
  /** milliseconds spent waiting for the rate limiter or a 429's hint before a request */
  rateLimitWaitMillis: Metric.counter("opencx_rate_limit_wait_ms_total", {
    description: "time spent waiting for the rate limit"
  }),
  /** 429 responses received */
  rateLimited: Metric.counter("opencx_rate_limited_total", { description: "429 responses received" })
} as const

// ---------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------

const isLoopback = (hostname: string) =>
  hostname === "localhost" || hostname === "[::1]" || hostname === "::1" || /^127\.\d+\.\d+\.\d+$/.test(hostname)

const checkBaseUrl = (baseUrl: string, allowInsecureHttp: boolean): Either.Either<string, ConfigError.ConfigError> => {
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    return Either.left(ConfigError.InvalidData(["baseUrl"], `Expected a URL such as https://api.open.cx, got ${JSON.stringify(baseUrl)}`))
  }
  if (url.username !== "" || url.password !== "") {
    return Either.left(ConfigError.InvalidData(["baseUrl"], "The base URL must not hold credentials; give the API key as apiKey"))
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return Either.left(ConfigError.InvalidData(["baseUrl"], `Expected an http(s) URL, got ${url.protocol}`))
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname) && !allowInsecureHttp) {
    return Either.left(
      ConfigError.InvalidData(
        ["baseUrl"],
        `Refusing http:// to ${url.hostname}: the API key would travel in clear. Use https://, or allow it explicitly (allowInsecureHttp, or --allow-insecure-http on the command line)`
      )
    )
  }
  if (url.search !== "" || url.hash !== "") {
    return Either.left(ConfigError.InvalidData(["baseUrl"], "The base URL must not have a query or a fragment"))
  }
  return Either.right(url.toString().replace(/\/+$/, ""))
}

const truncate = (text: string) => (text.length > 2000 ? `${text.slice(0, 2000)}…` : text)

const describeCause = (cause: unknown): string => {
  // an HttpClientError's message repeats the request; its cause says what happened
  if (Predicate.hasProperty(cause, "_tag") && (cause._tag === "RequestError" || cause._tag === "ResponseError")) {
    const inner = Predicate.hasProperty(cause, "cause") ? cause.cause : undefined
    if (inner !== undefined) return describeCause(inner)
  }
  if (cause instanceof Error) {
    const inner = "cause" in cause && cause.cause instanceof Error ? `: ${cause.cause.message}` : ""
    return `${cause.message}${inner}`
  }
  return String(cause)
}

/** `items[3].ticket_number` */
const formatPath = (path: ReadonlyArray<PropertyKey>) =>
  path.map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join("")

const decodeErrorDto = Schema.decodeUnknownOption(ErrorDto)

const toInvalidParams = (error: ParseResult.ParseError): InvalidParams => {
  const issue = firstIssue(error)
  return new InvalidParams({ field: issue.path.map(String).join("."), issue: issue.message })
}

/**
 * Builds the service over the `HttpClient` in context. The rate limiter is
 * created here, once: every call of this service shares it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const baseUrl = yield* checkBaseUrl(options.baseUrl ?? defaults.baseUrl, options.allowInsecureHttp === true)
    const apiKey = typeof options.apiKey === "string" ? Redacted.make(options.apiKey) : options.apiKey
    const timeout = Duration.decode(options.timeout ?? defaults.timeout)
    const limiter = yield* Limiter.make(
      options.rateLimit === undefined ? defaults.rateLimit : options.rateLimit
    )
    const knobs: RetryPolicy.Knobs = defaults.retry
    const retry = options.retry
    const policy: Schedule.Schedule<unknown, OpenCxError> = retry === false
      ? Schedule.stop
      : retry !== undefined && Schedule.isSchedule(retry)
      ? RetryPolicy.guard(retry, knobs.maxRetryAfter)
      : RetryPolicy.schedule({
        maxRetries: retry?.maxRetries ?? knobs.maxRetries,
        baseDelay: Duration.decode(retry?.baseDelay ?? knobs.baseDelay),
        maxDelay: Duration.decode(retry?.maxDelay ?? knobs.maxDelay),
        maxRetryAfter: Duration.decode(retry?.maxRetryAfter ?? knobs.maxRetryAfter),
        rateLimitBudget: Duration.decode(retry?.rateLimitBudget ?? knobs.rateLimitBudget)
      })

    const httpClient = yield* HttpClient.HttpClient
    const base = httpClient.pipe(
      HttpClient.mapRequest((request) =>
        request.pipe(
          HttpClientRequest.prependUrl(baseUrl),
          HttpClientRequest.bearerToken(apiKey),
          HttpClientRequest.acceptJson
        )
      )
    )
    const client = options.transformClient === undefined ? base : options.transformClient(base)

    const commonOf = (
      response: HttpClientResponse.HttpClientResponse,
      where: { readonly method: string; readonly url: string }
    ) => {
      const requestId = response.headers["x-request-id"]
      return {
        method: where.method,
        url: where.url,
        status: response.status,
        ...(requestId === undefined ? {} : { requestId })
      }
    }

    /** interprets one response: a page (the hot path, no Effect machinery), or an error */
    const interpret = (
      response: HttpClientResponse.HttpClientResponse,
      text: string,
      where: { readonly method: string; readonly url: string; readonly cursor: string | null }
    ): Effect.Effect<ListChatSessionsOutput, OpenCxError> => {
      if (response.status < 200 || response.status >= 300) return interpretError(response, text, where)
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch (error) {
        return Effect.fail(
          new Decode({
            ...commonOf(response, where),
            cursor: where.cursor,
            path: "",
            issue: text.trim() === ""
              ? "the response body is empty"
              : `the body is not valid JSON (${describeCause(error)}): ${truncate(text).slice(0, 200)}`
          })
        )
      }
      const page = decodeListChatSessionsOutput(json)
      if (Either.isRight(page)) return Effect.succeed(page.right)
      const issue = firstIssue(page.left)
      const path = issue.path
      const itemIndex = path[0] === "items" && typeof path[1] === "number" ? path[1] : undefined
      return Effect.fail(
        new Decode({
          ...commonOf(response, where),
          cursor: where.cursor,
          path: formatPath(path),
          issue: issue.message,
          ...(itemIndex === undefined ? {} : { itemIndex })
        })
      )
    }

    /** a response that is not a 2xx: an ErrorDto, or the raw text of whatever came */
    const interpretError = (
      response: HttpClientResponse.HttpClientResponse,
      text: string,
      where: { readonly method: string; readonly url: string }
    ): Effect.Effect<never, OpenCxError> =>
      Effect.gen(function*() {
        const status = response.status
        const common = commonOf(response, where)
        // an error: an ErrorDto, or the raw text of whatever came
        let details: { serverMessage?: string; serverError?: string; body?: string } = {}
        let parsed: unknown = undefined
        try {
          parsed = JSON.parse(text)
        } catch {
          parsed = undefined
        }
        const dto = parsed === undefined ? Option.none() : decodeErrorDto(parsed)
        if (Option.isSome(dto) && (dto.value.message !== undefined || dto.value.error !== undefined)) {
          details = {
            ...(dto.value.message === undefined ? {} : { serverMessage: dto.value.message }),
            ...(dto.value.error === undefined ? {} : { serverError: dto.value.error })
          }
        } else if (text !== "") {
          details = { body: truncate(text) }
        }
        const now = yield* Clock.currentTimeMillis
        const hint = RetryAfter.parse(response.headers, now)
        const fields = { ...common, ...details, ...(Option.isSome(hint) ? { retryAfter: hint.value } : {}) }
        if (status === 429) {
          yield* Metric.increment(metrics.rateLimited)
          return yield* new RateLimited(fields)
        }
        if (status === 401) return yield* new Unauthorized(fields)
        if (status === 403) return yield* new Forbidden(fields)
        if (status >= 500) return yield* new ServerError(fields)
        if (status >= 300 && status < 400) {
          const location = response.headers["location"]
          return yield* new BadRequest({
            ...fields,
            serverMessage: `the API answered with a redirect${
              location === undefined ? "" : ` to ${location}`
            }; redirects are not followed, so that the API key is never sent elsewhere`
          })
        }
        return yield* new BadRequest(fields)
      })

    /** one page: rate-limited, timed, retried, traced */
    const fetchPage = (
      query: Readonly<Record<string, string>>,
      cursor: string | null,
      pageIndex: number
    ): Effect.Effect<ListChatSessionsOutput, OpenCxError> =>
      Effect.gen(function*() {
        const urlParams = cursor === null ? query : { ...query, cursor }
        const search = new URLSearchParams(urlParams).toString()
        const where = {
          method: "GET",
          url: `${baseUrl}/chat/sessions${search === "" ? "" : `?${search}`}`,
          cursor
        }
        const request = HttpClientRequest.get("/chat/sessions", { urlParams })
        const send = Effect.gen(function*() {
          yield* Metric.increment(metrics.requests)
          const response = yield* client.execute(request).pipe(
            Effect.mapError((error) => new Transport({ method: where.method, url: where.url, reason: describeCause(error) }))
          )
          const text = yield* response.text.pipe(
            Effect.mapError((error) =>
              new Transport({
                method: where.method,
                url: where.url,
                reason: `the response body was cut short (${describeCause(error)})`
              })
            )
          )
          // a 429's hint pauses every caller, before this request's slot is given back
          if (response.status === 429) {
            const now = yield* Clock.currentTimeMillis
            const hint = RetryAfter.parse(response.headers, now)
            if (Option.isSome(hint)) yield* limiter.pauseUntil(now + Duration.toMillis(hint.value))
          }
          return { response, text }
        }).pipe(
          Effect.timeoutFail({
            duration: timeout,
            onTimeout: () => new Timeout({ method: where.method, url: where.url, timeout })
          })
        )
        // the limiter counts the request from its start until its response is in
        const attempt = Effect.gen(function*() {
          const before = yield* Clock.currentTimeMillis
          const { response, text } = yield* limiter.withPermit(
            Effect.zipRight(
              Effect.flatMap(Clock.currentTimeMillis, (after) =>
                after > before ? Metric.incrementBy(metrics.rateLimitWaitMillis, after - before) : Effect.void),
              send
            )
          )
          return yield* interpret(response, text, where)
        })
        // the retry machinery is set up only when an attempt fails: most pages need one attempt
        let attempts = 1
        const page = yield* Effect.catchAll(attempt, (first) =>
          Effect.gen(function*() {
            const driver = yield* Schedule.driver(policy)
            let error = first
            while (true) {
              if (RetryPolicy.isRetryable(error)) yield* Effect.logDebug(`OpenCX page ${pageIndex} failed: ${error.message}`)
              const more = yield* Effect.option(driver.next(error))
              if (Option.isNone(more)) return yield* Effect.fail(error)
              yield* Metric.increment(metrics.retries)
              attempts++
              const result = yield* Effect.either(attempt)
              if (Either.isRight(result)) return result.right
              error = result.left
            }
          }))
        yield* Effect.annotateCurrentSpan({
          "opencx.page.items": page.items.length,
          "opencx.page.attempts": attempts,
          "opencx.page.has_next": page.next !== null && page.next !== ""
        })
        return page
      }).pipe(
        Effect.withSpan("SessionsService.page", {
          attributes: { "opencx.page.index": pageIndex, "opencx.page.cursor_sent": cursor !== null },
          kind: "client",
          captureStackTrace: false
        })
      )

    const prepare = (params: ListChatSessionsParams.Input | undefined) =>
      ListChatSessionsParams.decode(params ?? {}).pipe(
        Effect.mapError(toInvalidParams),
        Effect.flatMap((normalized) =>
          Effect.map(ListChatSessionsParams.encodeUrlParams(normalized), (url) => {
            const { cursor, ...filters } = url
            return { filters, cursor: cursor ?? null }
          }).pipe(Effect.mapError(toInvalidParams))
        )
      )

    interface WalkState {
      readonly cursor: string | null
      readonly index: number
      readonly used: HashSet.HashSet<string>
      readonly loop: boolean
    }

    const pages = (params?: ListChatSessionsParams.Input, streamOptions?: StreamOptions) =>
      Stream.unwrap(
        Effect.map(prepare(params), ({ cursor, filters }) => {
          const walk = Stream.paginateEffect<WalkState, ListChatSessionsOutput, OpenCxError, never>(
            { cursor, index: 0, used: HashSet.empty(), loop: false },
            (state) =>
              state.loop
                ? Effect.fail(
                  new CursorLoop({
                    method: "GET",
                    url: `${baseUrl}/chat/sessions`,
                    cursor: state.cursor ?? "",
                    pageIndex: state.index - 1
                  })
                )
                : Effect.map(fetchPage(filters, state.cursor, state.index), (page) => {
                  const next = page.next === null || page.next === "" ? null : page.next
                  if (next === null) return [page, Option.none<WalkState>()] as const
                  const used = state.cursor === null ? state.used : HashSet.add(state.used, state.cursor)
                  return [
                    page,
                    Option.some<WalkState>({
                      cursor: next,
                      index: state.index + 1,
                      used,
                      // emit this page's sessions, then fail rather than follow a cursor already used
                      loop: next === state.cursor || HashSet.has(used, next)
                    })
                  ] as const
                })
          )
          const prefetch = Math.max(0, Math.floor(streamOptions?.prefetch ?? 0))
          return prefetch > 0 ? Stream.buffer(walk, { capacity: prefetch }) : walk
        })
      )

    return {
      list: (params) =>
        Effect.flatMap(prepare(params), ({ cursor, filters }) => fetchPage(filters, cursor, 0)),
      pages,
      stream: (params, streamOptions) =>
        pages(params, streamOptions).pipe(Stream.mapConcatChunk((page) => Chunk.unsafeFromArray(page.items)))
    } satisfies Service
  })

/**
 * The service as a layer over the `HttpClient` in context (see
 * `NodeSessionsService` in `@opencx-effect/platform-node` for one with
 * Node's client provided).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<SessionsService, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(SessionsService, make(options))

/**
 * The settings read from the environment: `OPENCX_API_KEY` (as `Redacted`)
 * and `OPENCX_BASE_URL` (default `https://api.open.cx`).
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<{ readonly apiKey: Redacted.Redacted<string>; readonly baseUrl: string }> = Config
  .all({
    apiKey: Config.redacted("OPENCX_API_KEY"),
    baseUrl: Config.string("OPENCX_BASE_URL").pipe(Config.withDefault(defaults.baseUrl))
  })

/**
 * The service as a layer whose key and base URL come from `config`; the
 * other options are given here.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<Options, "apiKey" | "baseUrl"> = {}
): Layer.Layer<SessionsService, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(SessionsService, Effect.flatMap(config, (settings) => make({ ...options, ...settings })))

/**
 * One page, with the service from context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const list = (
  params?: ListChatSessionsParams.Input
): Effect.Effect<ListChatSessionsOutput, OpenCxError, SessionsService> =>
  Effect.flatMap(SessionsService, (service) => service.list(params))

/**
 * Every page, with the service from context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const pages = (
  params?: ListChatSessionsParams.Input,
  options?: StreamOptions
): Stream.Stream<ListChatSessionsOutput, OpenCxError, SessionsService> =>
  Stream.unwrap(Effect.map(SessionsService, (service) => service.pages(params, options)))

/**
 * Every session, with the service from context.
 *
 * @example
 * ```ts
 * import { SessionsService } from "@opencx-effect/core"
 * import { Effect, Stream } from "effect"
 *
 * const openOnEmail = SessionsService.stream({ status: "open", channel_type: "email" }).pipe(
 *   Stream.take(100),
 *   Stream.runCollect
 * )
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const stream = (
  params?: ListChatSessionsParams.Input,
  options?: StreamOptions
): Stream.Stream<ChatSession, OpenCxError, SessionsService> =>
  Stream.unwrap(Effect.map(SessionsService, (service) => service.stream(params, options)))
