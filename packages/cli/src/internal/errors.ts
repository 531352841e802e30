/**
 * The CLI's own errors, each with the exit code it leads to, and how a
 * system error (a full disk, a closed pipe) is described to the user.
 *
 * @internal
 */
import * as Schema from "effect/Schema"
import { getSystemErrorMap } from "node:util"

/**
 * The user asked for something that cannot be done as asked, or gave the CLI
 * a file it cannot use (exit code 2, like a bad flag).
 *
 * @internal
 */
export class UsageError extends Schema.TaggedError<UsageError>("@opencx-effect/cli/UsageError")("UsageError", {
  message: Schema.String
}) {}

/**
 * Whoever read the output went away (`opencx sessions export | head`): the
 * command stops quietly, as Unix tools do.
 *
 * @internal
 */
export class OutputClosed extends Schema.TaggedError<OutputClosed>("@opencx-effect/cli/OutputClosed")("OutputClosed", {}) {}

/**
 * Reading or writing failed on this machine (a full disk, an I/O error): the
 * output is not what a successful run writes (exit code 1).
 *
 * @internal
 */
export class IoError extends Schema.TaggedError<IoError>("@opencx-effect/cli/IoError")("IoError", {
  message: Schema.String
}) {}

interface SystemErrorLike {
  readonly code: string
  readonly errno: number | undefined
  readonly message: string
}

/** a Node system error (`code`, `errno`), itself or as the `cause` of a PlatformError */
const findSystemError = (error: unknown, depth = 0): SystemErrorLike | undefined => {
  if (typeof error !== "object" || error === null || depth > 3) return undefined
  if ("code" in error && typeof error.code === "string") {
    return {
      code: error.code,
      errno: "errno" in error && typeof error.errno === "number" ? error.errno : undefined,
      message: "message" in error && typeof error.message === "string" ? error.message : error.code
    }
  }
  return "cause" in error ? findSystemError(error.cause, depth + 1) : undefined
}

/** no control characters (a terminal must not be driven by an error's text) */
const printable = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").trim()

/**
 * What went wrong, for a person: `no space left on device (ENOSPC)`, never a
 * file descriptor or an Effect internal.
 *
 * @internal
 */
export const reasonOf = (error: unknown): string => {
  const system = findSystemError(error)
  if (system !== undefined) {
    const described = system.errno === undefined ? undefined : getSystemErrorMap().get(system.errno)?.[1]
    // "ENOSPC: no space left on device, write" -> "no space left on device"
    const description = described ??
      system.message.replace(new RegExp(`^${system.code}: `), "").replace(/, \w+(?: '.*')?$/, "")
    return printable(`${description} (${system.code})`)
  }
  if (typeof error === "object" && error !== null && "description" in error && typeof error.description === "string") {
    return printable(error.description)
  }
  return printable(error instanceof Error ? error.message : String(error))
}

/**
 * A closed pipe: the reader of stdout went away.
 *
 * @internal
 */
export const isClosedPipe = (error: unknown): boolean => findSystemError(error)?.code === "EPIPE"

/**
 * The file does not exist.
 *
 * @internal
 */
export const isNotFound = (error: unknown): boolean => findSystemError(error)?.code === "ENOENT"
