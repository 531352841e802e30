/**
 * What FakeOpenCx's routes answer: a status, a body and headers, as data
 * (the edge turns it into an `HttpServerResponse`, after its faults).
 *
 * @internal
 */
import type { Fault } from "./faults.js"

const reasons: Record<number, string> = {
  200: "OK",
  201: "Created",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported"
}

export const reason = (status: number): string => reasons[status] ?? "Error"

/** A response, before the edge's faults. */
export interface Reply {
  readonly status: number
  /** the body's text ("" for none), or bytes */
  readonly body: string | Uint8Array
  readonly contentType: string
  readonly headers: Readonly<Record<string, string>>
  /** the page fault a route applied, for the log */
  readonly fault?: Fault["_tag"] | undefined
}

export const json = (status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Reply => ({
  status,
  body: body === undefined ? "" : JSON.stringify(body),
  contentType: "application/json",
  headers
})

/** an ErrorDto, as the API sends them */
export const error = (status: number, message: string, headers: Readonly<Record<string, string>> = {}): Reply =>
  json(status, { statusCode: status, message, error: reason(status) }, headers)

export const badRequest = (message: string): Reply => error(400, message)

export const notFound = (message: string): Reply => error(404, message)
