/**
 * The whole OpenCX client for Node: one `OpenCxClient` (one transport, one
 * rate limiter, for one API key) and every service built on it, over Node's
 * HTTP client (undici, with compressed bodies). What an application adds to
 * its runtime: every call of every service shares the one limit.
 *
 * @example
 * ```ts
 * import { SessionsService } from "@opencx-effect/core"
 * import { NodeOpenCx } from "@opencx-effect/platform-node"
 * import { Effect, Stream } from "effect"
 *
 * const program = SessionsService.stream({ status: "open" }).pipe(
 *   Stream.runForEach((session) => Effect.log(session.id)),
 *   Effect.provide(NodeOpenCx.layerConfig())
 * )
 * ```
 *
 * @since 0.2.0
 */
import * as ContactsService from "@opencx-effect/core/ContactsService"
import * as OpenCxClient from "@opencx-effect/core/OpenCxClient"
import * as SessionsService from "@opencx-effect/core/SessionsService"
import type * as ConfigError from "effect/ConfigError"
import * as Layer from "effect/Layer"
import * as NodeHttp from "./NodeHttp.js"

/**
 * Every service of the client, over the `OpenCxClient` in context.
 *
 * @since 0.2.0
 * @category layers
 */
export const services: Layer.Layer<
  SessionsService.SessionsService | ContactsService.ContactsService,
  never,
  OpenCxClient.OpenCxClient
> = Layer.mergeAll(SessionsService.layerClient, ContactsService.layerClient)

/**
 * What `layer` and `layerConfig` provide.
 *
 * @since 0.2.0
 * @category models
 */
export type Services = OpenCxClient.OpenCxClient | SessionsService.SessionsService | ContactsService.ContactsService

/**
 * The client with the options given, and every service on it, over undici.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: OpenCxClient.Options): Layer.Layer<Services, ConfigError.ConfigError> =>
  services.pipe(Layer.provideMerge(OpenCxClient.layer(options)), Layer.provide(NodeHttp.layer))

/**
 * The client with `OPENCX_API_KEY` and `OPENCX_BASE_URL` read through Effect
 * `Config` (the other options given here), and every service on it, over
 * undici.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<OpenCxClient.Options, "apiKey" | "baseUrl"> = {}
): Layer.Layer<Services, ConfigError.ConfigError> =>
  services.pipe(Layer.provideMerge(OpenCxClient.layerConfig(options)), Layer.provide(NodeHttp.layer))
