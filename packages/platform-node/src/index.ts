/**
 * @opencx-effect/platform-node: Node.js layers for @opencx-effect/core.
 *
 * @since 0.1.0
 */

/**
 * The Node.js HTTP client that the OpenCX layers run on.
 *
 * @since 0.1.0
 */
export * as NodeHttp from "./NodeHttp.js"
