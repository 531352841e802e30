/**
 * FakeOpenCx cursors: opaque, signed, bound to the query's filters.
 *
 * A cursor is `base64url(payload) "." mac`, where the payload holds the key
 * of the last item served (a JSON tuple its list understands) and a hash of
 * the filters, and the MAC is a
 * keyed hash under the fake's secret. A tampered cursor, one from another
 * fake, or one sent with other filters is refused.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { keyedHash } from "../hash.js"

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
const lookup = new Map([...alphabet].map((c, i) => [c, i]))

const toBase64Url = (text: string): string => {
  const bytes = new TextEncoder().encode(text)
  let out = ""
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    out += alphabet[(n >> 18) & 63]! + alphabet[(n >> 12) & 63]!
    if (i + 1 < bytes.length) out += alphabet[(n >> 6) & 63]!
    if (i + 2 < bytes.length) out += alphabet[n & 63]!
  }
  return out
}

const fromBase64Url = (text: string): string | undefined => {
  const bytes: Array<number> = []
  let buffer = 0
  let bits = 0
  for (const c of text) {
    const v = lookup.get(c)
    if (v === undefined) return undefined
    buffer = (buffer << 6) | v
    bits += 6
    if (bits >= 8) {
      bits -= 8
      bytes.push((buffer >> bits) & 255)
    }
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes))
  } catch {
    return undefined
  }
}

/** A position in a list: a JSON tuple that the list's store understands, or `null` before the first item. */
export type Key = ReadonlyArray<string | number> | null

export interface CursorPayload {
  readonly key: Key
  /** hash of the filters the cursor was issued for */
  readonly filters: string
  /** makes a cursor distinct from another one at the same position */
  readonly nonce?: number | undefined
}

export const filtersHash = (secret: string, canonicalFilters: string): string => keyedHash(secret, canonicalFilters)

export const encode = (secret: string, payload: CursorPayload): string => {
  const body = toBase64Url(
    JSON.stringify(
      payload.nonce === undefined ? [2, payload.key, payload.filters] : [2, payload.key, payload.filters, payload.nonce]
    )
  )
  return `${body}.${keyedHash(secret, body)}`
}

export type CursorError = "malformed" | "foreign" | "other-filters"

const isKey = (u: unknown): u is Key =>
  u === null || (Array.isArray(u) && u.every((part) => typeof part === "string" || typeof part === "number"))

export const decode = (secret: string, cursor: string, filters: string): Either.Either<CursorPayload, CursorError> => {
  const dot = cursor.lastIndexOf(".")
  if (dot <= 0) return Either.left("malformed")
  const body = cursor.slice(0, dot)
  if (keyedHash(secret, body) !== cursor.slice(dot + 1)) return Either.left("foreign")
  const json = fromBase64Url(body)
  if (json === undefined) return Either.left("malformed")
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch {
    return Either.left("malformed")
  }
  if (!Array.isArray(parsed) || parsed[0] !== 2 || !isKey(parsed[1]) || typeof parsed[2] !== "string") {
    return Either.left("malformed")
  }
  if (parsed[2] !== filters) return Either.left("other-filters")
  return Either.right({ key: parsed[1], filters: parsed[2] })
}
