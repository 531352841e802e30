/**
 * What the CLI may write to stdout and stderr: whether each is a terminal,
 * whether it may use colour and other escape codes, and how wide it is.
 *
 * - Escape codes (colour, clearing a line) only go to a terminal, and never
 *   when `NO_COLOR` is set to a non-empty value (https://no-color.org) or
 *   `TERM` is `dumb`. A live line on such a terminal is redrawn with a
 *   carriage return and spaces instead.
 * - Everything else (a pipe, a file) gets plain text.
 *
 * @internal
 */

export interface Stream {
  /** the stream is a terminal */
  readonly tty: boolean
  /** colour and other escape codes may be written */
  readonly color: boolean
  /** its width in columns, when it is a terminal that says */
  readonly columns: number | undefined
}

export interface Streams {
  readonly stdout: Stream
  readonly stderr: Stream
}

/** `NO_COLOR` (any non-empty value) or `TERM=dumb`: no escape codes at all */
export const noEscapes = (env: Readonly<Record<string, string | undefined>>): boolean =>
  (env.NO_COLOR ?? "") !== "" || env.TERM === "dumb"

const streamOf = (
  stream: { readonly isTTY?: boolean | undefined; readonly columns?: number | undefined },
  env: Readonly<Record<string, string | undefined>>
): Stream => {
  const tty = stream.isTTY === true
  return {
    tty,
    color: tty && !noEscapes(env),
    columns: tty && typeof stream.columns === "number" && stream.columns > 0 ? stream.columns : undefined
  }
}

/** The streams of this process, as they are now. */
export const detect = (env: Readonly<Record<string, string | undefined>> = process.env): Streams => ({
  stdout: streamOf(process.stdout, env),
  stderr: streamOf(process.stderr, env)
})

const sgr = (codes: string) => (on: boolean) => (text: string) => (on ? `\x1b[${codes}m${text}\x1b[0m` : text)

/** bold text, when colour is on */
export const bold = sgr("1")
/** dim text, when colour is on */
export const dim = sgr("2")
/** red bold text, when colour is on */
export const red = sgr("1;31")

/** the characters a text takes on a terminal (the CLI's own text: no wide characters, no escapes) */
export const width = (text: string): number => [...text].length

/** `text` cut to `columns` characters, with … when cut */
export const truncate = (text: string, columns: number): string => {
  const chars = [...text]
  return chars.length <= columns ? text : `${chars.slice(0, Math.max(0, columns - 1)).join("")}…`
}
