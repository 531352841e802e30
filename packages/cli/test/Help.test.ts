/**
 * `--help` of every command, as the built `opencx` prints it: compact (at
 * most 60 lines, no line over 100 columns, no padding), each flag with its
 * real type, examples at the end, and no escape codes unless stdout is a
 * terminal that takes colour.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Terminal from "../src/internal/terminal.js"
import * as Cli from "./utils/cli.js"

const help = (command: ReadonlyArray<string>, env: Record<string, string> = {}, nodeArgs: ReadonlyArray<string> = []) =>
  Effect.gen(function*() {
    const result = yield* Cli.run([...command, "--help"], env, { nodeArgs })
    expect(result.code).toBe(0)
    expect(result.stderr).toBe("")
    return result.stdout
  })

/** what every help shares */
const checkShape = (text: string, usage: string) => {
  const lines = text.trimEnd().split("\n")
  expect(lines.length).toBeLessThanOrEqual(60)
  for (const line of lines) {
    expect(line.length).toBeLessThanOrEqual(100)
    expect(line).not.toMatch(/\s$/) // no padding
  }
  expect(text).not.toMatch(/\x1b/)
  expect(text).toContain(`Usage: ${usage}`)
  expect(text).not.toContain("A user-defined piece of text")
  const examples = text.slice(text.indexOf("Examples:"))
  const commands = examples.split("\n").filter((line) => line.startsWith("  opencx "))
  expect(commands.length).toBeGreaterThanOrEqual(2)
  expect(commands.length).toBeLessThanOrEqual(3)
  expect(lines.at(-1)).toMatch(/^ {2}opencx /) // it ends with them
}

describe("--help", () => {
  it.live("opencx", () =>
    Effect.gen(function*() {
      const text = yield* help([])
      checkShape(text, "opencx <command> [flags]")
      expect(text).toMatchInlineSnapshot(`
        "Export and summarise OpenCX chat sessions; read and drive conversations.

        Usage: opencx <command> [flags]

        Commands:
          sessions export   Export chat sessions, as they come, to a file or stdout.
          sessions sync     Keep a SQLite or PostgreSQL database in step with OpenCX: each run syncs what
                            changed.
          sessions stats    Count sessions by status, channel, sentiment, ai_closure_type and month.
          sessions history  Print one session's history: its messages and other events, oldest first.
          sessions create   Create a chat session; print its id as JSON.
          sessions send     Send a message into a session, as its contact or an agent.
          sessions close    Close a session, as resolved (or not); print its id and status as JSON.
          sessions reopen   Reopen a closed session; print its id and status as JSON.
          fake-server       Serve FakeOpenCx on 127.0.0.1, for tests and demos, until Ctrl-C.

        Global flags:
          --log-level all|trace|debug|info|warning|error|fatal|none
                      the least important logs shown (debug: a line per page)
          -h, --help  show this help
          --version   show the version

        The API key comes from OPENCX_API_KEY (or --api-key-file), the base URL from OPENCX_BASE_URL (or
        --base-url). With neither, the sessions commands use an embedded FakeOpenCx.

        Run \`opencx <command> --help\` for the flags of a command.

        Examples:
          # the sessions updated in the last 7 days
          opencx sessions export --since 7d -o week.ndjson
          # counts, and sessions by week
          opencx sessions stats --by week
          # a fake API to try it on
          opencx fake-server
        "
      `)
    }))

  it.live("opencx sessions", () =>
    Effect.gen(function*() {
      const text = yield* help(["sessions"])
      checkShape(text, "opencx sessions <command> [flags]")
      expect(text).toMatchInlineSnapshot(`
        "Chat sessions: export, sync and count them, read a conversation, drive one.

        Usage: opencx sessions <command> [flags]

        Commands:
          export   Export chat sessions, as they come, to a file or stdout.
          sync     Keep a SQLite or PostgreSQL database in step with OpenCX: each run syncs what changed.
          stats    Count sessions by status, channel, sentiment, ai_closure_type and month.
          history  Print one session's history: its messages and other events, oldest first.
          create   Create a chat session; print its id as JSON.
          send     Send a message into a session, as its contact or an agent.
          close    Close a session, as resolved (or not); print its id and status as JSON.
          reopen   Reopen a closed session; print its id and status as JSON.

        Global flags:
          --log-level all|trace|debug|info|warning|error|fatal|none
                      the least important logs shown (debug: a line per page)
          -h, --help  show this help
          --version   show the version

        Run \`opencx sessions <command> --help\` for the flags of a command.

        Examples:
          # every session, one per line
          opencx sessions export -o sessions.ndjson
          # what happened in the last 7 days
          opencx sessions stats --since 7d
        "
      `)
    }))

  it.live("opencx sessions export", () =>
    Effect.gen(function*() {
      const text = yield* help(["sessions", "export"])
      checkShape(text, "opencx sessions export [flags]")
      expect(text).toContain("--status open|closed_resolved|closed_unresolved")
      expect(text).toContain("--limit INTEGER")
      expect(text).toMatchInlineSnapshot(`
        "Export chat sessions, as they come, to a file or stdout.

        Usage: opencx sessions export [flags]

        Filters:
          --status open|closed_resolved|closed_unresolved
                                       only sessions with this status
          --channel web|email|phone_voice|slack|sms|whatsapp|instagram|messenger|api|web_voice
                                       only sessions on this channel (the API's channel_type)
          --handed-off                 only sessions handed off to a human
          --no-handed-off              only sessions that were not handed off
          --created-after DATE         only sessions created after DATE
          --created-before DATE        only sessions created before DATE
          --updated-after DATE         only sessions updated after DATE
          --updated-before DATE        only sessions updated before DATE
          --since DATE                 the same as --updated-after (--since 7d: updated in the last 7 days)

        Output:
          --format ndjson|csv|json     one per line, CSV columns, or one array (default: ndjson)
          -o, --output FILE            write to FILE (default: stdout)
          --limit INTEGER              stop after this many sessions
          --with-history               each session with its history (csv: a history_events column)
          --checkpoint FILE            save progress after each page, to resume (needs --output)
          --since-last FILE            only sessions updated since the last run with this state file

        Connection:
          --api-key-file FILE          read the API key from this file (instead of OPENCX_API_KEY)
          --base-url URL               the API (instead of OPENCX_BASE_URL; default https://api.open.cx)
          --rate-limit INTEGER         requests per minute, client-side (default 100; 0: off)
          --allow-insecure-http        allow http:// to hosts other than loopback (the key travels in clear)
          --redis URL                  share the rate limit with other processes on the key, in this Redis
                                       (or OPENCX_REDIS_URL)
          --redis-fallback N           while Redis fails, go on at the limit / N (N processes on the key;
                                       default: fail)

        Progress and logs:
          -q, --quiet                  no progress, no summary
          --progress-interval SECONDS  time between progress lines, when not on a terminal (default: 10)
          --log-format text|json       stderr as text, or as JSON lines (default: text)

        Global flags:
          --log-level all|trace|debug|info|warning|error|fatal|none
                                       the least important logs shown (debug: a line per page)
          -h, --help                   show this help
          --version                    show the version

        DATE: an ISO 8601 date or date-time (2025-01-31, 2025-01-31T12:00:00Z), or a time relative to now:
        7d, 24h, 90m, 2w, yesterday, today (UTC).

        Examples:
          # the sessions updated in the last 7 days, as CSV
          opencx sessions export --since 7d --format csv -o week.csv
          # everything, resumable after Ctrl-C or a crash
          opencx sessions export -o all.ndjson --checkpoint all.checkpoint.json
          # only what changed since the last run
          opencx sessions export --since-last state.json -o changes.ndjson
        "
      `)
    }))

  it.live("opencx sessions stats", () =>
    Effect.gen(function*() {
      const text = yield* help(["sessions", "stats"])
      checkShape(text, "opencx sessions stats [flags]")
      expect(text).toContain("--by day|week|month")
      expect(text).toMatchInlineSnapshot(`
        "Count sessions by status, channel, sentiment, ai_closure_type and month.

        Usage: opencx sessions stats [flags]

        Filters:
          --status open|closed_resolved|closed_unresolved
                                       only sessions with this status
          --channel web|email|phone_voice|slack|sms|whatsapp|instagram|messenger|api|web_voice
                                       only sessions on this channel (the API's channel_type)
          --handed-off                 only sessions handed off to a human
          --no-handed-off              only sessions that were not handed off
          --created-after DATE         only sessions created after DATE
          --created-before DATE        only sessions created before DATE
          --updated-after DATE         only sessions updated after DATE
          --updated-before DATE        only sessions updated before DATE
          --since DATE                 the same as --updated-after (--since 7d: updated in the last 7 days)

        Counting:
          --json                       print the counts as JSON
          --by day|week|month          the time table's rows (created_at, UTC) (default: month)
          --ascii                      draw the bars with # instead of Unicode blocks
          --with-history               read each session's history too: the median number of events per
                                       session

        Connection:
          --api-key-file FILE          read the API key from this file (instead of OPENCX_API_KEY)
          --base-url URL               the API (instead of OPENCX_BASE_URL; default https://api.open.cx)
          --rate-limit INTEGER         requests per minute, client-side (default 100; 0: off)
          --allow-insecure-http        allow http:// to hosts other than loopback (the key travels in clear)
          --redis URL                  share the rate limit with other processes on the key, in this Redis
                                       (or OPENCX_REDIS_URL)
          --redis-fallback N           while Redis fails, go on at the limit / N (N processes on the key;
                                       default: fail)

        Progress and logs:
          -q, --quiet                  no progress, no summary
          --progress-interval SECONDS  time between progress lines, when not on a terminal (default: 10)
          --log-format text|json       stderr as text, or as JSON lines (default: text)

        Global flags:
          --log-level all|trace|debug|info|warning|error|fatal|none
                                       the least important logs shown (debug: a line per page)
          -h, --help                   show this help
          --version                    show the version

        DATE: an ISO 8601 date or date-time (2025-01-31, 2025-01-31T12:00:00Z), or a time relative to now:
        7d, 24h, 90m, 2w, yesterday, today (UTC).

        Examples:
          # tables with bars, by month
          opencx sessions stats --created-after 2025-01-01
          # the last 30 days, day by day
          opencx sessions stats --since 30d --by day
          # the counts as JSON
          opencx sessions stats --json --no-handed-off
        "
      `)
    }))

  it.live("opencx sessions sync", () =>
    Effect.gen(function*() {
      const text = yield* help(["sessions", "sync"])
      checkShape(text, "opencx sessions sync [flags]")
      expect(text).toContain("--db URL")
      expect(text).toContain("--redis URL")
      expect(text).toMatchInlineSnapshot(`
        "Keep a SQLite or PostgreSQL database in step with OpenCX: each run syncs what changed.

        Usage: opencx sessions sync [flags]

        Filters:
          --status open|closed_resolved|closed_unresolved
                                       only sessions with this status
          --channel web|email|phone_voice|slack|sms|whatsapp|instagram|messenger|api|web_voice
                                       only sessions on this channel (the API's channel_type)
          --handed-off                 only sessions handed off to a human
          --no-handed-off              only sessions that were not handed off
          --created-after DATE         only sessions created after DATE
          --created-before DATE        only sessions created before DATE
          --updated-after DATE         only sessions updated after DATE
          --updated-before DATE        only sessions updated before DATE
          --since DATE                 the same as --updated-after (--since 7d: updated in the last 7 days)

        Database:
          --db URL                     sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DB (default:
                                       OPENCX_DB_URL, or sqlite:opencx.db)
          --with-history               each session's history too, into opencx_session_events
          --wait SECONDS               wait this long for another sync of the same filters to end (default:
                                       fail at once)
          --restart                    forget the walk a stopped run left (its cursor expired, say): start
                                       from the watermark

        Connection:
          --api-key-file FILE          read the API key from this file (instead of OPENCX_API_KEY)
          --base-url URL               the API (instead of OPENCX_BASE_URL; default https://api.open.cx)
          --rate-limit INTEGER         requests per minute, client-side (default 100; 0: off)
          --allow-insecure-http        allow http:// to hosts other than loopback (the key travels in clear)
          --redis URL                  share the rate limit with other processes on the key, in this Redis
                                       (or OPENCX_REDIS_URL)
          --redis-fallback N           while Redis fails, go on at the limit / N (N processes on the key;
                                       default: fail)

        Progress and logs:
          -q, --quiet                  no progress, no summary
          --progress-interval SECONDS  time between progress lines, when not on a terminal (default: 10)
          --log-format text|json       stderr as text, or as JSON lines (default: text)

        Global flags:
          --log-level all|trace|debug|info|warning|error|fatal|none
                                       the least important logs shown (debug: a line per page)
          -h, --help                   show this help
          --version                    show the version

        DATE: an ISO 8601 date or date-time (2025-01-31, 2025-01-31T12:00:00Z), or a time relative to now:
        7d, 24h, 90m, 2w, yesterday, today (UTC).

        Each page is committed with where the walk stands: a stopped run (Ctrl-C, a crash) continues where
        it stopped; the next run syncs what was updated since the last (a minute's margin).

        Examples:
          # every session into ./opencx.db (SQLite); run it again for what changed
          opencx sessions sync
          # into PostgreSQL, with the histories
          opencx sessions sync --db postgres://sync@db.internal/support --with-history
          # sharing the key's rate limit with other processes
          opencx sessions sync --channel email --redis redis://redis.internal:6379
        "
      `)
    }))

  it.live("opencx fake-server", () =>
    Effect.gen(function*() {
      const text = yield* help(["fake-server"])
      checkShape(text, "opencx fake-server [flags]")
      expect(text).toMatchInlineSnapshot(`
        "Serve FakeOpenCx on 127.0.0.1, for tests and demos, until Ctrl-C.

        Usage: opencx fake-server [flags]

        Server:
          --port INTEGER        the port on 127.0.0.1 (default: 0, a free one)
          --count INTEGER       sessions to generate (default: 10,000)
          --seed INTEGER        seed of the generated data (default: 1)
          --page-size INTEGER   sessions per page (default: 25)
          --rate-limit INTEGER  answer 429 past this many requests per minute per token
          --latency MS          a delay added to every response

        Global flags:
          --log-level all|trace|debug|info|warning|error|fatal|none
                                the least important logs shown (debug: a line per page)
          -h, --help            show this help
          --version             show the version

        It prints OPENCX_BASE_URL and OPENCX_API_KEY to use with the other commands.

        Examples:
          # 10,000 sessions on http://127.0.0.1:8080
          opencx fake-server --port 8080
          # a slow API with a tight rate limit
          opencx fake-server --rate-limit 10 --latency 200
        "
      `)
    }))

  it.live("opencx sessions history", () =>
    Effect.gen(function*() {
      const text = yield* help(["sessions", "history"])
      checkShape(text, "opencx sessions history ID [flags]")
      expect(text).toContain("--format ndjson|text|json")
      expect(text).toMatchInlineSnapshot(`
        "Print one session's history: its messages and other events, oldest first.

        Usage: opencx sessions history ID [flags]

        Arguments:
          ID                         the session's id (the id of a session in an export)

        Output:
          --format ndjson|text|json  each event as the API sent it, one per line; a transcript; or one array
                                     (default: ndjson)
          -o, --output FILE          write to FILE, whole or not at all (default: stdout)

        Connection:
          --api-key-file FILE        read the API key from this file (instead of OPENCX_API_KEY)
          --base-url URL             the API (instead of OPENCX_BASE_URL; default https://api.open.cx)
          --rate-limit INTEGER       requests per minute, client-side (default 100; 0: off)
          --allow-insecure-http      allow http:// to hosts other than loopback (the key travels in clear)
          --redis URL                share the rate limit with other processes on the key, in this Redis (or
                                     OPENCX_REDIS_URL)
          --redis-fallback N         while Redis fails, go on at the limit / N (N processes on the key;
                                     default: fail)

        Logs:
          -q, --quiet                only errors on stderr (and the embedded FakeOpenCx's one-line notice)
          --log-format text|json     stderr as text, or as JSON lines (default: text)

        Global flags:
          --log-level all|trace|debug|info|warning|error|fatal|none
                                     the least important logs shown (debug: a line per page)
          -h, --help                 show this help
          --version                  show the version

        text: one line per event, its time (UTC), who and what; what the server sent is escaped, never run
        by the terminal.

        Examples:
          # the conversation, to read
          opencx sessions history "$ID" --format text
          # its events, as the API sent them
          opencx sessions history "$ID" -o history.ndjson
        "
      `)
    }))

  it.live("opencx sessions create", () =>
    Effect.gen(function*() {
      const text = yield* help(["sessions", "create"])
      checkShape(text, "opencx sessions create [flags]")
      expect(text).toContain("--custom-data KEY=VALUE...")
      expect(text).toMatchInlineSnapshot(`
        "Create a chat session; print its id as JSON.

        Usage: opencx sessions create [flags]

        Session:
          --channel web|email|phone_voice|slack|sms|whatsapp|instagram|messenger|api|web_voice
                                      the session's channel (the API's default: api)
          --verified                  the contact is verified (their details go to the contact's own fields)

        Contact:
          --contact-id ID             an existing contact
          --contact-email EMAIL       a new contact's email
          --contact-name NAME         a new contact's name
          --contact-phone PHONE       a new contact's phone number

        Custom data:
          --custom-data KEY=VALUE...  a custom data value (true, false and numbers typed as such); repeat
                                      for more
          --custom-data-json JSON     custom data as a flat JSON object ('{"plan":"pro"}')

        Connection:
          --api-key-file FILE         read the API key from this file (instead of OPENCX_API_KEY)
          --base-url URL              the API (instead of OPENCX_BASE_URL; default https://api.open.cx)
          --rate-limit INTEGER        requests per minute, client-side (default 100; 0: off)
          --allow-insecure-http       allow http:// to hosts other than loopback (the key travels in clear)
          --redis URL                 share the rate limit with other processes on the key, in this Redis
                                      (or OPENCX_REDIS_URL)
          --redis-fallback N          while Redis fails, go on at the limit / N (N processes on the key;
                                      default: fail)

        Logs:
          -q, --quiet                 only errors on stderr (and the embedded FakeOpenCx's one-line notice)
          --log-format text|json      stderr as text, or as JSON lines (default: text)

        Global flags:
          --log-level all|trace|debug|info|warning|error|fatal|none
                                      the least important logs shown (debug: a line per page)
          -h, --help                  show this help
          --version                   show the version

        The write is never repeated: when its outcome is unknown (a timeout, a 5xx), the command fails
        saying so.

        Examples:
          # a session for a new contact
          opencx sessions create --contact-email ada@example.com --contact-name 'Ada Lovelace'
          # for an existing contact, with custom data
          opencx sessions create --contact-id "$CONTACT_ID" --channel email --custom-data plan=pro
        "
      `)
    }))

  it.live("opencx sessions send", () =>
    Effect.gen(function*() {
      const text = yield* help(["sessions", "send"])
      checkShape(text, "opencx sessions send ID [flags]")
      expect(text).toContain("--text TEXT")
      expect(text).toMatchInlineSnapshot(`
        "Send a message into a session, as its contact or an agent.

        Usage: opencx sessions send ID [flags]

        Arguments:
          ID                          the session's id (the id of a session in an export)

        Message:
          --text TEXT                 the message; - reads it from stdin (required)
          --as contact|agent          who sends it (default: contact)
          --agent-id INTEGER          the agent's id (with --as agent)
          --agent-name NAME           the agent's name (with --as agent)
          --take-over                 the agent takes the session over from the AI (with --as agent)
          --attach URL...             attach the file at URL; repeat for more

        Custom data:
          --custom-data KEY=VALUE...  a custom data value (true, false and numbers typed as such); repeat
                                      for more
          --custom-data-json JSON     custom data as a flat JSON object ('{"plan":"pro"}')

        Connection:
          --api-key-file FILE         read the API key from this file (instead of OPENCX_API_KEY)
          --base-url URL              the API (instead of OPENCX_BASE_URL; default https://api.open.cx)
          --rate-limit INTEGER        requests per minute, client-side (default 100; 0: off)
          --allow-insecure-http       allow http:// to hosts other than loopback (the key travels in clear)
          --redis URL                 share the rate limit with other processes on the key, in this Redis
                                      (or OPENCX_REDIS_URL)
          --redis-fallback N          while Redis fails, go on at the limit / N (N processes on the key;
                                      default: fail)

        Logs:
          -q, --quiet                 only errors on stderr (and the embedded FakeOpenCx's one-line notice)
          --log-format text|json      stderr as text, or as JSON lines (default: text)

        Global flags:
          --log-level all|trace|debug|info|warning|error|fatal|none
                                      the least important logs shown (debug: a line per page)
          -h, --help                  show this help
          --version                   show the version

        The write is never repeated: when its outcome is unknown (a timeout, a 5xx), the command fails
        saying so.

        Examples:
          # as the contact
          opencx sessions send "$ID" --text 'Where is my order?'
          # as an agent taking over from the AI, the text from stdin
          opencx sessions send "$ID" --as agent --agent-id 7 --agent-name Sam --take-over --text -
        "
      `)
    }))

  it.live("opencx sessions close", () =>
    Effect.gen(function*() {
      const text = yield* help(["sessions", "close"])
      checkShape(text, "opencx sessions close ID [flags]")
      expect(text).toContain("--unresolved")
      expect(text).toMatchInlineSnapshot(`
        "Close a session, as resolved (or not); print its id and status as JSON.

        Usage: opencx sessions close ID [flags]

        Arguments:
          ID                      the session's id (the id of a session in an export)

        Session:
          --unresolved            close it as unresolved (default: as resolved)
          --summarise             have the AI write its summary and sentiment (on resolving)

        Connection:
          --api-key-file FILE     read the API key from this file (instead of OPENCX_API_KEY)
          --base-url URL          the API (instead of OPENCX_BASE_URL; default https://api.open.cx)
          --rate-limit INTEGER    requests per minute, client-side (default 100; 0: off)
          --allow-insecure-http   allow http:// to hosts other than loopback (the key travels in clear)
          --redis URL             share the rate limit with other processes on the key, in this Redis (or
                                  OPENCX_REDIS_URL)
          --redis-fallback N      while Redis fails, go on at the limit / N (N processes on the key;
                                  default: fail)

        Logs:
          -q, --quiet             only errors on stderr (and the embedded FakeOpenCx's one-line notice)
          --log-format text|json  stderr as text, or as JSON lines (default: text)

        Global flags:
          --log-level all|trace|debug|info|warning|error|fatal|none
                                  the least important logs shown (debug: a line per page)
          -h, --help              show this help
          --version               show the version

        Examples:
          # resolved, with a summary and sentiment
          opencx sessions close "$ID" --summarise
          # closed, not resolved
          opencx sessions close "$ID" --unresolved
        "
      `)
    }))

  it.live("opencx sessions reopen", () =>
    Effect.gen(function*() {
      const text = yield* help(["sessions", "reopen"])
      checkShape(text, "opencx sessions reopen ID [flags]")
      expect(text).toContain("ID")
      expect(text).toMatchInlineSnapshot(`
        "Reopen a closed session; print its id and status as JSON.

        Usage: opencx sessions reopen ID [flags]

        Arguments:
          ID                      the session's id (the id of a session in an export)

        Connection:
          --api-key-file FILE     read the API key from this file (instead of OPENCX_API_KEY)
          --base-url URL          the API (instead of OPENCX_BASE_URL; default https://api.open.cx)
          --rate-limit INTEGER    requests per minute, client-side (default 100; 0: off)
          --allow-insecure-http   allow http:// to hosts other than loopback (the key travels in clear)
          --redis URL             share the rate limit with other processes on the key, in this Redis (or
                                  OPENCX_REDIS_URL)
          --redis-fallback N      while Redis fails, go on at the limit / N (N processes on the key;
                                  default: fail)

        Logs:
          -q, --quiet             only errors on stderr (and the embedded FakeOpenCx's one-line notice)
          --log-format text|json  stderr as text, or as JSON lines (default: text)

        Global flags:
          --log-level all|trace|debug|info|warning|error|fatal|none
                                  the least important logs shown (debug: a line per page)
          -h, --help              show this help
          --version               show the version

        Examples:
          # open again
          opencx sessions reopen "$ID"
          # for a script: an error as a JSON line on stderr
          opencx sessions reopen "$ID" --log-format json
        "
      `)
    }))

  it.live("-h is --help, wherever it is, and wins over a mistake", () =>
    Effect.gen(function*() {
      const long = yield* help(["sessions", "export"])
      const short = yield* Cli.run(["sessions", "export", "--limit", "ten", "-h"])
      expect(short.code).toBe(0)
      expect(short.stdout).toBe(long)
    }))

  it.live("on a terminal, headings are bold; with NO_COLOR (any non-empty value) there is no escape code", () =>
    Effect.gen(function*() {
      const tty = [`--import`, Cli.forceTtyStdout]
      expect(yield* help(["sessions", "stats"], {}, tty)).toContain("\x1b[1mUsage:\x1b[0m")
      expect(yield* help(["sessions", "stats"], { NO_COLOR: "1" }, tty)).not.toMatch(/\x1b/)
      expect(yield* help(["sessions", "stats"], { TERM: "dumb" }, tty)).not.toMatch(/\x1b/)
    }))

  it("NO_COLOR counts when it is not empty, whatever its value; TERM=dumb too", () => {
    expect(["", "1", "0", "false", "true"].map((value) => Terminal.noEscapes({ NO_COLOR: value }))).toEqual([false, true, true, true, true])
    expect(Terminal.noEscapes({})).toBe(false)
    expect(Terminal.noEscapes({ TERM: "dumb" })).toBe(true)
    expect(Terminal.noEscapes({ TERM: "xterm-256color" })).toBe(false)
  })
})
