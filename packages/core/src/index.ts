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
