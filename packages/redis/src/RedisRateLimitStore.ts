/**
 * A `RateLimitStore` in Redis: several processes (and machines) on one API
 * key share one limit. Give it to the client as `rateLimit.store`, or
 * provide `layer(...)` / `layerConfig()` (the `RateLimitStore` service) to
 * the client's layer.
 *
 * The semantics are `RateLimitStore.memory`'s, exactly: per namespace (the
 * client's hash of the key; the key never reaches Redis), the requests in
 * flight under a lease and the end times of the requests that ended within
 * the window; a request is admitted only when in flight + ended in the
 * window < limit, so that in any sliding window no more than the limit
 * start, across every process; a lease that ran out (its process died)
 * counts as ended at start + lease; a pause (a 429's hint) blocks every
 * process. Each operation is one Lua script, atomic in Redis, timed by
 * Redis's own clock (`TIME`): the clocks of the machines do not matter.
 *
 * Keys: `<prefix>:{<namespace>}:inflight`, `:ended` and `:meta`. The
 * namespace is a Redis Cluster hash tag, so a namespace's keys live in one
 * slot. Every write extends the key's expiry to cover what it holds (a
 * window, a lease and a window, or a pause), so an idle namespace
 * disappears by itself.
 *
 * What Redis can lose and memory cannot: after a restart with persistence
 * off, or one that reloads a snapshot older than the window, the requests
 * of the last window are forgotten, and processes could send the whole
 * limit again while the old requests are still in the server's window. The
 * store admits nothing until its Redis has been up for one whole window
 * (its uptime, from `INFO server`, read by every acquire; a user whose ACL
 * refuses `INFO` waits one window from the first request of the namespace
 * instead): a fresh start waits one window, a server that has been up for
 * longer costs nothing.
 *
 * Never a hang: every command has a deadline (`commandTimeout`), and the
 * store's own connection has no offline queue (a command while Redis is
 * down fails at once) and reconnects in the background. A failure is a
 * `RateLimitStoreError`; what the client then does is its
 * `rateLimit.onStoreFailure` (fail the request with `RateLimiterUnavailable`,
 * or fall back to a limit of this process).
 *
 * @example
 * ```ts
 * import { SessionsService } from "@opencx-effect/core"
 * import { NodeOpenCx } from "@opencx-effect/platform-node"
 * import { RedisRateLimitStore } from "@opencx-effect/redis"
 * import { Effect, Layer, Stream } from "effect"
 *
 * // every process running this shares the key's 100 requests a minute
 * const MainLayer = NodeOpenCx.layerConfig().pipe(
 *   Layer.provide(RedisRateLimitStore.layerConfig()) // OPENCX_REDIS_URL
 * )
 * const program = Stream.runDrain(SessionsService.stream()).pipe(Effect.provide(MainLayer))
 * ```
 *
 * @since 0.2.0
 */
import * as RateLimitStore from "@opencx-effect/core/RateLimitStore"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { Redis } from "ioredis"
import { randomBytes } from "node:crypto"
import * as Scripts from "./internal/scripts.js"

/**
 * What the store needs of a Redis client: `EVALSHA` and `EVAL`. An ioredis
 * `Redis` or `Cluster` is one (of any version that has them).
 *
 * @since 0.2.0
 * @category models
 */
export interface Client {
  evalsha(sha1: string, numkeys: number, ...args: Array<string | number>): Promise<unknown>
  eval(script: string, numkeys: number, ...args: Array<string | number>): Promise<unknown>
  /** the connection's state, as ioredis's `Redis` and `Cluster` have it (`"ready"` when connected) */
  readonly status?: string
}

/**
 * What every store takes.
 *
 * @since 0.2.0
 * @category models
 */
export interface CommonOptions {
  /** the prefix of every key; default `opencx:ratelimit` */
  readonly prefix?: string | undefined
  /**
   * the deadline of one command (one operation is one command); default
   * 1 s, under the client's `storeTimeout` (2 s), so that the store says
   * why it failed
   */
  readonly commandTimeout?: Duration.DurationInput | undefined
}

/**
 * A store on a connection of its own, opened by `make` and closed with its
 * scope.
 *
 * @since 0.2.0
 * @category models
 */
export interface UrlOptions extends CommonOptions {
  /**
   * `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS;
   * the password never appears in the store's `name` or its errors
   */
  readonly url: Redacted.Redacted<string> | string
  readonly client?: undefined
  /**
   * how long `make` waits for the first connection; default 2 s. A Redis
   * not reachable by then is not an error of `make`: the store's operations
   * fail (and the client's `onStoreFailure` decides) until it connects
   */
  readonly connectTimeout?: Duration.DurationInput | undefined
}

/**
 * A store on a client of yours (e.g. an ioredis `Cluster`), which you open
 * and close. Give it `enableOfflineQueue: false` (or a short
 * `maxRetriesPerRequest`), so that a command while Redis is down fails
 * rather than waits; the store's deadline holds anyway.
 *
 * @since 0.2.0
 * @category models
 */
export interface ClientOptions extends CommonOptions {
  readonly client: Client
  readonly url?: undefined
  /** the store's name in messages; default `redis` (never put a password in it) */
  readonly name?: string | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
export type Options = UrlOptions | ClientOptions

/**
 * @since 0.2.0
 * @category constants
 */
export const defaults = {
  prefix: "opencx:ratelimit",
  commandTimeout: Duration.seconds(1),
  connectTimeout: Duration.seconds(2)
} as const

/**
 * The name of a Redis URL in messages: scheme, user, host, port and
 * database; never the password (nor the query, where options may carry
 * one). `undefined` when it is not a URL.
 *
 * @since 0.2.0
 * @category utils
 */
export const nameOf = (url: string): string | undefined => {
  if (!URL.canParse(url)) return undefined
  const parsed = new URL(url)
  const user = parsed.username === "" ? "" : `${parsed.username}@`
  const path = parsed.pathname === "/" ? "" : parsed.pathname
  return `${parsed.protocol}//${user}${parsed.host}${path}`
}

/** the keys of a namespace; the namespace is the hash tag: one slot in a cluster */
const keysOf = (prefix: string, namespace: string) => {
  const base = `${prefix}:{${namespace}}`
  return { inflight: `${base}:inflight`, ended: `${base}:ended`, meta: `${base}:meta` }
}

const Reply = Schema.Tuple(Schema.Literal(0, 1), Schema.NonNegativeInt)
const decodeReply = Schema.decodeUnknownEither(Reply)

/** a percent-decoded password, or itself when it does not decode */
const decoded = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

const describe = (cause: unknown): string => cause instanceof Error ? cause.message : String(cause)

/**
 * The store over a client: the scripts, their deadlines, the errors.
 * `lastConnectionError` says why the connection is down, when it is.
 */
const over = (
  client: Client,
  options: CommonOptions & {
    readonly name: string
    readonly scrub: (text: string) => string
    readonly lastConnectionError: () => string | undefined
  }
): RateLimitStore.Service => {
  const { name } = options
  const prefix = options.prefix ?? defaults.prefix
  const commandTimeout = Duration.decode(options.commandTimeout ?? defaults.commandTimeout)
  const leasePrefix = randomBytes(8).toString("hex")
  let leases = 0
  const fail = (reason: string) => new RateLimitStore.RateLimitStoreError({ store: name, reason: options.scrub(reason) })

  const run = (script: Scripts.Script, keys: ReadonlyArray<string>, args: ReadonlyArray<string | number>) =>
    Effect.tryPromise({
      try: () =>
        client.evalsha(script.sha, keys.length, ...keys, ...args).catch((error: unknown) =>
          // after a restart (or SCRIPT FLUSH) Redis no longer knows the script: send it whole
          describe(error).startsWith("NOSCRIPT")
            ? client.eval(script.source, keys.length, ...keys, ...args)
            : Promise.reject(error)
        ),
      catch: (error) => {
        const connection = options.lastConnectionError()
        const text = describe(error)
        // without an offline queue, ioredis refuses a command while disconnected (in its own words):
        // what the user needs is that it is not connected, and why
        return fail(
          client.status !== undefined && client.status !== "ready"
            ? connection === undefined ? "not connected" : `not connected: ${connection}`
            : connection === undefined
            ? text
            : `${text} (${connection})`
        )
      }
    }).pipe(
      Effect.timeoutFail({
        duration: commandTimeout,
        onTimeout: () => fail(`no reply within ${Duration.format(commandTimeout)}`)
      })
    )

  const checked = (namespace: string) =>
    namespace.length === 0 || /[{}\s]/.test(namespace)
      ? Effect.fail(fail(`the namespace must be non-empty, without braces or spaces`))
      : Effect.succeed(keysOf(prefix, namespace))

  return {
    name,
    acquire: ({ leaseMillis, limit, namespace, windowMillis }) =>
      Effect.gen(function*() {
        const keys = yield* checked(namespace)
        const lease = `${leasePrefix}.${++leases}`
        const reply = yield* run(Scripts.acquire, [keys.inflight, keys.ended, keys.meta], [
          Math.max(1, Math.floor(limit)),
          Math.ceil(windowMillis),
          Math.ceil(leaseMillis),
          lease,
          RateLimitStore.pollMillis
        ])
        const parsed = decodeReply(reply)
        if (parsed._tag === "Left") {
          return yield* fail(`unexpected reply to acquire: ${String(JSON.stringify(reply)).slice(0, 200)}`)
        }
        const [admitted, millis] = parsed.right
        return admitted === 1
          ? { _tag: "Admitted", lease } as const
          : { _tag: "Wait", millis: Math.max(1, millis) } as const
      }),
    release: ({ lease, namespace, windowMillis }) =>
      Effect.flatMap(
        checked(namespace),
        (keys) => Effect.asVoid(run(Scripts.release, [keys.inflight, keys.ended], [lease, Math.ceil(windowMillis)]))
      ),
    pause: ({ millis, namespace }) =>
      Effect.flatMap(
        checked(namespace),
        (keys) => Effect.asVoid(run(Scripts.pause, [keys.meta], [Math.max(0, Math.ceil(millis))]))
      )
  }
}

/**
 * A store in Redis, for the life of the scope: on a connection of its own
 * (opened here, waiting up to `connectTimeout` for it, closed when the scope
 * closes), or on a client you give (neither opened nor closed here).
 *
 * Fails only on a URL that is not a `redis://` or `rediss://` URL (or one
 * that ioredis refuses), never showing its password; a Redis that does not
 * answer yet is a warning, and the store's operations fail
 * fast until it does (its connection keeps trying in the background).
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<RateLimitStore.Service, RateLimitStore.RateLimitStoreError, Scope.Scope> =>
  Effect.gen(function*() {
    if (options.client !== undefined) {
      return over(options.client, {
        ...options,
        name: options.name ?? "redis",
        scrub: (text) => text,
        lastConnectionError: () => undefined
      })
    }
    const url = typeof options.url === "string" ? options.url : Redacted.value(options.url)
    const name = nameOf(url)
    if (name === undefined) {
      return yield* new RateLimitStore.RateLimitStoreError({ store: "redis", reason: "the Redis URL does not parse" })
    }
    if (!name.startsWith("redis://") && !name.startsWith("rediss://")) {
      return yield* new RateLimitStore.RateLimitStoreError({ store: name, reason: "not a redis:// or rediss:// URL" })
    }
    const password = new URL(url).password
    const secrets = [password, decoded(password)].filter((s) => s.length >= 3)
    const scrub = (text: string) => secrets.reduce((out, secret) => out.split(secret).join("<redacted>"), text)
    const commandTimeout = Duration.toMillis(Duration.decode(options.commandTimeout ?? defaults.commandTimeout))
    const connectTimeout = Duration.decode(options.connectTimeout ?? defaults.connectTimeout)

    let lastConnectionError: string | undefined = undefined
    const open = () => {
      const redis = new Redis(url, {
        lazyConnect: true,
        // a command while disconnected fails at once, and one in flight when
        // the connection drops fails then: never queued for later
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
        commandTimeout: Math.max(1, Math.ceil(commandTimeout)),
        connectTimeout: Math.max(1, Math.ceil(Duration.toMillis(connectTimeout))),
        // keep reconnecting, every second at most
        retryStrategy: (times) => Math.min(100 * times, 1_000)
      })
      redis.on("error", (error: unknown) => {
        lastConnectionError = describe(error)
      })
      redis.on("ready", () => {
        lastConnectionError = undefined
      })
      return redis
    }
    const client = yield* Effect.acquireRelease(
      Effect.try({
        try: open,
        // ioredis refuses some URLs that parse (a password that does not percent-decode)
        catch: (error) =>
          new RateLimitStore.RateLimitStoreError({ store: name, reason: scrub(`the Redis URL is refused: ${describe(error)}`) })
      }),
      (redis) =>
        Effect.promise(() => redis.quit().then(() => undefined, () => undefined)).pipe(
          Effect.timeout("1 second"),
          Effect.ignore,
          Effect.ensuring(Effect.sync(() => redis.disconnect()))
        )
    )
    yield* Effect.tryPromise(() => client.connect()).pipe(
      Effect.timeoutFail({ duration: connectTimeout, onTimeout: () => `no connection within ${Duration.format(connectTimeout)}` }),
      Effect.catchAll((error) =>
        Effect.logWarning(
          `OpenCX: the Redis rate-limit store ${name} is not reachable yet (${
            scrub(typeof error === "string" ? error : describe(error.error))
          }); its operations fail until it is`
        )
      )
    )
    return over(client, { ...options, name, scrub, lastConnectionError: () => lastConnectionError })
  })

/**
 * The store as the `RateLimitStore` service, for the client's layer.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<RateLimitStore.RateLimitStore, RateLimitStore.RateLimitStoreError> =>
  Layer.scoped(RateLimitStore.RateLimitStore, make(options))

/**
 * The URL read from the environment: `OPENCX_REDIS_URL`, as `Redacted`.
 *
 * @since 0.2.0
 * @category config
 */
export const config: Config.Config<Redacted.Redacted<string>> = Config.redacted("OPENCX_REDIS_URL")

/**
 * The store on `OPENCX_REDIS_URL` (read through `Config`, as `Redacted`), as
 * the `RateLimitStore` service; the other options are given here.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<UrlOptions, "url" | "client"> = {}
): Layer.Layer<RateLimitStore.RateLimitStore, ConfigError.ConfigError | RateLimitStore.RateLimitStoreError> =>
  Layer.scoped(RateLimitStore.RateLimitStore, Effect.flatMap(config, (url) => make({ ...options, url })))
