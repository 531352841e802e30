/**
 * Schema models of the write side of chat sessions (`spec/
 * create-chat-session.openapi.yaml`, `send-message.openapi.yaml`,
 * `update-chat-session.openapi.yaml`, derived from the public docs):
 * creating a session, sending a message into it, and updating it (closing,
 * reopening).
 *
 * The inputs are checked before any request, as the server would check
 * them: a value the API would answer 400 to is an `InvalidParams` naming the
 * field (custom data is flat: a nested object is refused; a message needs
 * some text; the sender is the contact or an agent). The outputs are read
 * tolerantly: the send response has changed shape three times in the docs,
 * so only the message id is read (wherever it is) and the rest is kept as it
 * came; a send the server accepted never fails because its answer grew.
 *
 * @since 0.2.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { SessionChannelStrict, SessionStatusStrict } from "./ChatSession.js"
import { JsonObject, JsonRecord, openStruct } from "./internal/schema/jsonRecord.js"

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * Custom data as the API takes it: a flat object of strings, numbers and
 * booleans (a nested value is refused, as the server refuses it with 400).
 *
 * @since 0.2.0
 * @category schemas
 */
export const FlatCustomData = JsonRecord<string | number | boolean>(
  Schema.Union(Schema.String, Schema.Finite, Schema.Boolean).annotations({
    message: () => ({
      message: "Expected a string, a number or a boolean: custom data is flat (the API refuses nested values)",
      override: true
    })
  }),
  {
    identifier: "FlatCustomData",
    valueJsonSchema: { anyOf: [{ type: "string" }, { type: "number" }, { type: "boolean" }] }
  }
)

const NonBlank = Schema.String.pipe(
  Schema.filter((text) => text.trim().length > 0, { message: () => "must not be empty" })
)

const closed = { parseOptions: { onExcessProperty: "error", exact: true } } as const

// ---------------------------------------------------------------------------
// Create
// ---------------------------------------------------------------------------

/**
 * The contact of a new session, when no `contact_id` is given: it is created
 * (or updated) and linked. For a `verified` session its custom data goes to
 * the contact's `custom_data`, otherwise to `non_verified_custom_data`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const NewContact = Schema.Struct({
  email: optional(Schema.String),
  name: optional(Schema.String),
  phone_number: optional(Schema.String),
  custom_data: optional(FlatCustomData)
}).annotations({ ...closed, identifier: "NewContact" })

/**
 * The body of `POST /chat/sessions`; every field is optional.
 *
 * @since 0.2.0
 * @category schemas
 */
export const CreateChatSessionInput = Schema.Struct({
  /** an existing contact to link */
  contact_id: optional(Schema.String),
  /** the channel (the API's default is `api`) */
  channel: optional(Schema.Struct({ type: SessionChannelStrict }).annotations({ ...closed, identifier: "ChannelInput" })),
  verified: optional(Schema.NullOr(Schema.Boolean)),
  /** the session's custom data */
  custom_data: optional(FlatCustomData),
  contact: optional(NewContact)
}).annotations({ ...closed, identifier: "CreateChatSessionInput" })

/**
 * @since 0.2.0
 * @category models
 */
export interface CreateChatSessionInput extends Schema.Schema.Type<typeof CreateChatSessionInput> {}

/**
 * The answer to `POST /chat/sessions` (201): the new session's id (other
 * fields, if the API adds some, are kept).
 *
 * @since 0.2.0
 * @category schemas
 */
export const CreateChatSessionOutput = openStruct(
  Schema.Struct({ id: Schema.String }).annotations({
    identifier: "CreateChatSessionOutput",
    parseOptions: { onExcessProperty: "preserve", exact: true }
  })
)

/**
 * @since 0.2.0
 * @category models
 */
export interface CreateChatSessionOutput extends Schema.Schema.Type<typeof CreateChatSessionOutput> {}

// ---------------------------------------------------------------------------
// Send
// ---------------------------------------------------------------------------

/**
 * Who sends a message: the session's contact, or an agent (a human agent,
 * described by `agent`).
 *
 * @since 0.2.0
 * @category schemas
 */
export const Sender = Schema.Literal("contact", "agent").annotations({ identifier: "Sender" })

/**
 * A file sent with a message: by `url`, or inline as `base64`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const AttachmentInput = Schema.Struct({
  name: NonBlank,
  url: optional(Schema.String),
  base64: optional(Schema.String),
  mime_type: Schema.String
}).pipe(
  Schema.filter((a) => a.url !== undefined || a.base64 !== undefined || "an attachment needs a url or base64 content"),
  Schema.annotations({ ...closed, identifier: "AttachmentInput" })
)

/**
 * The agent who sends a message as an agent.
 *
 * @since 0.2.0
 * @category schemas
 */
export const AgentInput = Schema.Struct({
  id: Schema.Int,
  name: Schema.String,
  avatar_url: optional(Schema.String)
}).annotations({ ...closed, identifier: "AgentInput" })

/**
 * The body of `POST /chat/sessions/{session_id}/send`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const SendMessageInput = Schema.Struct({
  sender: Sender,
  message: Schema.Struct({
    type: Schema.Literal("text"),
    text: NonBlank,
    attachments: optional(Schema.Array(AttachmentInput))
  }).annotations({ ...closed, identifier: "MessageInput" }),
  /** details of the contact, merged into theirs */
  contact: optional(
    Schema.Struct({
      name: optional(Schema.String),
      email: optional(Schema.String),
      phone_number: optional(Schema.String),
      avatar_url: optional(Schema.String),
      custom_data: optional(FlatCustomData)
    }).annotations({ ...closed, identifier: "SendContactInput" })
  ),
  /** merged into the session's custom data */
  custom_data: optional(FlatCustomData),
  agent: optional(AgentInput),
  /** an agent's message also takes the session over from the AI (default false) */
  should_take_over_session_from_ai: optional(Schema.Boolean)
}).annotations({ ...closed, identifier: "SendMessageInput" })

/**
 * @since 0.2.0
 * @category models
 */
export interface SendMessageInput extends Schema.Schema.Type<typeof SendMessageInput> {}

/**
 * What a send returns: the new message's id when the answer holds one
 * (`data.message.id`, `message.id`, `data.id` or `id`, as the answer's
 * shape has moved), and the answer itself, as it came.
 *
 * @since 0.2.0
 * @category models
 */
export interface SendMessageResult {
  readonly messageId: string | undefined
  /** the answer's JSON (`undefined` for an empty body) */
  readonly response: unknown
}

const at = (value: unknown, ...path: ReadonlyArray<string>): unknown => {
  let node = value
  for (const key of path) {
    if (!Predicate.hasProperty(node, key) || !Object.hasOwn(node, key)) return undefined
    node = node[key]
  }
  return node
}

/**
 * Reads a send's answer, whatever its shape: never fails.
 *
 * @since 0.2.0
 * @category decoding
 */
export const readSendMessageResult = (json: unknown): SendMessageResult => {
  const candidates = [at(json, "data", "message", "id"), at(json, "message", "id"), at(json, "data", "id"), at(json, "id")]
  const id = candidates.find((c): c is string | number => typeof c === "string" || typeof c === "number")
  return { messageId: id === undefined ? undefined : String(id), response: json }
}

// ---------------------------------------------------------------------------
// Update
// ---------------------------------------------------------------------------

/**
 * The body of `PATCH /chat/sessions/{session_id}`: close (as resolved or
 * unresolved) or reopen a session.
 *
 * @since 0.2.0
 * @category schemas
 */
export const UpdateChatSessionInput = Schema.Struct({
  status: optional(SessionStatusStrict),
  /** on closing as resolved, have the AI write the summary and sentiment */
  generate_summary_and_sentiment_on_resolve: optional(Schema.Boolean),
  /** tell the connected ticketing integration about the change too */
  reflect_status_change_for_integration: optional(Schema.Boolean),
  /** free-form data about the closing, passed on as it is */
  session_closed_payload: optional(JsonObject)
}).annotations({ ...closed, identifier: "UpdateChatSessionInput" })

/**
 * @since 0.2.0
 * @category models
 */
export interface UpdateChatSessionInput extends Schema.Schema.Type<typeof UpdateChatSessionInput> {}
