/**
 * An in-memory OpenCX that speaks the real HTTP contract: Bearer auth, the
 * spec's query parameters, opaque cursors, ErrorDto errors, an optional rate
 * limit, and faults on demand, on every route:
 *
 * - `GET /chat/sessions`: the sessions, filtered, in keyset pages;
 * - `GET /chat/sessions/{session_id}`: one session, exactly as listed (404
 *   when there is none);
 * - `GET /chat/sessions/{session_id}/history`: its history, oldest first: a
 *   deterministic, realistic conversation that agrees with the session
 *   (contact and AI messages; a hand-off, a human agent joining, answering,
 *   sometimes commenting or taking over when the session was handed off; the
 *   AI resolving the issue when it did), spread between its `created_at` and
 *   `updated_at`, in pages of `historyPageSize` events (20 by default);
 * - `GET /contacts`: the contacts of the sessions, in the order of their
 *   sessions, with the date filters on the contact's own timestamps.
 *
 * One world serves them all: sessions are generated lazily by index and
 * histories computed from their session when asked for, so a million
 * sessions cost no memory, histories included.
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
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { HistoryItemStrict } from "./ChatHistory.js"
import { ChatSessionStrict } from "./ChatSession.js"
import type { ContactStrict } from "./Contact.js"
import * as ContactsRoutes from "./internal/fake/contactsRoutes.js"
import { makeGenerated } from "./internal/fake/data.js"
import * as Edge from "./internal/fake/edge.js"
import type { FaultRule } from "./internal/fake/faults.js"
import * as SessionsRoutes from "./internal/fake/sessionsRoutes.js"
import * as WriteRoutes from "./internal/fake/writeRoutes.js"
import * as FakeStore from "./internal/fake/store.js"

// ---------------------------------------------------------------------------
// Faults and the request log
// ---------------------------------------------------------------------------

export {
  /**
   * A transport's way of breaking a connection after part of a response.
   *
   * @since 0.1.0
   * @category connection
   */
  ConnectionControl,
  /**
   * A request the fake received.
   *
   * @since 0.1.0
   * @category models
   */
  type LoggedRequest
} from "./internal/fake/edge.js"

export {
  /**
   * Constructors of faults.
   *
   * @since 0.1.0
   * @category faults
   */
  Fault,
  /**
   * What a fault rule sees of a request.
   *
   * @since 0.1.0
   * @category faults
   */
  type FaultRequest,
  /**
   * When a fault applies.
   *
   * @since 0.1.0
   * @category faults
   */
  type FaultRule,
  /**
   * A fault on the request(s) with these numbers.
   *
   * @since 0.1.0
   * @category faults
   */
  onRequest,
  /**
   * Faults at random, reproducibly.
   *
   * @since 0.1.0
   * @category faults
   */
  randomFaults,
  /**
   * Constructors of `Retry-After` values.
   *
   * @since 0.1.0
   * @category faults
   */
  RetryAfter,
  /**
   * A fault on every request for which the predicate holds.
   *
   * @since 0.1.0
   * @category faults
   */
  when
} from "./internal/fake/faults.js"

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
  /** events per page of a session's history (default 20) */
  readonly historyPageSize?: number | undefined
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
  /** the app serving every route */
  readonly app: HttpApp.Default
  /** the token the fake accepts */
  readonly apiKey: Redacted.Redacted<string>
  readonly pageSize: number
  /** the requests received so far, in arrival order */
  readonly requests: Effect.Effect<ReadonlyArray<Edge.LoggedRequest>>
  readonly clearRequests: Effect.Effect<void>
  /** every session in the store, in serving order */
  readonly sessions: Effect.Effect<ReadonlyArray<ChatSessionStrict>>
  readonly count: Effect.Effect<number>
  readonly get: (id: string) => Effect.Effect<Option.Option<ChatSessionStrict>>
  /** a session's history, oldest first (none when there is no such session) */
  readonly history: (id: string) => Effect.Effect<Option.Option<ReadonlyArray<HistoryItemStrict>>>
  /** every contact `GET /contacts` lists, in its order */
  readonly contacts: Effect.Effect<ReadonlyArray<ContactStrict>>
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

const validateSession = Schema.encode(ChatSessionStrict)

const defaultFrom = Date.parse("2024-01-01T00:00:00Z")
const defaultTo = Date.parse("2026-01-01T00:00:00Z")

const toMillis = (input: DateTime.DateTime.Input | undefined, fallback: number): number =>
  input === undefined ? fallback : DateTime.toEpochMillis(DateTime.unsafeMake(input))

/**
 * Builds a fake: its store, its routes, and the edge in front of them (log,
 * faults, auth, rate limit).
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
    const histories = yield* Ref.make<ReadonlyMap<string, ReadonlyArray<HistoryItemStrict>>>(new Map())
    const world: SessionsRoutes.SessionsWorld = {
      store,
      histories,
      created: yield* Ref.make(0),
      secret,
      pageSize,
      historyPageSize: Math.max(1, Math.floor(options.historyPageSize ?? 20)),
      seed: generated?.seed ?? 0
    }

    const edge = yield* Edge.make({
      apiKey,
      rateLimit: options.rateLimit === undefined || options.rateLimit === false
        ? undefined
        : { limit: options.rateLimit.limit, window: Duration.toMillis(options.rateLimit.window) },
      latency: options.latency === undefined ? undefined : Duration.decode(options.latency),
      faults: options.faults ?? [],
      logLimit: Math.max(1, options.logLimit ?? 10_000),
      routes: [
        SessionsRoutes.list(world),
        SessionsRoutes.get(world),
        SessionsRoutes.history(world),
        ContactsRoutes.list(world),
        WriteRoutes.create(world),
        WriteRoutes.send(world),
        WriteRoutes.update(world)
      ]
    })

    const service: Service = {
      app: edge.app,
      apiKey,
      pageSize,
      requests: edge.requests,
      clearRequests: edge.clearRequests,
      sessions: Effect.map(Ref.get(store), FakeStore.all),
      count: Effect.map(Ref.get(store), FakeStore.size),
      get: (id) => Effect.map(Ref.get(store), (s) => Option.fromNullable(FakeStore.get(s, id))),
      history: (id) =>
        Effect.map(Effect.all([Ref.get(store), Ref.get(histories)]), ([s, overlays]) =>
          Option.map(Option.fromNullable(FakeStore.get(s, id)), (session) => SessionsRoutes.historyOfSession(world, session, overlays))),
      contacts: Effect.map(Ref.get(store), (s) =>
        FakeStore.all(s).flatMap((session) => {
          const contact = ContactsRoutes.contactOf(session)
          return contact === undefined ? [] : [contact]
        })),
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
      addFaults: edge.addFaults,
      clearFaults: edge.clearFaults
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
      const body = request.body
      const bytes = body._tag === "Uint8Array"
        ? body.body
        : body._tag === "Raw" && (typeof body.body === "string" || body.body instanceof Uint8Array)
        ? body.body
        : body._tag === "Stream"
        ? yield* Effect.map(Effect.orDie(Stream.runCollect(body.stream)), (chunks) => {
          const parts = Chunk.toReadonlyArray(chunks)
          const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
          let at = 0
          for (const part of parts) {
            out.set(part, at)
            at += part.length
          }
          return out
        })
        : undefined
      const web = new globalThis.Request(url.toString(), {
        method: request.method,
        headers: new globalThis.Headers(Object.entries(request.headers)),
        ...(bytes === undefined || request.method === "GET" || request.method === "HEAD"
          ? {}
          : { body: typeof bytes === "string" ? bytes : new Uint8Array(bytes) })
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
