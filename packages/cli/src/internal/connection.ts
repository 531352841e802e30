/**
 * Where the CLI's sessions come from: OpenCX itself when a key is given
 * (`OPENCX_API_KEY` or `--api-key-file`); an embedded FakeOpenCx when the
 * user asked for nothing real (no key and no base URL). A base URL without a
 * key is refused: the user meant a real API, and must not get made-up
 * sessions instead.
 *
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as SessionsService from "@opencx-effect/core/SessionsService"
import * as TestSessions from "@opencx-effect/core/TestSessions"
import * as NodeSessionsService from "@opencx-effect/platform-node/NodeSessionsService"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { reasonOf, UsageError } from "./errors.js"

export interface ConnectionFlags {
  readonly apiKeyFile: Option.Option<string>
  readonly baseUrl: Option.Option<string>
  /** requests per minute; 0 turns the client-side limit off */
  readonly rateLimit: Option.Option<number>
  /** allow http:// to a host other than loopback */
  readonly allowInsecureHttp: boolean
  /** keep the notice about the embedded FakeOpenCx to one short line */
  readonly quiet: boolean
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
  /** where the sessions come from, without secrets (the key of the totals cache): an origin, or the embedded fake */
  readonly source: string
  /** the client-side rate limit, in requests per minute; undefined when it is off */
  readonly requestsPerMinute: number | undefined
}

const usage = (message: string) => new UsageError({ message })

/**
 * A base URL for a message: without credentials, query or fragment (where a
 * secret could hide), and without control characters.
 */
export const displayUrl = (text: string): string => {
  try {
    const url = new URL(text)
    return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`
  } catch {
    return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text)
  }
}

/** a blank variable counts as unset, as for OPENCX_API_KEY */
const nonBlank = (text: string) => (text.trim() === "" ? Option.none() : Option.some(text))

export const resolve = (flags: ConnectionFlags) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const fromFile = yield* Option.match(flags.apiKeyFile, {
      onNone: () => Effect.succeed(Option.none<Redacted.Redacted<string>>()),
      onSome: (file) =>
        fs.readFileString(file).pipe(
          Effect.mapError((e) => usage(`Cannot read the API key file ${file}: ${reasonOf(e)}`)),
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
    const baseUrl: Option.Option<{ readonly url: string; readonly from: string }> = Option.isSome(flags.baseUrl)
      ? Option.some({ url: flags.baseUrl.value, from: "--base-url" })
      : yield* Config.option(Config.string("OPENCX_BASE_URL")).pipe(
        Effect.map(Option.flatMap(nonBlank)),
        Effect.map(Option.map((url) => ({ url, from: "OPENCX_BASE_URL" }))),
        Effect.mapError((e) => usage(`OPENCX_BASE_URL: ${e.message}`))
      )
    const rateLimit = Option.match(flags.rateLimit, {
      onNone: () => undefined,
      onSome: (perMinute) => (perMinute <= 0 ? (false as const) : { limit: perMinute, interval: "1 minute" as const })
    })
    if (Option.isNone(apiKey)) {
      if (Option.isSome(baseUrl)) {
        // a real API was asked for: made-up sessions would pass for its data
        return yield* usage(
          `no API key for ${displayUrl(baseUrl.value.url)} (from ${baseUrl.value.from}): set OPENCX_API_KEY or pass --api-key-file (without a base URL, the embedded FakeOpenCx is used)`
        )
      }
      const count = yield* embedded.count.pipe(Effect.mapError((e) => usage(`OPENCX_FAKE_COUNT: ${e.message}`)))
      const seed = yield* embedded.seed.pipe(Effect.mapError((e) => usage(`OPENCX_FAKE_SEED: ${e.message}`)))
      yield* Effect.logDebug(`sessions from the embedded FakeOpenCx (${count} sessions, seed ${seed})`)
      return {
        layer: TestSessions.layerFake({
          generate: { count, seed },
          pageSize: embedded.pageSize,
          client: rateLimit === undefined ? {} : { rateLimit }
        }).pipe(Layer.mapError((e) => usage(`The embedded FakeOpenCx did not start: ${e.message}`))),
        notice: Option.some(
          flags.quiet
            ? "opencx: using the embedded FakeOpenCx (no API key), not the real API"
            : `No API key (OPENCX_API_KEY or --api-key-file): using the embedded FakeOpenCx, ${
              count.toLocaleString("en-US")
            } generated sessions (seed ${seed}, OPENCX_FAKE_COUNT and OPENCX_FAKE_SEED to change), not the real API.`
        ),
        source: `embedded:${count}:${seed}`,
        // the embedded fake has no client-side limit unless --rate-limit sets one
        requestsPerMinute: rateLimit === undefined || rateLimit === false ? undefined : rateLimit.limit
      } satisfies Connection
    }
    const url = Option.match(baseUrl, { onNone: () => SessionsService.defaults.baseUrl, onSome: (b) => b.url })
    yield* Effect.logDebug(`sessions from ${displayUrl(url)}`)
    return {
      layer: NodeSessionsService.layer({
        apiKey: apiKey.value,
        baseUrl: url,
        allowInsecureHttp: flags.allowInsecureHttp,
        ...(rateLimit === undefined ? {} : { rateLimit })
      }).pipe(
        Layer.mapError((e) =>
          usage(`Invalid ${Option.isSome(flags.baseUrl) ? "--base-url" : "OPENCX_BASE_URL"}: ${e.message.replace(/^\(Invalid data at baseUrl: "(.*)"\)$/, "$1")}`)
        )
      ),
      notice: Option.none(),
      source: displayUrl(url),
      requestsPerMinute: rateLimit === false
        ? undefined
        : rateLimit === undefined
        ? (SessionsService.defaults.rateLimit.limit * 60_000) / Duration.toMillis(SessionsService.defaults.rateLimit.interval)
        : rateLimit.limit
    } satisfies Connection
  })
