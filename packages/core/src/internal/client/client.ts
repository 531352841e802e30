/**
 * The implementation of `OpenCxClient`: the request pipeline.
 *
 * One logical request is: the limiter's permit (counted until the response
 * is in), the HTTP exchange under a per-attempt timeout, the body read as
 * bytes, the response interpreted (a decoded value, or an `OpenCxError` whose
 * server texts are sanitised), and retries as the policy says, all in one
 * span.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { globalValue } from "effect/GlobalValue"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { ErrorDto } from "../../ChatSession.js"
import type * as OpenCxClient from "../../OpenCxClient.js"
import {
  BadRequest,
  Decode,
  Forbidden,
  NotFound,
  type OpenCxError,
  RateLimited,
  ServerError,
  Timeout,
  Transport,
  Unauthorized
} from "../../OpenCxError.js"
import { firstIssue } from "../schema/issues.js"
import * as Hints from "./hints.js"
import * as RateLimitStore from "../../RateLimitStore.js"
import * as Limiter from "./limiter.js"
import * as SharedLimiter from "./sharedLimiter.js"
import * as RetryPolicy from "./retryPolicy.js"
import { describeBody, escapeControls, oneLine, type Scrubber, scrubber, serverText, utf8 } from "./sanitize.js"

export const defaults = {
  baseUrl: "https://api.open.cx",
  rateLimit: { limit: 100, interval: Duration.minutes(1) },
  retry: {
    maxRetries: 2,
    baseDelay: Duration.millis(500),
    maxDelay: Duration.seconds(8),
    maxRetryAfter: Duration.seconds(60),
    rateLimitBudget: Duration.seconds(60),
    retryWrites: true
  },
  timeout: Duration.seconds(30)
} as const

export const metrics = {
  requests: Metric.counter("opencx_requests_total", { description: "requests sent to OpenCX" }),
  retries: Metric.counter("opencx_retries_total", { description: "requests retried" }),
  rateLimitWaitMillis: Metric.counter("opencx_rate_limit_wait_ms_total", {
    description: "time spent waiting for the rate limit"
  }),
  rateLimited: Metric.counter("opencx_rate_limited_total", { description: "429 responses received" }),
  rateLimitWaitingUntil: Metric.gauge("opencx_rate_limit_waiting_until_ms", {
    description: "when a request waiting for the rate limit may go (epoch ms; 0: none waiting, or not known)"
  }),
  retryWaitingUntil: Metric.gauge("opencx_retry_waiting_until_ms", {
    description: "when a request waiting to be retried goes again (epoch ms; 0: none waiting)"
  })
} as const

// ---------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------

/**
 * One path segment, encoded so that it cannot change the path. URL parsers
 * resolve `.` and `..` segments even when percent-encoded, so such a value
 * (and an empty one) is refused: services validate ids before building a
 * path.
 */
export const encodeSegment = (value: string): string => {
  if (value === "" || value === "." || value === "..") {
    throw new TypeError(`OpenCxClient.path: ${JSON.stringify(value)} cannot be a path segment`)
  }
  return encodeURIComponent(value)
}

const isLoopback = (hostname: string) =>
  hostname === "localhost" || hostname === "[::1]" || hostname === "::1" || /^127\.\d+\.\d+\.\d+$/.test(hostname)

export const checkBaseUrl = (baseUrl: string, allowInsecureHttp: boolean): Either.Either<string, ConfigError.ConfigError> => {
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    return Either.left(
      ConfigError.InvalidData(["baseUrl"], `Expected a URL such as https://api.open.cx, got ${JSON.stringify(baseUrl)}`)
    )
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

// ---------------------------------------------------------------------------
// Transport failures
// ---------------------------------------------------------------------------

/** error codes of a connection that failed before any byte of the request was sent */
const beforeSending: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT"
])

/** the causes of an error, outermost first (bounded: a cause chain can be a cycle) */
const causes = (error: unknown): ReadonlyArray<unknown> => {
  const out: Array<unknown> = []
  let current = error
  while (current !== undefined && current !== null && out.length < 8) {
    out.push(current)
    current = Predicate.hasProperty(current, "cause") ? current.cause : undefined
  }
  return out
}

const codeOf = (error: unknown): string | undefined => {
  for (const cause of causes(error)) {
    if (Predicate.hasProperty(cause, "code") && typeof cause.code === "string") return cause.code
  }
  return undefined
}

/**
 * what went wrong, in words: an HttpClientError's message repeats the
 * request; its `description` (when the client gave one) and its cause say
 * what happened
 */
const describeCause = (error: unknown): string => {
  const isHttpError = (cause: unknown) =>
    Predicate.hasProperty(cause, "_tag") && (cause._tag === "RequestError" || cause._tag === "ResponseError")
  const all = causes(error)
  const descriptions = all.flatMap((cause) =>
    isHttpError(cause) && Predicate.hasProperty(cause, "description") && typeof cause.description === "string"
      ? [cause.description]
      : []
  )
  const messages = [
    ...descriptions,
    ...all.filter((cause) => !isHttpError(cause)).map((cause) => (cause instanceof Error ? cause.message : String(cause)))
  ].filter((message, i, list) => message !== "" && list.indexOf(message) === i)
  const code = codeOf(error)
  const text = messages.slice(0, 2).join(": ")
  return code !== undefined && !text.includes(code) ? `${text} (${code})` : text === "" ? "unknown failure" : text
}

// ---------------------------------------------------------------------------
// Deadlines that the transport enforces
// ---------------------------------------------------------------------------

/**
 * The per-attempt timeout, enforced by the HttpClient itself when it can.
 *
 * `Effect.timeoutFail` runs the attempt in a fiber of its own next to a
 * second, sleeping one. Those two fibers per request measured as the largest
 * single cost of the client per request (CPU, and garbage collection: pages
 * survive young-generation collections while they are alive). An HttpClient
 * that can stop a request at a deadline itself (platform-node's `NodeHttp`:
 * a timer that aborts the request, or the reading of its body) says so with
 * the property `enforcesDeadlines`. An attempt over it then runs in the
 * caller's fiber, with its deadline in `deadlines` under that fiber (the
 * fiber that runs the HttpClient's request function); the transport takes
 * it (and removes it) when it sends the request, and fails the request, or
 * its body, with `reason` (an object of the attempt's own, which the client
 * turns into its `Timeout`) as the cause once the time is up. A request that
 * fails before it is sent leaves the deadline, which the client then
 * removes; an interrupted one leaves it to its fiber, which is ending.
 *
 * Both are global values (`Symbol.for` keys), so that platform-node, which
 * cannot import this module, shares them; `NodeHttp.ts` holds the other
 * half. Used only when the fiber's clock is the live one (a `TestClock`
 * drives `Effect.sleep`, not a transport's timers) and no `transformClient`
 * sits between the client and the transport (its own steps would be outside
 * the transport's deadline): otherwise `Effect.timeoutFail`, as before.
 */
export const TransportDeadline = {
  deadlines: globalValue(
    Symbol.for("@opencx-effect/TransportDeadline/deadlines"),
    () => new WeakMap<object, { readonly millis: number; readonly reason: object }>()
  ),
  enforcesDeadlines: Symbol.for("@opencx-effect/TransportDeadline/enforcesDeadlines")
} as const

const liveClock = Context.get(DefaultServices.liveServices, Clock.Clock)

// ---------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------

interface Where {
  readonly method: string
  readonly url: string
  readonly cursor: string | null
  readonly notFound: OpenCxClient.Request["notFound"]
}

interface Raw {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly bytes: Uint8Array
}

const decodeErrorDto = Schema.decodeUnknownOption(ErrorDto)

/** `items[3].ticket_number` */
const formatPath = (path: ReadonlyArray<PropertyKey>) =>
  path.map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join("")

const isWrite = (method: OpenCxClient.Request["method"]) => method === "POST" || method === "PATCH"

/**
 * A write's error when the server may have acted on it: a timeout, a
 * connection broken once the request could have been sent, a 5xx (the
 * request reached a server, which may have applied it before failing).
 */
const markUnknownOutcome = (error: OpenCxError): OpenCxError => {
  switch (error._tag) {
    case "Timeout":
      return new Timeout({ ...error, outcomeUnknown: true })
    case "Transport":
      return error.requestSent === false ? error : new Transport({ ...error, outcomeUnknown: true })
    case "ServerError":
      return new ServerError({ ...error, outcomeUnknown: true })
    default:
      return error
  }
}

/**
 * The client's limiter: in this process, or over a shared store (given as
 * `rateLimit.store`, or as the `RateLimitStore` service in context), in a
 * namespace derived from a hash of the API key (never the key itself).
 */
const makeLimiter = (
  options: OpenCxClient.Options,
  apiKey: Redacted.Redacted<string>,
  timeout: Duration.Duration
): Effect.Effect<SharedLimiter.SharedLimiter> =>
  Effect.gen(function*() {
    const rateLimit: OpenCxClient.RateLimitOptions | false = options.rateLimit === undefined
      ? defaults.rateLimit
      : options.rateLimit
    const waiting = (until: number | null) => Metric.set(metrics.rateLimitWaitingUntil, until ?? 0)
    const waited = (millis: number) => Metric.incrementBy(metrics.rateLimitWaitMillis, millis)
    const fromContext = yield* Effect.serviceOption(RateLimitStore.RateLimitStore)
    const store = rateLimit === false ? undefined : rateLimit.store ?? Option.getOrUndefined(fromContext)
    if (rateLimit === false || store === undefined) {
      const local = yield* Limiter.make(rateLimit === false ? false : rateLimit, waiting, waited)
      return { withPermit: (effect) => local.withPermit(effect), pauseUntil: local.pauseUntil }
    }
    return yield* SharedLimiter.make({
      store,
      namespace: yield* namespaceOf(apiKey),
      limit: rateLimit.limit,
      interval: rateLimit.interval,
      // a request in flight longer than the timeout (and a margin) belongs to a process that died
      leaseMillis: Duration.toMillis(timeout) + 5_000,
      onStoreFailure: rateLimit.onStoreFailure ?? "fail",
      storeTimeout: rateLimit.storeTimeout ?? Duration.seconds(2),
      waiting,
      waited
    })
  })

/** a store's namespace for an API key: the first 32 hex digits of its SHA-256 */
const namespaceOf = (apiKey: Redacted.Redacted<string>): Effect.Effect<string> =>
  Effect.promise(async () => {
    const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(Redacted.value(apiKey)))
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 32)
  })

export const make = (
  options: OpenCxClient.Options
): Effect.Effect<OpenCxClient.Service, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const baseUrl = yield* checkBaseUrl(options.baseUrl ?? defaults.baseUrl, options.allowInsecureHttp === true)
    const apiKey = typeof options.apiKey === "string" ? Redacted.make(options.apiKey) : options.apiKey
    const scrub: Scrubber = scrubber([Redacted.value(apiKey)])
    const timeout = Duration.decode(options.timeout ?? defaults.timeout)
    const limiter = yield* makeLimiter(options, apiKey, timeout)

    const retry = options.retry
    const knobs = retry === false || retry === undefined || Schedule.isSchedule(retry) ? undefined : retry
    const maxRetryAfter = Duration.decode(knobs?.maxRetryAfter ?? defaults.retry.maxRetryAfter)
    const policyFor = (idempotent: boolean): Schedule.Schedule<unknown, OpenCxError> =>
      retry === false
        ? Schedule.stop
        : retry !== undefined && Schedule.isSchedule(retry)
        ? RetryPolicy.guard(retry, { maxRetryAfter, idempotent })
        : !idempotent && knobs?.retryWrites === false
        ? Schedule.stop
        : RetryPolicy.schedule({
          maxRetries: knobs?.maxRetries ?? defaults.retry.maxRetries,
          baseDelay: Duration.decode(knobs?.baseDelay ?? defaults.retry.baseDelay),
          maxDelay: Duration.decode(knobs?.maxDelay ?? defaults.retry.maxDelay),
          maxRetryAfter,
          rateLimitBudget: Duration.decode(knobs?.rateLimitBudget ?? defaults.retry.rateLimitBudget)
        }, { idempotent })
    const policies = { read: policyFor(true), write: policyFor(false) }

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

    const urlOf = (request: Pick<OpenCxClient.Request, "path" | "urlParams">) => {
      const search = request.urlParams === undefined ? "" : new URLSearchParams(request.urlParams).toString()
      return `${baseUrl}${request.path}${search === "" ? "" : `?${search}`}`
    }

    /** the response's request id, made safe to show */
    const requestIdOf = (raw: Raw): string | undefined => {
      const requestId = raw.headers["x-request-id"]
      return requestId === undefined ? undefined : serverText(scrub, oneLine(requestId), 200)
    }

    const commonOf = (raw: Raw, where: Where) => {
      const requestId = requestIdOf(raw)
      return {
        method: where.method,
        url: where.url,
        status: raw.status,
        ...(requestId === undefined ? {} : { requestId })
      }
    }

    const decodeFailure = (raw: Raw, where: Where, issue: string, path: ReadonlyArray<PropertyKey> = []) => {
      const itemIndex = path[0] === "items" && typeof path[1] === "number" ? path[1] : undefined
      return new Decode({
        ...commonOf(raw, where),
        cursor: where.cursor === null ? null : serverText(scrub, where.cursor, 500),
        path: serverText(scrub, oneLine(formatPath(path)), 500),
        issue: serverText(scrub, issue, 1000),
        ...(itemIndex === undefined ? {} : { itemIndex })
      })
    }

    /** a 2xx: its body decoded (the hot path: no Effect machinery) */
    const interpretSuccess = <A>(
      raw: Raw,
      where: Where,
      decode: OpenCxClient.Decoder<A>,
      emptyBody: boolean
    ): Either.Either<A, OpenCxError> => {
      let json: unknown = undefined
      if (raw.bytes.length === 0) {
        if (!emptyBody) return Either.left(decodeFailure(raw, where, "the response body is empty"))
      } else {
        const text = utf8(raw.bytes)
        if (text === undefined) {
          const body = describeBody(raw.bytes, raw.headers)
          return Either.left(
            decodeFailure(raw, where, `the body is not JSON text: ${body._tag === "Binary" ? body.description : "binary"}`)
          )
        }
        if (text.trim() === "") {
          if (!emptyBody) return Either.left(decodeFailure(raw, where, "the response body is empty"))
        } else {
          try {
            json = JSON.parse(text)
          } catch (error) {
            return Either.left(
              decodeFailure(
                raw,
                where,
                `the body is not valid JSON (${error instanceof Error ? error.message : String(error)}): ${
                  oneLine(text.slice(0, 300))
                }`
              )
            )
          }
        }
      }
      const decoded = decode(json)
      if (Either.isRight(decoded)) return Either.right(decoded.right)
      const issue = firstIssue(decoded.left)
      return Either.left(decodeFailure(raw, where, issue.message, issue.path))
    }

    /** a response that is not a 2xx: an ErrorDto, or what came, sanitised */
    const interpretError = (raw: Raw, where: Where, now: number): OpenCxError => {
      const status = raw.status
      const common = commonOf(raw, where)
      const shown = describeBody(raw.bytes, raw.headers)
      let details: { serverMessage?: string; serverError?: string; body?: string } = {}
      if (shown._tag === "Binary") {
        details = { body: shown.description }
      } else if (shown.text !== "") {
        let parsed: unknown = undefined
        try {
          parsed = JSON.parse(shown.text)
        } catch {
          parsed = undefined
        }
        const dto = parsed === undefined ? Option.none() : decodeErrorDto(parsed)
        details = Option.isSome(dto) && (dto.value.message !== undefined || dto.value.error !== undefined)
          ? {
            ...(dto.value.message === undefined ? {} : { serverMessage: serverText(scrub, dto.value.message) }),
            ...(dto.value.error === undefined ? {} : { serverError: serverText(scrub, dto.value.error, 200) })
          }
          : { body: serverText(scrub, shown.text) }
      }
      const hint = Hints.parse(raw.headers, now)
      const fields = { ...common, ...details, ...(Option.isSome(hint) ? { retryAfter: hint.value } : {}) }
      if (status === 429) return new RateLimited(fields)
      if (status === 401) return new Unauthorized(fields)
      if (status === 403) return new Forbidden(fields)
      if (status === 404 && where.notFound !== undefined) return new NotFound({ ...fields, ...where.notFound })
      if (status >= 500) return new ServerError(fields)
      if (status >= 300 && status < 400) {
        const location = raw.headers["location"]
        return new BadRequest({
          ...fields,
          serverMessage: `the API answered with a redirect${
            location === undefined ? "" : ` to ${serverText(scrub, oneLine(location), 300)}`
          }; redirects are not followed, so that the API key is never sent elsewhere`
        })
      }
      return new BadRequest(fields)
    }

    /** the transport stops an attempt at its deadline itself (see `TransportDeadline`) */
    const transportDeadlines = options.transformClient === undefined &&
      Predicate.hasProperty(httpClient, TransportDeadline.enforcesDeadlines)
    const timeoutMillis = Duration.toMillis(timeout)

    /**
     * the exchange and the body; `deadline`: the reason the transport fails them with when the
     * attempt's time is up, and the fiber its deadline is kept under, if the transport enforces it
     */
    const attemptExchange = (
      request: HttpClientRequest.HttpClientRequest,
      where: Where,
      deadline: { readonly reason: object; readonly fiber: object } | undefined
    ): Effect.Effect<Raw, OpenCxError> =>
      Effect.zipRight(
        Metric.increment(metrics.requests),
        Effect.flatMap(
          Effect.mapError(client.execute(request), (error): OpenCxError => {
            // the transport takes the deadline when it sends: a request that failed before leaves it
            if (deadline !== undefined) TransportDeadline.deadlines.delete(deadline.fiber)
            if (deadline !== undefined && causes(error).includes(deadline.reason)) {
              return new Timeout({ method: where.method, url: where.url, timeout })
            }
            const code = codeOf(error)
            return new Transport({
              method: where.method,
              url: where.url,
              reason: serverText(scrub, oneLine(describeCause(error)), 500),
              ...(code !== undefined && beforeSending.has(code) ? { requestSent: false } : {})
            })
          }),
          (response) => {
            const status = response.status
            const headers = response.headers
            return Effect.flatMap(
              Effect.mapError(response.arrayBuffer, (error): OpenCxError =>
                deadline !== undefined && causes(error).includes(deadline.reason)
                  ? new Timeout({ method: where.method, url: where.url, timeout })
                  : new Transport({
                    method: where.method,
                    url: where.url,
                    reason: serverText(scrub, oneLine(`the response body was cut short (${describeCause(error)})`), 500),
                    requestSent: true
                  })),
              (buffer) => {
                const raw: Raw = { status, headers, bytes: new Uint8Array(buffer) }
                return status === 429 ? Effect.as(rateLimited(headers), raw) : Effect.succeed(raw)
              }
            )
          }
        )
      )

    /** a 429's hint pauses every caller, before this request's slot is given back */
    const rateLimited = (headers: Readonly<Record<string, string>>): Effect.Effect<void> =>
      Effect.zipRight(
        Metric.increment(metrics.rateLimited),
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const hint = Hints.parse(headers, now)
          return Option.isSome(hint) && Duration.lessThanOrEqualTo(hint.value, maxRetryAfter)
            ? limiter.pauseUntil(now + Duration.toMillis(hint.value))
            : Effect.void
        })
      )

    /** one attempt, within a permit of the limiter: the exchange and the body, timed */
    const exchange = (request: HttpClientRequest.HttpClientRequest, where: Where): Effect.Effect<Raw, OpenCxError> => {
      const withTimeout = () =>
        Effect.timeoutFail(attemptExchange(request, where, undefined), {
          duration: timeout,
          onTimeout: () => new Timeout({ method: where.method, url: where.url, timeout })
        })
      if (!transportDeadlines) return withTimeout()
      return Effect.withFiberRuntime((fiber) => {
        if (Context.get(fiber.currentDefaultServices, Clock.Clock) !== liveClock) return withTimeout()
        // this attempt's own: a reason that comes back is this attempt's deadline
        const reason = { deadline: "OpenCxClient attempt timeout" }
        TransportDeadline.deadlines.set(fiber, { millis: timeoutMillis, reason })
        return attemptExchange(request, where, { reason, fiber })
      })
    }

    const executeResponse = <A>(
      spec: OpenCxClient.Request,
      decode: OpenCxClient.Decoder<A>,
      annotate?: (response: OpenCxClient.Response<A>) => Readonly<Record<string, unknown>>
    ): Effect.Effect<OpenCxClient.Response<A>, OpenCxError> => {
      // the URL, for errors and logs, is written out only when one needs it
      let url: string | undefined = undefined
      const where: Where = {
        method: spec.method,
        get url() {
          return url ??= urlOf(spec)
        },
        cursor: spec.cursor ?? null,
        notFound: spec.notFound
      }
      let request = HttpClientRequest.make(spec.method)(spec.path, spec.urlParams === undefined ? {} : { urlParams: spec.urlParams })
      if (spec.body !== undefined) request = HttpClientRequest.bodyUnsafeJson(request, spec.body)
      const idempotent = spec.idempotent ?? !isWrite(spec.method)
      const emptyBody = spec.emptyBody === true

      // the limiter's permit (it counts the time waited for it), the exchange, the response interpreted
      const attempt = Effect.flatMap(limiter.withPermit(exchange(request, where), where), (raw) => {
        if (raw.status >= 200 && raw.status < 300) {
          const result = interpretSuccess(raw, where, decode, emptyBody)
          return Either.isRight(result)
            ? Effect.succeed({ value: result.right, status: raw.status, requestId: requestIdOf(raw) })
            : Effect.fail(result.left)
        }
        return Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.fail(interpretError(raw, where, now)))
      })

      /** the retry policy of this request, with its logging and its gauge (built only when an attempt fails) */
      const policy = () =>
        (idempotent ? policies.read : policies.write).pipe(
          Schedule.tapInput((error: OpenCxError) =>
            RetryPolicy.isRetryable(error, idempotent)
              ? Effect.logDebug(`OpenCX ${where.method} ${escapeControls(where.url)} failed: ${error.message}`)
              : Effect.void
          ),
          // the wait before the retry (the last output, when the schedule stops, is no wait)
          Schedule.tapOutput((out: unknown) =>
            Effect.flatMap(Clock.currentTimeMillis, (now) => {
              const delay = Duration.isDuration(out) ? Duration.toMillis(out) : 0
              return Metric.set(metrics.retryWaitingUntil, delay > 0 ? now + delay : 0)
            })
          )
        )

      // the span of the request and its retries (Effect.withSpan, with the span at hand to annotate)
      return Effect.useSpan(spec.span?.name ?? "OpenCxClient.request", {
        attributes: spec.span?.attributes ?? { "http.request.method": spec.method, "opencx.path": spec.path },
        kind: "client",
        captureStackTrace: false
      }, (span) => {
        // attempts of this run of the request (the effect may be run more than once)
        let attempts = 0
        const counted = Effect.suspend(() => ++attempts > 1 ? Effect.zipRight(Metric.increment(metrics.retries), attempt) : attempt)
        // The hot path is one attempt that succeeds: the retry schedule and its driver are set up only
        // once an attempt has failed. The retry then starts from that failure (replayed once, not
        // sent again), so the schedule sees the same errors, in the same order, as
        // `Effect.retry(counted, policy)` would.
        const retried = Effect.catchAll(counted, (first) => {
          let replay: OpenCxError | undefined = first
          return Effect.retry(
            Effect.suspend(() => {
              if (replay === undefined) return counted
              const error = replay
              replay = undefined
              return Effect.fail(error)
            }),
            policy()
          )
        })
        return Effect.map(
          Effect.withParentSpan(idempotent ? retried : Effect.mapError(retried, markUnknownOutcome), span),
          (result) => {
            const response: OpenCxClient.Response<A> = { ...result, attempts }
            if (annotate !== undefined) {
              for (const [key, value] of Object.entries(annotate(response))) span.attribute(key, value)
            }
            return response
          }
        )
      })
    }

    return {
      baseUrl,
      urlOf,
      executeResponse,
      execute: (request, decode) => Effect.map(executeResponse(request, decode), (response) => response.value)
    } satisfies OpenCxClient.Service
  })
