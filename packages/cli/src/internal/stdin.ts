/**
 * Reading stdin whole (`opencx sessions send ID --text -`).
 *
 * @internal
 */
import * as Effect from "effect/Effect"

/** the most stdin may hold: a message is text, not a file */
export const maxBytes = 1024 * 1024

/**
 * Everything on stdin, as UTF-8 text, once it ends (Ctrl-D on a terminal,
 * which is told so on stderr). More than `maxBytes` fails.
 */
export const readAll: Effect.Effect<string, Error> = Effect.async<string, Error>((resume) => {
  const stdin = process.stdin
  const chunks: Array<Buffer> = []
  let size = 0
  const cleanup = () => {
    stdin.off("data", onData)
    stdin.off("end", onEnd)
    stdin.off("error", onError)
    stdin.pause()
  }
  const onData = (chunk: Buffer | string) => {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk
    size += buffer.length
    if (size > maxBytes) {
      cleanup()
      resume(Effect.fail(new Error(`it holds more than ${maxBytes.toLocaleString("en-US")} bytes`)))
      return
    }
    chunks.push(buffer)
  }
  const onEnd = () => {
    cleanup()
    resume(Effect.succeed(Buffer.concat(chunks).toString("utf8")))
  }
  const onError = (error: Error) => {
    cleanup()
    resume(Effect.fail(error))
  }
  if (stdin.isTTY) process.stderr.write("Type the message, then Ctrl-D:\n")
  stdin.on("data", onData)
  stdin.on("end", onEnd)
  stdin.on("error", onError)
  stdin.resume()
  return Effect.sync(cleanup)
})
