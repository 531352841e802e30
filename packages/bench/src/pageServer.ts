/**
 * The throughput scenario's server: a plain `node:http` server, in a process
 * of its own, that serves pre-encoded pages of `GET /chat/sessions`, so that
 * the server is not what the clients wait for.
 *
 * At startup it walks a `FakeOpenCx` in-process (the same generated data,
 * the same signed cursors as the fake on a socket) and keeps each page's
 * JSON text, gzip-compressed once, keyed by the cursor that asks for it.
 * Each request then costs a map lookup, a Bearer check and one write.
 *
 * The coding is the bench's choice, not the client's: the server listens on
 * two ports, one that answers every page in gzip (to a request whose
 * `Accept-Encoding` accepts gzip; 406 otherwise, so a run cannot silently
 * compare two codings) and one that answers the JSON text as it is. undici's
 * `fetch` asks for `gzip, deflate` over http, the client for `gzip, deflate,
 * br`: on the gzip port both get gzip, on the other both get identity.
 *
 * Settings come as JSON in argv[2]; it prints one line of JSON (`{ urls:
 * { gzip, identity }, apiKey, pages, bytes, gzipBytes }`) when it listens,
 * and stops when its stdin closes. `GET /__bench/stats` (no token) answers
 * with the process's CPU time so far and the pages served by coding, so
 * that a scenario can report the server's CPU per page of its measured walk.
 *
 * @since 0.2.0
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { FakeOpenCx } from "@opencx-effect/core"
import { Effect, Schema } from "effect"
import * as Http from "node:http"
import * as Zlib from "node:zlib"

/**
 * @since 0.2.0
 */
export const PageServerSettings = Schema.Struct({
  count: Schema.Int,
  seed: Schema.optional(Schema.Int),
  pageSize: Schema.Int
})

/**
 * @since 0.2.0
 */
export type PageServerSettings = typeof PageServerSettings.Type

/**
 * What `GET /__bench/stats` answers.
 *
 * @since 0.2.0
 */
export interface PageServerStats {
  /** user + system CPU time of the server process so far, in ms */
  readonly cpuMs: number
  /** list pages served, by content coding */
  readonly served: Readonly<Record<string, number>>
}

/**
 * The content codings the server serves, one port each.
 *
 * @since 0.2.0
 */
export type Coding = "gzip" | "identity"

interface Encoded {
  readonly identity: Buffer
  readonly gzip: Buffer
}

/** the fake's pages as its app serves them, keyed by the cursor that asks for each ("" for the first) */
const walkFake = (settings: PageServerSettings) =>
  Effect.gen(function*() {
    const fake = yield* FakeOpenCx.make({ generate: { count: settings.count, seed: settings.seed ?? 1 }, pageSize: settings.pageSize })
    const client = FakeOpenCx.httpClient(fake)
    const apiKey = FakeOpenCx.defaultApiKey
    const pages = new Map<string, Encoded>()
    let cursor: string | null = null
    do {
      const response: HttpClientResponse.HttpClientResponse = yield* client.get("http://fake/chat/sessions", {
        headers: { authorization: `Bearer ${apiKey}` },
        urlParams: cursor === null ? {} : { cursor }
      })
      const text: string = yield* response.text
      if (response.status !== 200) return yield* Effect.dieMessage(`the fake answered ${response.status}: ${text}`)
      const identity = Buffer.from(text, "utf8")
      pages.set(cursor ?? "", { identity, gzip: Zlib.gzipSync(identity, { level: 6 }) })
      // the page's shape is the fake's own (a boundary between two of our programs)
      cursor = (JSON.parse(text) as { next: string | null }).next
    } while (cursor !== null && cursor !== "")
    return { pages, apiKey }
  })

const acceptsGzip = (header: string | undefined) => {
  if (header === undefined) return false
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";")
    if (name === "gzip" || name === "*") return !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p))
  }
  return false
}

const main = async () => {
  const settings = Schema.decodeUnknownSync(Schema.parseJson(PageServerSettings))(process.argv[2] ?? "{}")
  const { apiKey, pages } = await Effect.runPromise(walkFake(settings))
  const expected = `Bearer ${apiKey}`
  const served: Record<Coding, number> = { gzip: 0, identity: 0 }
  let requestId = 0
  const errorBody = (statusCode: number, message: string, error: string) =>
    Buffer.from(JSON.stringify({ statusCode, message, error }))
  const notFound = errorBody(404, "unknown cursor", "Not Found")
  const unauthorized = errorBody(401, "Unauthorized", "Unauthorized")
  const notAcceptable = errorBody(406, "this port serves gzip only", "Not Acceptable")
  const send = (res: Http.ServerResponse, status: number, body: Buffer, coding: Coding) => {
    const headers: Http.OutgoingHttpHeaders = {
      "content-type": "application/json",
      "content-length": body.length,
      "x-request-id": `bench-${++requestId}`
    }
    if (coding === "gzip") {
      headers["content-encoding"] = "gzip"
      headers.vary = "accept-encoding"
    }
    res.writeHead(status, headers)
    res.end(body)
  }

  /** a server whose list pages all come in one coding */
  const serverFor = (coding: Coding) =>
    Http.createServer((req, res) => {
      const url = req.url ?? "/"
      const query = url.indexOf("?")
      const path = query < 0 ? url : url.slice(0, query)
      if (path === "/__bench/stats") {
        const usage = process.cpuUsage()
        const stats: PageServerStats = { cpuMs: (usage.user + usage.system) / 1000, served: { ...served } }
        return send(res, 200, Buffer.from(JSON.stringify(stats)), "identity")
      }
      if (req.headers.authorization !== expected) return send(res, 401, unauthorized, "identity")
      if (req.method !== "GET" || path !== "/chat/sessions") return send(res, 404, notFound, "identity")
      const cursor = query < 0 ? "" : (new URLSearchParams(url.slice(query + 1)).get("cursor") ?? "")
      const page = pages.get(cursor)
      if (page === undefined) return send(res, 404, notFound, "identity")
      if (coding === "gzip" && !acceptsGzip(req.headers["accept-encoding"])) return send(res, 406, notAcceptable, "identity")
      served[coding]++
      return send(res, 200, page[coding], coding)
    })
  const listen = (server: Http.Server) =>
    new Promise<string>((resolve) => {
      server.keepAliveTimeout = 60_000
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        resolve(`http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`)
      })
    })
  const servers = { gzip: serverFor("gzip"), identity: serverFor("identity") }
  const urls = { gzip: await listen(servers.gzip), identity: await listen(servers.identity) }
  let bytes = 0
  let gzipBytes = 0
  for (const page of pages.values()) {
    bytes += page.identity.length
    gzipBytes += page.gzip.length
  }
  process.stdout.write(JSON.stringify({ urls, apiKey, pages: pages.size, bytes, gzipBytes }) + "\n")
  const stop = () => {
    for (const server of Object.values(servers)) server.closeAllConnections()
    Promise.all(Object.values(servers).map((server) => new Promise((resolve) => server.close(resolve)))).then(
      () => process.exit(0),
      () => process.exit(1)
    )
  }
  process.stdin.on("end", stop)
  process.stdin.resume()
  process.on("SIGTERM", stop)
}

if (process.argv[1]?.endsWith("pageServer.js")) void main()
