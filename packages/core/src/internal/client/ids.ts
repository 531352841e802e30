/**
 * Ids that go into a request's path: checked before any request, then
 * encoded as one path segment (see `OpenCxClient.path`), so that no id can
 * change the path (`../`, `?`, `#`, `%2F` are encoded, not interpreted).
 *
 * The API's ids are uuids, but the client does not insist (the spec's uuid
 * pattern is a validator's artefact): it refuses only what cannot be an id.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { InvalidParams } from "../../OpenCxError.js"

const controls = /[\u0000-\u001f\u007f-\u009f]/

export const checkId = (field: string, id: unknown): Either.Either<string, InvalidParams> => {
  const fail = (issue: string) => Either.left(new InvalidParams({ field, issue, location: "path" }))
  if (typeof id !== "string") return fail(`it is not a string but ${id === null ? "null" : typeof id}`)
  if (id.trim() === "") return fail("it is empty")
  if (id === "." || id === "..") return fail("it cannot be an id")
  if (id.length > 256) return fail(`it is ${id.length.toLocaleString("en-US")} characters long; an id is at most 256`)
  if (controls.test(id)) return fail("it contains control characters")
  if (id !== id.trim()) return fail("it has spaces around it")
  return Either.right(id)
}
