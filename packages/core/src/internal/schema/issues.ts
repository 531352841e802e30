/**
 * The first issue of a ParseError, as a path and a message, whatever the
 * value: formatting an issue prints the offending value, which throws
 * (RangeError) for a value nested too deep to print.
 *
 * @internal
 */
import * as ParseResult from "effect/ParseResult"

export interface Issue {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

/** the path of the first issue, found without printing any value */
const pathOf = (issue: ParseResult.ParseIssue, path: ReadonlyArray<PropertyKey> = []): ReadonlyArray<PropertyKey> => {
  switch (issue._tag) {
    case "Pointer":
      return pathOf(issue.issue, [...path, ...(Array.isArray(issue.path) ? issue.path : [issue.path])])
    case "Composite":
      return pathOf(Array.isArray(issue.issues) ? issue.issues[0] : issue.issues, path)
    case "Refinement":
    case "Transformation":
      return pathOf(issue.issue, path)
    default:
      return path
  }
}

export const firstIssue = (error: ParseResult.ParseError): Issue => {
  try {
    const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
    if (issue !== undefined) return { path: issue.path, message: issue.message }
  } catch {
    // a value too deep to print
  }
  return { path: pathOf(error.issue), message: "the value is not of the expected type (and too deeply nested to print)" }
}
