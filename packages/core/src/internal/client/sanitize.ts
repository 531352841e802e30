/**
 * Server text, made safe to put into an error, a log line or a terminal.
 *
 * Whatever a server sends (an error body, an ErrorDto message, a header, a
 * cursor, a key in a JSON path) may hold terminal escape codes, bidi
 * overrides, megabytes of text, binary, or the request's own API key echoed
 * back by a proxy. Before any of it reaches a message:
 * - the API key (as given, and URL-encoded) is replaced by `<redacted>`;
 * - control characters (C0, DEL, C1) and the bidi controls are escaped as
 *   `\u001b`, so that no server can retitle, clear or paint a terminal;
 * - it is cut to a length;
 * - a body that is not text is described (`<1,234 bytes of image/png>`),
 *   not dumped.
 *
 * @internal
 */

/** C0 (but tab and line feed), DEL, C1, line/paragraph separators and the bidi controls */
const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`

/** Escapes every control character but tab and line feed (kept in bodies). */
export const escapeControls = (text: string): string => text.replace(unsafe, escape)

/** One line: escaped controls, and runs of whitespace (newlines included) as one space. */
export const oneLine = (text: string): string => escapeControls(text).replace(/\s+/g, " ").trim()

/** Cuts `text` to `max` characters, saying so. */
export const truncate = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max)}… (${(text.length - max).toLocaleString("en-US")} more characters)` : text

/** Secrets to scrub from server text: each as given and URL-encoded (short ones are not worth the damage). */
export interface Scrubber {
  readonly scrub: (text: string) => string
}

export const scrubber = (secrets: ReadonlyArray<string>): Scrubber => {
  const forms = new Set<string>()
  for (const secret of secrets) {
    if (secret.length < 4) continue
    forms.add(secret)
    forms.add(encodeURIComponent(secret))
  }
  // longest first, so that a form containing another is replaced whole
  const ordered = [...forms].sort((a, b) => b.length - a.length)
  return {
    scrub: ordered.length === 0 ? (text) => text : (text) => {
      let out = text
      for (const form of ordered) if (out.includes(form)) out = out.split(form).join("<redacted>")
      return out
    }
  }
}

/** Server text for a field of an error: scrubbed, controls escaped, cut to `max`. */
export const serverText = (scrubber: Scrubber, text: string, max = 2000): string =>
  truncate(escapeControls(scrubber.scrub(text)), max)

const textual = /^(text\/|application\/(json|problem\+json|xml|x-www-form-urlencoded|javascript|ld\+json|[\w.+-]*\+json|[\w.+-]*\+xml)\b)/i

const decoder = new TextDecoder("utf-8", { fatal: true })

/** The bytes as UTF-8 text, or `undefined` when they are not (or hold a NUL byte: binary). */
export const utf8 = (bytes: Uint8Array): string | undefined => {
  let text: string
  try {
    text = decoder.decode(bytes)
  } catch {
    return undefined
  }
  return text.includes("\u0000") ? undefined : text
}

/**
 * What a body is, to show it: a description such as `<1,234 bytes of
 * application/octet-stream>` unless it is UTF-8 text of a textual content
 * type (or of none). An HttpClient that decompressed the body may leave
 * `content-encoding` in place, so only the bytes decide whether it is text.
 */
export const describeBody = (
  bytes: Uint8Array,
  headers: Readonly<Record<string, string | undefined>>
): { readonly _tag: "Text"; readonly text: string } | { readonly _tag: "Binary"; readonly description: string } => {
  const contentType = (headers["content-type"] ?? "").split(";")[0]!.trim()
  const text = contentType === "" || textual.test(contentType) ? utf8(bytes) : undefined
  if (text !== undefined) return { _tag: "Text", text }
  const encoding = (headers["content-encoding"] ?? "").trim().toLowerCase()
  const what = contentType === "" ? "data" : oneLine(contentType).slice(0, 100)
  const compressed = encoding === "" || encoding === "identity" ? "" : `${oneLine(encoding).slice(0, 40)}-compressed `
  return { _tag: "Binary", description: `<${bytes.length.toLocaleString("en-US")} bytes of ${compressed}${what}>` }
}
