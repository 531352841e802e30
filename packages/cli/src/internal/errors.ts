/**
 * The CLI's own errors, each with the exit code it leads to, and how a
 * system error (a full disk, a closed pipe) is described to the user.
 *
 * @internal
 */
import type * as OpenCxError from "@opencx-effect/core/OpenCxError"
import * as Schema from "effect/Schema"
import * as path from "node:path"
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

/**
 * The API failed (or a request could not be made): what failed, where (the
 * URL) and what to do (exit code 1, or 2 for parameters it refused).
 *
 * @internal
 */
export class ApiFailure extends Schema.TaggedError<ApiFailure>("@opencx-effect/cli/ApiFailure")("ApiFailure", {
  message: Schema.String,
  exitCode: Schema.Number
}) {}

/**
 * The command could not do its work for a reason neither the API's nor a
 * file's (a database that cannot be reached, another sync holding the
 * lease): its message says what, where and what to do; the exit code is 1,
 * or 2 for what the user gave (a table of another shape under our names).
 *
 * @internal
 */
export class CommandFailure extends Schema.TaggedError<CommandFailure>("@opencx-effect/cli/CommandFailure")(
  "CommandFailure",
  {
    message: Schema.String,
    exitCode: Schema.Number
  }
) {}

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

/**
 * The code of a Node system error (`ENOENT`), itself or as the `cause` of a
 * PlatformError.
 *
 * @internal
 */
export const codeOf = (error: unknown): string | undefined => findSystemError(error)?.code

/**
 * What went wrong with a file the user named, and what to do about it:
 * `no such file or directory (ENOENT): the directory /x does not exist:
 * create it, or choose another --output`.
 *
 * @internal
 */
export const explainFile = (error: unknown, file: string, flag: string): string => {
  const reason = reasonOf(error)
  const directory = path.dirname(file)
  switch (codeOf(error)) {
    case "ENOENT":
      return `${reason}: the directory ${directory} does not exist: create it (mkdir -p ${directory}), or choose another ${flag}`
    case "ENOTDIR":
      return `${reason}: a part of ${directory} is a file, not a directory: choose another ${flag}`
    case "EACCES":
    case "EPERM":
      return `${reason}: you may not write there: choose a directory you can write to for ${flag}, or change the permissions of ${directory}`
    case "EROFS":
      return `${reason}: choose a directory on a writable file system for ${flag}`
    case "EISDIR":
      return `${reason}: ${flag} names a directory: name a file in it, such as ${path.join(file, "sessions.ndjson")}`
    case "ENOSPC":
      return `${reason}: free some space, or choose another ${flag}`
    default:
      return reason
  }
}

/** a write the server may have applied before it failed (a timeout, a broken connection, a 5xx) */
export const isOutcomeUnknown = (error: OpenCxError.OpenCxError): boolean =>
  (error._tag === "ServerError" || error._tag === "Timeout" || error._tag === "Transport") && error.outcomeUnknown === true

/** Whether the request that failed read or wrote (a write's remedies differ). */
export type RequestKind = "read" | "write"

/** what to do about an API error, after its own message (which says what failed and where) */
const apiRemedy = (error: OpenCxError.OpenCxError, kind: RequestKind): string => {
  if (kind === "write") {
    if (isOutcomeUnknown(error)) return "Do not run the command again before checking whether it was applied."
    switch (error._tag) {
      case "Forbidden":
        return "Use a key allowed to write chat sessions."
      case "BadRequest":
        return "Check the values given."
      default:
        break
    }
  }
  switch (error._tag) {
    case "Unauthorized":
      return "Set OPENCX_API_KEY, or pass --api-key-file, with a valid key."
    case "Forbidden":
      return "Use a key with the chat-sessions:read scope."
    case "RateLimited":
      return "Wait a minute and run it again, or lower --rate-limit."
    case "ServerError":
    case "Timeout":
      return "The API is failing: run the command again later."
    case "Transport":
      return "Check the network and the base URL (--base-url or OPENCX_BASE_URL), then run it again."
    case "BadRequest":
    case "InvalidParams":
      return "Check the filters."
    case "Decode":
      return "The API sent what this version of opencx cannot read: run it again with --log-level debug and report it."
    case "NotFound":
      return "Check the id."
    case "CursorLoop":
    case "EmptyPages":
      return "The API's pages go round in circles: report it to OpenCX; the sessions exported so far are complete."
    case "RateLimiterUnavailable":
      return "Check that Redis (--redis or OPENCX_REDIS_URL) is up and reachable, then run it again; or give --redis-fallback N (N: the processes sharing the key) to go on at the limit divided by N while Redis fails."
  }
}

/**
 * An API error for the user: its message (what failed, and where), what to
 * do (for a `write`, never to repeat it blindly when it may have been
 * applied), and `then`, when there is more to say (how to resume, how to
 * check).
 *
 * @internal
 */
export const apiFailure = (
  error: OpenCxError.OpenCxError,
  then?: string | undefined,
  kind: RequestKind = "read"
): ApiFailure => {
  // the library's message names a library option (rateLimit.onStoreFailure): the CLI says its own remedy
  const own = printable(
    error._tag === "RateLimiterUnavailable"
      ? `${error.method} ${error.url} was not sent: the shared rate limit's store (${error.store.slice(0, 200)}) failed: ${error.reason.slice(0, 300)}`
      : error.message
  )
  const remedy = apiRemedy(error, kind)
  const message = `${own}${/[.!?]$/.test(own) ? "" : "."}${own.includes(remedy) ? "" : ` ${remedy}`}${
    then === undefined ? "" : ` ${then}`
  }`
  return new ApiFailure({ message, exitCode: error._tag === "InvalidParams" ? 2 : 1 })
}
