/**
 * Ready layers of `SessionsService` for your own tests.
 *
 * - `layerFake(options)`: the real services (`SessionsService`,
 *   `ContactsService`, on one `OpenCxClient`) over an in-process FakeOpenCx,
 *   so that your test exercises real pagination, histories, retries, rate
 *   limiting and errors, with no socket. `FakeOpenCx` is provided too, to
 *   script faults, change sessions and read the request log. Time is Effect's `Clock`: under
 *   `TestClock` (as in `it.effect`), adjust it to let retries and latency
 *   pass.
 * - `layerFailing(error)`: every call fails with `error`.
 * - `layer(implementation)`: your own implementation of some methods (for
 *   code that reads history, a `history` function); the others die, saying
 *   which was called.
 *
 * @example
 * ```ts
 * import { FakeOpenCx, SessionsService, TestSessions } from "@opencx-effect/core"
 * import { Effect, Stream } from "effect"
 *
 * const countOpen = SessionsService.stream({ status: "open" }).pipe(Stream.runCount)
 *
 * const test = countOpen.pipe(
 *   Effect.provide(TestSessions.layerFake({
 *     generate: { count: 300, seed: 1 },
 *     faults: [FakeOpenCx.onRequest(2, FakeOpenCx.Fault.status(503))]
 *   }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as ParseResult from "effect/ParseResult"
import * as Stream from "effect/Stream"
import * as ContactsService from "./ContactsService.js"
import * as FakeOpenCx from "./FakeOpenCx.js"
import * as OpenCxClient from "./OpenCxClient.js"
import type { OpenCxError } from "./OpenCxError.js"
import * as SessionsService from "./SessionsService.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface FakeOptions extends FakeOpenCx.Options {
  /**
   * options of the service; by default the fake's key and no client-side
   * rate limit (the fake's own `rateLimit`, when set, still answers 429)
   */
  readonly client?: Partial<SessionsService.Options> | undefined
}

/**
 * The real service over an in-process FakeOpenCx.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFake = (
  options: FakeOptions = {}
): Layer.Layer<
  SessionsService.SessionsService | ContactsService.ContactsService | OpenCxClient.OpenCxClient | FakeOpenCx.FakeOpenCx,
  ParseResult.ParseError | ConfigError.ConfigError
> =>
  Layer.effectContext(
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.make(options)
      const client = yield* OpenCxClient.make({ apiKey: fake.apiKey, rateLimit: false, ...options.client }).pipe(
        Effect.provideService(HttpClient.HttpClient, FakeOpenCx.httpClient(fake))
      )
      const service = yield* Effect.provideService(SessionsService.make, OpenCxClient.OpenCxClient, client)
      const contacts = yield* Effect.provideService(ContactsService.make, OpenCxClient.OpenCxClient, client)
      return Context.make(SessionsService.SessionsService, service).pipe(
        Context.add(ContactsService.ContactsService, contacts),
        Context.add(OpenCxClient.OpenCxClient, client),
        Context.add(FakeOpenCx.FakeOpenCx, fake)
      )
    })
  )

/**
 * A service whose every call fails with `error`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFailing = (error: OpenCxError): Layer.Layer<SessionsService.SessionsService> =>
  Layer.succeed(SessionsService.SessionsService, {
    list: () => Effect.fail(error),
    pages: () => Stream.fail(error),
    stream: () => Stream.fail(error),
    pagesEncoded: () => Stream.fail(error),
    streamEncoded: () => Stream.fail(error),
    steps: () => Stream.fail(error),
    get: () => Effect.fail(error),
    history: () => Stream.fail(error),
    historyPages: () => Stream.fail(error),
    historyEncoded: () => Stream.fail(error),
    create: () => Effect.fail(error),
    send: () => Effect.fail(error),
    update: () => Effect.fail(error),
    close: () => Effect.fail(error),
    reopen: () => Effect.fail(error)
  })

/**
 * A service made of the methods given; a call to another dies, saying which.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  implementation: Partial<SessionsService.Service>
): Layer.Layer<SessionsService.SessionsService> => {
  const missing = (name: string) => `TestSessions.layer: SessionsService.${name} was called but not implemented`
  return Layer.succeed(SessionsService.SessionsService, {
    list: implementation.list ?? (() => Effect.dieMessage(missing("list"))),
    pages: implementation.pages ?? (() => Stream.dieMessage(missing("pages"))),
    stream: implementation.stream ?? (() => Stream.dieMessage(missing("stream"))),
    pagesEncoded: implementation.pagesEncoded ?? (() => Stream.dieMessage(missing("pagesEncoded"))),
    streamEncoded: implementation.streamEncoded ?? (() => Stream.dieMessage(missing("streamEncoded"))),
    steps: implementation.steps ?? (() => Stream.dieMessage(missing("steps"))),
    get: implementation.get ?? (() => Effect.dieMessage(missing("get"))),
    history: implementation.history ?? (() => Stream.dieMessage(missing("history"))),
    historyPages: implementation.historyPages ?? (() => Stream.dieMessage(missing("historyPages"))),
    historyEncoded: implementation.historyEncoded ?? (() => Stream.dieMessage(missing("historyEncoded"))),
    create: implementation.create ?? (() => Effect.dieMessage(missing("create"))),
    send: implementation.send ?? (() => Effect.dieMessage(missing("send"))),
    update: implementation.update ?? (() => Effect.dieMessage(missing("update"))),
    close: implementation.close ?? (() => Effect.dieMessage(missing("close"))),
    reopen: implementation.reopen ?? (() => Effect.dieMessage(missing("reopen")))
  })
}
