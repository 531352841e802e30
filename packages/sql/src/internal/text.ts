/**
 * Turning a driver's error into a `reason`: its message (and code), its
 * causes, scrubbed of the secrets, control characters escaped, cut short.
 *
 * @internal
 */

const maxLength = 500

/** every occurrence of each secret (as given and URL-encoded) replaced by `***` */
export const scrub = (text: string, secrets: ReadonlyArray<string>): string => {
  let out = text
  for (const secret of secrets) {
    if (secret.length === 0) continue
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join("***")
  }
  return out
}

const escapeControls = (text: string): string =>
  // eslint-disable-next-line no-control-regex
  text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => c === "\n" ? " " : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

const ownString = (u: object, key: string): string | undefined => {
  const value: unknown = Reflect.get(u, key)
  return typeof value === "string" && value !== "" ? value : undefined
}

const describeOne = (error: unknown, depth: number): Array<string> => {
  if (depth > 3) return []
  if (typeof error === "string") return [error]
  if (typeof error !== "object" || error === null) return error === undefined ? [] : [String(error)]
  const parts: Array<string> = []
  const message = ownString(error, "message") ?? (error instanceof Error ? error.message : undefined)
  const code = ownString(error, "code")
  if (message !== undefined && message !== "") parts.push(code !== undefined && !message.includes(code) ? `${message} (${code})` : message)
  else if (code !== undefined) parts.push(code)
  const errors: unknown = Reflect.get(error, "errors")
  if (Array.isArray(errors)) {
    // an AggregateError (e.g. every address of a host refused): its errors say why
    for (const inner of errors.slice(0, 3)) parts.push(...describeOne(inner, depth + 1))
  }
  const cause: unknown = Reflect.get(error, "cause")
  if (cause !== undefined && cause !== error) parts.push(...describeOne(cause, depth + 1))
  return parts
}

/**
 * What went wrong, in one line: the messages of the error and of its causes
 * (the generic ones of `@effect/sql` — "Failed to execute statement" — are
 * left out when a cause says more), scrubbed of `secrets`.
 */
export const reasonOf = (error: unknown, secrets: ReadonlyArray<string> = []): string => {
  const parts = describeOne(error, 0)
  const generic = /^(Failed to (execute statement|acquire connection.*|prepare statement ?)|Connection error|PgClient: Failed to connect|An error has occurred)$/
  const specific = parts.filter((p) => !generic.test(p.trim()))
  const chosen = [...new Set(specific.length > 0 ? specific : parts)]
  const text = escapeControls(scrub(chosen.join(": "), secrets)).trim()
  const bounded = text.length > maxLength ? `${text.slice(0, maxLength)}…` : text
  return bounded === "" ? "unknown error" : bounded
}
