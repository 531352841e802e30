/**
 * The OpenCX chat sessions service: one page (`list`), every page (`pages`)
 * or every session (`stream`) of `GET /chat/sessions`, lazily, at the API's
 * rate limit and never past it, riding out the faults a real API has.
 *
 * It is a thin layer over `OpenCxClient` (the transport: auth, limiter,
 * retries, errors, spans, metrics) and `Paginator` (the cursor walk and its
 * guards):
 *
 * - **Lazy**: building a stream sends nothing; page n+1 is requested when
 *   page n's sessions have been consumed; each run starts afresh. An opt-in,
 *   bounded `prefetch` overlaps the next request with the consumer's work.
 * - **Complete**: every session once, in the server's order; empty pages
 *   with a `next` are followed (up to `maxEmptyPages` in a row); the walk
 *   ends when `next` is null (or empty); the filters are sent with every
 *   cursor; a `next` already used in the walk fails with `CursorLoop`; a
 *   session repeated from the previous page is skipped.
 * - **Retried per page**, never by restarting the stream.
 * - **Rate-limited** by the client's one limiter, shared by every call and
 *   every retry of every service built on the client; a 429 with a hint
 *   pauses every caller.
 * - **Interruptible**: interrupting the consumer aborts the request in
 *   flight and any wait at once.
 * - **Traced**: a span per page request (`SessionsService.page`), around the
 *   HttpClient's own span.
 *
 * Defaults (see `OpenCxClient.defaults`), after openai-node and the API's
 * documented limit: 100 requests per minute; 2 retries of transient
 * failures (transport, timeout, 408, 500, 502, 503, 504) 0.5 s doubling to
 * 8 s, each delay times a random factor in [0.75, 1]; a 429 waits for the
 * larger of its hint and 1 s doubling to 30 s, within a 60 s budget per
 * page; a hint over 60 s fails at once with `RateLimited`; 30 s per attempt.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Chunk from "effect/Chunk"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as ChatHistory from "./ChatHistory.js"
import * as SessionWrite from "./SessionWrite.js"
import {
  type ChatSession,
  ChatSession as ChatSessionSchema,
  type ChatSessionEncoded,
  type ListChatSessionsOutput,
  type ListChatSessionsOutputEncoded
} from "./ChatSession.js"
import { checkId } from "./internal/client/ids.js"
import { decodePage as decodePageFast, validatePage } from "./internal/client/pages.js"
import * as Query from "./internal/client/query.js"
import * as ListChatSessionsParams from "./ListChatSessionsParams.js"
import * as OpenCxClient from "./OpenCxClient.js"
import { InvalidParams, type OpenCxError } from "./OpenCxError.js"
import * as Paginator from "./Paginator.js"

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/**
 * The retry knobs (see `OpenCxClient.RetryOptions`).
 *
 * @since 0.1.0
 * @category models
 */
export type RetryOptions = OpenCxClient.RetryOptions

/**
 * The options of the client the service is built on (see
 * `OpenCxClient.Options`).
 *
 * @since 0.1.0
 * @category models
 */
export type Options = OpenCxClient.Options

/**
 * Options of `pages`, `stream` and the other walks.
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
  /** how many empty pages in a row end the walk with `EmptyPages`; default 1,000 */
  readonly maxEmptyPages?: number | undefined
  /**
   * where to start: where another walk with the same filters stopped (its
   * last `Paginator.Step`); its cursor takes the place of `params.cursor`
   */
  readonly start?: Paginator.Start | undefined
}

/**
 * Options of `history`, `historyPages` and `historyEncoded`.
 *
 * @since 0.2.0
 * @category models
 */
export interface HistoryOptions extends StreamOptions {
  /** the cursor of the first page to fetch (default: the oldest events) */
  readonly cursor?: string | undefined
}

/**
 * Decodes a page of `GET /chat/sessions` as the service does: the same
 * result as `Schema.decodeUnknownEither(ChatSession.ListChatSessionsOutput)`,
 * several times faster on valid pages (a hand-written check of the same
 * rules; the Schema itself decides whenever the page is not plainly valid,
 * and reports the error). It reads objects as `JSON.parse` makes them (own
 * keys, `Object.prototype`) and leaves any other object to the Schema; a
 * `__proto__` key is data on both paths.
 *
 * @since 0.2.0
 * @category decoding
 */
export const decodePage: (input: unknown) => Either.Either<ListChatSessionsOutput, ParseResult.ParseError> = decodePageFast

/**
 * The documented defaults (those of `OpenCxClient`).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults = OpenCxClient.defaults

/**
 * The client's counters, and the paginator's.
 *
 * @since 0.1.0
 * @category metrics
 */
export const metrics = { ...OpenCxClient.metrics, ...Paginator.metrics } as const

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
  /**
   * every page as the API sent it: validated by the tolerant Schema, not
   * transformed (timestamps stay the API's strings, with all their digits;
   * unknown fields and values stay as they came)
   */
  readonly pagesEncoded: (
    params?: ListChatSessionsParams.Input,
    options?: StreamOptions
  ) => Stream.Stream<ListChatSessionsOutputEncoded, OpenCxError>
  /** every session as the API sent it (see `pagesEncoded`) */
  readonly streamEncoded: (
    params?: ListChatSessionsParams.Input,
    options?: StreamOptions
  ) => Stream.Stream<ChatSessionEncoded, OpenCxError>
  /**
   * the walk step by step: each page as the API sent it, with where the
   * walk stands after it (what a checkpoint needs to resume it with
   * `options.start`)
   */
  readonly steps: (
    params?: ListChatSessionsParams.Input,
    options?: StreamOptions
  ) => Stream.Stream<Paginator.Step<ListChatSessionsOutputEncoded>, OpenCxError>
  /**
   * one session (`GET /chat/sessions/{session_id}`): `NotFound` when there is
   * none; `InvalidParams`, before any request, for an id that cannot be one
   */
  readonly get: (sessionId: string) => Effect.Effect<ChatSession, OpenCxError>
  /**
   * a session's history, oldest event first (`GET
   * /chat/sessions/{session_id}/history`), lazily, page by page, under the
   * same guards, retries and limit as the sessions
   */
  readonly history: (sessionId: string, options?: HistoryOptions) => Stream.Stream<ChatHistory.HistoryItem, OpenCxError>
  /** the pages of a session's history */
  readonly historyPages: (
    sessionId: string,
    options?: HistoryOptions
  ) => Stream.Stream<ChatHistory.ListChatHistoryOutput, OpenCxError>
  /** a session's history as the API sent it: validated by the tolerant Schema, not transformed */
  readonly historyEncoded: (
    sessionId: string,
    options?: HistoryOptions
  ) => Stream.Stream<ChatHistory.HistoryItemEncoded, OpenCxError>
  /**
   * creates a session (`POST /chat/sessions`): its id. A write: retried only
   * when the server cannot have acted on it (see `OpenCxClient`)
   */
  readonly create: (
    input?: Schema.Schema.Encoded<typeof SessionWrite.CreateChatSessionInput>
  ) => Effect.Effect<SessionWrite.CreateChatSessionOutput, OpenCxError>
  /** sends a message into a session, as its contact or as an agent (`POST /chat/sessions/{session_id}/send`) */
  readonly send: (
    sessionId: string,
    input: Schema.Schema.Encoded<typeof SessionWrite.SendMessageInput>
  ) => Effect.Effect<SessionWrite.SendMessageResult, OpenCxError>
  /** updates a session: its status, with the documented flags (`PATCH /chat/sessions/{session_id}`) */
  readonly update: (
    sessionId: string,
    input: Schema.Schema.Encoded<typeof SessionWrite.UpdateChatSessionInput>
  ) => Effect.Effect<void, OpenCxError>
  /** closes a session, as resolved or not (`update` with the status) */
  readonly close: (sessionId: string, options: CloseOptions) => Effect.Effect<void, OpenCxError>
  /** reopens a session (`update` with `status: "open"`) */
  readonly reopen: (sessionId: string) => Effect.Effect<void, OpenCxError>
}

/**
 * How to close a session.
 *
 * @since 0.2.0
 * @category models
 */
export interface CloseOptions {
  /** closed as resolved (`closed_resolved`) or not (`closed_unresolved`) */
  readonly resolved: boolean
  /** have the AI write the summary and sentiment (when resolved) */
  readonly generateSummaryAndSentiment?: boolean | undefined
  /** tell the connected ticketing integration too */
  readonly reflectInIntegration?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category tags
 */
export class SessionsService extends Context.Tag("@opencx-effect/core/SessionsService")<SessionsService, Service>() {}

// ---------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------

const prepare = (params: ListChatSessionsParams.Input | undefined) => Query.prepare(params ?? {}, ListChatSessionsParams)

const sessionKey = (session: { readonly id: string }) => session.id

const historyKey = (item: { readonly id?: string | undefined }) => item.id

const decodeSession = Schema.decodeUnknownEither(ChatSessionSchema)
const decodeCreated = Schema.decodeUnknownEither(SessionWrite.CreateChatSessionOutput)
const decodeHistoryPage = Schema.decodeUnknownEither(ChatHistory.ListChatHistoryOutput)
const validateHistoryPage = (input: unknown) =>
  // accepted by the tolerant Schema: the JSON itself is a valid encoded page
  Either.map(decodeHistoryPage(input), () => input as ChatHistory.ListChatHistoryOutputEncoded)

/**
 * Builds the service over the `OpenCxClient` in context: every call goes
 * through that client's limiter.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, OpenCxClient.OpenCxClient> = Effect.gen(function*() {
  const client = yield* OpenCxClient.OpenCxClient
  const path = "/chat/sessions"
  const url = client.urlOf({ path })

  /** one page: rate-limited, timed, retried, traced */
  const fetchPage = <P extends Paginator.Page<unknown>>(decode: OpenCxClient.Decoder<P>) =>
  (filters: Readonly<Record<string, string>>) =>
  (cursor: string | null, index: number): Effect.Effect<P, OpenCxError> =>
    Effect.map(
      client.executeResponse(
        {
          method: "GET",
          path,
          urlParams: cursor === null ? filters : { ...filters, cursor },
          cursor,
          span: {
            name: "SessionsService.page",
            attributes: { "opencx.page.index": index, "opencx.page.cursor_sent": cursor !== null }
          }
        },
        decode,
        (response) => ({
          "opencx.page.items": response.value.items.length,
          "opencx.page.attempts": response.attempts,
          "opencx.page.has_next": response.value.next !== null && response.value.next !== ""
        })
      ),
      (response) => response.value
    )

  const walk = <P extends Paginator.Page<{ readonly id: string }>>(decode: OpenCxClient.Decoder<P>) =>
  (
    params: ListChatSessionsParams.Input | undefined,
    options: StreamOptions | undefined
  ): Stream.Stream<Paginator.Step<P>, OpenCxError> =>
    Stream.unwrap(
      Effect.map(prepare(params), ({ cursor, filters }) =>
        Paginator.steps({ method: "GET", url, fetch: fetchPage(decode)(filters) }, {
          key: sessionKey,
          maxEmptyPages: options?.maxEmptyPages,
          prefetch: options?.prefetch,
          start: options?.start ?? { cursor }
        }))
    )

  const decoded = walk(decodePageFast)
  const encoded = walk(validatePage)
  const itemsOf = <A>(page: Paginator.Page<A>) => Chunk.unsafeFromArray(page.items)

  const get = (sessionId: string) =>
    Effect.flatMap(checkId("sessionId", sessionId), (id) =>
      client.execute(
        {
          method: "GET",
          path: OpenCxClient.path`/chat/sessions/${id}`,
          notFound: { resource: "chat session", id },
          span: { name: "SessionsService.get", attributes: { "opencx.session.id": id } }
        },
        decodeSession
      ))

  const historyWalk = <P extends Paginator.Page<{ readonly id?: string | undefined }>>(decode: OpenCxClient.Decoder<P>) =>
  (sessionId: string, options: HistoryOptions | undefined): Stream.Stream<P, OpenCxError> =>
    Stream.unwrap(Effect.map(checkId("sessionId", sessionId), (id) => {
      const path = OpenCxClient.path`/chat/sessions/${id}/history`
      return Paginator.pages({
        method: "GET",
        url: client.urlOf({ path }),
        fetch: (cursor, index) =>
          Effect.map(
            client.executeResponse(
              {
                method: "GET",
                path,
                urlParams: cursor === null ? {} : { cursor },
                cursor,
                notFound: { resource: "chat session", id },
                span: {
                  name: "SessionsService.historyPage",
                  attributes: { "opencx.session.id": id, "opencx.page.index": index, "opencx.page.cursor_sent": cursor !== null }
                }
              },
              decode,
              (response) => ({ "opencx.page.items": response.value.items.length, "opencx.page.attempts": response.attempts })
            ),
            (response) => response.value
          )
      }, {
        key: historyKey,
        maxEmptyPages: options?.maxEmptyPages,
        prefetch: options?.prefetch,
        start: options?.start ?? { cursor: options?.cursor ?? null }
      })
    }))
  const historyPages = historyWalk(decodeHistoryPage)
  const historyPagesEncoded = historyWalk(validateHistoryPage)

  /** a write's body: checked with its Schema (a bad value is InvalidParams, before any request) */
  const body = <A, I>(schema: Schema.Schema<A, I>, input: unknown) =>
    Effect.mapError(
      Effect.flatMap(Schema.decodeUnknown(schema)(input), Schema.encode(schema)),
      (error) => InvalidParams.fromParseError(error, "body")
    )

  const create = (input: unknown = {}) =>
    Effect.flatMap(body(SessionWrite.CreateChatSessionInput, input), (json) =>
      client.execute(
        { method: "POST", path: "/chat/sessions", body: json, span: { name: "SessionsService.create" } },
        decodeCreated
      ))

  const send = (sessionId: string, input: unknown) =>
    Effect.flatMap(
      Effect.zip(checkId("sessionId", sessionId), body(SessionWrite.SendMessageInput, input)),
      ([id, json]) =>
        client.execute(
          {
            method: "POST",
            path: OpenCxClient.path`/chat/sessions/${id}/send`,
            body: json,
            emptyBody: true,
            notFound: { resource: "chat session", id },
            span: { name: "SessionsService.send", attributes: { "opencx.session.id": id } }
          },
          (answer) => Either.right(SessionWrite.readSendMessageResult(answer))
        )
    )

  const update = (sessionId: string, input: unknown) =>
    Effect.flatMap(
      Effect.zip(checkId("sessionId", sessionId), body(SessionWrite.UpdateChatSessionInput, input)),
      ([id, json]) =>
        client.execute(
          {
            method: "PATCH",
            path: OpenCxClient.path`/chat/sessions/${id}`,
            body: json,
            emptyBody: true,
            notFound: { resource: "chat session", id },
            span: { name: "SessionsService.update", attributes: { "opencx.session.id": id } }
          },
          () => Either.void
        )
    )

  return {
    create,
    send,
    update,
    close: (sessionId, options) =>
      update(sessionId, {
        status: options.resolved ? "closed_resolved" : "closed_unresolved",
        ...(options.generateSummaryAndSentiment === undefined
          ? {}
          : { generate_summary_and_sentiment_on_resolve: options.generateSummaryAndSentiment }),
        ...(options.reflectInIntegration === undefined
          ? {}
          : { reflect_status_change_for_integration: options.reflectInIntegration })
      }),
    reopen: (sessionId) => update(sessionId, { status: "open" }),
    get,
    history: (sessionId, options) => Stream.mapConcatChunk(historyPages(sessionId, options), itemsOf),
    historyPages,
    historyEncoded: (sessionId, options) => Stream.mapConcatChunk(historyPagesEncoded(sessionId, options), itemsOf),
    list: (params) => Effect.flatMap(prepare(params), ({ cursor, filters }) => fetchPage(decodePageFast)(filters)(cursor, 0)),
    pages: (params, options) => Stream.map(decoded(params, options), (step) => step.page),
    stream: (params, options) => Stream.mapConcatChunk(decoded(params, options), (step) => itemsOf(step.page)),
    pagesEncoded: (params, options) => Stream.map(encoded(params, options), (step) => step.page),
    streamEncoded: (params, options) => Stream.mapConcatChunk(encoded(params, options), (step) => itemsOf(step.page)),
    steps: encoded
  }
})

/**
 * The service over the `OpenCxClient` in context (it shares that client's
 * limiter with every other service built on it). `NodeOpenCx.layer` in
 * `@opencx-effect/platform-node` provides the client and every service at
 * once.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerClient: Layer.Layer<SessionsService, never, OpenCxClient.OpenCxClient> = Layer.effect(
  SessionsService,
  make
)

/**
 * The service with a client of its own, over the `HttpClient` in context.
 * To share one limiter between several services (the API's limit is per
 * key), build them on one `OpenCxClient` instead (`layerClient`, or
 * `NodeOpenCx.layer`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<SessionsService, ConfigError.ConfigError, HttpClient.HttpClient> =>
  layerClient.pipe(Layer.provide(OpenCxClient.layer(options)))

/**
 * The settings read from the environment: `OPENCX_API_KEY` (as `Redacted`)
 * and `OPENCX_BASE_URL` (default `https://api.open.cx`).
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<{ readonly apiKey: Redacted.Redacted<string>; readonly baseUrl: string }> =
  OpenCxClient.config

/**
 * The service with a client of its own whose key and base URL come from
 * `config`; the other options are given here.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<Options, "apiKey" | "baseUrl"> = {}
): Layer.Layer<SessionsService, ConfigError.ConfigError, HttpClient.HttpClient> =>
  layerClient.pipe(Layer.provide(OpenCxClient.layerConfig(options)))

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

/**
 * One session, with the service from context.
 *
 * @since 0.2.0
 * @category accessors
 */
export const get = (sessionId: string): Effect.Effect<ChatSession, OpenCxError, SessionsService> =>
  Effect.flatMap(SessionsService, (service) => service.get(sessionId))

/**
 * A session's history, oldest event first, with the service from context.
 *
 * @example
 * ```ts
 * import { ChatHistory, SessionsService } from "@opencx-effect/core"
 * import { Stream } from "effect"
 *
 * // the messages of one conversation
 * const messages = (sessionId: string) =>
 *   SessionsService.history(sessionId).pipe(
 *     Stream.map((item) => item.event),
 *     Stream.filter(ChatHistory.isMessage),
 *     Stream.runCollect
 *   )
 * ```
 *
 * @since 0.2.0
 * @category accessors
 */
export const history = (
  sessionId: string,
  options?: HistoryOptions
): Stream.Stream<ChatHistory.HistoryItem, OpenCxError, SessionsService> =>
  Stream.unwrap(Effect.map(SessionsService, (service) => service.history(sessionId, options)))

/**
 * Every session as the API sent it, with the service from context.
 *
 * @since 0.2.0
 * @category accessors
 */
export const streamEncoded = (
  params?: ListChatSessionsParams.Input,
  options?: StreamOptions
): Stream.Stream<ChatSessionEncoded, OpenCxError, SessionsService> =>
  Stream.unwrap(Effect.map(SessionsService, (service) => service.streamEncoded(params, options)))
