/**
 * The Node.js HTTP client that the OpenCX layers run on.
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeStream from "@effect/platform-node/NodeStream"
import type * as Undici from "@effect/platform-node/Undici"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { globalValue } from "effect/GlobalValue"
import * as Layer from "effect/Layer"
import type { Readable } from "node:stream"
import * as Compression from "./internal/compression.js"

type Body = Exclude<Undici.Dispatcher.RequestOptions<null>["body"], undefined>

/** a request body as undici takes it (as `@effect/platform-node`'s undici client converts it) */
const bodyOf = (body: HttpBody.HttpBody): Effect.Effect<Body> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(null)
    case "Uint8Array":
      return Effect.succeed(body.body)
    case "Raw":
      // what a Raw body holds is the caller's to make right for undici, as with the platform's client
      return Effect.succeed(body.body as Body)
    case "FormData":
      // a web FormData: undici's own type describes the same class (the platform's client passes it too)
      return Effect.succeed(body.formData as unknown as Body)
    case "Stream":
      return NodeStream.toReadable(body.stream)
  }
}

const noop = () => {}

/**
 * The other half of core's `TransportDeadline` (`internal/client/client.ts`,
 * which this package cannot import): the same global values, by the same
 * keys. `OpenCxClient` puts an attempt's deadline under the requesting fiber
 * when the HttpClient has the property `enforcesDeadlines`; this client takes
 * it (removing it) when it sends the request, and stops the request, or the
 * reading of its body, once the deadline's `millis` have passed, failing
 * with its `reason` as the cause. The clock is the live one (core checks it):
 * a timer of Node's, which does not keep the process alive.
 */
const TransportDeadline = {
  deadlines: globalValue(
    Symbol.for("@opencx-effect/TransportDeadline/deadlines"),
    () => new WeakMap<object, { readonly millis: number; readonly reason: object }>()
  ),
  enforcesDeadlines: Symbol.for("@opencx-effect/TransportDeadline/enforcesDeadlines")
} as const

/**
 * A signal that aborts when `signal` does (an interruption) or when the
 * deadline passes (with its reason); `done` disarms it once the body is in.
 */
const armDeadline = (signal: AbortSignal, deadline: { readonly millis: number; readonly reason: object }) => {
  const controller = new AbortController()
  const forward = () => controller.abort(signal.reason)
  if (signal.aborted) forward()
  else signal.addEventListener("abort", forward, { once: true })
  const timer = setTimeout(() => controller.abort(deadline.reason), deadline.millis)
  timer.unref()
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer)
      signal.removeEventListener("abort", forward)
    }
  }
}

/**
 * `@effect/platform-node`'s undici client (`NodeHttpClient.makeUndici`), the
 * same requests and the same errors, with `Compression.BodyResponse` for its
 * responses: their headers are built once and reading a body starts no
 * fiber (both are per-request costs on the hot path).
 */
const makeUndici = (dispatcher: Undici.Dispatcher): HttpClient.HttpClient =>
  HttpClient.make((request, url, signal, fiber) => {
    const options = Context.getOrElse(fiber.currentContext, NodeHttpClient.UndiciRequestOptions, () => ({}))
    const deadline = TransportDeadline.deadlines.get(fiber)
    if (deadline !== undefined) TransportDeadline.deadlines.delete(fiber)
    const armed = deadline === undefined ? undefined : armDeadline(signal, deadline)
    return Effect.flatMap(bodyOf(request.body), (body) =>
      Effect.tryPromise({
        try: () =>
          dispatcher.request({
            ...options,
            signal: armed === undefined ? signal : armed.signal,
            method: request.method,
            headers: request.headers,
            origin: url.origin,
            path: url.pathname + url.search + url.hash,
            body,
            // leave timeouts to Effect.timeout etc
            headersTimeout: 60 * 60 * 1000,
            bodyTimeout: 0
          }),
        catch: (cause) => {
          armed?.done()
          return new HttpClientError.RequestError({ request, reason: "Transport", cause })
        }
      }).pipe(
        Effect.map((response) => {
          const source: Readable = response.body
          source.on("error", noop)
          const setCookie = response.headers["set-cookie"]
          return new Compression.BodyResponse(
            request,
            response.statusCode,
            Headers.fromInput(response.headers),
            setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie],
            {
              read: () =>
                response.body.arrayBuffer().then(
                  (buffer) => {
                    armed?.done()
                    return new Uint8Array(buffer)
                  },
                  (error: unknown) => {
                    armed?.done()
                    throw error
                  }
                ),
              stream: (onError) => NodeStream.fromReadable(() => source, onError),
              formData: () => response.body.formData()
            }
          )
        })
      ))
  })

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
  Effect.map(NodeHttpClient.Dispatcher, (dispatcher): HttpClient.HttpClient =>
    // it enforces OpenCxClient's per-attempt deadlines itself (see TransportDeadline)
    Object.assign(Compression.decompressing(makeUndici(dispatcher)), { [TransportDeadline.enforcesDeadlines]: true }))
).pipe(Layer.provide(NodeHttpClient.dispatcherLayer))

/**
 * Wraps any `HttpClient` so that it asks for gzip, deflate and br bodies and
 * decodes them (what `layer` does to undici).
 *
 * @since 0.2.0
 * @category combinators
 */
export const withDecompression: (client: HttpClient.HttpClient) => HttpClient.HttpClient = Compression.decompressing
