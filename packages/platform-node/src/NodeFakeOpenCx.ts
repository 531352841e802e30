/**
 * FakeOpenCx served over a real socket: an HTTP server on 127.0.0.1, as a
 * scoped layer for Effect programs and as `start` / `stop` for everyone else.
 *
 * On the socket, `Fault.connectionReset` sends the status line, the headers
 * (with the full `content-length`) and a third of the body, then destroys the
 * socket; `Fault.noResponse` accepts the request and never answers. When a
 * client goes away mid-request, the fake's log records it as `aborted`.
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as FakeOpenCx from "@opencx-effect/core/FakeOpenCx"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import * as Compression from "./internal/compression.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface ServeOptions {
  /** the port to listen on; 0 (the default) picks a free one */
  readonly port?: number | undefined
  /** the interface to listen on (default 127.0.0.1) */
  readonly host?: string | undefined
  /**
   * compress bodies with the best of br, gzip and deflate the request
   * accepts, as the real API's edge does (default true)
   */
  readonly compression?: boolean | undefined
}

/**
 * A fake on a socket.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** the base URL, e.g. `http://127.0.0.1:54321` */
  readonly url: string
  readonly port: number
  readonly fake: FakeOpenCx.Service
}

/**
 * @since 0.1.0
 * @category tags
 */
export class NodeFakeOpenCx extends Context.Tag("@opencx-effect/platform-node/NodeFakeOpenCx")<
  NodeFakeOpenCx,
  Service
>() {}

const nodeConnectionControl: Context.Tag.Service<typeof FakeOpenCx.ConnectionControl> = {
  reset: (request, response) =>
    Effect.async<never>(() => {
      const res = NodeHttpServerRequest.toServerResponse(request)
      res.writeHead(response.status, response.headers)
      res.write(response.partialBody, () => {
        res.socket?.destroy()
      })
    })
}

/** the app, with its bodies compressed as the request accepts */
const compressing = <E, R>(app: HttpApp.HttpApp<HttpServerResponse.HttpServerResponse, E, R>) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    Effect.map(app, (response) => {
      const coding = Compression.negotiate(request.headers["accept-encoding"])
      const body = response.body
      if (coding === undefined || body._tag !== "Uint8Array" || body.body.length === 0) return response
      return HttpServerResponse.uint8Array(Compression.compress(coding, body.body), {
        status: response.status,
        headers: { ...response.headers, "content-encoding": coding, vary: "accept-encoding" },
        contentType: body.contentType
      })
    }))

/**
 * Serves a fake on a socket for the life of the scope. Closing the scope
 * closes every connection, hanging ones included.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serve = (
  fake: FakeOpenCx.Service,
  options: ServeOptions = {}
): Effect.Effect<Service, HttpServerError.ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const server = Http.createServer()
    const httpServer = yield* NodeHttpServer.make(() => server, {
      port: options.port ?? 0,
      host: options.host ?? "127.0.0.1"
    })
    // runs before the server's own close: without it, close would wait for hanging requests
    yield* Effect.addFinalizer(() => Effect.sync(() => server.closeAllConnections()))
    const app = fake.app.pipe(Effect.provideService(FakeOpenCx.ConnectionControl, nodeConnectionControl))
    yield* HttpServer.serveEffect(options.compression === false ? app : compressing(app)).pipe(
      Effect.provideService(HttpServer.HttpServer, httpServer)
    )
    const address = httpServer.address
    const port = address._tag === "TcpAddress" ? address.port : 0
    const host = address._tag === "TcpAddress" ? address.hostname : "127.0.0.1"
    return { url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`, port, fake }
  })

/**
 * A fake on a socket, as a scoped layer; it also provides `FakeOpenCx`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: FakeOpenCx.Options & ServeOptions = {}
): Layer.Layer<NodeFakeOpenCx | FakeOpenCx.FakeOpenCx, HttpServerError.ServeError | ParseResult.ParseError> =>
  Layer.scopedContext(
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.make(options)
      const served = yield* serve(fake, options)
      return Context.make(NodeFakeOpenCx, served).pipe(Context.add(FakeOpenCx.FakeOpenCx, fake))
    })
  )

/**
 * A running fake, for callers outside Effect.
 *
 * @since 0.1.0
 * @category models
 */
export interface Running {
  /** the base URL, e.g. `http://127.0.0.1:54321` */
  readonly url: string
  readonly port: number
  /** the token the fake accepts */
  readonly apiKey: string
  /** the requests received so far */
  readonly requests: () => Promise<ReadonlyArray<FakeOpenCx.LoggedRequest>>
  /** the Effect service, to script faults or change sessions */
  readonly fake: FakeOpenCx.Service
  /** stops the server, closing every connection */
  readonly stop: () => Promise<void>
}

/**
 * Starts a fake on 127.0.0.1 (a free port unless `port` is given).
 *
 * @example
 * ```ts
 * import { NodeFakeOpenCx } from "@opencx-effect/platform-node"
 *
 * const fake = await NodeFakeOpenCx.start({ generate: { count: 500, seed: 7 } })
 * const response = await fetch(`${fake.url}/chat/sessions`, {
 *   headers: { authorization: `Bearer ${fake.apiKey}` }
 * })
 * await fake.stop()
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = async (options: FakeOpenCx.Options & ServeOptions = {}): Promise<Running> => {
  const runtime = ManagedRuntime.make(layer(options))
  try {
    const served = await runtime.runPromise(NodeFakeOpenCx)
    return {
      url: served.url,
      port: served.port,
      apiKey: Redacted.value(served.fake.apiKey),
      fake: served.fake,
      requests: () => runtime.runPromise(served.fake.requests),
      stop: () => runtime.dispose()
    }
  } catch (error) {
    await runtime.dispose()
    throw error
  }
}
