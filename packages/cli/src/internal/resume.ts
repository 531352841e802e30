/**
 * Before an export resumes from a checkpoint, the checkpoint is checked
 * against the output it continues: its `bytes` must be within the file and
 * at a record boundary of the format (see `formats.ts`), and agree with its
 * `sessions`. Nothing is written here: a checkpoint that fails leaves the
 * output byte for byte as it was.
 *
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { isNotFound, reasonOf, UsageError } from "./errors.js"
import * as Files from "./files.js"
import { renderer } from "./formats.js"

const encoder = new TextEncoder()
const decoder = new TextDecoder()

const newline = 0x0a
const carriageReturn = 0x0d
const openBracket = 0x5b
const comma = 0x2c
const closeBrace = 0x7d

/** how many bytes are read at a time when looking back for the start of a line */
const chunk = 64 * 1024

/**
 * Checks `checkpoint` against `output` (the file it continues). Fails with a
 * `UsageError` naming the checkpoint and the field when they disagree.
 */
export const checkAgainstOutput = (checkpoint: Files.Checkpoint, kept: Files.Kept, output: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const invalid = (detail: string) => Files.invalid(kept, detail)
    const unreadable = (error: unknown) => new UsageError({ message: `cannot read --output ${output}: ${reasonOf(error)}` })
    const { bytes, format, sessions } = checkpoint

    const info = yield* fs.stat(output).pipe(
      Effect.map(Option.some),
      Effect.catchIf(isNotFound, () => Effect.succeedNone),
      Effect.mapError(unreadable)
    )
    if (Option.isNone(info)) {
      return yield* invalid(`bytes (${bytes}) is beyond the end of ${output}, which does not exist`)
    }
    if (info.value.type !== "File") {
      return yield* invalid(`it continues ${output}, which is not a regular file (an export into it cannot be resumed)`)
    }
    const size = Number(info.value.size)
    if (bytes > size) return yield* invalid(`bytes (${bytes}) is beyond the end of ${output} (${size} bytes)`)

    const header = encoder.encode(renderer(format, checkpoint.withHistory).header)
    const nothingWritten = bytes === header.length
    if (nothingWritten !== (sessions === 0)) {
      return yield* invalid(
        nothingWritten
          ? `sessions (${sessions}) cannot be right: bytes (${bytes}) is where the first session of ${output} would start`
          : `sessions (0) cannot be right: bytes (${bytes}) is past the first session of ${output}`
      )
    }

    return yield* Effect.scoped(Effect.gen(function*() {
      const handle = yield* fs.open(output, { flag: "r" }).pipe(Effect.mapError(unreadable))
      /** `length` bytes from `offset` (fewer at the end of the file) */
      const readAt = (offset: number, length: number) =>
        Effect.gen(function*() {
          const buffer = new Uint8Array(length)
          let filled = 0
          yield* handle.seek(offset, "start")
          while (filled < length) {
            const read = Number(yield* handle.read(buffer.subarray(filled)).pipe(Effect.mapError(unreadable)))
            if (read === 0) break
            filled += read
          }
          return buffer.subarray(0, filled)
        })

      if (header.length > 0) {
        if (bytes < header.length) {
          return yield* invalid(`bytes (${bytes}) is inside the ${format} header of ${output} (${header.length} bytes)`)
        }
        const start = yield* readAt(0, header.length)
        if (!start.every((byte, i) => byte === header[i])) {
          return yield* invalid(`${output} does not start with the ${format} header opencx writes`)
        }
      }
      if (nothingWritten) return

      switch (format) {
        case "ndjson": {
          const [last] = yield* readAt(bytes - 1, 1)
          if (last !== newline) return yield* invalid(`bytes (${bytes}) is not at the end of a line of ${output}`)
          return
        }
        case "csv": {
          const [cr, lf] = yield* readAt(bytes - 2, 2)
          if (cr !== carriageReturn || lf !== newline) {
            return yield* invalid(`bytes (${bytes}) is not at the end of a row of ${output}`)
          }
          return
        }
        case "json": {
          // the session that ends at `bytes` starts after the last \n before it, which follows [ or ,
          const notAtEnd = invalid(`bytes (${bytes}) is not at the end of a session in ${output}`)
          const [last] = yield* readAt(bytes - 1, 1)
          if (last !== closeBrace) return yield* notAtEnd
          const parts: Array<Uint8Array> = []
          let end = bytes
          let lineStart = -1
          while (end > header.length && lineStart < 0) {
            const from = Math.max(header.length, end - chunk)
            const part = yield* readAt(from, end - from)
            const at = part.lastIndexOf(newline)
            if (at >= 0) {
              lineStart = from + at + 1
              parts.unshift(part.subarray(at + 1))
            } else {
              parts.unshift(part)
            }
            end = from
          }
          if (lineStart < 0) return yield* notAtEnd
          const [before] = yield* readAt(lineStart - 2, 1)
          if (before !== openBracket && before !== comma) return yield* notAtEnd
          const line = decoder.decode(Buffer.concat(parts))
          const isObject = (() => {
            try {
              const value: unknown = JSON.parse(line)
              return typeof value === "object" && value !== null && !Array.isArray(value)
            } catch {
              return false
            }
          })()
          if (!isObject) return yield* notAtEnd
          return
        }
      }
    }))
  })
