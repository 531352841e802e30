/**
 * Where the CLI's sessions come from: OpenCX itself when a key is given
 * (`OPENCX_API_KEY` or `--api-key-file`), otherwise an embedded FakeOpenCx.
 *
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import { SessionsService, TestSessions } from "@opencx-effect/core"
import { NodeSessionsService } from "@opencx-effect/platform-node"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { UsageError } from "./errors.js"

export interface ConnectionFlags {
  readonly apiKeyFile: Option.Option<string>
  readonly baseUrl: Option.Option<string>
  /** requests per minute; 0 turns the client-side limit off */
  readonly rateLimit: Option.Option<number>
  /** allow http:// to a host other than loopback */
  readonly allowInsecureHttp: boolean
}

/** The embedded fake: how many sessions, which seed. */
export const embedded = {
  count: Config.integer("OPENCX_FAKE_COUNT").pipe(Config.withDefault(10_000)),
  seed: Config.integer("OPENCX_FAKE_SEED").pipe(Config.withDefault(1)),
  pageSize: 100
}

export interface Connection {
  readonly layer: Layer.Layer<SessionsService.SessionsService, UsageError>
  /** what the CLI says about where the sessions come from, or none */
  readonly notice: Option.Option<string>
}

const usage = (message: string) => new UsageError({ message })

export const resolve = (flags: ConnectionFlags) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const fromFile = yield* Option.match(flags.apiKeyFile, {
      onNone: () => Effect.succeed(Option.none<Redacted.Redacted<string>>()),
      onSome: (file) =>
        fs.readFileString(file).pipe(
          Effect.mapError((e) => usage(`Cannot read the API key file ${file}: ${e.message}`)),
          Effect.flatMap((text) =>
            text.trim() === ""
              ? Effect.fail(usage(`The API key file ${file} is empty`))
              : Effect.succeed(Option.some(Redacted.make(text.trim())))
          )
        )
    })
    const fromEnv = yield* Config.option(Config.redacted("OPENCX_API_KEY")).pipe(
      Effect.map(Option.filter((key) => Redacted.value(key).trim() !== "")),
      Effect.mapError((e) => usage(`OPENCX_API_KEY: ${e.message}`))
    )
    const apiKey = Option.orElse(fromFile, () => fromEnv)
    const rateLimit = Option.match(flags.rateLimit, {
      onNone: () => undefined,
      onSome: (perMinute) => (perMinute <= 0 ? (false as const) : { limit: perMinute, interval: "1 minute" as const })
    })
    if (Option.isNone(apiKey)) {
      const count = yield* embedded.count.pipe(Effect.mapError((e) => usage(`OPENCX_FAKE_COUNT: ${e.message}`)))
      const seed = yield* embedded.seed.pipe(Effect.mapError((e) => usage(`OPENCX_FAKE_SEED: ${e.message}`)))
      return {
        layer: TestSessions.layerFake({
          generate: { count, seed },
          pageSize: embedded.pageSize,
          client: rateLimit === undefined ? {} : { rateLimit }
        }).pipe(Layer.mapError((e) => usage(`The embedded FakeOpenCx did not start: ${e.message}`))),
        notice: Option.some(
          `No API key (OPENCX_API_KEY or --api-key-file): using the embedded FakeOpenCx, ${count.toLocaleString("en-US")} generated sessions (seed ${seed}, OPENCX_FAKE_COUNT and OPENCX_FAKE_SEED to change), not the real API.`
        )
      } satisfies Connection
    }
    const baseUrl = Option.isSome(flags.baseUrl)
      ? flags.baseUrl.value
      : yield* Config.string("OPENCX_BASE_URL").pipe(
        Config.withDefault(SessionsService.defaults.baseUrl),
        Effect.mapError((e) => usage(`OPENCX_BASE_URL: ${e.message}`))
      )
    return {
      layer: NodeSessionsService.layer({
        apiKey: apiKey.value,
        baseUrl,
        allowInsecureHttp: flags.allowInsecureHttp,
        ...(rateLimit === undefined ? {} : { rateLimit })
      }).pipe(
        Layer.mapError((e) =>
          usage(`Invalid ${Option.isSome(flags.baseUrl) ? "--base-url" : "OPENCX_BASE_URL"}: ${e.message.replace(/^\(Invalid data at baseUrl: "(.*)"\)$/, "$1")}`)
        )
      ),
      notice: Option.none()
    } satisfies Connection
  })
