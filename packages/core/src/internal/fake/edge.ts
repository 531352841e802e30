/**
 * FakeOpenCx's edge: what every route of the fake shares, in front of its
 * route table. In order, for each request:
 *
 * 1. the route: an unknown path is 404, a known path with another method
 *    405 (with `allow`);
 * 2. the faults that fire on this request (they model the network and the
 *    edge: latency, a status, an HTML page, an empty or free-form body, no
 *    response at all);
 * 3. Bearer auth (401), then the per-token sliding-window rate limit (429
 *    with `Retry-After`);
 * 4. the query (a parameter given twice is 400) and the JSON body of a
 *    write (400 when it is not JSON);
 * 5. the route itself, which may apply a page fault (an invalid item, an
 *    empty page with `next`, a repeated cursor);
 * 6. the faults that come after the request was handled (a write applied):
 *    a stall before the answer, another status instead of it, JSON cut in
 *    half, or the connection reset after part of the body;
 *
 * and every request is logged (headers with `authorization` redacted, the
 * body of a write with the token redacted), with its outcome.
 *
 * @internal
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type { Fault, FaultRequest, FaultRule, RetryAfter } from "./faults.js"
import * as Http from "./http.js"

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
  /** the JSON body of a write, as received (the token redacted wherever it appears); absent for reads */
  readonly body?: unknown
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
        response: {
          readonly status: number
          readonly headers: Readonly<Record<string, string>>
          readonly partialBody: string | Uint8Array
        }
      ) => Effect.Effect<HttpServerResponse.HttpServerResponse>
    } => ({
      reset: (_request, response) =>
        Effect.succeed(
          HttpServerResponse.stream(
            Stream.concat(
              Stream.make(
                typeof response.partialBody === "string" ? new TextEncoder().encode(response.partialBody) : response.partialBody
              ),
              Stream.fail(new Error("connection reset by FakeOpenCx"))
            ),
            { status: response.status, headers: response.headers, contentType: "application/json" }
          )
        )
    })
  }
) {}

// ---------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------

/** What a route sees of a request that passed the edge. */
export interface RouteInput {
  readonly request: HttpServerRequest.HttpServerRequest
  readonly number: number
  readonly url: URL
  readonly query: Readonly<Record<string, string>>
  /** the path's parameters (`:session_id`), decoded */
  readonly params: Readonly<Record<string, string>>
  /** the JSON body of a write (`undefined` when there is none) */
  readonly body: unknown
  /** a fault for the route to apply itself (a page fault), when one fired */
  readonly fault: Fault | undefined
  /** epoch milliseconds, from the fake's `Clock` */
  readonly now: number
}

/** A route: a method, a path pattern such as `/chat/sessions/:session_id/history`, and its handler. */
export interface Route {
  readonly method: string
  readonly pattern: string
  readonly handle: (input: RouteInput) => Effect.Effect<Http.Reply>
}

type Match =
  | { readonly _tag: "Found"; readonly route: Route; readonly params: Readonly<Record<string, string>> }
  | { readonly _tag: "MethodNotAllowed"; readonly allow: ReadonlyArray<string> }
  | { readonly _tag: "NotFound" }

const matchPattern = (pattern: string, path: string): Readonly<Record<string, string>> | undefined => {
  const expected = pattern.split("/")
  const actual = path.split("/")
  if (expected.length !== actual.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < expected.length; i++) {
    const part = expected[i]!
    const segment = actual[i]!
    if (part.startsWith(":")) {
      if (segment === "") return undefined
      try {
        params[part.slice(1)] = decodeURIComponent(segment)
      } catch {
        return undefined
      }
    } else if (part !== segment) return undefined
  }
  return params
}

const matchRoute = (routes: ReadonlyArray<Route>, method: string, path: string): Match => {
  const allow: Array<string> = []
  for (const route of routes) {
    const params = matchPattern(route.pattern, path)
    if (params === undefined) continue
    if (route.method === method) return { _tag: "Found", route, params }
    allow.push(route.method)
  }
  return allow.length > 0 ? { _tag: "MethodNotAllowed", allow } : { _tag: "NotFound" }
}

// ---------------------------------------------------------------------------
// The edge
// ---------------------------------------------------------------------------

export interface EdgeOptions {
  readonly apiKey: Redacted.Redacted<string>
  /** at most `limit` requests per sliding `window` (milliseconds) per token */
  readonly rateLimit: { readonly limit: number; readonly window: number } | undefined
  readonly latency: Duration.Duration | undefined
  readonly faults: ReadonlyArray<FaultRule>
  readonly logLimit: number
  readonly routes: ReadonlyArray<Route>
}

export interface Edge {
  readonly app: HttpApp.Default
  readonly requests: Effect.Effect<ReadonlyArray<LoggedRequest>>
  readonly clearRequests: Effect.Effect<void>
  readonly addFaults: (...rules: ReadonlyArray<FaultRule>) => Effect.Effect<void>
  readonly clearFaults: Effect.Effect<void>
}

interface ActiveRule {
  readonly rule: FaultRule
  readonly remaining: number
}

/** a reply with what the log says of it */
interface Outcome {
  readonly response: HttpServerResponse.HttpServerResponse
  readonly status: number | undefined
  readonly outcome: LoggedRequest["outcome"]
  readonly fault: Fault["_tag"] | undefined
}

/** faults the edge answers with, before auth */
const isNetworkFault = (fault: Fault): boolean =>
  fault._tag === "Status" || fault._tag === "Html" || fault._tag === "EmptyBody" || fault._tag === "Body" ||
  fault._tag === "NoResponse"

const hasBody = (method: string) => method === "POST" || method === "PATCH" || method === "PUT"

/** replaces the token wherever it appears in a JSON value (for the log) */
const redactIn = (value: unknown, token: string): unknown => {
  if (token.length < 4) return value
  const text = JSON.stringify(value)
  return text === undefined || !text.includes(token) ? value : JSON.parse(text.split(token).join("<redacted>"))
}

const toResponse = (reply: Http.Reply): HttpServerResponse.HttpServerResponse =>
  reply.body.length === 0
    ? HttpServerResponse.empty({ status: reply.status, headers: reply.headers })
    : typeof reply.body === "string"
    ? HttpServerResponse.text(reply.body, { status: reply.status, headers: reply.headers, contentType: reply.contentType })
    : HttpServerResponse.uint8Array(reply.body, { status: reply.status, headers: reply.headers, contentType: reply.contentType })

/** the first `fraction` of a body */
const cut = (body: string | Uint8Array, fraction: number): string | Uint8Array =>
  body.slice(0, Math.max(1, Math.floor(body.length * fraction)))

const byteLength = (body: string | Uint8Array) =>
  typeof body === "string" ? new TextEncoder().encode(body).length : body.length

const retryAfterHeader = (retryAfter: RetryAfter | undefined, now: number): Record<string, string> => {
  if (retryAfter === undefined) return {}
  return retryAfter._tag === "Seconds"
    ? { "retry-after": String(retryAfter.seconds) }
    : { "retry-after": new Date(now + Duration.toMillis(retryAfter.after)).toUTCString() }
}

const htmlPage = (status: number) =>
  `<!DOCTYPE html>\n<html><head><title>${status} ${Http.reason(status)}</title></head><body><center><h1>${status} ${
    Http.reason(status)
  }</h1></center><hr><center>cloudflare</center></body></html>\n`

export const make = (options: EdgeOptions): Effect.Effect<Edge> =>
  Effect.gen(function*() {
    const counter = yield* Ref.make(0)
    const log = yield* Ref.make<ReadonlyArray<LoggedRequest>>([])
    const rules = yield* Ref.make<ReadonlyArray<ActiveRule>>(
      options.faults.map((rule) => ({ rule, remaining: rule.times ?? Infinity }))
    )
    const windows = yield* Ref.make<ReadonlyMap<string, ReadonlyArray<number>>>(new Map())
    const token = Redacted.value(options.apiKey)
    const rateLimit = options.rateLimit

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
    const admit = (bearer: string, now: number) =>
      rateLimit === undefined ? Effect.succeed(Option.none<number>()) : Ref.modify(windows, (all) => {
        const recent = (all.get(bearer) ?? []).filter((t) => t > now - rateLimit.window)
        const next = new Map(all)
        if (recent.length >= rateLimit.limit) {
          next.set(bearer, recent)
          return [Option.some(recent[0]! + rateLimit.window - now), next] as const
        }
        next.set(bearer, [...recent, now])
        return [Option.none<number>(), next] as const
      })

    const answer = (reply: Http.Reply, fault: Fault["_tag"] | undefined): Outcome => ({
      response: toResponse(reply),
      status: reply.status,
      outcome: "responded",
      fault
    })

    const handle = (input: {
      readonly request: HttpServerRequest.HttpServerRequest
      readonly number: number
      readonly arrivedAt: number
      readonly url: URL
      readonly query: Readonly<Record<string, string>>
      readonly duplicate: string | undefined
      readonly body: Ref.Ref<unknown>
      readonly broken: Ref.Ref<boolean>
    }): Effect.Effect<Outcome> =>
      Effect.gen(function*() {
        const { number, query, request, url } = input
        const headers: Record<string, string> = { "x-request-id": `fake-${number}` }
        const withId = (reply: Http.Reply): Http.Reply => ({ ...reply, headers: { ...headers, ...reply.headers } })

        // 1. the route
        const match = matchRoute(options.routes, request.method, url.pathname)
        if (match._tag === "NotFound") return answer(withId(Http.notFound(`Cannot ${request.method} ${url.pathname}`)), undefined)
        if (match._tag === "MethodNotAllowed") {
          const reply = Http.error(405, `Method ${request.method} is not allowed on ${url.pathname}`, {
            allow: match.allow.join(", ")
          })
          return answer(withId(reply), undefined)
        }

        // 2. the faults of the network and the edge
        const faults = yield* takeFaults({
          number,
          method: request.method,
          path: url.pathname,
          query,
          cursor: query.cursor,
          arrivedAt: input.arrivedAt
        })
        let delay = options.latency ?? Duration.zero
        for (const f of faults) if (f._tag === "Latency") delay = Duration.sum(delay, f.delay)
        if (Duration.greaterThan(delay, Duration.zero)) yield* Effect.sleep(delay)
        const fault = faults.find((f) => f._tag !== "Latency")
        const now = yield* Clock.currentTimeMillis
        if (fault !== undefined && isNetworkFault(fault)) {
          switch (fault._tag) {
            case "Status":
              return answer(
                withId(
                  Http.error(fault.status, fault.message ?? Http.reason(fault.status), {
                    ...retryAfterHeader(fault.retryAfter, now),
                    ...fault.headers
                  })
                ),
                fault._tag
              )
            case "Html":
              return answer(
                withId({ status: fault.status, body: htmlPage(fault.status), contentType: "text/html; charset=utf-8", headers: {} }),
                fault._tag
              )
            case "EmptyBody":
              return answer(withId({ status: fault.status, body: "", contentType: "application/json", headers: {} }), fault._tag)
            case "Body":
              return answer(
                withId({ status: fault.status, body: fault.body, contentType: fault.contentType, headers: fault.headers ?? {} }),
                fault._tag
              )
            case "NoResponse":
              return yield* Effect.never
          }
        }

        // 3. auth, then the rate limit
        const authorization = request.headers["authorization"] ?? ""
        const bearer = /^Bearer\s+(.+)$/i.exec(authorization)
        if (bearer === null || bearer[1] !== token) return answer(withId(Http.error(401, "Unauthorized")), undefined)
        const wait = yield* admit(bearer[1], now)
        if (Option.isSome(wait)) {
          const seconds = Math.max(1, Math.ceil(wait.value / 1000))
          return answer(
            withId(Http.error(429, `Rate limit exceeded, retry in ${seconds} seconds`, { "retry-after": String(seconds) })),
            undefined
          )
        }

        // 4. the query and the body
        if (input.duplicate !== undefined) {
          return answer(withId(Http.badRequest(`Invalid query parameter "${input.duplicate}": given more than once`)), undefined)
        }
        let body: unknown = undefined
        if (hasBody(request.method)) {
          const text = yield* Effect.orElseSucceed(request.text, () => "")
          if (text.trim() !== "") {
            try {
              body = JSON.parse(text)
            } catch {
              return answer(withId(Http.badRequest("The request body is not valid JSON")), undefined)
            }
            yield* Ref.set(input.body, redactIn(body, token))
          }
        }

        // 5. the route
        const reply = withId(
          yield* match.route.handle({
            request,
            number,
            url,
            query,
            params: match.params,
            body,
            fault,
            now
          })
        )

        // 6. the faults that come after the request was handled
        if (fault?._tag === "Stall") yield* Effect.sleep(fault.delay)
        if (fault?._tag === "StatusAfter") {
          return answer({ ...Http.error(fault.status, Http.reason(fault.status)), headers: reply.headers }, fault._tag)
        }
        const ok = reply.status >= 200 && reply.status < 300
        if (ok && fault?._tag === "MalformedJson") {
          return answer({ ...reply, body: cut(reply.body, 1 / 2) }, fault._tag)
        }
        if (ok && fault?._tag === "ConnectionReset") {
          const control = yield* ConnectionControl
          yield* Ref.set(input.broken, true)
          const response = yield* control.reset(request, {
            status: reply.status,
            headers: {
              ...reply.headers,
              "content-type": reply.contentType,
              // an empty answer still promises a byte, so that the break is seen (a write acted, its answer lost)
              "content-length": String(Math.max(1, byteLength(reply.body)))
            },
            partialBody: cut(reply.body, 1 / 3)
          })
          return { response, status: reply.status, outcome: "reset", fault: fault._tag }
        }
        return answer(reply, reply.fault ?? (fault?._tag === "Stall" ? fault._tag : undefined))
      })

    const record = (entry: LoggedRequest) =>
      Ref.update(log, (entries) => {
        const next = [...entries, entry]
        return next.length > options.logLimit ? next.slice(next.length - options.logLimit) : next
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
      const body = yield* Ref.make<unknown>(undefined)
      // set when the connection is broken on purpose, so that the log says "reset", not "aborted"
      const broken = yield* Ref.make(false)
      return yield* handle({ request, number, arrivedAt, url, query, duplicate, body, broken }).pipe(
        // servers run apps uninterruptibly; a client that goes away must still end a hanging request
        Effect.interruptible,
        Effect.catchAllDefect((defect) =>
          Effect.succeed(answer(Http.error(500, `FakeOpenCx failed: ${String(defect)}`, { "x-request-id": `fake-${number}` }), undefined))
        ),
        Effect.onExit((exit) =>
          Effect.flatMap(Effect.all([Clock.currentTimeMillis, Ref.get(broken), Ref.get(body)]), ([endedAt, wasBroken, logged]) => {
            const withBody = logged === undefined ? base : { ...base, body: logged }
            return record(
              Exit.isSuccess(exit)
                ? { ...withBody, endedAt, status: exit.value.status, outcome: exit.value.outcome, fault: exit.value.fault }
                : wasBroken
                ? { ...withBody, endedAt, status: 200, outcome: "reset", fault: "ConnectionReset" }
                : { ...withBody, endedAt, status: undefined, outcome: "aborted", fault: undefined }
            )
          })
        ),
        Effect.map((outcome) => outcome.response)
      )
    })

    return {
      app,
      requests: Effect.map(Ref.get(log), (entries) => [...entries].sort((a, b) => a.number - b.number)),
      clearRequests: Ref.set(log, []),
      addFaults: (...added) =>
        Ref.update(rules, (active) => [...active, ...added.map((rule) => ({ rule, remaining: rule.times ?? Infinity }))]),
      clearFaults: Ref.set(rules, [])
    }
  })
