/**
 * Where the CLI's sessions come from: OpenCX itself when a key is given
 * (`OPENCX_API_KEY` or `--api-key-file`); an embedded FakeOpenCx when the
 * user asked for nothing real (no key and no base URL). A base URL without a
 * key is refused: the user meant a real API, and must not get made-up
 * sessions instead.
 *
 * With `--redis URL` (or `OPENCX_REDIS_URL`), the client's rate limit is
 * kept in Redis (`@opencx-effect/redis`, imported only then: ioredis is not
 * loaded otherwise), so that every process on the key shares it. When Redis
 * fails, a request fails with `RateLimiterUnavailable` (nothing sent), or,
 * with `--redis-fallback N`, goes on at the limit / N in this process.
 *
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as SessionsService from "@opencx-effect/core/SessionsService"
import type * as OpenCxClient from "@opencx-effect/core/OpenCxClient"
import * as TestSessions from "@opencx-effect/core/TestSessions"
import * as NodeSessionsService from "@opencx-effect/platform-node/NodeSessionsService"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { IoError, reasonOf, UsageError } from "./errors.js"

export interface ConnectionFlags {
  readonly apiKeyFile: Option.Option<string>
  readonly baseUrl: Option.Option<string>
  /** requests per minute; 0 turns the client-side limit off */
  readonly rateLimit: Option.Option<number>
  /** allow http:// to a host other than loopback */
  readonly allowInsecureHttp: boolean
  /** keep the notice about the embedded FakeOpenCx to one short line */
  readonly quiet: boolean
  /** a Redis to keep the rate limit in (instead of OPENCX_REDIS_URL) */
  readonly redis: Option.Option<string>
  /** when Redis fails, go on at the limit divided by this many processes (none: fail) */
  readonly redisFallback: Option.Option<number>
}

/** The embedded fake: how many sessions, which seed. */
export const embedded = {
  count: Config.integer("OPENCX_FAKE_COUNT").pipe(Config.withDefault(10_000)),
  seed: Config.integer("OPENCX_FAKE_SEED").pipe(Config.withDefault(1)),
  pageSize: 100
}

export interface Connection {
  readonly layer: Layer.Layer<SessionsService.SessionsService, UsageError | IoError>
  /** what the CLI says about where the sessions come from and how they are paced, if anything */
  readonly notices: ReadonlyArray<string>
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

/** The Redis to keep the rate limit in, as the flags and the environment say. */
interface RedisChoice {
  readonly url: Redacted.Redacted<string>
  /** `--redis` or `OPENCX_REDIS_URL` */
  readonly from: string
  /** the URL without its password (nor user info, query or fragment) */
  readonly name: string
  readonly onStoreFailure: "fail" | { readonly fallback: "local"; readonly processes: number }
}

/**
 * `--redis` or `OPENCX_REDIS_URL`, checked without loading the Redis client:
 * a URL that is not `redis://` or `rediss://` is a usage error that does not
 * show it whole (it may hold a password).
 */
const redisChoice = (flags: ConnectionFlags) =>
  Effect.gen(function*() {
    const given: Option.Option<{ readonly url: Redacted.Redacted<string>; readonly from: string }> = Option.isSome(flags.redis)
      ? Option.some({ url: Redacted.make(flags.redis.value), from: "--redis" })
      : yield* Config.option(Config.redacted("OPENCX_REDIS_URL")).pipe(
        Effect.map(Option.filter((url) => Redacted.value(url).trim() !== "")),
        Effect.map(Option.map((url) => ({ url, from: "OPENCX_REDIS_URL" }))),
        Effect.mapError((e) => usage(`OPENCX_REDIS_URL: ${e.message}`))
      )
    if (Option.isNone(given)) {
      if (Option.isSome(flags.redisFallback)) {
        return yield* usage("--redis-fallback is what to do when the Redis of --redis (or OPENCX_REDIS_URL) fails: give a Redis too")
      }
      return Option.none<RedisChoice>()
    }
    const { from, url } = given.value
    const text = Redacted.value(url).trim()
    const parsed = URL.canParse(text) ? new URL(text) : undefined
    if (parsed === undefined || !/^rediss?:\/\//i.test(text) || parsed.hostname === "") {
      const shown = parsed === undefined
        ? "a value that is not a URL"
        : parsed.hostname === ""
        ? `${parsed.protocol}… (no host)`
        : `${parsed.protocol}//${parsed.host}`
      return yield* usage(
        `Invalid ${from}: expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] (or rediss:// for TLS), got ${shown}`
      )
    }
    return Option.some<RedisChoice>({
      url: Redacted.make(text),
      from,
      name: `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`,
      onStoreFailure: Option.match(flags.redisFallback, {
        onNone: () => "fail" as const,
        onSome: (processes) => ({ fallback: "local" as const, processes })
      })
    })
  })

/**
 * The rate limit kept in Redis: the store (its connection opened here,
 * closed with the layer) given to the client as `rateLimit.store`.
 */
const sharedLimit = <E, R>(
  redis: RedisChoice,
  limit: { readonly limit: number; readonly interval: Duration.DurationInput },
  layer: (rateLimit: OpenCxClient.RateLimitOptions) => Layer.Layer<SessionsService.SessionsService, E, R>
): Layer.Layer<SessionsService.SessionsService, E | UsageError | IoError, R> =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const Redis = yield* Effect.tryPromise({
      try: () => import("@opencx-effect/redis/RedisRateLimitStore"),
      catch: (e) => new IoError({ message: `cannot load @opencx-effect/redis (for ${redis.from}): ${reasonOf(e)}` })
    })
    const store = yield* Redis.make({ url: redis.url }).pipe(
      // only a URL ioredis refuses fails here (a Redis that does not answer is a warning, and fails each request)
      Effect.mapError((e) => usage(`Invalid ${redis.from}: ${e.reason}`))
    )
    return layer({ ...limit, store, onStoreFailure: redis.onStoreFailure })
  }))

/** what the notice says of a shared limit */
const sharedNotice = (redis: RedisChoice, perMinute: number) =>
  `opencx: the rate limit (${perMinute.toLocaleString("en-US")} requests a minute) is shared through ${redis.name} (${redis.from}), with every process on this key; ${
    redis.onStoreFailure === "fail"
      ? "if Redis fails, requests fail"
      : `if Redis fails, this process goes on alone at ${
        Math.max(1, Math.floor(perMinute / redis.onStoreFailure.processes)).toLocaleString("en-US")
      } a minute, from a minute after Redis last answered (--redis-fallback ${redis.onStoreFailure.processes})`
  }`

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
    const redis = yield* redisChoice(flags)
    if (Option.isSome(redis) && rateLimit === false) {
      return yield* usage(
        `${redis.value.from} shares the client-side rate limit, and --rate-limit 0 turns it off: give one of them`
      )
    }
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
      const fake = (limit: OpenCxClient.RateLimitOptions | undefined) =>
        TestSessions.layerFake({
          generate: { count, seed },
          pageSize: embedded.pageSize,
          client: limit === undefined ? {} : { rateLimit: limit }
        }).pipe(Layer.mapError((e) => usage(`The embedded FakeOpenCx did not start: ${e.message}`)))
      // the embedded fake has no client-side limit unless --rate-limit sets one: then --redis shares it
      const limit = rateLimit === undefined || rateLimit === false ? undefined : rateLimit
      const shared = Option.isSome(redis) && limit !== undefined ? redis.value : undefined
      return {
        layer: shared !== undefined && limit !== undefined ? sharedLimit(shared, limit, fake) : fake(limit),
        notices: [
          flags.quiet
            ? "opencx: using the embedded FakeOpenCx (no API key), not the real API"
            : `No API key (OPENCX_API_KEY or --api-key-file): using the embedded FakeOpenCx, ${
              count.toLocaleString("en-US")
            } generated sessions (seed ${seed}, OPENCX_FAKE_COUNT and OPENCX_FAKE_SEED to change), not the real API.`,
          ...(Option.isSome(redis) && shared === undefined
            ? [`opencx: ${redis.value.from} is not used: the embedded FakeOpenCx has no rate limit to share (give --rate-limit N for one)`]
            : shared !== undefined && limit !== undefined && !flags.quiet
            ? [sharedNotice(shared, limit.limit)]
            : [])
        ],
        source: `embedded:${count}:${seed}`,
        // the embedded fake has no client-side limit unless --rate-limit sets one
        requestsPerMinute: rateLimit === undefined || rateLimit === false ? undefined : rateLimit.limit
      } satisfies Connection
    }
    const url = Option.match(baseUrl, { onNone: () => SessionsService.defaults.baseUrl, onSome: (b) => b.url })
    yield* Effect.logDebug(`sessions from ${displayUrl(url)}`)
    const real = (limit: OpenCxClient.RateLimitOptions | false | undefined) =>
      NodeSessionsService.layer({
        apiKey: apiKey.value,
        baseUrl: url,
        allowInsecureHttp: flags.allowInsecureHttp,
        ...(limit === undefined ? {} : { rateLimit: limit })
      }).pipe(
        Layer.mapError((e) =>
          usage(`Invalid ${Option.isSome(flags.baseUrl) ? "--base-url" : "OPENCX_BASE_URL"}: ${e.message.replace(/^\(Invalid data at baseUrl: "(.*)"\)$/, "$1")}`)
        )
      )
    const limit = rateLimit === undefined || rateLimit === false
      ? { limit: SessionsService.defaults.rateLimit.limit, interval: SessionsService.defaults.rateLimit.interval }
      : rateLimit
    const perMinute = (limit.limit * 60_000) / Duration.toMillis(Duration.decode(limit.interval))
    return {
      layer: Option.isSome(redis) ? sharedLimit(redis.value, limit, real) : real(rateLimit),
      notices: Option.isSome(redis) && !flags.quiet ? [sharedNotice(redis.value, perMinute)] : [],
      source: displayUrl(url),
      requestsPerMinute: rateLimit === false
        ? undefined
        : rateLimit === undefined
        ? (SessionsService.defaults.rateLimit.limit * 60_000) / Duration.toMillis(SessionsService.defaults.rateLimit.interval)
        : rateLimit.limit
    } satisfies Connection
  })
