/**
 * The decoders of `GET /chat/sessions` pages the client uses: decoded (the
 * fast decoder, with the tolerant Schema as the judge of anything it is not
 * sure of), and validated-only (the page as the API sent it, once the
 * tolerant Schema accepts it).
 *
 * @internal
 */
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import {
  type ListChatSessionsOutput,
  ListChatSessionsOutput as ListChatSessionsOutputSchema,
  type ListChatSessionsOutputEncoded
} from "../../ChatSession.js"
import * as FastDecode from "./fastDecode.js"

const decodeWithSchema = Schema.decodeUnknownEither(ListChatSessionsOutputSchema)

/** the same result as the tolerant Schema, several times faster on valid pages */
export const decodePage = (input: unknown): Either.Either<ListChatSessionsOutput, ParseResult.ParseError> => {
  const fast = FastDecode.decodePage(input)
  return fast === undefined ? decodeWithSchema(input) : Either.right(fast)
}

/**
 * The page itself, once the tolerant Schema accepts it: timestamps stay the
 * API's strings (with every fractional digit), unknown fields and values
 * stay as they came.
 */
export const validatePage = (input: unknown): Either.Either<ListChatSessionsOutputEncoded, ParseResult.ParseError> => {
  if (FastDecode.decodePage(input) !== undefined) {
    // accepted by the tolerant rules: the JSON itself is a valid encoded page
    return Either.right(input as ListChatSessionsOutputEncoded)
  }
  return Either.map(decodeWithSchema(input), () => input as ListChatSessionsOutputEncoded)
}
