/**
 * The Node.js HTTP client that the OpenCX layers run on.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as Layer from "effect/Layer"

/**
 * An `HttpClient` backed by undici (Node's own `fetch` engine), with its
 * dispatcher created and closed in the layer's scope. Interrupting a request
 * aborts it and closes its socket.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerUndici
