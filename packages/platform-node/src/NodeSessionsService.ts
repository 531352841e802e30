/**
 * `SessionsService` with Node's HTTP client (undici) provided: what an
 * application adds to its runtime.
 *
 * @example
 * ```ts
 * import { SessionsService } from "@opencx-effect/core"
 * import { NodeSessionsService } from "@opencx-effect/platform-node"
 * import { Effect, Stream } from "effect"
 *
 * const program = SessionsService.stream({ status: "open" }).pipe(
 *   Stream.runForEach((session) => Effect.log(session.id)),
 *   Effect.provide(NodeSessionsService.layerConfig())
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as SessionsService from "@opencx-effect/core/SessionsService"
import type * as ConfigError from "effect/ConfigError"
import * as Layer from "effect/Layer"
import * as NodeHttp from "./NodeHttp.js"

/**
 * The service with the options given, over undici.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: SessionsService.Options
): Layer.Layer<SessionsService.SessionsService, ConfigError.ConfigError> =>
  SessionsService.layer(options).pipe(Layer.provide(NodeHttp.layer))

/**
 * The service with `OPENCX_API_KEY` and `OPENCX_BASE_URL` read through
 * Effect `Config`, over undici.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<SessionsService.Options, "apiKey" | "baseUrl"> = {}
): Layer.Layer<SessionsService.SessionsService, ConfigError.ConfigError> =>
  SessionsService.layerConfig(options).pipe(Layer.provide(NodeHttp.layer))
