/**
 * Where an export writes: a file (which a checkpoint can truncate back to a
 * known length) or stdout (with back-pressure).
 *
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { OutputClosed } from "./errors.js"

export interface Sink {
  readonly write: (text: string) => Effect.Effect<number, OutputClosed>
}

const encoder = new TextEncoder()

/** writes to stdout, waiting until each write is handed to the OS; a closed pipe is `OutputClosed` */
export const writeStdout = (text: string): Effect.Effect<number, OutputClosed> =>
  text === "" ? Effect.succeed(0) : Effect.async<number, OutputClosed>((resume) => {
    const bytes = encoder.encode(text)
    process.stdout.write(bytes, (error) => {
      resume(error === null || error === undefined ? Effect.succeed(bytes.length) : Effect.fail(new OutputClosed()))
    })
  })

export const stdout: Sink = { write: writeStdout }

/**
 * A file opened for appending: first truncated to `keep` bytes (0 for a
 * fresh export).
 */
export const file = (path: string, keep: number): Effect.Effect<Sink, Error, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    if (keep === 0) {
      yield* fs.writeFile(path, new Uint8Array(0))
    } else {
      const info = yield* fs.stat(path)
      if (Number(info.size) < keep) {
        return yield* Effect.fail(
          new Error(`${path} holds ${info.size} bytes, fewer than the ${keep} the checkpoint saved: it was changed since`)
        )
      }
      yield* fs.truncate(path, keep)
    }
    const handle = yield* fs.open(path, { flag: "a" })
    return {
      write: (text) => {
        if (text === "") return Effect.succeed(0)
        const bytes = encoder.encode(text)
        return Effect.as(Effect.orDie(handle.writeAll(bytes)), bytes.length)
      }
    } satisfies Sink
  })
