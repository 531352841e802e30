/**
 * The CLI's own error: the user asked for something that cannot be done as
 * asked (exit code 2, like a bad flag).
 *
 * @internal
 */
import * as Schema from "effect/Schema"

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
