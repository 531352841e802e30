/**
 * The Node.js HTTP client that the OpenCX layers run on.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Compression from "./internal/compression.js"

/**
 * An `HttpClient` backed by undici (Node's own `fetch` engine), with its
 * dispatcher created and closed in the layer's scope. Interrupting a request
 * aborts it and closes its socket.
 *
 * It asks for compressed bodies (`Accept-Encoding: gzip, deflate, br`: list
 * pages are JSON and compress 5 to 10 times) and decodes them before anyone
 * reads them, refusing a body that would decode to more than 64 MiB.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient> = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(HttpClient.HttpClient, Compression.decompressing)
).pipe(Layer.provide(NodeHttpClient.layerUndici))

/**
 * Wraps any `HttpClient` so that it asks for gzip, deflate and br bodies and
 * decodes them (what `layer` does to undici).
 *
 * @since 0.2.0
 * @category combinators
 */
export const withDecompression: (client: HttpClient.HttpClient) => HttpClient.HttpClient = Compression.decompressing
