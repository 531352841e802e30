/**
 * The `opencx` command line, built with `@effect/cli`:
 *
 * - `opencx sessions export`: every matching session to a file or stdout
 *   (ndjson, csv or json), streamed in constant memory, resumable with
 *   `--checkpoint`, incremental with `--since-last`;
 * - `opencx sessions stats`: counts by status, channel, sentiment,
 *   ai_closure_type and day;
 * - `opencx fake-server`: FakeOpenCx on 127.0.0.1.
 *
 * With no API key (`OPENCX_API_KEY` or `--api-key-file`) and no base URL
 * (`OPENCX_BASE_URL` or `--base-url`), the sessions commands run against an
 * embedded FakeOpenCx and say so on stderr; a base URL without a key is
 * refused (exit code 2).
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type * as CliApp from "@effect/cli/CliApp"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import { ChatSession, type ListChatSessionsParams, OpenCxError } from "@opencx-effect/core"
import { NodeFakeOpenCx } from "@opencx-effect/platform-node"
import * as Effect from "effect/Effect"
import { createRequire } from "node:module"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Connection from "./internal/connection.js"
import { IoError, OutputClosed, reasonOf, UsageError } from "./internal/errors.js"
import * as Export from "./internal/export.js"
import { formats } from "./internal/formats.js"
import { writeStderr } from "./internal/progress.js"
import * as Stats from "./internal/stats.js"

// ---------------------------------------------------------------------------
// Options shared by the sessions commands
// ---------------------------------------------------------------------------

/** a bad value is refused with a message that names the flag */
const invalid = (name: string, expected: string, value: string) =>
  ValidationError.invalidValue(HelpDoc.p(`Invalid --${name}: expected ${expected}, got ${JSON.stringify(value)}`))

/** one of `values`; the help lists them */
const choice = <const A extends string>(name: string, values: ReadonlyArray<A>) =>
  Options.text(name).pipe(
    Options.mapEffect((value) => {
      const found = values.find((v) => v === value)
      return found === undefined ? Effect.fail(invalid(name, `one of ${values.join(", ")}`, value)) : Effect.succeed(found)
    })
  )

/** an integer of at least `min` */
const integer = (name: string, min: number) =>
  Options.text(name).pipe(
    Options.mapEffect((value) =>
      /^-?\d+$/.test(value.trim()) && Number(value) >= min
        ? Effect.succeed(Number(value))
        : Effect.fail(invalid(name, `an integer of at least ${min}`, value))
    )
  )

/** a date filter, checked with the others by ListChatSessionsParams */
const dateOption = (name: string, what: string) =>
  Options.text(name).pipe(
    Options.withDescription(`only sessions ${what} this ISO 8601 date or date-time (a date alone is midnight UTC)`),
    Options.optional
  )

const filterOptions = {
  status: choice("status", ChatSession.SessionStatusStrict.literals).pipe(
    Options.withDescription(`only sessions with this status: ${ChatSession.SessionStatusStrict.literals.join(", ")}`),
    Options.optional
  ),
  channel: choice("channel", ChatSession.SessionChannelStrict.literals).pipe(
    Options.withDescription(
      `only sessions on this channel (the API's channel_type): ${ChatSession.SessionChannelStrict.literals.join(", ")}`
    ),
    Options.optional
  ),
  handedOff: Options.boolean("handed-off").pipe(
    Options.withDescription("only sessions handed off to a human (a handoff, or closed by a hand-off)")
  ),
  notHandedOff: Options.boolean("no-handed-off").pipe(
    Options.withDescription("only sessions that were not handed off")
  ),
  createdAfter: dateOption("created-after", "created after"),
  createdBefore: dateOption("created-before", "created before"),
  updatedAfter: dateOption("updated-after", "updated after"),
  updatedBefore: dateOption("updated-before", "updated before")
}

const connectionOptions = {
  apiKeyFile: Options.file("api-key-file").pipe(
    Options.withDescription("read the API key from this file (instead of OPENCX_API_KEY)"),
    Options.optional
  ),
  baseUrl: Options.text("base-url").pipe(
    Options.withDescription("the API's base URL (instead of OPENCX_BASE_URL; default https://api.open.cx)"),
    Options.optional
  ),
  rateLimit: integer("rate-limit", 0).pipe(
    Options.withDescription("client-side limit in requests per minute (default 100; 0: off)"),
    Options.optional
  ),
  allowInsecureHttp: Options.boolean("allow-insecure-http").pipe(
    Options.withDescription("allow an http:// base URL on a host other than loopback (the key travels in clear)")
  ),
  quiet: Options.boolean("quiet").pipe(Options.withAlias("q"), Options.withDescription("no progress, no summary"))
}

interface FilterValues {
  readonly status: Option.Option<ChatSession.KnownSessionStatus>
  readonly channel: Option.Option<ChatSession.KnownSessionChannel>
  readonly handedOff: boolean
  readonly notHandedOff: boolean
  readonly createdAfter: Option.Option<string>
  readonly createdBefore: Option.Option<string>
  readonly updatedAfter: Option.Option<string>
  readonly updatedBefore: Option.Option<string>
}

const toParams = (values: FilterValues): Effect.Effect<ListChatSessionsParams.Input, UsageError> => {
  if (values.handedOff && values.notHandedOff) {
    return Effect.fail(new UsageError({ message: "--handed-off and --no-handed-off exclude each other" }))
  }
  const params: { -readonly [K in keyof ListChatSessionsParams.Input]: ListChatSessionsParams.Input[K] } = {}
  if (Option.isSome(values.status)) params.status = values.status.value
  if (Option.isSome(values.channel)) params.channel_type = values.channel.value
  if (values.handedOff || values.notHandedOff) params.handed_off = values.handedOff
  if (Option.isSome(values.createdAfter)) params.created_after = values.createdAfter.value
  if (Option.isSome(values.createdBefore)) params.created_before = values.createdBefore.value
  if (Option.isSome(values.updatedAfter)) params.updated_after = values.updatedAfter.value
  if (Option.isSome(values.updatedBefore)) params.updated_before = values.updatedBefore.value
  return Effect.succeed(params)
}

/**
 * Runs `effect` with the SessionsService the flags and the environment call
 * for, once per command: the notice about the embedded FakeOpenCx, if any,
 * is written once, before anything else.
 */
const withSessions = <A, E, R>(
  flags: Connection.ConnectionFlags,
  effect: Effect.Effect<A, E, R>
) =>
  Effect.gen(function*() {
    const connection = yield* Connection.resolve(flags)
    if (Option.isSome(connection.notice)) yield* writeStderr(`${connection.notice.value}\n`)
    return yield* Effect.provide(effect, connection.layer)
  })

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

const exportCommand = Command.make(
  "export",
  {
    ...filterOptions,
    ...connectionOptions,
    format: choice("format", formats).pipe(
      Options.withDefault("ndjson" as const),
      Options.withDescription("ndjson (one session per line), csv (flattened columns) or json (one array)")
    ),
    output: Options.text("output").pipe(
      Options.withAlias("o"),
      Options.withDescription("write to this file (default: stdout)"),
      Options.optional
    ),
    limit: integer("limit", 1).pipe(Options.withDescription("stop after this many sessions"), Options.optional),
    checkpoint: Options.text("checkpoint").pipe(
      Options.withDescription(
        "save progress here after each page; run the same command again to resume after a crash (needs --output)"
      ),
      Options.optional
    ),
    sinceLast: Options.text("since-last").pipe(
      Options.withDescription("incremental: export only the sessions updated since the run that last used this state file"),
      Options.optional
    )
  },
  (flags) =>
    Effect.flatMap(toParams(flags), (filters) =>
      withSessions(
        flags,
        Export.run({
          filters,
          format: flags.format,
          output: flags.output,
          limit: flags.limit,
          checkpoint: flags.checkpoint,
          sinceLast: flags.sinceLast,
          quiet: flags.quiet
        })
      ))
).pipe(Command.withDescription("Export chat sessions, as they come, to a file or stdout"))

const statsCommand = Command.make(
  "stats",
  {
    ...filterOptions,
    ...connectionOptions,
    json: Options.boolean("json").pipe(Options.withDescription("print the counts as JSON"))
  },
  (flags) =>
    toParams(flags).pipe(
      Effect.flatMap(Export.filtersQuery),
      Effect.flatMap((query) => withSessions(flags, Stats.run({ params: query, json: flags.json, quiet: flags.quiet })))
    )
).pipe(Command.withDescription("Count sessions by status, channel, sentiment, ai_closure_type and day"))

const sessionsCommand = Command.make("sessions").pipe(
  Command.withDescription("Chat sessions: export them, or count them"),
  Command.withSubcommands([exportCommand, statsCommand])
)

const fakeServerCommand = Command.make(
  "fake-server",
  {
    port: integer("port", 0).pipe(Options.withDefault(0), Options.withDescription("port (default: a free one)")),
    count: integer("count", 0).pipe(Options.withDefault(10_000), Options.withDescription("sessions to generate")),
    seed: integer("seed", 0).pipe(Options.withDefault(1), Options.withDescription("seed of the generated data")),
    pageSize: integer("page-size", 1).pipe(Options.withDefault(25), Options.withDescription("sessions per page")),
    rateLimit: integer("rate-limit", 1).pipe(
      Options.withDescription("answer 429 past this many requests per minute per token"),
      Options.optional
    ),
    latency: integer("latency", 0).pipe(
      Options.withDescription("milliseconds added to every response"),
      Options.optional
    )
  },
  (flags) =>
    Effect.gen(function*() {
      if (flags.port > 65535) return yield* new UsageError({ message: "Invalid --port: expected at most 65535" })
      const served = yield* NodeFakeOpenCx.NodeFakeOpenCx
      const key = Redacted.value(served.fake.apiKey)
      yield* Effect.sync(() =>
        void process.stdout.write(
          `FakeOpenCx listening on ${served.url} (${flags.count} sessions, seed ${flags.seed}, ${flags.pageSize} a page)\n` +
            `OPENCX_BASE_URL=${served.url}\nOPENCX_API_KEY=${key}\n`
        )
      )
      return yield* Effect.never
    }).pipe(
      Effect.provide(
        NodeFakeOpenCx.layer({
          generate: { count: flags.count, seed: flags.seed },
          pageSize: flags.pageSize,
          port: flags.port,
          ...(Option.isSome(flags.rateLimit) ? { rateLimit: { limit: flags.rateLimit.value, window: "1 minute" } } : {}),
          ...(Option.isSome(flags.latency) ? { latency: flags.latency.value } : {})
        })
      ),
      Effect.mapError((e) => e._tag === "UsageError" ? e : new UsageError({ message: `The fake server did not start: ${e.message}` }))
    )
).pipe(Command.withDescription("Serve FakeOpenCx on 127.0.0.1, for tests and demos"))

/**
 * The `opencx` command.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("opencx").pipe(
  Command.withDescription("Export and summarise OpenCX chat sessions"),
  Command.withSubcommands([sessionsCommand, fakeServerCommand])
)

/** the version of this package, from its package.json (next to dist/ and src/ alike) */
const version = ((): string => {
  const pkg: unknown = createRequire(import.meta.url)("../package.json")
  return typeof pkg === "object" && pkg !== null && "version" in pkg && typeof pkg.version === "string"
    ? pkg.version
    : "unknown"
})()

/**
 * Runs the command on `argv` (as `process.argv`) and resolves to the exit
 * code: 0 on success (or when the reader of stdout went away), 1 when the API
 * fails or the output cannot be written, 2 on bad input (a flag, a checkpoint
 * or state file). Messages go to stderr; the API key never appears in them.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<number, never, CliApp.CliApp.Environment> =>
  Command.run(command, { name: "opencx", version })(argv).pipe(
    Effect.as(0),
    Effect.catchAll((error) => {
      if (ValidationError.isValidationError(error)) return Effect.succeed(2) // @effect/cli printed it
      if (error instanceof OutputClosed) return Effect.succeed(0) // the reader went away: stop quietly
      if (error instanceof UsageError) return Effect.as(writeStderr(`opencx: ${error.message}\n`), 2)
      if (error instanceof IoError) return Effect.as(writeStderr(`opencx: ${error.message}\n`), 1)
      if (OpenCxError.isOpenCxError(error)) {
        return Effect.as(writeStderr(`opencx: ${error.message}\n`), error._tag === "InvalidParams" ? 2 : 1)
      }
      return Effect.as(writeStderr(`opencx: ${reasonOf(error)}\n`), 1)
    }),
    Effect.catchAllDefect((defect) => Effect.as(writeStderr(`opencx: unexpected failure: ${reasonOf(defect)}\n`), 1))
  )
