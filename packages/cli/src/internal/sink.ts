/**
 * Where an export writes: a file (which a checkpoint can truncate back to a
 * known length) or stdout (with back-pressure). A failed write is an
 * `IoError` naming where it went and why; only a reader that went away
 * (EPIPE on stdout) is `OutputClosed`, which stops the command quietly.
 *
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { explainFile, IoError, isClosedPipe, isNotFound, OutputClosed, reasonOf, UsageError } from "./errors.js"

export interface Sink {
  /** writes `text`; succeeds with the number of bytes written */
  readonly write: (text: string) => Effect.Effect<number, OutputClosed | IoError>
  /**
   * makes what was written so far durable (a regular file is synced), so that
   * a write the OS deferred cannot fail unseen after the CLI said it was done
   */
  readonly flush: Effect.Effect<void, IoError>
}

const encoder = new TextEncoder()

/**
 * Writes to stdout, waiting until each write is handed to the OS. A closed
 * pipe is `OutputClosed`; any other failure (a full disk behind `> file`) is
 * an `IoError` naming stdout.
 */
export const writeStdout = (text: string): Effect.Effect<number, OutputClosed | IoError> =>
  text === "" ? Effect.succeed(0) : Effect.async<number, OutputClosed | IoError>((resume) => {
    const bytes = encoder.encode(text)
    process.stdout.write(bytes, (error) => {
      resume(
        error === null || error === undefined
          ? Effect.succeed(bytes.length)
          : isClosedPipe(error)
          ? Effect.fail(new OutputClosed())
          : Effect.fail(new IoError({ message: `cannot write to stdout: ${reasonOf(error)}` }))
      )
    })
  })

export const stdout: Sink = { write: writeStdout, flush: Effect.void }

/** `--output PATH` cannot be opened: why, for the user */
const cannotOpenOutput = (path: string) => (error: unknown) =>
  new UsageError({ message: `cannot open --output ${path}: ${explainFile(error, path, "--output")}` })

/** what is at `--output PATH`, if anything */
const statOutput = (fs: FileSystem.FileSystem, path: string) =>
  fs.stat(path).pipe(
    Effect.map(Option.some),
    Effect.catchIf(isNotFound, () => Effect.succeedNone),
    Effect.mapError(cannotOpenOutput(path))
  )

/**
 * A file opened for appending, after it is truncated to `keep` bytes (0 for
 * a fresh export). Only a regular file is truncated and synced: a device or
 * a pipe (`--output /dev/stdout`) is written as it is. A file that cannot be
 * opened is a `UsageError` (a path the user must change); a write that fails
 * afterwards is an `IoError`.
 */
export const file = (
  path: string,
  keep: number
): Effect.Effect<Sink, UsageError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const cannotOpen = cannotOpenOutput(path)
    const info = yield* statOutput(fs, path)
    const regular = Option.match(info, { onNone: () => true, onSome: (i) => i.type === "File" })
    if (keep > 0 && !(Option.isSome(info) && regular && Number(info.value.size) >= keep)) {
      // the checkpoint was checked against the file before: it changed since
      return yield* new UsageError({ message: `--output ${path} changed while the export started: run it again` })
    }
    if (Option.isSome(info) && regular) yield* fs.truncate(path, keep).pipe(Effect.mapError(cannotOpen))
    const handle = yield* fs.open(path, { flag: "a" }).pipe(Effect.mapError(cannotOpen))
    const failed = (error: unknown) => new IoError({ message: `cannot write to ${path}: ${reasonOf(error)}` })
    return {
      write: (text) => {
        if (text === "") return Effect.succeed(0)
        const bytes = encoder.encode(text)
        return handle.writeAll(bytes).pipe(Effect.mapError(failed), Effect.as(bytes.length))
      },
      flush: regular ? Effect.mapError(handle.sync, failed) : Effect.void
    } satisfies Sink
  })

/** A sink whose output counts only once `commit` has run. */
export interface Committed {
  readonly sink: Sink
  /** makes the output final (a file written whole: synced, then renamed over FILE) */
  readonly commit: Effect.Effect<void, IoError>
}

/**
 * FILE, written whole or not at all: the text goes to a temporary file
 * next to it (`.FILE.<pid>.tmp`, which a killed run leaves behind and the
 * next one removes), synced and renamed over FILE by `commit`; a run that
 * fails or is interrupted before it removes the temporary file and leaves
 * FILE as it was. A device or a pipe (`--output /dev/stdout`) is written as
 * it is. A file that cannot be opened (a missing directory, a directory) is
 * a `UsageError` naming `--output`, before anything is asked of the API.
 */
export const replace = (
  path: string
): Effect.Effect<Committed, UsageError, FileSystem.FileSystem | Path.Path | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const paths = yield* Path.Path
    const cannotOpen = cannotOpenOutput(path)
    const info = yield* statOutput(fs, path)
    if (Option.isSome(info) && info.value.type !== "File") {
      const direct = yield* file(path, 0)
      return { sink: direct, commit: direct.flush }
    }
    const temporary = paths.join(paths.dirname(path), `.${paths.basename(path)}.${process.pid}.tmp`)
    const committed = { done: false }
    const handle = yield* Effect.acquireRelease(
      fs.open(temporary, { flag: "w" }).pipe(Effect.mapError(cannotOpen)),
      () => committed.done ? Effect.void : Effect.ignore(fs.remove(temporary, { force: true }))
    )
    const failed = (error: unknown) => new IoError({ message: `cannot write to ${path}: ${reasonOf(error)}` })
    const sink: Sink = {
      write: (text) => {
        if (text === "") return Effect.succeed(0)
        const bytes = encoder.encode(text)
        return handle.writeAll(bytes).pipe(Effect.mapError(failed), Effect.as(bytes.length))
      },
      flush: Effect.mapError(handle.sync, failed)
    }
    return {
      sink,
      commit: Effect.gen(function*() {
        yield* sink.flush
        yield* fs.rename(temporary, path).pipe(Effect.mapError(failed))
        committed.done = true
      })
    }
  })
