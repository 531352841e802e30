/**
 * An in-memory OpenCX that speaks the real HTTP contract of
 * `GET /chat/sessions`: Bearer auth, the spec's query parameters, opaque
 * cursors, ErrorDto errors, an optional rate limit, and faults on demand.
 *
 * It is served three ways:
 * 1. `FakeOpenCx.app`: an `HttpApp`, platform-agnostic;
 * 2. `FakeOpenCx.layerHttpClient(options)`: an `HttpClient` that hands each
 *    request to the app in-process, in the caller's fiber (so `TestClock`
 *    drives its latency, rate windows and Retry-After dates);
 * 3. `NodeFakeOpenCx` in `@opencx-effect/platform-node`: a real HTTP server
 *    on 127.0.0.1.
 *
 * **Order and paging.** Sessions are served in a stable order: `created_at`
 * ascending, then `id` ascending. Pages hold `pageSize` sessions (25 by
 * default). Cursors are opaque and signed: they carry the position after the
 * last session served and a hash of the filters; a tampered cursor, one from
 * another fake (another `cursorSecret`) or one sent with other filters gets
 * 400. `next` is `null` on the last page. Paging is keyset paging, so
 * sessions added or updated during a walk never make another session appear
 * twice or go missing.
 *
 * **Filters.** `status` and `channel_type` match exactly. `handed_off=true`
 * matches sessions that were handed off to a human: those with a `handoff`
 * object or with `ai_closure_type: "handed_off"`; `handed_off=false` matches
 * the others. The date filters are exclusive bounds: `created_after=T`
 * matches `created_at > T`, `created_before=T` matches `created_at < T`, and
 * likewise for `updated_*`.
 *
 * **Order of checks.** Injected faults apply first (they model the network
 * and the edge), then auth (401), the rate limit (429), the query (400), the
 * cursor (400); page faults (an invalid item, an empty page with `next`, a
 * repeated cursor) alter a computed page. Every page is encoded with the
 * strict Schemas, so what the fake serves is spec-valid unless a fault says
 * otherwise.
 *
 * @since 0.1.0
 */
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { ChatSessionStrict, ListChatSessionsOutputStrict } from "./ChatSession.js"
import * as FakeCursor from "./internal/fake/cursor.js"
import { firstIssue } from "./internal/schema/issues.js"
import { makeGenerated, mix, prng } from "./internal/fake/data.js"
import * as FakeStore from "./internal/fake/store.js"
import * as ListChatSessionsParams from "./ListChatSessionsParams.js"

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
  /** Any status, content type and body text. */
  Body: { readonly status: number; readonly contentType: string; readonly body: string }
  /** The page, with one item that breaks the schema (`ticket_number` as a string). */
  InvalidItem: { readonly index?: number | undefined }
  /** No items, and a non-null `next` that resumes at the same position. */
  EmptyPageWithNext: {}
  /** The page, with `next` equal to the cursor just used (requests that carry a cursor only). */
  RepeatCursor: {}
  /** The status line, headers and part of the body, then the connection breaks. */
  ConnectionReset: {}
  /** The request is accepted and never answered. */
  NoResponse: {}
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
  body: (status: number, body: string, contentType = "application/json"): Fault =>
    FaultCtor.Body({ status, body, contentType }),
  invalidItem: (index?: number): Fault => FaultCtor.InvalidItem({ index }),
  emptyPageWithNext: FaultCtor.EmptyPageWithNext(),
  repeatCursor: FaultCtor.RepeatCursor(),
  connectionReset: FaultCtor.ConnectionReset(),
  noResponse: FaultCtor.NoResponse(),
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

// ---------------------------------------------------------------------------
// The request log
// ---------------------------------------------------------------------------

/**
 * A request the fake received. The `authorization` header is redacted.
 *
 * @since 0.1.0
 * @category models
 */
export interface LoggedRequest {
  readonly number: number
  readonly method: string
  /** path and query string */
  readonly url: string
  readonly query: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string>>
  /** epoch milliseconds, from the fake's `Clock` */
  readonly arrivedAt: number
  /** epoch milliseconds when the response was sent, or the request ended */
  readonly endedAt: number
  /** the status sent, if any */
  readonly status: number | undefined
  /** `responded`; `reset` (the connection was broken on purpose); `aborted` (the client went away first) */
  readonly outcome: "responded" | "reset" | "aborted"
  /** the fault applied, if any */
  readonly fault: Fault["_tag"] | undefined
}

// ---------------------------------------------------------------------------
// Connection control (how a transport breaks a connection)
// ---------------------------------------------------------------------------

/**
 * How the transport serving the app breaks a connection after part of a
 * response. In-process, the body stream fails after the first bytes; the
 * Node server replaces it to destroy the socket.
 *
 * @since 0.1.0
 * @category connection
 */
export class ConnectionControl extends Context.Reference<ConnectionControl>()(
  "@opencx-effect/core/FakeOpenCx/ConnectionControl",
  {
    defaultValue: (): {
      readonly reset: (
        request: HttpServerRequest.HttpServerRequest,
        response: { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly partialBody: string }
      ) => Effect.Effect<HttpServerResponse.HttpServerResponse>
    } => ({
      reset: (_request, response) =>
        Effect.succeed(
          HttpServerResponse.stream(
            Stream.concat(
              Stream.make(new TextEncoder().encode(response.partialBody)),
              Stream.fail(new Error("connection reset by FakeOpenCx"))
            ),
            { status: response.status, headers: response.headers, contentType: "application/json" }
          )
        )
    })
  }
) {}

// ---------------------------------------------------------------------------
// Options and service
// ---------------------------------------------------------------------------

/**
 * How to fill the store with generated sessions.
 *
 * @since 0.1.0
 * @category models
 */
export interface GenerateOptions {
  readonly count: number
  /** default 1 */
  readonly seed?: number | undefined
  /** created_at of the first session (default 2024-01-01T00:00:00Z) */
  readonly from?: DateTime.DateTime.Input | undefined
  /** created_at of the last session, roughly (default 2026-01-01T00:00:00Z) */
  readonly to?: DateTime.DateTime.Input | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** sessions to serve, given explicitly */
  readonly sessions?: Iterable<ChatSessionStrict> | undefined
  /** sessions to generate; default `{ count: 100, seed: 1 }` when `sessions` is not given */
  readonly generate?: GenerateOptions | undefined
  /** the Bearer token the fake accepts (default `"opencx-fake-key"`) */
  readonly apiKey?: string | Redacted.Redacted<string> | undefined
  /** sessions per page (default 25) */
  readonly pageSize?: number | undefined
  /** enforce at most `limit` requests per sliding `window` per token (default: off) */
  readonly rateLimit?: { readonly limit: number; readonly window: Duration.DurationInput } | false | undefined
  /** latency added to every response */
  readonly latency?: Duration.DurationInput | undefined
  /** scripted faults */
  readonly faults?: ReadonlyArray<FaultRule> | undefined
  /** the secret that signs cursors (default: derived from the seed, so a restarted fake accepts its cursors) */
  readonly cursorSecret?: string | undefined
  /** how many requests the log keeps, newest last (default 10,000) */
  readonly logLimit?: number | undefined
}

/**
 * The fake's default token.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultApiKey = "opencx-fake-key"

/**
 * The running fake.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** the app serving `GET /chat/sessions` */
  readonly app: HttpApp.Default
  /** the token the fake accepts */
  readonly apiKey: Redacted.Redacted<string>
  readonly pageSize: number
  /** the requests received so far, in arrival order */
  readonly requests: Effect.Effect<ReadonlyArray<LoggedRequest>>
  readonly clearRequests: Effect.Effect<void>
  /** every session in the store, in serving order */
  readonly sessions: Effect.Effect<ReadonlyArray<ChatSessionStrict>>
  readonly count: Effect.Effect<number>
  readonly get: (id: string) => Effect.Effect<Option.Option<ChatSessionStrict>>
  /** adds sessions, or replaces those with the same id; each is checked with the strict Schema */
  readonly upsert: (...sessions: ReadonlyArray<ChatSessionStrict>) => Effect.Effect<void, ParseResult.ParseError>
  readonly remove: (...ids: ReadonlyArray<string>) => Effect.Effect<void>
  /** applies `f` to a session (a no-op when there is none) */
  readonly update: (
    id: string,
    f: (session: ChatSessionStrict) => ChatSessionStrict
  ) => Effect.Effect<void, ParseResult.ParseError>
  readonly addFaults: (...rules: ReadonlyArray<FaultRule>) => Effect.Effect<void>
  readonly clearFaults: Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class FakeOpenCx extends Context.Tag("@opencx-effect/core/FakeOpenCx")<FakeOpenCx, Service>() {}

// ---------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------

const reasons: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported"
}

const reason = (status: number) => reasons[status] ?? "Error"

const encodePage = Schema.encode(ListChatSessionsOutputStrict)
const validateSession = Schema.encode(ChatSessionStrict)

const startKey: FakeStore.Key = { created: -8.64e15, id: "" }

interface ActiveRule {
  readonly rule: FaultRule
  readonly remaining: number
}

interface Reply {
  readonly response: HttpServerResponse.HttpServerResponse
  readonly status: number | undefined
  readonly outcome: LoggedRequest["outcome"]
  readonly fault: Fault["_tag"] | undefined
}

const defaultFrom = Date.parse("2024-01-01T00:00:00Z")
const defaultTo = Date.parse("2026-01-01T00:00:00Z")

const toMillis = (input: DateTime.DateTime.Input | undefined, fallback: number): number =>
  input === undefined ? fallback : DateTime.toEpochMillis(DateTime.unsafeMake(input))

/**
 * Builds a fake: its store, log, faults and app.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, ParseResult.ParseError> =>
  Effect.gen(function*() {
    const explicit = options.sessions === undefined ? [] : [...options.sessions]
    for (const session of explicit) yield* validateSession(session)
    const generate = options.generate ?? (options.sessions === undefined ? { count: 100, seed: 1 } : undefined)
    const generated = generate === undefined ? undefined : makeGenerated({
      count: generate.count,
      seed: generate.seed ?? 1,
      from: toMillis(generate.from, defaultFrom),
      to: toMillis(generate.to, defaultTo)
    })
    const store = yield* Ref.make(FakeStore.make({ generated, sessions: explicit }))
    const apiKey = options.apiKey === undefined
      ? Redacted.make(defaultApiKey)
      : Redacted.isRedacted(options.apiKey)
      ? options.apiKey
      : Redacted.make(options.apiKey)
    const pageSize = Math.max(1, Math.floor(options.pageSize ?? 25))
    const secret = options.cursorSecret ?? `opencx-fake:${generated?.seed ?? 0}`
    const logLimit = Math.max(1, options.logLimit ?? 10_000)
    const counter = yield* Ref.make(0)
    const log = yield* Ref.make<ReadonlyArray<LoggedRequest>>([])
    const rules = yield* Ref.make<ReadonlyArray<ActiveRule>>(
      (options.faults ?? []).map((rule) => ({ rule, remaining: rule.times ?? Infinity }))
    )
    const windows = yield* Ref.make<ReadonlyMap<string, ReadonlyArray<number>>>(new Map())
    const rateLimit = options.rateLimit === undefined || options.rateLimit === false
      ? undefined
      : { limit: options.rateLimit.limit, window: Duration.toMillis(options.rateLimit.window) }
    const baseLatency = options.latency === undefined ? undefined : Duration.decode(options.latency)

    const errorBody = (status: number, message: string) =>
      JSON.stringify({ statusCode: status, message, error: reason(status) })

    const json = (status: number, body: string, headers: Record<string, string>) =>
      HttpServerResponse.text(body, { status, headers, contentType: "application/json" })

    const error = (status: number, message: string, headers: Record<string, string>) =>
      json(status, errorBody(status, message), headers)

    /** the faults that apply to this request, consuming their `times` */
    const takeFaults = (request: FaultRequest) =>
      Ref.modify(rules, (active) => {
        const fired: Array<Fault> = []
        const next = active.map((entry) => {
          if (entry.remaining <= 0) return entry
          const { when } = entry.rule
          const applies = typeof when === "number"
            ? when === request.number
            : typeof when === "function"
            ? when(request)
            : when.includes(request.number)
          if (!applies) return entry
          fired.push(entry.rule.fault)
          return { ...entry, remaining: entry.remaining - 1 }
        })
        return [fired, next] as const
      })

    /** admits a request under the sliding window, or says how long until a slot frees */
    const admit = (token: string, now: number) =>
      rateLimit === undefined ? Effect.succeed(Option.none<number>()) : Ref.modify(windows, (all) => {
        const recent = (all.get(token) ?? []).filter((t) => t > now - rateLimit.window)
        const next = new Map(all)
        if (recent.length >= rateLimit.limit) {
          next.set(token, recent)
          const waitMillis = recent[0]! + rateLimit.window - now
          return [Option.some(waitMillis), next] as const
        }
        next.set(token, [...recent, now])
        return [Option.none<number>(), next] as const
      })

    const retryAfterHeader = (retryAfter: RetryAfter | undefined, now: number): Record<string, string> => {
      if (retryAfter === undefined) return {}
      return retryAfter._tag === "Seconds"
        ? { "retry-after": String(retryAfter.seconds) }
        : { "retry-after": new Date(now + Duration.toMillis(retryAfter.after)).toUTCString() }
    }

    const badRequest = (message: string, headers: Record<string, string>): Reply => ({
      response: error(400, message, headers),
      status: 400,
      outcome: "responded",
      fault: undefined
    })

    const describeParseError = (e: ParseResult.ParseError): string => {
      const issue = firstIssue(e)
      const name = issue.path[0]
      return name === undefined
        ? `Invalid query: ${issue.message}`
        : `Invalid query parameter "${String(name)}": ${issue.message}`
    }

    const handle = (
      request: HttpServerRequest.HttpServerRequest,
      number: number,
      arrivedAt: number,
      url: URL,
      query: Readonly<Record<string, string>>,
      duplicate: string | undefined,
      broken: Ref.Ref<boolean>
    ): Effect.Effect<Reply> =>
      Effect.gen(function*() {
        const headers: Record<string, string> = { "x-request-id": `fake-${number}` }
        if (url.pathname !== "/chat/sessions") {
          return {
            response: error(404, `Cannot ${request.method} ${url.pathname}`, headers),
            status: 404,
            outcome: "responded",
            fault: undefined
          }
        }
        if (request.method !== "GET") {
          return {
            response: error(405, `Method ${request.method} is not allowed on /chat/sessions`, {
              ...headers,
              allow: "GET"
            }),
            status: 405,
            outcome: "responded",
            fault: undefined
          }
        }
        const faults = yield* takeFaults({
          number,
          method: request.method,
          path: url.pathname,
          query,
          cursor: query.cursor,
          arrivedAt
        })
        let delay = baseLatency ?? Duration.zero
        for (const f of faults) if (f._tag === "Latency") delay = Duration.sum(delay, f.delay)
        if (Duration.greaterThan(delay, Duration.zero)) yield* Effect.sleep(delay)
        const fault = faults.find((f) => f._tag !== "Latency")
        const now = yield* Clock.currentTimeMillis

        // faults of the network and the edge
        if (fault !== undefined) {
          switch (fault._tag) {
            case "Status":
              return {
                response: error(fault.status, fault.message ?? reason(fault.status), {
                  ...headers,
                  ...retryAfterHeader(fault.retryAfter, now),
                  ...fault.headers
                }),
                status: fault.status,
                outcome: "responded",
                fault: fault._tag
              }
            case "Html":
              return {
                response: HttpServerResponse.text(
                  `<!DOCTYPE html>\n<html><head><title>${fault.status} ${
                    reason(fault.status)
                  }</title></head><body><center><h1>${fault.status} ${
                    reason(fault.status)
                  }</h1></center><hr><center>cloudflare</center></body></html>\n`,
                  { status: fault.status, headers, contentType: "text/html; charset=utf-8" }
                ),
                status: fault.status,
                outcome: "responded",
                fault: fault._tag
              }
            case "EmptyBody":
              return {
                response: HttpServerResponse.empty({ status: fault.status, headers }),
                status: fault.status,
                outcome: "responded",
                fault: fault._tag
              }
            case "Body":
              return {
                response: HttpServerResponse.text(fault.body, {
                  status: fault.status,
                  headers,
                  contentType: fault.contentType
                }),
                status: fault.status,
                outcome: "responded",
                fault: fault._tag
              }
            case "NoResponse":
              return yield* Effect.never
          }
        }

        // auth
        const authorization = request.headers["authorization"] ?? ""
        const match = /^Bearer\s+(.+)$/i.exec(authorization)
        if (match === null || match[1] !== Redacted.value(apiKey)) {
          return {
            response: error(401, "Unauthorized", headers),
            status: 401,
            outcome: "responded",
            fault: undefined
          }
        }
        const token = match[1]

        // rate limit
        const wait = yield* admit(token, now)
        if (Option.isSome(wait)) {
          const seconds = Math.max(1, Math.ceil(wait.value / 1000))
          return {
            response: error(429, `Rate limit exceeded, retry in ${seconds} seconds`, {
              ...headers,
              "retry-after": String(seconds)
            }),
            status: 429,
            outcome: "responded",
            fault: undefined
          }
        }

        // the query
        if (duplicate !== undefined) {
          return badRequest(`Invalid query parameter "${duplicate}": given more than once`, headers)
        }
        const decoded = yield* Effect.either(ListChatSessionsParams.fromUrlParams(query))
        if (Either.isLeft(decoded)) return badRequest(describeParseError(decoded.left), headers)
        const params = decoded.right
        const urlParams = yield* Effect.orDie(ListChatSessionsParams.encodeUrlParams(params))
        const canonical = Object.keys(urlParams).filter((k) => k !== "cursor").sort().map((k) =>
          `${k}=${urlParams[k]}`
        ).join("&")
        const filters = FakeCursor.filtersHash(secret, canonical)

        // the cursor
        let after: FakeStore.Key | undefined
        if (params.cursor !== undefined) {
          const cursor = FakeCursor.decode(secret, params.cursor, filters)
          if (Either.isLeft(cursor)) {
            return badRequest(
              cursor.left === "other-filters"
                ? `Invalid query parameter "cursor": it was issued for other filters; send the same filters with every cursor`
                : `Invalid query parameter "cursor": not a cursor this server issued`,
              headers
            )
          }
          after = cursor.right.key
        }

        // the page
        const current = yield* Ref.get(store)
        const filter: FakeStore.Filter = {
          status: params.status,
          channel: params.channel_type,
          handedOff: params.handed_off,
          createdAfter: params.created_after === undefined ? undefined : DateTime.toEpochMillis(params.created_after),
          createdBefore: params.created_before === undefined ? undefined : DateTime.toEpochMillis(params.created_before),
          updatedAfter: params.updated_after === undefined ? undefined : DateTime.toEpochMillis(params.updated_after),
          updatedBefore: params.updated_before === undefined ? undefined : DateTime.toEpochMillis(params.updated_before)
        }

        if (fault?._tag === "EmptyPageWithNext") {
          const next = FakeCursor.encode(secret, { key: after ?? startKey, filters, nonce: number })
          return {
            response: json(200, JSON.stringify({ items: [], next }), headers),
            status: 200,
            outcome: "responded",
            fault: fault._tag
          }
        }

        const page = FakeStore.page(current, after, filter, pageSize)
        let next = page.next === undefined ? null : FakeCursor.encode(secret, { key: page.next, filters })
        if (fault?._tag === "RepeatCursor" && params.cursor !== undefined) next = params.cursor
        const encoded = yield* Effect.either(encodePage({ items: page.items, next }))
        if (Either.isLeft(encoded)) {
          return {
            response: error(500, `FakeOpenCx holds a session that breaks the spec: ${encoded.left.message}`, headers),
            status: 500,
            outcome: "responded",
            fault: undefined
          }
        }
        let body: unknown = encoded.right
        if (fault?._tag === "InvalidItem") {
          const items = encoded.right.items
          const index = Math.min(Math.max(0, fault.index ?? Math.floor(items.length / 2)), Math.max(0, items.length - 1))
          const broken = { ...(items[index] ?? { id: "broken" }), ticket_number: "not-a-number" }
          body = {
            ...encoded.right,
            items: items.length === 0 ? [broken] : items.map((item, k) => (k === index ? broken : item))
          }
        }
        const text = JSON.stringify(body)
        if (fault?._tag === "MalformedJson") {
          return {
            response: json(200, text.slice(0, Math.max(1, Math.floor(text.length / 2))), headers),
            status: 200,
            outcome: "responded",
            fault: fault._tag
          }
        }
        if (fault?._tag === "ConnectionReset") {
          const control = yield* ConnectionControl
          yield* Ref.set(broken, true)
          const response = yield* control.reset(request, {
            status: 200,
            headers: { ...headers, "content-type": "application/json", "content-length": String(text.length) },
            partialBody: text.slice(0, Math.max(1, Math.floor(text.length / 3)))
          })
          return { response, status: 200, outcome: "reset", fault: fault._tag }
        }
        return {
          response: json(200, text, headers),
          status: 200,
          outcome: "responded",
          fault: fault?._tag
        }
      })

    const record = (entry: LoggedRequest) =>
      Ref.update(log, (entries) => {
        const next = [...entries, entry]
        return next.length > logLimit ? next.slice(next.length - logLimit) : next
      })

    const app: HttpApp.Default = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const arrivedAt = yield* Clock.currentTimeMillis
      const number = yield* Ref.updateAndGet(counter, (n) => n + 1)
      const url = new URL(request.url, "http://fake.opencx.local")
      const query: Record<string, string> = {}
      let duplicate: string | undefined
      for (const [key, value] of url.searchParams) {
        if (key in query) duplicate ??= key
        query[key] = value
      }
      const loggedHeaders: Record<string, string> = {}
      for (const [key, value] of Object.entries(request.headers)) {
        loggedHeaders[key] = key === "authorization" ? "<redacted>" : value
      }
      const base = {
        number,
        method: request.method,
        url: url.pathname + url.search,
        query,
        headers: loggedHeaders,
        arrivedAt
      }
      // set when the connection is broken on purpose, so that the log says "reset", not "aborted"
      const broken = yield* Ref.make(false)
      return yield* handle(request, number, arrivedAt, url, query, duplicate, broken).pipe(
        // servers run apps uninterruptibly; a client that goes away must still end a hanging request
        Effect.interruptible,
        Effect.catchAllDefect((defect) =>
          Effect.succeed<Reply>({
            response: error(500, `FakeOpenCx failed: ${String(defect)}`, { "x-request-id": `fake-${number}` }),
            status: 500,
            outcome: "responded",
            fault: undefined
          })
        ),
        Effect.onExit((exit) =>
          Effect.flatMap(Effect.zip(Clock.currentTimeMillis, Ref.get(broken)), ([endedAt, wasBroken]) =>
            record(
              Exit.isSuccess(exit)
                ? { ...base, endedAt, status: exit.value.status, outcome: exit.value.outcome, fault: exit.value.fault }
                : wasBroken
                ? { ...base, endedAt, status: 200, outcome: "reset", fault: "ConnectionReset" }
                : { ...base, endedAt, status: undefined, outcome: "aborted", fault: undefined }
            ))
        ),
        Effect.map((reply) => reply.response)
      )
    })

    const service: Service = {
      app,
      apiKey,
      pageSize,
      requests: Effect.map(Ref.get(log), (entries) => [...entries].sort((a, b) => a.number - b.number)),
      clearRequests: Ref.set(log, []),
      sessions: Effect.map(Ref.get(store), FakeStore.all),
      count: Effect.map(Ref.get(store), FakeStore.size),
      get: (id) => Effect.map(Ref.get(store), (s) => Option.fromNullable(FakeStore.get(s, id))),
      upsert: (...sessions) =>
        Effect.gen(function*() {
          for (const session of sessions) yield* validateSession(session)
          yield* Ref.update(store, (s) => sessions.reduce(FakeStore.upsert, s))
        }),
      remove: (...ids) => Ref.update(store, (s) => ids.reduce(FakeStore.remove, s)),
      update: (id, f) =>
        Effect.gen(function*() {
          const current = FakeStore.get(yield* Ref.get(store), id)
          if (current === undefined) return
          const next = f(current)
          yield* validateSession(next)
          yield* Ref.update(store, (s) => FakeStore.upsert(FakeStore.remove(s, id), next))
        }),
      addFaults: (...added) =>
        Ref.update(rules, (active) => [...active, ...added.map((rule) => ({ rule, remaining: rule.times ?? Infinity }))]),
      clearFaults: Ref.set(rules, [])
    }
    return service
  })

/**
 * A fake as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<FakeOpenCx, ParseResult.ParseError> =>
  Layer.effect(FakeOpenCx, make(options))

/**
 * An `HttpClient` that hands every request to the fake's app in-process, in
 * the caller's fiber: whatever the URL's origin, the path and query decide.
 * Interrupting the request interrupts the app.
 *
 * @since 0.1.0
 * @category constructors
 */
export const httpClient = (fake: Service): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const web = new globalThis.Request(url.toString(), {
        method: request.method,
        headers: new globalThis.Headers(Object.entries(request.headers))
      })
      const response = yield* Effect.provideService(
        fake.app,
        HttpServerRequest.HttpServerRequest,
        HttpServerRequest.fromWeb(web)
      )
      return HttpClientResponse.fromWeb(request, HttpServerResponse.toWeb(response))
    }).pipe(
      Effect.catchAllCause((cause) =>
        Cause.isInterruptedOnly(cause)
          ? Effect.failCause(cause)
          : Effect.fail(
            new HttpClientError.RequestError({
              request,
              reason: "Transport",
              cause: Cause.squash(cause),
              description: "FakeOpenCx failed to answer"
            })
          )
      )
    )
  )

/**
 * A fake and an `HttpClient` over it, in-process: the whole OpenCX HTTP
 * contract with no socket.
 *
 * @example
 * ```ts
 * import { FakeOpenCx } from "@opencx-effect/core"
 * import { HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* HttpClient.HttpClient
 *   const response = yield* client.get("https://api.open.cx/chat/sessions", {
 *     headers: { authorization: `Bearer ${FakeOpenCx.defaultApiKey}` }
 *   })
 *   return yield* response.json
 * }).pipe(Effect.provide(FakeOpenCx.layerHttpClient({ generate: { count: 10 } })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpClient = (
  options: Options = {}
): Layer.Layer<HttpClient.HttpClient | FakeOpenCx, ParseResult.ParseError> =>
  Layer.effectContext(
    Effect.map(make(options), (fake) =>
      Context.make(FakeOpenCx, fake).pipe(Context.add(HttpClient.HttpClient, httpClient(fake))))
  )
