/**
 * Content encodings on Node: the client side asks for gzip, br and deflate
 * and decodes them (with a cap on the decoded size: a small body must not
 * become gigabytes); the server side (NodeFakeOpenCx) compresses what a
 * client asked for.
 *
 * Also the responses the Node client hands on (`BodyResponse`): the
 * platform's, less what a client that reads every body once as bytes pays
 * for on each request.
 *
 * @internal
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Zlib from "node:zlib"

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

/** Where a `BodyResponse`'s body comes from. */
export interface BodySource {
  /** the whole body (called at most once) */
  readonly read: () => Promise<Uint8Array>
  /** the body as it arrives, when nothing has read it yet */
  readonly stream: (onError: (cause: unknown) => HttpClientError.ResponseError) => Stream.Stream<Uint8Array, HttpClientError.ResponseError>
  readonly formData: () => Promise<FormData>
}

/**
 * An `HttpClientResponse` whose body is read once, as bytes, whatever asks
 * for it (`arrayBuffer`, `text`, `json`, `urlParamsBody`), as
 * `@effect/platform`'s responses do, for less per request: its headers are
 * built once (the platform's undici response builds them on every access),
 * and reading the body starts no fiber (the platform's caches each body
 * read in an `Effect.cached` run with `Effect.runSync`). `stream` streams the
 * body when nothing has read it yet.
 */
export class BodyResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  /** the body once read (`bytes` holds it once the read is over, for `toJSON`) */
  private reading: Promise<Uint8Array> | undefined
  private bytes: Uint8Array | undefined
  private cachedCookies: Cookies.Cookies | undefined
  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly status: number,
    readonly headers: Headers.Headers,
    private readonly setCookie: ReadonlyArray<string>,
    private readonly source: BodySource
  ) {
    super()
  }

  private error(cause: unknown, reason: "Decode" | "EmptyBody" = "Decode"): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason, cause })
  }

  private get body(): Effect.Effect<Uint8Array, HttpClientError.ResponseError> {
    if (this.bytes !== undefined) return Effect.succeed(this.bytes)
    return Effect.tryPromise({
      try: () =>
        (this.reading ??= this.source.read().then((bytes) => {
          this.bytes = bytes
          return bytes
        })),
      catch: (cause) => this.error(cause)
    })
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.map(this.body, (bytes) =>
      // the bytes' own buffer when they fill it (undici's do), a copy otherwise (a Buffer may be a view
      // of a larger one: zlib's are)
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
        ? bytes.buffer
        : new Uint8Array(bytes).buffer)
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.map(this.body, (bytes) => new TextDecoder().decode(bytes))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({ try: (): unknown => (text === "" ? null : JSON.parse(text)), catch: (cause) => this.error(cause) }))
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({ try: () => UrlParams.fromInput(new URLSearchParams(text)), catch: (cause) => this.error(cause) }))
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.tryPromise({ try: () => this.source.formData(), catch: (cause) => this.error(cause) })
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return this.reading === undefined
      ? this.source.stream((cause) => this.error(cause))
      : Stream.fromEffect(this.body)
  }

  get cookies(): Cookies.Cookies {
    return (this.cachedCookies ??= this.setCookie.length === 0 ? Cookies.empty : Cookies.fromSetCookie(this.setCookie))
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  toJSON(): unknown {
    return HttpIncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }
}

/** a body already in memory (a decoded one) */
const bytesSource = (bytes: Uint8Array, headers: Headers.Headers): BodySource => ({
  read: () => Promise.resolve(bytes),
  stream: () => Stream.succeed(bytes),
  formData: () => new globalThis.Response(new Uint8Array(bytes), { headers: new globalThis.Headers(headers) }).formData()
})

export const acceptEncoding = "gzip, deflate, br"

/** the largest body a compressed response may decode to */
export const maxDecodedBytes = 64 * 1024 * 1024

type Coding = "gzip" | "deflate" | "br"

const codingOf = (header: string | undefined): Coding | "identity" | "unknown" => {
  const value = (header ?? "").trim().toLowerCase()
  if (value === "" || value === "identity") return "identity"
  if (value === "gzip" || value === "x-gzip") return "gzip"
  if (value === "deflate") return "deflate"
  if (value === "br") return "br"
  return "unknown"
}

/**
 * gzip and deflate bodies up to this size (compressed) are decoded on the
 * spot rather than on libuv's thread pool: a page compresses to a few KiB,
 * and the pool's round trip costs a sequential walk more than the decoding
 * itself. At worst (gzip's largest ratio is about 1,000 to 1) such a body
 * decodes to 32 MiB, a few tens of milliseconds. Larger bodies, and br
 * (whose ratio has no such bound), go to the pool.
 */
const inlineInflateBytes = 32 * 1024

const inflate = (coding: Coding, bytes: Uint8Array): Promise<Buffer> => {
  const options = { maxOutputLength: maxDecodedBytes }
  // "deflate" is zlib-wrapped by the standard, raw by some servers: the first byte tells them apart
  const zlibWrapped = bytes.length > 0 && (bytes[0]! & 0x0f) === 8
  if (coding !== "br" && bytes.length <= inlineInflateBytes) {
    try {
      return Promise.resolve(
        coding === "gzip"
          ? Zlib.gunzipSync(bytes, options)
          : zlibWrapped
          ? Zlib.inflateSync(bytes, options)
          : Zlib.inflateRawSync(bytes, options)
      )
    } catch (error) {
      return Promise.reject(error)
    }
  }
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, out: Buffer) => (error === null ? resolve(out) : reject(error))
    if (coding === "gzip") Zlib.gunzip(bytes, options, done)
    else if (coding === "br") Zlib.brotliDecompress(bytes, options, done)
    else if (zlibWrapped) Zlib.inflate(bytes, options, done)
    else Zlib.inflateRaw(bytes, options, done)
  })
}

const describe = (error: unknown) =>
  error instanceof RangeError || (error instanceof Error && "code" in error && error.code === "ERR_BUFFER_TOO_LARGE")
    ? `the compressed body decodes to more than ${maxDecodedBytes / 1024 / 1024} MiB`
    : `the compressed body does not decode (${error instanceof Error ? error.message : String(error)})`

/**
 * An HttpClient that asks for compressed bodies (unless the request says
 * otherwise) and hands on each response decoded, with `content-encoding`
 * and `content-length` gone. An encoding it does not know is left as it
 * came.
 */
export const decompressing = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  client.pipe(
    HttpClient.mapRequest((request) =>
      request.headers["accept-encoding"] === undefined
        ? HttpClientRequest.setHeader(request, "accept-encoding", acceptEncoding)
        : request
    ),
    HttpClient.transformResponse(Effect.flatMap((response) => {
      const coding = codingOf(response.headers["content-encoding"])
      if (coding === "identity" || coding === "unknown") return Effect.succeed(response)
      return Effect.flatMap(response.arrayBuffer, (buffer) =>
        Effect.tryPromise({
          try: () => inflate(coding, new Uint8Array(buffer)),
          catch: (cause) =>
            new HttpClientError.ResponseError({
              request: response.request,
              response,
              reason: "Decode",
              cause,
              description: describe(cause)
            })
        }).pipe(
          Effect.map((decoded): HttpClientResponse.HttpClientResponse => {
            const headers: Record<string, string> = {}
            for (const [name, value] of Object.entries(response.headers)) {
              if (name !== "content-encoding" && name !== "content-length") headers[name] = value
            }
            const body = response.status === 204 || response.status === 304 ? new Uint8Array(0) : decoded
            const decodedHeaders = Headers.fromInput(headers)
            return new BodyResponse(response.request, response.status, decodedHeaders, cookieLines(response.headers), bytesSource(body, decodedHeaders))
          })
        ))
    }))
  )

/** the `set-cookie` lines of a response (the platform's headers join them with ", ") */
const cookieLines = (headers: Headers.Headers): ReadonlyArray<string> => {
  const value = headers["set-cookie"]
  return value === undefined ? [] : [value]
}

/** the best coding a request accepts, of those we compress with (br, then gzip, then deflate) */
export const negotiate = (acceptEncodingHeader: string | undefined): Coding | undefined => {
  if (acceptEncodingHeader === undefined) return undefined
  const accepted = new Map<string, number>()
  for (const part of acceptEncodingHeader.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";")
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find((m) => m !== null)
    accepted.set(name!.trim(), q === undefined || q === null ? 1 : Number(q[1]))
  }
  const weight = (coding: string) => accepted.get(coding) ?? accepted.get("*") ?? 0
  return (["br", "gzip", "deflate"] as const).find((coding) => weight(coding) > 0)
}

export const compress = (coding: Coding, bytes: Uint8Array): Uint8Array =>
  coding === "br"
    ? Zlib.brotliCompressSync(bytes, { params: { [Zlib.constants.BROTLI_PARAM_QUALITY]: 4 } })
    : coding === "gzip"
    ? Zlib.gzipSync(bytes, { level: 6 })
    : Zlib.deflateSync(bytes, { level: 6 })
