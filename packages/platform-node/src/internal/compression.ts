/**
 * Content encodings on Node: the client side asks for gzip, br and deflate
 * and decodes them (with a cap on the decoded size: a small body must not
 * become gigabytes); the server side (NodeFakeOpenCx) compresses what a
 * client asked for.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Zlib from "node:zlib"

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

const inflate = (coding: Coding, bytes: Uint8Array): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const options = { maxOutputLength: maxDecodedBytes }
    const done = (error: Error | null, out: Buffer) => (error === null ? resolve(out) : reject(error))
    if (coding === "gzip") Zlib.gunzip(bytes, options, done)
    else if (coding === "br") Zlib.brotliDecompress(bytes, options, done)
    // "deflate" is zlib-wrapped by the standard, raw by some servers: inflate tells them apart
    else if (bytes.length > 0 && (bytes[0]! & 0x0f) === 8) Zlib.inflate(bytes, options, done)
    else Zlib.inflateRaw(bytes, options, done)
  })

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
          Effect.map((decoded) => {
            const headers = new globalThis.Headers()
            for (const [name, value] of Object.entries(response.headers)) {
              if (name !== "content-encoding" && name !== "content-length") headers.set(name, value)
            }
            const body = response.status === 204 || response.status === 304 ? null : new Uint8Array(decoded)
            return HttpClientResponse.fromWeb(response.request, new globalThis.Response(body, { status: response.status, headers }))
          })
        ))
    }))
  )

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
