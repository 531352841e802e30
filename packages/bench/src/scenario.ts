/**
 * One benchmark scenario, run in a process of its own:
 * `node scenario.js <name> <json params>` prints its result as JSON.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { ChatSession, FakeOpenCx, SessionsService } from "@opencx-effect/core"
import { NodeHttp, NodeSessionsService } from "@opencx-effect/platform-node"
import { SessionSync, SyncDatabase } from "@opencx-effect/sql"
import type { PageServerStats } from "./pageServer.js"
import { Effect, identity, Layer, Metric, Redacted, Schema, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"

interface Target {
  readonly url: string
  readonly apiKey: string
}

const cpuMs = () => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

const measure = async <A>(run: () => Promise<A>) => {
  const cpu0 = cpuMs()
  const t0 = performance.now()
  const value = await run()
  return { value, wallMs: performance.now() - t0, cpuMs: cpuMs() - cpu0 }
}

/** (a) fetch + JSON.parse, no validation: the floor */
const rawWalk = async (target: Target, maxPages = Infinity) => {
  let pages = 0
  let cursor: string | null = null
  let sessions = 0
  let checksum = 0
  do {
    const query: string = cursor === null ? "" : `?cursor=${encodeURIComponent(cursor)}`
    const response = await fetch(`${target.url}/chat/sessions${query}`, {
      headers: { authorization: `Bearer ${target.apiKey}` }
    })
    if (response.status !== 200) throw new Error(`status ${response.status}`)
    const page = JSON.parse(await response.text()) as { items: Array<{ ticket_number: number }>; next: string | null }
    sessions += page.items.length
    for (const item of page.items) checksum += item.ticket_number
    cursor = page.next
  } while (cursor !== null && ++pages < maxPages)
  return { sessions, checksum }
}

/**
 * (b) what an openapi-gen style client does: `@effect/platform`'s
 * HttpClient (the same undici client and decompression as the service),
 * each page decoded with `Schema.decodeUnknown` of the tolerant Schema, and
 * a hand-written cursor loop (no limiter, no retry, no guards)
 */
const openapiWalk = (target: Target, maxPages = Infinity) =>
  Effect.gen(function*() {
    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.mapRequest((request) =>
        request.pipe(
          HttpClientRequest.prependUrl(target.url),
          HttpClientRequest.bearerToken(target.apiKey),
          HttpClientRequest.acceptJson
        )
      ),
      HttpClient.filterStatusOk
    )
    const decode = HttpClientResponse.schemaBodyJson(ChatSession.ListChatSessionsOutput)
    let pages = 0
    let cursor: string | null = null
    let sessions = 0
    let checksum = 0
    do {
      const response = yield* client.get("/chat/sessions", { urlParams: cursor === null ? {} : { cursor } })
      const page: ChatSession.ListChatSessionsOutput = yield* decode(response)
      sessions += page.items.length
      for (const item of page.items) checksum += item.ticket_number
      cursor = page.next
    } while (cursor !== null && ++pages < maxPages)
    return { sessions, checksum }
  }).pipe(Effect.provide(NodeHttp.layer), Effect.runPromise)

const serviceLayer = (target: Target, options: Partial<SessionsService.Options> = {}) =>
  NodeSessionsService.layer({ apiKey: target.apiKey, baseUrl: target.url, rateLimit: false, ...options })

/** (c) SessionsService.stream, lazy or with a page fetched ahead, optionally without the HttpClient's span */
const serviceWalk = (target: Target, options: { readonly prefetch: number; readonly untraced?: boolean }, maxItems = Infinity) =>
  Effect.runPromise(
    SessionsService.stream(undefined, { prefetch: options.prefetch }).pipe(
      (stream) => (Number.isFinite(maxItems) ? Stream.take(stream, maxItems) : stream),
      Stream.runFold({ sessions: 0, checksum: 0 }, (acc, s) => ({
        sessions: acc.sessions + 1,
        checksum: acc.checksum + s.ticket_number
      })),
      // the HttpClient's span off by its fiber ref (a transformClient would change the client's own pipeline)
      options.untraced === true ? Effect.locally(HttpClient.currentTracerDisabledWhen, () => true) : identity,
      Effect.provide(serviceLayer(target))
    )
  )

/**
 * @since 0.2.0
 */
export type ThroughputVariant = "raw" | "openapi" | "service" | "service-prefetch" | "service-untraced"

const serverStats = async (target: Target): Promise<PageServerStats> => {
  const response = await fetch(`${target.url}/__bench/stats`)
  // what pageServer.ts answers (a boundary between two of our processes)
  return (await response.json()) as PageServerStats
}

const throughput = async (
  params: Target & { readonly variant: ThroughputVariant; readonly pageSize: number; readonly warmupSessions: number }
) => {
  const walk = (maxPages?: number) => {
    switch (params.variant) {
      case "raw":
        return rawWalk(params, maxPages)
      case "openapi":
        return openapiWalk(params, maxPages)
      case "service":
      case "service-prefetch":
      case "service-untraced":
        return serviceWalk(params, {
          prefetch: params.variant === "service-prefetch" ? 1 : 0,
          untraced: params.variant === "service-untraced"
        }, maxPages === undefined ? undefined : maxPages * params.pageSize)
    }
  }
  // warm-up (JIT, lazily loaded modules, the first connection), not measured
  await walk(Math.max(1, Math.round(params.warmupSessions / params.pageSize)))
  const before = await serverStats(params)
  const { cpuMs, value, wallMs } = await measure(() => walk())
  const after = await serverStats(params)
  const served: Record<string, number> = {}
  for (const [coding, n] of Object.entries(after.served)) {
    const delta = n - (before.served[coding] ?? 0)
    if (delta > 0) served[coding] = delta
  }
  return { ...value, wallMs, cpuMs, serverCpuMs: after.cpuMs - before.cpuMs, served }
}

/** decoding one 100-item page, in operations per second */
const decode = async (params: { readonly millis: number }) => {
  const fake = await Effect.runPromise(FakeOpenCx.make({ generate: { count: 100, seed: 1 } }))
  const sessions = await Effect.runPromise(fake.sessions)
  const text = JSON.stringify({
    items: Schema.encodeSync(Schema.Array(ChatSession.ChatSessionStrict))(sessions),
    next: "next-page-cursor"
  })
  const json: unknown = JSON.parse(text)
  // what one would write first: the tolerant Schema with effect's DateTimeUtc for the timestamps
  const naiveSession = Schema.Struct({
    ...ChatSession.ChatSession.fields,
    created_at: Schema.DateTimeUtc,
    updated_at: Schema.DateTimeUtc
  })
  const naivePage = Schema.Struct({ items: Schema.Array(naiveSession), next: Schema.NullOr(Schema.String) })
  const stringsSession = Schema.Struct({ ...ChatSession.ChatSession.fields, created_at: Schema.String, updated_at: Schema.String })
  const stringsPage = Schema.Struct({ items: Schema.Array(stringsSession), next: Schema.NullOr(Schema.String) })
  const variants: Record<string, () => unknown> = {
    "JSON.parse (baseline)": () => JSON.parse(text),
    "tolerant, fast path (what the service uses)": () => SessionsService.decodePage(json),
    "tolerant, Schema.decodeUnknown": (() => {
      const f = Schema.decodeUnknownSync(ChatSession.ListChatSessionsOutput)
      return () => f(json)
    })(),
    "strict, Schema.decodeUnknown": (() => {
      const f = Schema.decodeUnknownSync(ChatSession.ListChatSessionsOutputStrict)
      return () => f(json)
    })(),
    "tolerant, Schema with DateTimeUtc (naive)": (() => {
      const f = Schema.decodeUnknownSync(naivePage)
      return () => f(json)
    })(),
    "tolerant, Schema with timestamps left as strings": (() => {
      const f = Schema.decodeUnknownSync(stringsPage)
      return () => f(json)
    })()
  }
  const out: Record<string, number> = {}
  for (const [name, f] of Object.entries(variants)) {
    for (let i = 0; i < 50; i++) f()
    let n = 0
    const t0 = performance.now()
    while (performance.now() - t0 < params.millis) {
      f()
      n++
    }
    out[name] = n / ((performance.now() - t0) / 1000)
  }
  return { opsPerSecond: out, bytes: text.length }
}

/** pages per second with server latency and consumer work, with or without prefetch */
const latency = async (params: Target & { readonly prefetch: number; readonly workMs: number }) => {
  const { value, wallMs } = await measure(() =>
    Effect.runPromise(
      SessionsService.pages(undefined, { prefetch: params.prefetch }).pipe(
        Stream.mapEffect(() => Effect.sleep(params.workMs)),
        Stream.runCount,
        Effect.provide(serviceLayer(params))
      )
    )
  )
  return { pages: value, wallMs }
}

/** a walk at the same limit as the server's: request start times, and the 429s received */
const rateLimit = async (params: Target & { readonly limit: number; readonly windowMs: number }) => {
  const starts: Array<number> = []
  const t0 = performance.now()
  const pages = await Effect.runPromise(
    SessionsService.pages().pipe(
      Stream.runCount,
      Effect.provide(serviceLayer(params, {
        rateLimit: { limit: params.limit, interval: params.windowMs },
        transformClient: HttpClient.tapRequest(() => Effect.sync(() => void starts.push(performance.now() - t0)))
      }))
    )
  )
  const rateLimited = (await Effect.runPromise(Metric.value(SessionsService.metrics.rateLimited))).count
  return { pages, starts, rateLimited }
}

/**
 * a history export at the server's limit, through one client: the sessions'
 * pages, and each session's history walked as it comes (request start times,
 * the 429s received)
 */
const history = async (params: Target & { readonly limit: number; readonly windowMs: number; readonly sessions: number }) => {
  const starts: Array<number> = []
  const t0 = performance.now()
  const { events, sessions } = await Effect.runPromise(
    SessionsService.stream().pipe(
      Stream.take(params.sessions),
      Stream.mapEffect((session) => Stream.runCount(SessionsService.history(session.id))),
      Stream.runFold({ sessions: 0, events: 0 }, (acc, n) => ({ sessions: acc.sessions + 1, events: acc.events + n })),
      Effect.provide(serviceLayer(params, {
        rateLimit: { limit: params.limit, interval: params.windowMs },
        transformClient: HttpClient.tapRequest(() => Effect.sync(() => void starts.push(performance.now() - t0)))
      }))
    )
  )
  const wallMs = performance.now() - t0
  const rateLimited = (await Effect.runPromise(Metric.value(SessionsService.metrics.rateLimited))).count
  return { sessions, events, starts, rateLimited, wallMs }
}

/** memory while streaming (and discarding) or collecting every session */
const memory = async (params: Target & { readonly total: number; readonly mode: "stream" | "collect" }) => {
  const marks = [0.1, 0.5, 1].map((f) => Math.max(1, Math.round(f * params.total)))
  const samples: Array<{ fraction: number; rssBytes: number; heapUsedBytes: number }> = []
  let seen = 0
  const mark = () => {
    seen++
    if (marks.includes(seen)) {
      const m = process.memoryUsage()
      samples.push({ fraction: seen / params.total, rssBytes: m.rss, heapUsedBytes: m.heapUsed })
    }
  }
  const t0 = performance.now()
  const stream = SessionsService.stream().pipe(Stream.tap(() => Effect.sync(mark)))
  const kept = await Effect.runPromise(
    (params.mode === "stream" ? Effect.as(Stream.runDrain(stream), 0) : Effect.map(Stream.runCollect(stream), (c) => c.length))
      .pipe(Effect.provide(serviceLayer(params)))
  )
  return {
    sessions: seen,
    kept,
    samples,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    wallMs: performance.now() - t0
  }
}

/**
 * Where the sync scenario puts the sessions: an ndjson file (the baseline),
 * a SQLite file, a PostgreSQL database.
 *
 * @since 0.3.0
 */
export type SyncSink = "export" | "sqlite" | "postgres"

/** the URL of another database on the same PostgreSQL server */
const withDatabase = (url: string, database: string): string => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

/** runs a statement against the database at `url` (outside any measurement) */
const runSql = <A>(url: string, f: (sql: SqlClient.SqlClient) => Effect.Effect<A, SqlError>): Promise<A> =>
  Effect.runPromise(Effect.flatMap(SqlClient.SqlClient, f).pipe(Effect.provide(SyncDatabase.layer(Redacted.make(url)))))

const removeSqlite = (file: string) => {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) fs.rmSync(file + suffix, { force: true })
}

/**
 * What SQLite itself costs for the sync's upserts, without the walk: the
 * rows the sync stored, read back (not measured), upserted again into a new
 * file with the same tables (`SessionSync.ddl("sqlite")`), 100 rows a
 * statement and a transaction, with the statement the sync sends (`INSERT …
 * ON CONFLICT (id) DO UPDATE … WHERE updated_at <= excluded.updated_at
 * RETURNING id`, written again here: the sync's own is internal). Through
 * the same driver, with one prepared statement per size of batch. A floor:
 * the sync also updates its state row and its page log in each transaction.
 */
const sqliteFloor = async (from: string, file: string) => {
  const rows = await runSql(`sqlite:${from}`, (sql) => sql.unsafe<Record<string, unknown>>("SELECT * FROM opencx_sessions ORDER BY rowid"))
  const columns = Object.keys(rows[0] ?? {})
  const statementFor = (n: number) => {
    const tuple = `(${columns.map(() => "?").join(", ")})`
    return `INSERT INTO opencx_sessions (${columns.join(", ")}) VALUES ${Array.from({ length: n }, () => tuple).join(", ")}
      ON CONFLICT (id) DO UPDATE SET ${columns.filter((c) => c !== "id").map((c) => `${c} = excluded.${c}`).join(", ")}
      WHERE opencx_sessions.updated_at <= excluded.updated_at RETURNING id`
  }
  const batches: Array<{ readonly text: string; readonly params: ReadonlyArray<unknown> }> = []
  for (let i = 0; i < rows.length; i += 100) {
    const batch = rows.slice(i, i + 100)
    batches.push({ text: statementFor(batch.length), params: batch.flatMap((row) => columns.map((c) => row[c])) })
  }
  removeSqlite(file)
  try {
    return await runSql(`sqlite:${file}`, (sql) =>
      Effect.gen(function*() {
        for (const statement of SessionSync.ddl("sqlite")) yield* sql.unsafe(statement)
        const cpu0 = cpuMs()
        const t0 = performance.now()
        let written = 0
        for (const batch of batches) {
          yield* sql.unsafe("BEGIN IMMEDIATE")
          written += (yield* sql.unsafe<{ readonly id: string }>(batch.text, batch.params)).length
          yield* sql.unsafe("COMMIT")
        }
        return { rows: written, wallMs: performance.now() - t0, cpuMs: cpuMs() - cpu0 }
      }))
  } finally {
    removeSqlite(file)
  }
}

/** the largest V8 heap in use while `run` runs, sampled every 100 ms (and at its start and end) */
const withPeakHeap = async <A>(run: () => Promise<A>) => {
  let peakHeapUsedBytes = process.memoryUsage().heapUsed
  const sample = () => void (peakHeapUsedBytes = Math.max(peakHeapUsedBytes, process.memoryUsage().heapUsed))
  const timer = setInterval(sample, 100)
  try {
    const value = await run()
    sample()
    return { value, peakHeapUsedBytes }
  } finally {
    clearInterval(timer)
  }
}

/**
 * Every session of the server, from a fresh start, into one sink: the
 * library's export (`SessionsService.streamEncoded`, one page fetched ahead,
 * each page's sessions written to an ndjson file as one synchronous write),
 * or `SessionSync.run` (one page fetched ahead by default, each page one
 * transaction) into a new SQLite file or a new PostgreSQL database. The
 * walk is the same (`SessionsService.steps`: the same tolerant validation,
 * no transformation of the sessions); only the sink differs. Measured: from
 * the start of the run (for the sync: the database's layer built, the
 * tables migrated, the lease taken) to its end, and the server's CPU over
 * that time; the database is made before and checked after, not measured.
 * Peak RSS is this process's (a fresh process per run; PostgreSQL's own
 * processes are not in it), with the largest heap in use, sampled.
 */
const sync = async (
  params: Target & {
    readonly sink: SyncSink
    readonly dir: string
    readonly pgUrl?: string | undefined
    readonly floor?: boolean | undefined
  }
) => {
  const api = serviceLayer(params)
  const tag = `${process.pid}_${Date.now().toString(36)}`
  const before = await serverStats(params)
  const served = async () => {
    const after = await serverStats(params)
    const pages: Record<string, number> = {}
    for (const [coding, n] of Object.entries(after.served)) {
      const delta = n - (before.served[coding] ?? 0)
      if (delta > 0) pages[coding] = delta
    }
    return { serverCpuMs: after.cpuMs - before.cpuMs, served: pages }
  }
  if (params.sink === "export") {
    const file = path.join(params.dir, `export-${tag}.ndjson`)
    const fd = fs.openSync(file, "w")
    let sessions = 0
    try {
      const { peakHeapUsedBytes, value: { cpuMs, wallMs } } = await withPeakHeap(() =>
        measure(() =>
          Effect.runPromise(
            SessionsService.streamEncoded(undefined, { prefetch: 1 }).pipe(
              Stream.runForEachChunk((chunk) =>
                Effect.sync(() => {
                  let text = ""
                  for (const session of chunk) text += JSON.stringify(session) + "\n"
                  fs.writeSync(fd, text)
                  sessions += chunk.length
                })
              ),
              Effect.provide(api)
            )
          )
        )
      )
      const peakRssBytes = process.resourceUsage().maxRSS * 1024
      const server = await served()
      fs.closeSync(fd)
      // the lines written (read after the measurement)
      const text = fs.readFileSync(file)
      let lines = 0
      for (let i = text.indexOf(10); i >= 0; i = text.indexOf(10, i + 1)) lines++
      return {
        sink: params.sink,
        sessions,
        stored: lines,
        bytes: fs.statSync(file).size,
        wallMs,
        cpuMs,
        peakRssBytes,
        peakHeapUsedBytes,
        ...server
      }
    } finally {
      fs.rmSync(file, { force: true })
    }
  }
  let url: string
  let drop: () => Promise<void>
  let size: () => Promise<number>
  if (params.sink === "sqlite") {
    const file = path.join(params.dir, `sync-${tag}.db`)
    url = `sqlite:${file}`
    drop = async () => removeSqlite(file)
    // the file once the layer closed it (its WAL checkpointed into it)
    size = async () => fs.statSync(file).size
  } else {
    const adminUrl = params.pgUrl
    if (adminUrl === undefined) throw new Error("no PostgreSQL URL")
    const name = `opencx_bench_${tag}`
    await runSql(adminUrl, (sql) => sql.unsafe(`CREATE DATABASE ${name}`))
    url = withDatabase(adminUrl, name)
    drop = () => runSql(adminUrl, (sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined)
    size = () =>
      runSql(url, (sql) => sql<{ readonly n: number | string }>`SELECT pg_database_size(current_database()) AS n`)
        .then((rows) => Number(rows[0]?.n ?? 0))
  }
  try {
    const { peakHeapUsedBytes, value: { cpuMs, value: summary, wallMs } } = await withPeakHeap(() =>
      measure(() =>
        Effect.runPromise(SessionSync.run().pipe(Effect.provide(Layer.merge(SyncDatabase.layer(Redacted.make(url)), api))))
      )
    )
    const peakRssBytes = process.resourceUsage().maxRSS * 1024
    const server = await served()
    // every session is in the table (read after the measurement)
    const stored = await runSql(url, (sql) => sql<{ readonly n: number | string }>`SELECT count(*) AS n FROM opencx_sessions`)
      .then((rows) => Number(rows[0]?.n ?? 0))
    const bytes = await size()
    const floor = params.sink === "sqlite" && params.floor === true
      ? await sqliteFloor(url.slice("sqlite:".length), path.join(params.dir, `floor-${tag}.db`))
      : undefined
    return {
      sink: params.sink,
      sessions: summary.sessions,
      stored,
      upserted: summary.upserted,
      pages: summary.pages,
      bytes,
      wallMs,
      cpuMs,
      peakRssBytes,
      peakHeapUsedBytes,
      ...server,
      ...(floor === undefined ? {} : { floor })
    }
  } finally {
    await drop()
  }
}

const scenarios: Record<string, (params: never) => Promise<unknown>> = {
  throughput,
  sync,
  decode,
  latency,
  rateLimit,
  history,
  memory
}

const [name = "", json = "{}"] = process.argv.slice(2)
const scenario = scenarios[name]
if (scenario === undefined) {
  process.stderr.write(`unknown scenario ${name}\n`)
  process.exit(2)
}
// the parameters are what main.ts sends for this scenario (a boundary between two of our processes)
const result = await scenario(JSON.parse(json) as never)
process.stdout.write(JSON.stringify(result) + "\n")
