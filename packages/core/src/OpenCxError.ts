/**
 * The errors of the OpenCX client, each a `Schema.TaggedError` that a user
 * can `catchTag`. Each says what happened in its `message` and carries what
 * a user needs to act: the method and URL of the request (never a secret:
 * the API key travels in a header that no error holds), the status, the
 * server's `x-request-id`, and the server's ErrorDto fields or, when the body
 * is not JSON (an HTML page from a CDN), its text.
 *
 * @example
 * ```ts
 * import { OpenCxError, SessionsService } from "@opencx-effect/core"
 * import { Effect } from "effect"
 *
 * const firstPage = SessionsService.list().pipe(
 *   Effect.catchTags({
 *     Unauthorized: (e) => Effect.dieMessage(`check OPENCX_API_KEY: ${e.message}`),
 *     RateLimited: (e) => Effect.logWarning(`rate limited, retry after ${e.retryAfter}`)
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as ParseResult from "effect/ParseResult"
import { escapeControls, oneLine } from "./internal/client/sanitize.js"
import { firstIssue } from "./internal/schema/issues.js"

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

const request = {
  /** the HTTP method */
  method: Schema.String,
  /** the URL requested, query included (no credentials) */
  url: Schema.String
}

const response = {
  ...request,
  status: Schema.Number,
  /** the server's `x-request-id`, when it sent one */
  requestId: optional(Schema.String),
  /** the ErrorDto's `message`, when the body was one */
  serverMessage: optional(Schema.String),
  /** the ErrorDto's `error`, when the body was one */
  serverError: optional(Schema.String),
  /**
   * the body as text when it was not an ErrorDto (scrubbed of the API key,
   * control characters escaped, cut at 2,000 characters), or a description
   * such as `<1,234 bytes of image/png>` when it was not text
   */
  body: optional(Schema.String),
  /** the server's hint of when to retry (Retry-After, X-RateLimit-Reset), when it gave one */
  retryAfter: optional(Schema.DurationFromMillis)
}

/**
 * On a write (POST, PATCH): `true` when the server may have acted on the
 * request before it failed (a timeout, a connection broken after the
 * request was sent, a 5xx). Such a write is never retried by the client.
 */
const outcomeUnknown = optional(Schema.Boolean)

const unknownOutcome = (self: { readonly outcomeUnknown?: boolean | undefined }) =>
  self.outcomeUnknown === true
    ? " The outcome of this write is unknown: the server may have applied it. It was not retried; check (e.g. read the session or its history) before sending it again."
    : ""

type ResponseFields = {
  readonly method: string
  readonly url: string
  readonly status: number
  readonly requestId?: string
  readonly serverMessage?: string
  readonly serverError?: string
  readonly body?: string
  readonly retryAfter?: Duration.Duration
}

/** server text in a message: one line, controls escaped (the client also scrubbed the key), at most `max` characters */
const excerpt = (text: string, max = 200) => {
  const line = oneLine(text)
  return line.length > max ? `${line.slice(0, max)}…` : line
}

const describe = (self: ResponseFields, what: string): string => {
  const said = self.serverMessage !== undefined
    ? `: ${excerpt(self.serverMessage)}`
    : self.body !== undefined && self.body.length > 0
    ? `: ${excerpt(self.body)}`
    : ""
  const id = self.requestId === undefined ? "" : ` (request id ${excerpt(self.requestId, 100)})`
  return `${self.method} ${escapeControls(self.url)} failed with ${self.status} ${what}${said}${id}`
}

/**
 * 401: the API key is missing or invalid.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>("@opencx-effect/core/Unauthorized")(
  "Unauthorized",
  response
) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${describe(this, "Unauthorized")}. Check the API key (OPENCX_API_KEY).`
  }
}

/**
 * 403: the key is valid but may not do this (it lacks the scope: e.g.
 * `chat-sessions:read` to read sessions, `chat-sessions:write` to write
 * them, `contacts:read` for contacts).
 *
 * @since 0.1.0
 * @category errors
 */
export class Forbidden extends Schema.TaggedError<Forbidden>("@opencx-effect/core/Forbidden")("Forbidden", response) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${describe(this, "Forbidden")}. The key may lack the scope this needs (chat-sessions:read to read sessions, chat-sessions:write to write them, contacts:read for contacts).`
  }
}

/**
 * 429, once the retries are spent, or at once when the server asks for a
 * longer wait than the client is configured to honour. `retryAfter` is the
 * server's hint, when it gave one.
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimited extends Schema.TaggedError<RateLimited>("@opencx-effect/core/RateLimited")(
  "RateLimited",
  response
) {
  /** @since 0.1.0 */
  override get message(): string {
    const hint = this.retryAfter === undefined ? "" : ` The server asked to retry after ${Duration.format(this.retryAfter)}.`
    return `${describe(this, "Too Many Requests")}.${hint}`
  }
}

/**
 * 5xx: the server failed (retried first when transient: 500, 502, 503, 504).
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends Schema.TaggedError<ServerError>("@opencx-effect/core/ServerError")(
  "ServerError",
  { ...response, outcomeUnknown }
) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${describe(this, "(server error)")}.${unknownOutcome(this)}`
  }
}

/**
 * 404 on a request for one resource (a session, its history, a contact): no
 * such resource in the organisation the key belongs to. `resource` says what
 * was asked for and `id` which one. (A 404 on a list is a `BadRequest`.)
 *
 * @since 0.2.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>("@opencx-effect/core/NotFound")("NotFound", {
  ...response,
  /** what was asked for, e.g. `chat session` */
  resource: Schema.String,
  /** its id, as given */
  id: Schema.String
}) {
  /** @since 0.2.0 */
  override get message(): string {
    return `${describe(this, "Not Found")}. There is no ${this.resource} ${excerpt(this.id, 100)} for this API key.`
  }
}

/**
 * Any other status: 400, 404, 408 once retries are spent, 422, or a redirect
 * (which is never followed, so that the key never goes elsewhere).
 *
 * @since 0.1.0
 * @category errors
 */
export class BadRequest extends Schema.TaggedError<BadRequest>("@opencx-effect/core/BadRequest")(
  "BadRequest",
  response
) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${describe(this, "(request refused)")}.`
  }
}

/**
 * The request or its response did not get through: connection refused or
 * reset, DNS, a body cut short.
 *
 * @since 0.1.0
 * @category errors
 */
export class Transport extends Schema.TaggedError<Transport>("@opencx-effect/core/Transport")("Transport", {
  ...request,
  /** what went wrong */
  reason: Schema.String,
  /**
   * `false` when the connection failed before the request was sent (the
   * server cannot have acted on it); absent when that is not known
   */
  requestSent: optional(Schema.Boolean),
  outcomeUnknown
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.method} ${escapeControls(this.url)} failed: ${excerpt(this.reason, 500)}.${unknownOutcome(this)}`
  }
}

/**
 * An attempt took longer than the per-attempt timeout.
 *
 * @since 0.1.0
 * @category errors
 */
export class Timeout extends Schema.TaggedError<Timeout>("@opencx-effect/core/Timeout")("Timeout", {
  ...request,
  timeout: Schema.DurationFromMillis,
  outcomeUnknown
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.method} ${escapeControls(this.url)} timed out after ${Duration.format(this.timeout)}.${unknownOutcome(this)}`
  }
}

/**
 * A response that does not decode: malformed JSON, an empty body, a body
 * that is not text, or a value that breaks the Schema. For a page, `cursor`
 * is the cursor of its request (null for the first page, and for requests
 * that are not pages) and `itemIndex` the index of the faulty item in the
 * page; `path` is where the fault is.
 *
 * @since 0.1.0
 * @category errors
 */
export class Decode extends Schema.TaggedError<Decode>("@opencx-effect/core/Decode")("Decode", {
  ...request,
  status: Schema.Number,
  requestId: optional(Schema.String),
  cursor: Schema.NullOr(Schema.String),
  itemIndex: optional(Schema.Number),
  /** where, e.g. `items[3].ticket_number`; empty for the whole body */
  path: Schema.String,
  /** what was wrong */
  issue: Schema.String
}) {
  /** @since 0.1.0 */
  override get message(): string {
    const cursor = this.cursor === null ? "" : ` (the page of cursor ${excerpt(this.cursor, 100)})`
    const where = this.path === "" ? "" : ` at ${excerpt(this.path)}`
    const item = this.itemIndex === undefined ? "" : ` (item ${this.itemIndex})`
    return `the response to ${this.method} ${escapeControls(this.url)}${cursor} does not decode${where}${item}: ${
      excerpt(this.issue, 500)
    }`
  }
}

/**
 * The API returned, as `next`, a cursor already used in this walk: following
 * it would never end.
 *
 * @since 0.1.0
 * @category errors
 */
export class CursorLoop extends Schema.TaggedError<CursorLoop>("@opencx-effect/core/CursorLoop")("CursorLoop", {
  ...request,
  cursor: Schema.String,
  /** the index (from 0) of the page whose `next` repeats */
  pageIndex: Schema.Number
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `page ${this.pageIndex} (${this.method} ${escapeControls(this.url)}) returned as next a cursor already used in this walk: ${
      excerpt(this.cursor, 100)
    }`
  }
}

/**
 * The API sent more consecutive empty pages (no items, and a `next`) than
 * the walk allows (`maxEmptyPages`, 1,000 by default): following them might
 * never end.
 *
 * @since 0.2.0
 * @category errors
 */
export class EmptyPages extends Schema.TaggedError<EmptyPages>("@opencx-effect/core/EmptyPages")("EmptyPages", {
  ...request,
  /** the `next` of the last empty page */
  cursor: Schema.String,
  /** how many empty pages came in a row */
  pages: Schema.Number,
  /** the index (from 0) of the last of them */
  pageIndex: Schema.Number
}) {
  /** @since 0.2.0 */
  override get message(): string {
    return `${this.method} ${escapeControls(this.url)} sent ${this.pages.toLocaleString("en-US")} empty pages in a row (up to page ${this.pageIndex}), each with a next cursor: the walk stops rather than follow them for ever (maxEmptyPages)`
  }
}

/**
 * The query given to the client is invalid; no request was sent. `field`
 * names the parameter.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidParams extends Schema.TaggedError<InvalidParams>("@opencx-effect/core/InvalidParams")(
  "InvalidParams",
  {
    field: Schema.String,
    issue: Schema.String,
    /** where the bad value was to go: the query (the default), the path (an id), or the body of a write */
    location: optional(Schema.Literal("query", "path", "body"))
  }
) {
  /**
   * The first issue of a failed decoding of a query or an input, as the
   * client reports it: `field` is the issue's path (`custom_data.plan`),
   * `issue` what was wrong (an enum's lists every allowed value). It never
   * throws, however deep the value.
   *
   * @since 0.2.0
   */
  static fromParseError(error: ParseResult.ParseError, location?: "query" | "path" | "body"): InvalidParams {
    const issue = firstIssue(error)
    return new InvalidParams({
      field: issue.path.map(String).join("."),
      issue: issue.message,
      ...(location === undefined ? {} : { location })
    })
  }

  /** @since 0.1.0 */
  override get message(): string {
    const field = escapeControls(this.field)
    const issue = escapeControls(this.issue)
    switch (this.location) {
      case "path":
        return `Invalid ${field}: ${issue}`
      case "body":
        return field === "" ? `Invalid body: ${issue}` : `Invalid body field "${field}": ${issue}`
      default:
        return field === "" ? `Invalid query: ${issue}` : `Invalid query parameter "${field}": ${issue}`
    }
  }
}

/**
 * The shared rate limiter's store (e.g. Redis) cannot be reached or failed,
 * and the client is set to fail rather than fall back to a limit of its own
 * (`rateLimit.onStoreFailure`): no request was sent.
 *
 * @since 0.2.0
 * @category errors
 */
export class RateLimiterUnavailable extends Schema.TaggedError<RateLimiterUnavailable>(
  "@opencx-effect/core/RateLimiterUnavailable"
)("RateLimiterUnavailable", {
  ...request,
  /** the store, as it names itself (never with a password) */
  store: Schema.String,
  reason: Schema.String
}) {
  /** @since 0.2.0 */
  override get message(): string {
    return `${this.method} ${escapeControls(this.url)} was not sent: the shared rate limiter (${
      excerpt(this.store, 200)
    }) failed: ${excerpt(this.reason, 300)}. Check the store, or set rateLimit.onStoreFailure to fall back to a limit of this process.`
  }
}

/**
 * Every error of the client.
 *
 * @since 0.1.0
 * @category models
 */
export type OpenCxError =
  | Unauthorized
  | Forbidden
  | RateLimited
  | ServerError
  | BadRequest
  | NotFound
  | Transport
  | Timeout
  | Decode
  | CursorLoop
  | EmptyPages
  | InvalidParams
  | RateLimiterUnavailable

/**
 * Every error of the client, as a Schema (to log or persist them).
 *
 * @since 0.1.0
 * @category schemas
 */
export const OpenCxError = Schema.Union(
  Unauthorized,
  Forbidden,
  RateLimited,
  ServerError,
  BadRequest,
  NotFound,
  Transport,
  Timeout,
  Decode,
  CursorLoop,
  EmptyPages,
  InvalidParams,
  RateLimiterUnavailable
)

const tags: ReadonlySet<string> = new Set(OpenCxError.members.map((member) => member._tag))

/**
 * @since 0.1.0
 * @category guards
 */
export const isOpenCxError = (u: unknown): u is OpenCxError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && tags.has(u._tag) && u instanceof Error
