/**
 * The `ID` argument of the commands on one session (`history`, `send`,
 * `close`, `reopen`), checked when the command line is read, before any
 * request: what cannot be a session id is a usage error (exit 2) naming the
 * argument.
 *
 * The rules are the client's own (`OpenCxClient.checkId`, with which
 * `SessionsService` refuses the same ids before any request): the API's ids
 * are uuids, but an id is refused only when it cannot be one at all (empty,
 * `.` or `..`, control characters, spaces around it, over 256 characters),
 * so that ids of another shape still work. The client encodes it as one
 * path segment.
 *
 * @internal
 */
import * as OpenCxClient from "@opencx-effect/core/OpenCxClient"
import * as Either from "effect/Either"
import * as Flags from "./flags.js"

/** an id as a message shows it: quoted, control characters escaped, cut short */
const shown = (id: string) => {
  const text = JSON.stringify(id.length > 60 ? `${id.slice(0, 57)}...` : id)
  return text.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
}

/** what is wrong with a session id, or undefined */
export const sessionIdIssue = (id: string): string | undefined => {
  return Either.match(OpenCxClient.checkId("ID", id), {
    onLeft: (error) => `Invalid ID ${shown(id)}: ${error.issue} (a session id, such as the id column of an export)`,
    onRight: () => undefined
  })
}

/** The `ID` argument. */
export const sessionId: Flags.Argument = Flags.argument("ID", "the session's id (the id of a session in an export)", sessionIdIssue)
