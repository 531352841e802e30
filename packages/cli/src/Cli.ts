/**
 * The `opencx` command line, built with `@effect/cli`:
 *
 * - `opencx sessions export`: every matching session to a file or stdout
 *   (ndjson, csv or json), streamed in constant memory, resumable with
 *   `--checkpoint`, incremental with `--since-last`;
 *   (`--with-history`: each session with its history);
 * - `opencx sessions sync`: keeps a SQLite (default `opencx.db`) or
 *   PostgreSQL database in step with OpenCX (`@opencx-effect/sql`, loaded
 *   only by this command): incremental, crash-safe page by page;
 * - `opencx sessions stats`: counts by status, channel, sentiment,
 *   ai_closure_type and month (or week, or day), as tables with bars
 *   (`--with-history`: the median number of events per session);
 * - `opencx sessions history ID`: one conversation (ndjson, json, or a
 *   transcript);
 * - `opencx sessions create`, `send ID`, `close ID`, `reopen ID`: the
 *   writes, each printing its result as one JSON object;
 * - `opencx fake-server`: FakeOpenCx on 127.0.0.1.
 *
 * With no API key (`OPENCX_API_KEY` or `--api-key-file`) and no base URL
 * (`OPENCX_BASE_URL` or `--base-url`), the sessions commands run against an
 * embedded FakeOpenCx and say so on stderr; a base URL without a key is
 * refused (exit code 2). `--redis URL` (or `OPENCX_REDIS_URL`) keeps the
 * client's rate limit in Redis, shared by every process on the key.
 *
 * The command line is read against the command tree first (`internal/argv.ts`):
 * help (`--help`, `-h`) is rendered from the declared flags, and an unknown
 * command or flag is refused with the nearest known one, before `@effect/cli`
 * parses what is right.
 *
 * @since 0.1.0
 */
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as ChatSession from "@opencx-effect/core/ChatSession"
import type * as ListChatSessionsParams from "@opencx-effect/core/ListChatSessionsParams"
import * as OpenCxError from "@opencx-effect/core/OpenCxError"
import * as NodeFakeOpenCx from "@opencx-effect/platform-node/NodeFakeOpenCx"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { createRequire } from "node:module"
import * as Argv from "./internal/argv.js"
import * as Connection from "./internal/connection.js"
import * as Dates from "./internal/dates.js"
import {
  apiFailure,
  ApiFailure,
  codeOf,
  CommandFailure,
  IoError,
  OutputClosed,
  reasonOf,
  UsageError
} from "./internal/errors.js"
import * as Export from "./internal/export.js"
import * as Flags from "./internal/flags.js"
import { formats } from "./internal/formats.js"
import * as Help from "./internal/help.js"
import * as History from "./internal/history.js"
import * as Ids from "./internal/ids.js"
import * as Output from "./internal/output.js"
import * as Stats from "./internal/stats.js"
import * as Stdin from "./internal/stdin.js"
import * as Terminal from "./internal/terminal.js"
import * as Write from "./internal/write.js"

// ---------------------------------------------------------------------------
// Flags
// ---------------------------------------------------------------------------

const dateFlag = (name: string, what: string) =>
  Flags.optional(Flags.date(name, { group: "Filters", description: `only sessions ${what} DATE` }))

const filterFlags = {
  status: Flags.optional(Flags.choice("status", ChatSession.SessionStatusStrict.literals, {
    group: "Filters",
    description: "only sessions with this status"
  })),
  channel: Flags.optional(Flags.choice("channel", ChatSession.SessionChannelStrict.literals, {
    group: "Filters",
    description: "only sessions on this channel (the API's channel_type)"
  })),
  handedOff: Flags.toggle("handed-off", {
    group: "Filters",
    description: "only sessions handed off to a human"
  }),
  notHandedOff: Flags.toggle("no-handed-off", { group: "Filters", description: "only sessions that were not handed off" }),
  createdAfter: dateFlag("created-after", "created after"),
  createdBefore: dateFlag("created-before", "created before"),
  updatedAfter: dateFlag("updated-after", "updated after"),
  updatedBefore: dateFlag("updated-before", "updated before"),
  since: Flags.optional(Flags.date("since", {
    group: "Filters",
    description: "the same as --updated-after (--since 7d: updated in the last 7 days)"
  }))
}

const connectionFlags = {
  apiKeyFile: Flags.optional(Flags.file("api-key-file", {
    group: "Connection",
    description: "read the API key from this file (instead of OPENCX_API_KEY)"
  })),
  baseUrl: Flags.optional(Flags.text("base-url", "URL", {
    group: "Connection",
    description: "the API (instead of OPENCX_BASE_URL; default https://api.open.cx)"
  })),
  rateLimit: Flags.optional(Flags.integer("rate-limit", { min: 0 }, {
    group: "Connection",
    description: "requests per minute, client-side (default 100; 0: off)"
  })),
  allowInsecureHttp: Flags.toggle("allow-insecure-http", {
    group: "Connection",
    description: "allow http:// to hosts other than loopback (the key travels in clear)"
  }),
  redis: Flags.optional(Flags.text("redis", "URL", {
    group: "Connection",
    description: "share the rate limit with other processes on the key, in this Redis (or OPENCX_REDIS_URL)"
  })),
  redisFallback: Flags.optional(Flags.integer("redis-fallback", { min: 1, unit: "N" }, {
    group: "Connection",
    description: "while Redis fails, go on at the limit / N (N processes on the key; default: fail)"
  }))
}

const reportFlags = {
  quiet: Flags.toggle("quiet", { alias: "q", group: "Progress and logs", description: "no progress, no summary" }),
  progressInterval: Flags.withDefault(
    Flags.integer("progress-interval", { min: 1, unit: "SECONDS" }, {
      group: "Progress and logs",
      description: "time between progress lines, when not on a terminal"
    }),
    Output.defaultProgressInterval
  ),
  logFormat: Flags.withDefault(
    Flags.choice("log-format", Output.logFormats, {
      group: "Progress and logs",
      description: "stderr as text, or as JSON lines"
    }),
    "text"
  )
}

/** for the commands that have no progress (history, the writes) */
const logFlags = {
  quiet: Flags.toggle("quiet", {
    alias: "q",
    group: "Logs",
    description: "only errors on stderr (and the embedded FakeOpenCx's one-line notice)"
  }),
  logFormat: { ...reportFlags.logFormat, group: "Logs" as const }
}

const withHistoryFlag = (description: string) => Flags.toggle("with-history", { group: "Output", description })

const exportFlags = {
  ...filterFlags,
  format: Flags.withDefault(
    Flags.choice("format", formats, {
      group: "Output",
      description: "one per line, CSV columns, or one array"
    }),
    "ndjson"
  ),
  output: Flags.optional(Flags.text("output", "FILE", {
    alias: "o",
    group: "Output",
    description: "write to FILE (default: stdout)"
  })),
  limit: Flags.optional(Flags.integer("limit", { min: 1 }, { group: "Output", description: "stop after this many sessions" })),
  withHistory: withHistoryFlag("each session with its history (csv: a history_events column)"),
  checkpoint: Flags.optional(Flags.text("checkpoint", "FILE", {
    group: "Output",
    description: "save progress after each page, to resume (needs --output)"
  })),
  sinceLast: Flags.optional(Flags.text("since-last", "FILE", {
    group: "Output",
    description: "only sessions updated since the last run with this state file"
  })),
  ...connectionFlags,
  ...reportFlags
}

const syncFlags = {
  ...filterFlags,
  db: Flags.optional(Flags.text("db", "URL", {
    group: "Database",
    description: "sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DB (default: OPENCX_DB_URL, or sqlite:opencx.db)"
  })),
  withHistory: Flags.toggle("with-history", {
    group: "Database",
    description: "each session's history too, into opencx_session_events"
  }),
  wait: Flags.optional(Flags.integer("wait", { min: 0, unit: "SECONDS" }, {
    group: "Database",
    description: "wait this long for another sync of the same filters to end (default: fail at once)"
  })),
  restart: Flags.toggle("restart", {
    group: "Database",
    description: "forget the walk a stopped run left (its cursor expired, say): start from the watermark"
  }),
  ...connectionFlags,
  ...reportFlags
}

const statsFlags = {
  ...filterFlags,
  json: Flags.toggle("json", { group: "Counting", description: "print the counts as JSON" }),
  by: Flags.withDefault(
    Flags.choice("by", Stats.periods, { group: "Counting", description: "the time table's rows (created_at, UTC)" }),
    "month"
  ),
  ascii: Flags.toggle("ascii", { group: "Counting", description: "draw the bars with # instead of Unicode blocks" }),
  withHistory: Flags.toggle("with-history", {
    group: "Counting",
    description: "read each session's history too: the median number of events per session"
  }),
  ...connectionFlags,
  ...reportFlags
}

const historyFlags = {
  format: Flags.withDefault(
    Flags.choice("format", History.formats, {
      group: "Output",
      description: "each event as the API sent it, one per line; a transcript; or one array"
    }),
    "ndjson"
  ),
  output: Flags.optional(Flags.text("output", "FILE", {
    alias: "o",
    group: "Output",
    description: "write to FILE, whole or not at all (default: stdout)"
  })),
  ...connectionFlags,
  ...logFlags
}

const customDataFlags = {
  customData: Flags.repeated(Flags.text("custom-data", "KEY=VALUE", {
    group: "Custom data",
    description: "a custom data value (true, false and numbers typed as such); repeat for more"
  })),
  customDataJson: Flags.optional(Flags.text("custom-data-json", "JSON", {
    group: "Custom data",
    description: "custom data as a flat JSON object ('{\"plan\":\"pro\"}')"
  }))
}

const createFlags = {
  channel: Flags.optional(Flags.choice("channel", ChatSession.SessionChannelStrict.literals, {
    group: "Session",
    description: "the session's channel (the API's default: api)"
  })),
  verified: Flags.toggle("verified", {
    group: "Session",
    description: "the contact is verified (their details go to the contact's own fields)"
  }),
  contactId: Flags.optional(Flags.text("contact-id", "ID", { group: "Contact", description: "an existing contact" })),
  contactEmail: Flags.optional(Flags.text("contact-email", "EMAIL", { group: "Contact", description: "a new contact's email" })),
  contactName: Flags.optional(Flags.text("contact-name", "NAME", { group: "Contact", description: "a new contact's name" })),
  contactPhone: Flags.optional(Flags.text("contact-phone", "PHONE", {
    group: "Contact",
    description: "a new contact's phone number"
  })),
  ...customDataFlags,
  ...connectionFlags,
  ...logFlags
}

const sendFlags = {
  text: Flags.text("text", "TEXT", { group: "Message", description: "the message; - reads it from stdin" }),
  as: Flags.withDefault(
    Flags.choice("as", Write.senders, { group: "Message", description: "who sends it" }),
    "contact"
  ),
  agentId: Flags.optional(Flags.integer("agent-id", { min: 0 }, { group: "Message", description: "the agent's id (with --as agent)" })),
  agentName: Flags.optional(Flags.text("agent-name", "NAME", {
    group: "Message",
    description: "the agent's name (with --as agent)"
  })),
  takeOver: Flags.toggle("take-over", {
    group: "Message",
    description: "the agent takes the session over from the AI (with --as agent)"
  }),
  attach: Flags.repeated(Flags.text("attach", "URL", {
    group: "Message",
    description: "attach the file at URL; repeat for more"
  })),
  ...customDataFlags,
  ...connectionFlags,
  ...logFlags
}

const closeFlags = {
  unresolved: Flags.toggle("unresolved", {
    group: "Session",
    description: "close it as unresolved (default: as resolved)"
  }),
  summarise: Flags.toggle("summarise", {
    group: "Session",
    description: "have the AI write its summary and sentiment (on resolving)"
  }),
  ...connectionFlags,
  ...logFlags
}

const reopenFlags = {
  ...connectionFlags,
  ...logFlags
}

const fakeServerFlags = {
  port: Flags.withDefault(
    Flags.integer("port", { min: 0, max: 65535 }, { group: "Server", description: "the port on 127.0.0.1" }),
    0,
    "0, a free one"
  ),
  count: Flags.withDefault(
    Flags.integer("count", { min: 0 }, { group: "Server", description: "sessions to generate" }),
    10_000,
    "10,000"
  ),
  seed: Flags.withDefault(Flags.integer("seed", { min: 0 }, { group: "Server", description: "seed of the generated data" }), 1),
  pageSize: Flags.withDefault(
    Flags.integer("page-size", { min: 1 }, { group: "Server", description: "sessions per page" }),
    25
  ),
  rateLimit: Flags.optional(Flags.integer("rate-limit", { min: 1 }, {
    group: "Server",
    description: "answer 429 past this many requests per minute per token"
  })),
  latency: Flags.optional(Flags.integer("latency", { min: 0, unit: "MS" }, {
    group: "Server",
    description: "a delay added to every response"
  }))
}

/** the options `@effect/cli` itself takes on every command */
const globalFlags: ReadonlyArray<Flags.Any> = [
  Flags.optional(Flags.choice("log-level", ["all", "trace", "debug", "info", "warning", "error", "fatal", "none"], {
    group: "Global",
    description: "the least important logs shown (debug: a line per page)"
  })),
  Flags.toggle("help", { alias: "h", group: "Global", description: "show this help" }),
  Flags.toggle("version", { group: "Global", description: "show the version" }),
  Flags.toggle("wizard", { group: "Global", description: "build the command step by step", hidden: true }),
  Flags.optional(Flags.choice("completions", ["sh", "bash", "fish", "zsh"], {
    group: "Global",
    description: "print a completion script",
    hidden: true
  }))
]

// ---------------------------------------------------------------------------
// The tree (help, argument checks)
// ---------------------------------------------------------------------------

const dateNote = `DATE: ${Dates.forms}.`

const exportNode: Argv.Node = {
  name: "export",
  description: "Export chat sessions, as they come, to a file or stdout.",
  flags: Object.values(exportFlags),
  args: [],
  subcommands: [],
  notes: [dateNote],
  examples: [
    ["opencx sessions export --since 7d --format csv -o week.csv", "the sessions updated in the last 7 days, as CSV"],
    ["opencx sessions export -o all.ndjson --checkpoint all.checkpoint.json", "everything, resumable after Ctrl-C or a crash"],
    ["opencx sessions export --since-last state.json -o changes.ndjson", "only what changed since the last run"]
  ]
}

const syncNode: Argv.Node = {
  name: "sync",
  description: "Keep a SQLite or PostgreSQL database in step with OpenCX: each run syncs what changed.",
  flags: Object.values(syncFlags),
  args: [],
  subcommands: [],
  notes: [
    dateNote,
    "Each page is committed with where the walk stands: a stopped run (Ctrl-C, a crash) continues where it stopped; the next run syncs what was updated since the last (a minute's margin)."
  ],
  examples: [
    ["opencx sessions sync", "every session into ./opencx.db (SQLite); run it again for what changed"],
    ["opencx sessions sync --db postgres://sync@db.internal/support --with-history", "into PostgreSQL, with the histories"],
    ["opencx sessions sync --channel email --redis redis://redis.internal:6379", "sharing the key's rate limit with other processes"]
  ]
}

const statsNode: Argv.Node = {
  name: "stats",
  description: "Count sessions by status, channel, sentiment, ai_closure_type and month.",
  flags: Object.values(statsFlags),
  args: [],
  subcommands: [],
  notes: [dateNote],
  examples: [
    ["opencx sessions stats --created-after 2025-01-01", "tables with bars, by month"],
    ["opencx sessions stats --since 30d --by day", "the last 30 days, day by day"],
    ["opencx sessions stats --json --no-handed-off", "the counts as JSON"]
  ]
}

const historyNode: Argv.Node = {
  name: "history",
  description: "Print one session's history: its messages and other events, oldest first.",
  flags: Object.values(historyFlags),
  args: [Ids.sessionId],
  subcommands: [],
  notes: [
    "text: one line per event, its time (UTC), who and what; what the server sent is escaped, never run by the terminal."
  ],
  examples: [
    ["opencx sessions history \"$ID\" --format text", "the conversation, to read"],
    ["opencx sessions history \"$ID\" -o history.ndjson", "its events, as the API sent them"]
  ]
}

const createNode: Argv.Node = {
  name: "create",
  description: "Create a chat session; print its id as JSON.",
  flags: Object.values(createFlags),
  args: [],
  subcommands: [],
  notes: [
    "The write is never repeated: when its outcome is unknown (a timeout, a 5xx), the command fails saying so."
  ],
  examples: [
    ["opencx sessions create --contact-email ada@example.com --contact-name 'Ada Lovelace'", "a session for a new contact"],
    ["opencx sessions create --contact-id \"$CONTACT_ID\" --channel email --custom-data plan=pro", "for an existing contact, with custom data"]
  ]
}

const sendNode: Argv.Node = {
  name: "send",
  description: "Send a message into a session, as its contact or an agent.",
  flags: Object.values(sendFlags),
  args: [Ids.sessionId],
  subcommands: [],
  notes: [
    "The write is never repeated: when its outcome is unknown (a timeout, a 5xx), the command fails saying so."
  ],
  examples: [
    ["opencx sessions send \"$ID\" --text 'Where is my order?'", "as the contact"],
    [
      "opencx sessions send \"$ID\" --as agent --agent-id 7 --agent-name Sam --take-over --text -",
      "as an agent taking over from the AI, the text from stdin"
    ]
  ]
}

const closeNode: Argv.Node = {
  name: "close",
  description: "Close a session, as resolved (or not); print its id and status as JSON.",
  flags: Object.values(closeFlags),
  args: [Ids.sessionId],
  subcommands: [],
  notes: [],
  examples: [
    ["opencx sessions close \"$ID\" --summarise", "resolved, with a summary and sentiment"],
    ["opencx sessions close \"$ID\" --unresolved", "closed, not resolved"]
  ]
}

const reopenNode: Argv.Node = {
  name: "reopen",
  description: "Reopen a closed session; print its id and status as JSON.",
  flags: Object.values(reopenFlags),
  args: [Ids.sessionId],
  subcommands: [],
  notes: [],
  examples: [
    ["opencx sessions reopen \"$ID\"", "open again"],
    ["opencx sessions reopen \"$ID\" --log-format json", "for a script: an error as a JSON line on stderr"]
  ]
}

const sessionsNode: Argv.Node = {
  name: "sessions",
  description: "Chat sessions: export, sync and count them, read a conversation, drive one.",
  flags: [],
  args: [],
  subcommands: [exportNode, syncNode, statsNode, historyNode, createNode, sendNode, closeNode, reopenNode],
  notes: [],
  examples: [
    ["opencx sessions export -o sessions.ndjson", "every session, one per line"],
    ["opencx sessions stats --since 7d", "what happened in the last 7 days"]
  ]
}

const fakeServerNode: Argv.Node = {
  name: "fake-server",
  description: "Serve FakeOpenCx on 127.0.0.1, for tests and demos, until Ctrl-C.",
  flags: Object.values(fakeServerFlags),
  args: [],
  subcommands: [],
  notes: ["It prints OPENCX_BASE_URL and OPENCX_API_KEY to use with the other commands."],
  examples: [
    ["opencx fake-server --port 8080", "10,000 sessions on http://127.0.0.1:8080"],
    ["opencx fake-server --rate-limit 10 --latency 200", "a slow API with a tight rate limit"]
  ]
}

/**
 * The commands and their flags, as the help and the argument checks see
 * them.
 *
 * @since 0.2.0
 * @category commands
 */
export const tree: Argv.Tree = {
  root: {
    name: "opencx",
    description: "Export and summarise OpenCX chat sessions; read and drive conversations.",
    flags: [],
    args: [],
    subcommands: [sessionsNode, fakeServerNode],
    notes: [
      "The API key comes from OPENCX_API_KEY (or --api-key-file), the base URL from OPENCX_BASE_URL (or --base-url). With neither, the sessions commands use an embedded FakeOpenCx."
    ],
    examples: [
      ["opencx sessions export --since 7d -o week.ndjson", "the sessions updated in the last 7 days"],
      ["opencx sessions stats --by week", "counts, and sessions by week"],
      ["opencx fake-server", "a fake API to try it on"]
    ]
  },
  globals: globalFlags
}

// ---------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------

interface FilterValues {
  readonly status: Option.Option<ChatSession.KnownSessionStatus>
  readonly channel: Option.Option<ChatSession.KnownSessionChannel>
  readonly handedOff: boolean
  readonly notHandedOff: boolean
  readonly createdAfter: Option.Option<Dates.DateInput>
  readonly createdBefore: Option.Option<Dates.DateInput>
  readonly updatedAfter: Option.Option<Dates.DateInput>
  readonly updatedBefore: Option.Option<Dates.DateInput>
  readonly since: Option.Option<Dates.DateInput>
}

interface Filters {
  readonly params: ListChatSessionsParams.Input
  /** the date filters as typed, by parameter */
  readonly dates: Readonly<Record<string, Dates.DateInput>>
}

const toFilters = (values: FilterValues): Effect.Effect<Filters, UsageError> => {
  if (values.handedOff && values.notHandedOff) {
    return Effect.fail(new UsageError({ message: "--handed-off and --no-handed-off exclude each other: give one of them" }))
  }
  if (Option.isSome(values.since) && Option.isSome(values.updatedAfter)) {
    return Effect.fail(new UsageError({ message: "--since is --updated-after: give one of them" }))
  }
  const params: { -readonly [K in keyof ListChatSessionsParams.Input]: ListChatSessionsParams.Input[K] } = {}
  const dates: Record<string, Dates.DateInput> = {}
  if (Option.isSome(values.status)) params.status = values.status.value
  if (Option.isSome(values.channel)) params.channel_type = values.channel.value
  if (values.handedOff || values.notHandedOff) params.handed_off = values.handedOff
  const date = (param: "created_after" | "created_before" | "updated_after" | "updated_before", value: Option.Option<Dates.DateInput>) => {
    if (Option.isNone(value)) return
    params[param] = value.value.value
    dates[param] = value.value
  }
  date("created_after", values.createdAfter)
  date("created_before", values.createdBefore)
  date("updated_after", Option.orElse(values.updatedAfter, () => values.since))
  date("updated_before", values.updatedBefore)
  return Effect.succeed({ params, dates })
}

/**
 * A sync's filters name a set of sessions kept in step run after run (its
 * cursor and watermark are stored under them): a `--created-after`,
 * `--created-before` or `--updated-before` relative to now would name
 * another set at every run, walked whole each time. `--since` (and
 * `--updated-after`) may be relative: it is a floor, not part of the set.
 */
const fixedSyncDates = (dates: Readonly<Record<string, Dates.DateInput>>): Effect.Effect<void, UsageError> => {
  for (const param of ["created_after", "created_before", "updated_before"] as const) {
    const date = dates[param]
    if (date !== undefined && date.relative) {
      const flag = `--${param.replace("_", "-")}`
      return Effect.fail(
        new UsageError({
          message: `${flag} ${date.input}: a sync keeps a fixed set of sessions in step, run after run, and a date relative to now would make a new set at every run. Give a date (${flag} ${
            date.value.slice(0, 10)
          })${param === "created_after" ? `, or --since ${date.input} for the sessions updated since then (a floor, not part of the set)` : ""}.`
        })
      )
    }
  }
  return Effect.void
}

interface ReportValues {
  readonly quiet: boolean
  readonly progressInterval: number
  readonly logFormat: Output.LogFormat
}

const uiOf = (values: ReportValues): Output.Ui => ({
  format: values.logFormat,
  streams: Terminal.detect(),
  quiet: values.quiet,
  progressInterval: values.progressInterval * 1_000
})

/**
 * Runs `effect` with the SessionsService the flags and the environment call
 * for, once per command: the notice about the embedded FakeOpenCx, if any,
 * is written once, before anything else.
 */
const withSessions = <A, E, R>(
  flags: Connection.ConnectionFlags,
  ui: Pick<Output.Ui, "format">,
  effect: (connection: Connection.Connection) => Effect.Effect<A, E, R>
) =>
  Effect.gen(function*() {
    const connection = yield* Connection.resolve(flags)
    for (const notice of connection.notices) yield* Output.notice(ui, notice)
    return yield* Effect.provide(effect(connection), connection.layer)
  })

/** `opencx sessions export`; `args` is the command line without the executable (for the resume hint) */
const exportCommand = (args: ReadonlyArray<string>) =>
  Command.make("export", Flags.options(exportFlags), (flags) =>
    Effect.gen(function*() {
      const filters = yield* toFilters(flags)
      yield* Export.filtersQuery(filters.params) // a bad filter is refused before anything else is said
      const ui = uiOf(flags)
      return yield* withSessions(flags, ui, ({ requestsPerMinute, source }) =>
        Export.run({
          filters: filters.params,
          dates: filters.dates,
          format: flags.format,
          withHistory: flags.withHistory,
          output: flags.output,
          limit: flags.limit,
          checkpoint: flags.checkpoint,
          sinceLast: flags.sinceLast,
          ui,
          source,
          requestsPerMinute,
          argv: args
        }))
    })).pipe(Command.withDescription(exportNode.description))

/** `opencx sessions sync`: its module (and @effect/sql) loaded only when it runs */
const syncCommand = Command.make("sync", Flags.options(syncFlags), (flags) =>
  Effect.gen(function*() {
    const filters = yield* toFilters(flags)
    yield* fixedSyncDates(filters.dates)
    const query = yield* Export.filtersQuery(filters.params) // a bad filter is refused before anything else is said
    const Sync = yield* Effect.tryPromise({
      try: () => import("./internal/sync.js"),
      catch: (e) =>
        new IoError({
          message: `cannot load @opencx-effect/sql (install @effect/sql and @effect/experimental next to opencx): ${reasonOf(e)}`
        })
    })
    const database = yield* Sync.database(flags.db) // a bad --db is refused before anything is connected
    const ui = uiOf(flags)
    return yield* withSessions(flags, ui, ({ requestsPerMinute, source }) =>
      Sync.run({
        filters: Sync.syncFilters(filters.params),
        query,
        dates: filters.dates,
        database,
        withHistory: flags.withHistory,
        wait: flags.wait,
        restart: flags.restart,
        ui,
        source,
        requestsPerMinute
      }))
  })).pipe(Command.withDescription(syncNode.description))

const statsCommand = Command.make("stats", Flags.options(statsFlags), (flags) =>
  Effect.gen(function*() {
    const filters = yield* toFilters(flags)
    const query = yield* Export.filtersQuery(filters.params)
    const ui = uiOf(flags)
    return yield* withSessions(flags, ui, ({ requestsPerMinute, source }) =>
      Stats.run({
        params: query,
        query,
        dates: filters.dates,
        json: flags.json,
        by: flags.by,
        ascii: flags.ascii,
        withHistory: flags.withHistory,
        ui,
        source,
        requestsPerMinute
      }))
  })).pipe(Command.withDescription(statsNode.description))

/** the ui of a command without progress */
const quietUi = (values: { readonly quiet: boolean; readonly logFormat: Output.LogFormat }): Output.Ui => ({
  format: values.logFormat,
  streams: Terminal.detect(),
  quiet: values.quiet,
  progressInterval: Output.defaultProgressInterval * 1_000
})

/** the `ID` argument, with the command's flags */
const withId = <F extends Readonly<Record<string, Flags.Any>>>(flags: F) => ({
  id: Ids.sessionId.args,
  ...Flags.options(flags)
})

const historyCommand = Command.make("history", withId(historyFlags), (flags) =>
  Effect.gen(function*() {
    const ui = quietUi(flags)
    return yield* withSessions(flags, ui, () =>
      History.run({ sessionId: flags.id, format: flags.format, output: flags.output, ui }))
  })).pipe(Command.withDescription(historyNode.description))

/** `--text -`: the text from stdin (without the line break that ends it) */
const readText = (text: string) =>
  text !== "-" ? Effect.succeed(text) : Stdin.readAll.pipe(
    Effect.map((input) => input.replace(/\r?\n$/, "")),
    Effect.mapError((e) => new UsageError({ message: `cannot read --text from stdin: ${reasonOf(e)}` }))
  )

const createCommand = Command.make("create", Flags.options(createFlags), (flags) =>
  Effect.gen(function*() {
    const body = yield* Write.createInput(flags) // bad input is refused before anything else is said
    return yield* withSessions(flags, quietUi(flags), () => Write.create(body))
  })).pipe(Command.withDescription(createNode.description))

const sendCommand = Command.make("send", withId(sendFlags), (flags) =>
  Effect.gen(function*() {
    const text = yield* readText(flags.text)
    const body = yield* Write.sendInput({ ...flags, text })
    return yield* withSessions(flags, quietUi(flags), () => Write.send(flags.id, body))
  })).pipe(Command.withDescription(sendNode.description))

const closeCommand = Command.make("close", withId(closeFlags), (flags) =>
  Effect.gen(function*() {
    const options = yield* Write.closeInput({ resolved: !flags.unresolved, summarise: flags.summarise })
    return yield* withSessions(flags, quietUi(flags), () => Write.close(flags.id, options))
  })).pipe(Command.withDescription(closeNode.description))

const reopenCommand = Command.make("reopen", withId(reopenFlags), (flags) =>
  withSessions(flags, quietUi(flags), () => Write.reopen(flags.id))).pipe(Command.withDescription(reopenNode.description))

const fakeServerCommand = Command.make("fake-server", Flags.options(fakeServerFlags), (flags) =>
  Effect.gen(function*() {
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
    Effect.mapError((e) => {
      const code = codeOf(e)
      return new UsageError({
        message: code === "EADDRINUSE" || code === "EACCES"
          ? `the fake server cannot listen on 127.0.0.1:${flags.port}: ${reasonOf(e)}: choose another --port, or 0 for a free one`
          : `the fake server did not start: ${reasonOf(e)}`
      })
    })
  )).pipe(Command.withDescription(fakeServerNode.description))

/** the `opencx` command, for this command line (without the executable) */
const makeCommand = (args: ReadonlyArray<string>) =>
  Command.make("opencx").pipe(
    Command.withDescription(tree.root.description),
    Command.withSubcommands([
      Command.make("sessions").pipe(
        Command.withDescription(sessionsNode.description),
        Command.withSubcommands([
          exportCommand(args),
          syncCommand,
          statsCommand,
          historyCommand,
          createCommand,
          sendCommand,
          closeCommand,
          reopenCommand
        ])
      ),
      fakeServerCommand
    ])
  )

/**
 * The `opencx` command.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = makeCommand([])

/** the version of this package, from its package.json (next to dist/ and src/ alike) */
const version = ((): string => {
  const pkg: unknown = createRequire(import.meta.url)("../package.json")
  return typeof pkg === "object" && pkg !== null && "version" in pkg && typeof pkg.version === "string"
    ? pkg.version
    : "unknown"
})()

/** @effect/cli prints its own errors with escape codes: this CLI prints them (see `run`) */
const withoutCliErrors = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Console.consoleWith((console) => Console.withConsole(effect, { ...console, error: () => Effect.void }))

/** a HelpDoc as plain text */
const plainText = (doc: HelpDoc.HelpDoc) => HelpDoc.toAnsiText(doc).replace(/\x1b\[[0-9;]*m/g, "").trim()

/**
 * Runs the command on `argv` (as `process.argv`) and resolves to the exit
 * code: 0 on success (or when the reader of stdout went away), 1 when the API
 * fails or the output cannot be written, 2 on bad input (a flag, a checkpoint
 * or state file). Messages go to stderr (as JSON lines with `--log-format
 * json`); the API key never appears in them. `--help` is written to stdout.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<number, never, CliApp.CliApp.Environment> =>
  Effect.gen(function*() {
    const args = argv.slice(2)
    const streams = Terminal.detect()
    const analysis = Argv.analyse(tree, args)
    const format: Output.LogFormat = analysis.values.get("log-format") === "json" ? "json" : "text"
    const ui = { format, streams }
    const fail = (message: string, code: number) => Effect.as(Output.error(ui, message, code), code)
    if (analysis.help) {
      const text = Help.render(tree, analysis.path, streams.stdout).join("\n") + "\n"
      yield* Effect.sync(() => void process.stdout.write(text))
      return 0
    }
    if (analysis.problem !== undefined) return yield* fail(analysis.problem, 2)
    // `--log-level` sets the minimum level inside @effect/cli; the logger (text or JSON, on stderr) is set here
    const cli = Command.run(makeCommand(args), { name: "opencx", version })
    return yield* cli([...argv.slice(0, 2), ...analysis.normalized]).pipe(
      withoutCliErrors,
      Effect.provide(Output.logger(ui)),
      Effect.as(0),
      Effect.catchAll((error) => {
        if (ValidationError.isValidationError(error)) {
          const hint = `Run \`${Argv.commandName(analysis.path)} --help\` for its usage.`
          return fail(`${plainText(error.error)}\n${hint}`, 2)
        }
        if (error instanceof OutputClosed) return Effect.succeed(0) // the reader went away: stop quietly
        if (error instanceof UsageError) return fail(error.message, 2)
        if (error instanceof IoError) return fail(error.message, 1)
        if (error instanceof ApiFailure) return fail(error.message, error.exitCode)
        if (error instanceof CommandFailure) return fail(error.message, error.exitCode)
        if (OpenCxError.isOpenCxError(error)) {
          const failure = apiFailure(error)
          return fail(failure.message, failure.exitCode)
        }
        return fail(reasonOf(error), 1)
      }),
      Effect.catchAllDefect((defect) => fail(`unexpected failure: ${reasonOf(defect)}`, 1))
    )
  })
