/**
 * @opencx-effect/core: the platform-agnostic Effect client for the OpenCX
 * chat sessions API.
 *
 * @since 0.1.0
 */

/**
 * Schema models of every type in the spec, tolerant and strict.
 *
 * @since 0.1.0
 */
export * as ChatSession from "./ChatSession.js"

/**
 * Schema models of a chat session's history: its events, tolerant and strict.
 *
 * @since 0.2.0
 */
export * as ChatHistory from "./ChatHistory.js"

/**
 * Schema models of a contact as `GET /contacts` lists it, tolerant and strict.
 *
 * @since 0.2.0
 */
export * as Contact from "./Contact.js"

/**
 * The contacts service: one page, every page or every contact.
 *
 * @since 0.2.0
 */
export * as ContactsService from "./ContactsService.js"

/**
 * The query of `GET /contacts` as one Schema.
 *
 * @since 0.2.0
 */
export * as ListContactsParams from "./ListContactsParams.js"

/**
 * The query of `GET /chat/sessions` as one Schema.
 *
 * @since 0.1.0
 */
export * as ListChatSessionsParams from "./ListChatSessionsParams.js"

/**
 * An in-memory OpenCX that speaks the real HTTP contract, with faults on demand.
 *
 * @since 0.1.0
 */
export * as FakeOpenCx from "./FakeOpenCx.js"

/**
 * The errors of the client, each a tagged error a user can catch by tag.
 *
 * @since 0.1.0
 */
export * as OpenCxError from "./OpenCxError.js"

/**
 * The one transport per API key: auth, the shared rate limiter, retries,
 * typed errors, spans and metrics for every endpoint.
 *
 * @since 0.2.0
 */
export * as OpenCxClient from "./OpenCxClient.js"

/**
 * Where the rate limiter keeps its counts: shared by several processes on one key.
 *
 * @since 0.2.0
 */
export * as RateLimitStore from "./RateLimitStore.js"

/**
 * The cursor paginator: a lazy Stream of pages and items, with its guards.
 *
 * @since 0.2.0
 */
export * as Paginator from "./Paginator.js"

/**
 * Schema models of the write side: creating a session, sending a message, updating it.
 *
 * @since 0.2.0
 */
export * as SessionWrite from "./SessionWrite.js"

/**
 * The service: one page, every page or every session, lazily, rate-limited, retried.
 *
 * @since 0.1.0
 */
export * as SessionsService from "./SessionsService.js"

/**
 * Ready mock layers of SessionsService for your own tests.
 *
 * @since 0.1.0
 */
export * as TestSessions from "./TestSessions.js"
