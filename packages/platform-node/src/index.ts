/**
 * @opencx-effect/platform-node: Node.js layers for @opencx-effect/core.
 *
 * @since 0.1.0
 */

/**
 * FakeOpenCx served over a real socket on 127.0.0.1.
 *
 * @since 0.1.0
 */
export * as NodeFakeOpenCx from "./NodeFakeOpenCx.js"

/**
 * The Node.js HTTP client that the OpenCX layers run on.
 *
 * @since 0.1.0
 */
export * as NodeHttp from "./NodeHttp.js"

/**
 * The whole client for Node: one OpenCxClient and every service on it.
 *
 * @since 0.2.0
 */
export * as NodeOpenCx from "./NodeOpenCx.js"

/**
 * SessionsService with Node's HTTP client provided.
 *
 * @since 0.1.0
 */
export * as NodeSessionsService from "./NodeSessionsService.js"
