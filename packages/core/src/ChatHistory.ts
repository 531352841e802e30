/**
 * Schema models of a chat session's history (`GET
 * /chat/sessions/{session_id}/history`, `spec/list-chat-history.openapi.yaml`,
 * derived from the public docs): the events of a conversation, oldest first
 * (messages from the contact, the AI or a human agent, hand-offs, the AI
 * resolving the issue, human agents joining, commenting, taking over, …).
 *
 * In two reading modes, as `ChatSession`:
 * - **tolerant** (the unsuffixed names, the default): unknown properties are
 *   kept as they came; an event `type` this version does not know is kept as
 *   an `UnknownEvent` (its `type` and every other field), not refused; open
 *   enums (a sender type, a content type or an integration the docs do not
 *   list is kept as a string); timestamps accept any parseable date-time;
 *   what older snapshots of the docs omit is optional (`id`, a sender's
 *   `name`) and `created_at` may be `null` (as the 2024 spec allowed).
 * - **strict** (the `…Strict` names): the derived spec to the letter: the
 *   six event types, closed enums, RFC 3339 timestamps, no extra keys.
 *
 * An item's `event` is a union on `event.type`; `isMessage`, `isHandoff`, …
 * narrow it, and `!isKnown(event)` narrows to `UnknownEvent` (a plain
 * `event.type === "message"` cannot narrow, since an unknown event's type is
 * any other string).
 *
 * @example
 * ```ts
 * import { ChatHistory } from "@opencx-effect/core"
 *
 * const transcript = (items: ReadonlyArray<ChatHistory.HistoryItem>) =>
 *   items.flatMap(({ event }) => ChatHistory.isMessage(event) ? [`${event.sender.type}: ${event.content.text}`] : [])
 * ```
 *
 * @since 0.2.0
 */
import * as Schema from "effect/Schema"
import { JsonObject, type ModeObject, openStruct, TypedObject } from "./internal/schema/jsonRecord.js"
import { openEnum } from "./internal/schema/openEnum.js"
import { DateTimeUtcFromLenientString, DateTimeUtcFromRfc3339 } from "./internal/schema/timestamp.js"

// ---------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------

/**
 * Who sent a message, closed: `contact`, `ai`, `human_agent`.
 *
 * @since 0.2.0
 * @category enums
 */
export const SenderTypeStrict = Schema.Literal("contact", "ai", "human_agent").annotations({ identifier: "SenderType" })

/**
 * @since 0.2.0
 * @category enums
 */
export type KnownSenderType = typeof SenderTypeStrict.Type

/**
 * Who sent a message, open for reading.
 *
 * @since 0.2.0
 * @category enums
 */
export const SenderType = openEnum(SenderTypeStrict)

/**
 * @since 0.2.0
 * @category enums
 */
export type SenderType = typeof SenderType.Type

/**
 * The kind of a message's content, closed: `text`.
 *
 * @since 0.2.0
 * @category enums
 */
export const ContentTypeStrict = Schema.Literal("text").annotations({ identifier: "ContentType" })

/**
 * The kind of a message's content, open for reading.
 *
 * @since 0.2.0
 * @category enums
 */
export const ContentType = openEnum(ContentTypeStrict)

/**
 * The integration a session was handed off to, closed (the docs name only
 * `zendesk`).
 *
 * @since 0.2.0
 * @category enums
 */
export const IntegrationTypeStrict = Schema.Literal("zendesk").annotations({ identifier: "IntegrationType" })

/**
 * The integration a session was handed off to, open for reading.
 *
 * @since 0.2.0
 * @category enums
 */
export const IntegrationType = openEnum(IntegrationTypeStrict)

/**
 * The event types the derived spec lists.
 *
 * @since 0.2.0
 * @category enums
 */
export const knownEventTypes = [
  "message",
  "handoff",
  "ai_resolved_issue",
  "human_agent_comment",
  "human_agent_joined",
  "human_agent_takeover"
] as const

/**
 * @since 0.2.0
 * @category enums
 */
export type KnownEventType = typeof knownEventTypes[number]

const knownTypes: ReadonlySet<string> = new Set(knownEventTypes)

/**
 * any event type but the known ones: what an `UnknownEvent` carries (typed
 * `string & {}`, which a filter's guard alone would collapse to `string`)
 */
const OtherEventType: Schema.Schema<string & {}, string> = Schema.String.pipe(
  Schema.filter((type: string): type is string & {} => !knownTypes.has(type), {
    message: (issue) => `an event of type ${JSON.stringify(issue.actual)} must have that type's fields`,
    description: "an event type this version of the client does not know"
  })
)

// ---------------------------------------------------------------------------
// The two modes, built from one description
// ---------------------------------------------------------------------------

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/** an object: an `OpenStruct` (unknown keys kept as data, `__proto__` included) or a plain struct (strict) */
type Obj<Tolerant extends boolean, F extends Schema.Struct.Fields> = ModeObject<Tolerant, F>

interface Mode<
  Sender extends Schema.Schema.Any,
  Content extends Schema.Schema.Any,
  Integration extends Schema.Schema.Any,
  SenderName extends Schema.Struct.Field,
  Tolerant extends boolean
> {
  readonly name: string
  /** which mode this is (it decides what `object` builds) */
  readonly tolerant: Tolerant
  readonly object: <F extends Schema.Struct.Fields>(struct: Schema.Struct<F>) => Obj<Tolerant, F>
  readonly onExcessProperty: "error" | "preserve"
  readonly senderType: Sender
  readonly contentType: Content
  readonly integrationType: Integration
  /** a sender's name: optional string (strict), or also `null` (tolerant) */
  readonly senderName: SenderName
  readonly number: Schema.Schema<number>
}

const build = <
  Sender extends Schema.Schema.Any,
  Content extends Schema.Schema.Any,
  Integration extends Schema.Schema.Any,
  SenderName extends Schema.Struct.Field,
  Tolerant extends boolean
>(mode: Mode<Sender, Content, Integration, SenderName, Tolerant>) => {
  const closed = { parseOptions: { onExcessProperty: mode.onExcessProperty, exact: true } } as const
  const suffix = mode.name

  const Sender = mode.object(Schema.Struct({ type: mode.senderType, name: mode.senderName }).annotations({
    ...closed,
    identifier: `MessageSender${suffix}`
  }))
  const TextContent = mode.object(Schema.Struct({ type: mode.contentType, text: Schema.String }).annotations({
    ...closed,
    identifier: `TextContent${suffix}`
  }))
  const Attachment = mode.object(Schema.Struct({
    id: Schema.String,
    name: Schema.String,
    size: mode.number,
    /** the MIME type */
    type: Schema.String,
    url: Schema.String
  }).annotations({ ...closed, identifier: `Attachment${suffix}` }))

  const MessageEvent = mode.object(Schema.Struct({
    type: Schema.Literal("message"),
    sender: Sender,
    content: TextContent,
    attachments: optional(Schema.Array(Attachment)),
    context: optional(JsonObject)
  }).annotations({ ...closed, identifier: `MessageEvent${suffix}` }))
  const HandoffEvent = mode.object(Schema.Struct({
    type: Schema.Literal("handoff"),
    integration: optional(
      mode.object(
        Schema.Struct({ type: mode.integrationType }).annotations({ ...closed, identifier: `HandoffIntegration${suffix}` })
      )
    )
  }).annotations({ ...closed, identifier: `HandoffEvent${suffix}` }))
  const AiResolvedIssueEvent = mode.object(Schema.Struct({ type: Schema.Literal("ai_resolved_issue") }).annotations({
    ...closed,
    identifier: `AiResolvedIssueEvent${suffix}`
  }))
  const HumanAgentCommentEvent = mode.object(Schema.Struct({
    type: Schema.Literal("human_agent_comment"),
    human_agent_id: mode.number,
    content: TextContent
  }).annotations({ ...closed, identifier: `HumanAgentCommentEvent${suffix}` }))
  const HumanAgentJoinedEvent = mode.object(Schema.Struct({
    type: Schema.Literal("human_agent_joined"),
    human_agent_id: mode.number
  }).annotations({ ...closed, identifier: `HumanAgentJoinedEvent${suffix}` }))
  const HumanAgentTakeoverEvent = mode.object(Schema.Struct({
    type: Schema.Literal("human_agent_takeover"),
    human_agent_id: mode.number
  }).annotations({ ...closed, identifier: `HumanAgentTakeoverEvent${suffix}` }))

  return {
    Sender,
    TextContent,
    Attachment,
    MessageEvent,
    HandoffEvent,
    AiResolvedIssueEvent,
    HumanAgentCommentEvent,
    HumanAgentJoinedEvent,
    HumanAgentTakeoverEvent,
    known: [
      MessageEvent,
      HandoffEvent,
      AiResolvedIssueEvent,
      HumanAgentCommentEvent,
      HumanAgentJoinedEvent,
      HumanAgentTakeoverEvent
    ] as const
  }
}

const tolerant = build({
  name: "",
  tolerant: true,
  object: openStruct,
  onExcessProperty: "preserve",
  senderType: SenderType,
  contentType: ContentType,
  integrationType: IntegrationType,
  senderName: optional(Schema.NullOr(Schema.String)),
  number: Schema.Number
})

const strict = build({
  name: "Strict",
  tolerant: false,
  object: <F extends Schema.Struct.Fields>(struct: Schema.Struct<F>): Schema.Struct<F> => struct,
  onExcessProperty: "error",
  senderType: SenderTypeStrict,
  contentType: ContentTypeStrict,
  integrationType: IntegrationTypeStrict,
  senderName: optional(Schema.String),
  number: Schema.Finite
})

// ---------------------------------------------------------------------------
// Tolerant (default)
// ---------------------------------------------------------------------------

/**
 * Who sent a message: `type` (`contact`, `ai`, `human_agent`) and, in newer
 * payloads, a display `name`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const MessageSender = tolerant.Sender

/**
 * @since 0.2.0
 * @category models
 */
export interface MessageSender extends Schema.Schema.Type<typeof MessageSender> {}

/**
 * A message's content: `{ type: "text", text }`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const TextContent = tolerant.TextContent

/**
 * @since 0.2.0
 * @category models
 */
export interface TextContent extends Schema.Schema.Type<typeof TextContent> {}

/**
 * A file attached to a message.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Attachment = tolerant.Attachment

/**
 * @since 0.2.0
 * @category models
 */
export interface Attachment extends Schema.Schema.Type<typeof Attachment> {}

/**
 * A message from the contact, the AI or a human agent.
 *
 * @since 0.2.0
 * @category schemas
 */
export const MessageEvent = tolerant.MessageEvent

/**
 * @since 0.2.0
 * @category models
 */
export interface MessageEvent extends Schema.Schema.Type<typeof MessageEvent> {}

/**
 * The conversation was handed off to a human (through an integration, when
 * there is one).
 *
 * @since 0.2.0
 * @category schemas
 */
export const HandoffEvent = tolerant.HandoffEvent

/**
 * @since 0.2.0
 * @category models
 */
export interface HandoffEvent extends Schema.Schema.Type<typeof HandoffEvent> {}

/**
 * The AI resolved the issue.
 *
 * @since 0.2.0
 * @category schemas
 */
export const AiResolvedIssueEvent = tolerant.AiResolvedIssueEvent

/**
 * @since 0.2.0
 * @category models
 */
export interface AiResolvedIssueEvent extends Schema.Schema.Type<typeof AiResolvedIssueEvent> {}

/**
 * A human agent's internal comment (not sent to the contact).
 *
 * @since 0.2.0
 * @category schemas
 */
export const HumanAgentCommentEvent = tolerant.HumanAgentCommentEvent

/**
 * @since 0.2.0
 * @category models
 */
export interface HumanAgentCommentEvent extends Schema.Schema.Type<typeof HumanAgentCommentEvent> {}

/**
 * A human agent joined the conversation.
 *
 * @since 0.2.0
 * @category schemas
 */
export const HumanAgentJoinedEvent = tolerant.HumanAgentJoinedEvent

/**
 * @since 0.2.0
 * @category models
 */
export interface HumanAgentJoinedEvent extends Schema.Schema.Type<typeof HumanAgentJoinedEvent> {}

/**
 * A human agent took the conversation over from the AI.
 *
 * @since 0.2.0
 * @category schemas
 */
export const HumanAgentTakeoverEvent = tolerant.HumanAgentTakeoverEvent

/**
 * @since 0.2.0
 * @category models
 */
export interface HumanAgentTakeoverEvent extends Schema.Schema.Type<typeof HumanAgentTakeoverEvent> {}

/**
 * An event of a type this version of the client does not know (the docs
 * mention "status changes, etc."): its `type` and every other field, as
 * they came.
 *
 * @since 0.2.0
 * @category schemas
 */
export const UnknownEvent = TypedObject(OtherEventType, { identifier: "UnknownEvent" })

/**
 * @since 0.2.0
 * @category models
 */
export interface UnknownEvent extends Schema.Schema.Type<typeof UnknownEvent> {}

/**
 * A history event: one of the known types, or an `UnknownEvent`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const HistoryEvent = Schema.Union(...tolerant.known, UnknownEvent).annotations({ identifier: "HistoryEvent" })

/**
 * @since 0.2.0
 * @category models
 */
export type HistoryEvent = typeof HistoryEvent.Type

/**
 * An item of the history: the event, when it happened, and (in newer
 * payloads) its id.
 *
 * @since 0.2.0
 * @category schemas
 */
export const HistoryItem = openStruct(
  Schema.Struct({
    id: optional(Schema.String),
    created_at: Schema.NullOr(DateTimeUtcFromLenientString),
    event: HistoryEvent
  }).annotations({ identifier: "HistoryItem", parseOptions: { onExcessProperty: "preserve", exact: true } })
)

/**
 * @since 0.2.0
 * @category models
 */
export interface HistoryItem extends Schema.Schema.Type<typeof HistoryItem> {}

/**
 * A history item as it travels in JSON.
 *
 * @since 0.2.0
 * @category models
 */
export interface HistoryItemEncoded extends Schema.Schema.Encoded<typeof HistoryItem> {}

/**
 * A page of a session's history: `items` (oldest first) and the `next`
 * cursor (`null` on the last page).
 *
 * @since 0.2.0
 * @category schemas
 */
export const ListChatHistoryOutput = openStruct(
  Schema.Struct({
    items: Schema.Array(HistoryItem),
    next: Schema.NullOr(Schema.String)
  }).annotations({ identifier: "ListChatHistoryOutput", parseOptions: { onExcessProperty: "preserve", exact: true } })
)

/**
 * @since 0.2.0
 * @category models
 */
export interface ListChatHistoryOutput extends Schema.Schema.Type<typeof ListChatHistoryOutput> {}

/**
 * @since 0.2.0
 * @category models
 */
export interface ListChatHistoryOutputEncoded extends Schema.Schema.Encoded<typeof ListChatHistoryOutput> {}

// ---------------------------------------------------------------------------
// Guards
// ---------------------------------------------------------------------------

const is = <T extends KnownEventType>(type: T) => (event: HistoryEvent): event is Extract<HistoryEvent, { readonly type: T }> =>
  event.type === type

/**
 * @since 0.2.0
 * @category guards
 */
export const isMessage: (event: HistoryEvent) => event is MessageEvent = is("message")

/**
 * @since 0.2.0
 * @category guards
 */
export const isHandoff: (event: HistoryEvent) => event is HandoffEvent = is("handoff")

/**
 * @since 0.2.0
 * @category guards
 */
export const isAiResolvedIssue: (event: HistoryEvent) => event is AiResolvedIssueEvent = is("ai_resolved_issue")

/**
 * @since 0.2.0
 * @category guards
 */
export const isHumanAgentComment: (event: HistoryEvent) => event is HumanAgentCommentEvent = is("human_agent_comment")

/**
 * @since 0.2.0
 * @category guards
 */
export const isHumanAgentJoined: (event: HistoryEvent) => event is HumanAgentJoinedEvent = is("human_agent_joined")

/**
 * @since 0.2.0
 * @category guards
 */
export const isHumanAgentTakeover: (event: HistoryEvent) => event is HumanAgentTakeoverEvent = is("human_agent_takeover")

/**
 * An event of one of the types the derived spec lists.
 *
 * @since 0.2.0
 * @category models
 */
export type KnownEvent =
  | MessageEvent
  | HandoffEvent
  | AiResolvedIssueEvent
  | HumanAgentCommentEvent
  | HumanAgentJoinedEvent
  | HumanAgentTakeoverEvent

/**
 * Whether the event is of one of the types the derived spec lists. Its
 * negation narrows to `UnknownEvent` (`if (!ChatHistory.isKnown(event))`):
 * every known event is also an object with a string `type`, so no guard can
 * narrow to `UnknownEvent` directly.
 *
 * @since 0.2.0
 * @category guards
 */
export const isKnown = (event: HistoryEvent): event is KnownEvent => knownTypes.has(event.type)

/**
 * Whether the event is of a type this version of the client does not know
 * (to narrow, use `!isKnown(event)`).
 *
 * @since 0.2.0
 * @category guards
 */
export const isUnknown = (event: HistoryEvent): boolean => !knownTypes.has(event.type)

// ---------------------------------------------------------------------------
// Strict
// ---------------------------------------------------------------------------

/**
 * A history event to the letter of the derived spec: one of the six known
 * types.
 *
 * @since 0.2.0
 * @category schemas
 */
export const HistoryEventStrict = Schema.Union(...strict.known).annotations({ identifier: "HistoryEventStrict" })

/**
 * @since 0.2.0
 * @category models
 */
export type HistoryEventStrict = typeof HistoryEventStrict.Type

/**
 * `MessageEvent` to the letter of the derived spec.
 *
 * @since 0.2.0
 * @category schemas
 */
export const MessageEventStrict = strict.MessageEvent

/**
 * `Attachment` to the letter of the derived spec.
 *
 * @since 0.2.0
 * @category schemas
 */
export const AttachmentStrict = strict.Attachment

/**
 * `MessageSender` to the letter of the derived spec.
 *
 * @since 0.2.0
 * @category schemas
 */
export const MessageSenderStrict = strict.Sender

/**
 * `HistoryItem` to the letter of the derived spec.
 *
 * @since 0.2.0
 * @category schemas
 */
export const HistoryItemStrict = Schema.Struct({
  id: optional(Schema.String),
  created_at: Schema.NullOr(DateTimeUtcFromRfc3339),
  event: HistoryEventStrict
}).annotations({ identifier: "HistoryItemStrict", parseOptions: { onExcessProperty: "error", exact: true } })

/**
 * @since 0.2.0
 * @category models
 */
export interface HistoryItemStrict extends Schema.Schema.Type<typeof HistoryItemStrict> {}

/**
 * `ListChatHistoryOutput` to the letter of the derived spec.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ListChatHistoryOutputStrict = Schema.Struct({
  items: Schema.Array(HistoryItemStrict),
  next: Schema.NullOr(Schema.String)
}).annotations({ identifier: "ListChatHistoryOutputStrict", parseOptions: { onExcessProperty: "error", exact: true } })

/**
 * @since 0.2.0
 * @category models
 */
export interface ListChatHistoryOutputStrict extends Schema.Schema.Type<typeof ListChatHistoryOutputStrict> {}
