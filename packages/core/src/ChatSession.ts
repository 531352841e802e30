/**
 * Schema models of every type in the OpenCX `GET /chat/sessions` spec
 * (`spec/list-chat-sessions.openapi.yaml`), in two reading modes.
 *
 * - **Tolerant** (the unsuffixed names, the default for responses): unknown
 *   properties are not validated and are carried through as they came; an enum
 *   value that the spec does not list is kept as a string (the enum types are
 *   `Known | (string & {})`, e.g. `"open" | "closed_resolved" |
 *   "closed_unresolved" | (string & {})`: every string is accepted, and editors
 *   still complete the known values); the uuid and email
 *   patterns are not enforced; session timestamps accept any parseable
 *   date-time. The API is `1.0-beta` and grows fields and enum values: an
 *   export must not fail the day it does.
 * - **Strict** (the `…Strict` names): the spec to the letter: uuid and email
 *   patterns, closed enums, RFC 3339 timestamps and `additionalProperties:
 *   false` (an extra key is an error, except in `ErrorDto`, which the spec
 *   leaves open). Use it to validate data; our conformance tests use it. A
 *   value outside a closed enum fails naming every allowed value: `Expected
 *   one of "open", "closed_resolved", "closed_unresolved"; got "archived"`.
 *
 * Every key a payload has is data, a `"__proto__"` key included (`JSON.parse`
 * makes it an own property like any other): the tolerant mode keeps it as an
 * own data property with its value wherever it appears, the strict mode
 * refuses it where the spec says `additionalProperties: false` and keeps it
 * in custom data, and no decoded object ever gets a prototype other than
 * `Object.prototype`. Effect's stock `Schema.Struct` copies the keys that
 * `onExcessProperty: "preserve"` carries through by assignment, which would
 * set the prototype instead (or drop the key); so the tolerant objects are
 * `OpenStruct`s: a thin declaration around the same `Schema.Struct` (same
 * Type, Encoded, issues, JSON Schema and `fields` / `make` / `pick` / `omit`)
 * that puts such a key back as data. `Schema.extend`, `Schema.partial` and
 * `Schema.required` do not take a declaration: to add fields to a tolerant
 * model, build a struct from its `fields`.
 *
 * Field names, optionality and nullability are the spec's in both modes: an
 * optional key may be absent but never `null` unless the spec says so, and a
 * nullable key must be present. One exception, in the tolerant mode only: a
 * contact's `non_verified_name`, `non_verified_email` and
 * `non_verified_custom_data` may be absent (older API payloads omit them);
 * when present they are checked as the spec says (`string | null`, custom
 * data | `null`). The strict mode requires them.
 *
 * @example
 * ```ts
 * import { ChatSession } from "@opencx-effect/core"
 * import { Schema } from "effect"
 *
 * const page = Schema.decodeUnknownSync(ChatSession.ListChatSessionsOutput)({
 *   items: [],
 *   next: null
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import {
  JsonRecord,
  type ModeObject,
  type OpenStruct as InternalOpenStruct,
  openStruct
} from "./internal/schema/jsonRecord.js"
import { closedEnum, openEnum } from "./internal/schema/openEnum.js"
import { DateTimeUtcFromLenientString, DateTimeUtcFromRfc3339 } from "./internal/schema/timestamp.js"

// ---------------------------------------------------------------------------
// Objects
// ---------------------------------------------------------------------------

/**
 * The Schema of a tolerant object (`ChatSession`, `Contact`, …, `ErrorDto`):
 * a `Schema.Struct` that carries unknown keys through as data, a
 * `"__proto__"` key included, and never returns an object with another
 * prototype than `Object.prototype`. It has the struct's Type, Encoded,
 * issues and instance API (`fields`, `records`, `make`, `pick`, `omit`,
 * `annotations`); JSON Schema, `Schema.pick`, `Schema.omit` and
 * `Schema.keyof` see the struct. `Schema.extend`, `Schema.partial` and
 * `Schema.required` do not take it (it is a declaration): build a new struct
 * from its `fields` instead.
 *
 * @since 0.1.0
 * @category models
 */
export type OpenStruct<Fields extends Schema.Struct.Fields> = InternalOpenStruct<Fields>

// ---------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------

/**
 * The spec's `SessionChannel`, closed: the ten known channels. Any other
 * value fails with a message that lists them all.
 *
 * @since 0.1.0
 * @category enums
 */
export const SessionChannelStrict = closedEnum(
  "web",
  "email",
  "phone_voice",
  "slack",
  "sms",
  "whatsapp",
  "instagram",
  "messenger",
  "api",
  "web_voice"
).annotations({ identifier: "SessionChannel" })

/**
 * A channel the spec knows.
 *
 * @since 0.1.0
 * @category enums
 */
export type KnownSessionChannel = typeof SessionChannelStrict.Type

/**
 * `SessionChannel`, open for reading: a known channel or any other string,
 * typed `KnownSessionChannel | (string & {})`.
 *
 * @since 0.1.0
 * @category enums
 */
export const SessionChannel = openEnum(SessionChannelStrict)

/**
 * @since 0.1.0
 * @category enums
 */
export type SessionChannel = typeof SessionChannel.Type

/**
 * Session status, closed: `open`, `closed_resolved`, `closed_unresolved`. Any
 * other value fails with `Expected one of "open", "closed_resolved",
 * "closed_unresolved"; got …`.
 *
 * @since 0.1.0
 * @category enums
 */
export const SessionStatusStrict = closedEnum("open", "closed_resolved", "closed_unresolved").annotations({
  identifier: "SessionStatus"
})

/**
 * @since 0.1.0
 * @category enums
 */
export type KnownSessionStatus = typeof SessionStatusStrict.Type

/**
 * Session status, open for reading: typed `KnownSessionStatus | (string & {})`.
 *
 * @since 0.1.0
 * @category enums
 */
export const SessionStatus = openEnum(SessionStatusStrict)

/**
 * @since 0.1.0
 * @category enums
 */
export type SessionStatus = typeof SessionStatus.Type

/**
 * How the AI closed a session, closed: `assumed_resolved`, `handed_off`,
 * `resolved`.
 *
 * @since 0.1.0
 * @category enums
 */
export const AiClosureTypeStrict = closedEnum("assumed_resolved", "handed_off", "resolved").annotations({
  identifier: "AiClosureType"
})

/**
 * @since 0.1.0
 * @category enums
 */
export type KnownAiClosureType = typeof AiClosureTypeStrict.Type

/**
 * How the AI closed a session, open for reading: typed `KnownAiClosureType | (string & {})`.
 *
 * @since 0.1.0
 * @category enums
 */
export const AiClosureType = openEnum(AiClosureTypeStrict)

/**
 * @since 0.1.0
 * @category enums
 */
export type AiClosureType = typeof AiClosureType.Type

/**
 * Sentiment, closed: `angry`, `happy`, `neutral`.
 *
 * @since 0.1.0
 * @category enums
 */
export const SentimentStrict = closedEnum("angry", "happy", "neutral").annotations({ identifier: "Sentiment" })

/**
 * @since 0.1.0
 * @category enums
 */
export type KnownSentiment = typeof SentimentStrict.Type

/**
 * Sentiment, open for reading: typed `KnownSentiment | (string & {})`.
 *
 * @since 0.1.0
 * @category enums
 */
export const Sentiment = openEnum(SentimentStrict)

/**
 * @since 0.1.0
 * @category enums
 */
export type Sentiment = typeof Sentiment.Type

/**
 * The ticketing systems the spec names, closed.
 *
 * @since 0.1.0
 * @category enums
 */
export const TicketingSystemNameStrict = closedEnum(
  "dynamics365",
  "freshchat",
  "freshdesk",
  "freshdesk_ticketing",
  "front",
  "gorgias",
  "hubspot",
  "infobip",
  "intercom",
  "open",
  "salesforce",
  "salesforce_v2",
  "twilio_flex",
  "zendesk",
  "zendesk_v2"
).annotations({ identifier: "TicketingSystemName" })

/**
 * @since 0.1.0
 * @category enums
 */
export type KnownTicketingSystemName = typeof TicketingSystemNameStrict.Type

/**
 * Ticketing system name, open for reading: typed `KnownTicketingSystemName | (string & {})`.
 *
 * @since 0.1.0
 * @category enums
 */
export const TicketingSystemName = openEnum(TicketingSystemNameStrict)

/**
 * @since 0.1.0
 * @category enums
 */
export type TicketingSystemName = typeof TicketingSystemName.Type

/**
 * What kind of id a ticketing system's `external_id` is, closed.
 *
 * @since 0.1.0
 * @category enums
 */
export const TicketingSystemIdTypeStrict = closedEnum(
  "conversation_id",
  "ticket_id",
  "case_id",
  "conversation_sid"
).annotations({ identifier: "TicketingSystemIdType" })

/**
 * @since 0.1.0
 * @category enums
 */
export type KnownTicketingSystemIdType = typeof TicketingSystemIdTypeStrict.Type

/**
 * Ticketing system id type, open for reading: typed `KnownTicketingSystemIdType | (string & {})`.
 *
 * @since 0.1.0
 * @category enums
 */
export const TicketingSystemIdType = openEnum(TicketingSystemIdTypeStrict)

/**
 * @since 0.1.0
 * @category enums
 */
export type TicketingSystemIdType = typeof TicketingSystemIdType.Type

// ---------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------

/**
 * The spec's uuid pattern (Zod's default: versions 1 to 8, RFC variant, plus
 * the nil and max UUIDs).
 *
 * @since 0.1.0
 * @category patterns
 */
export const uuidPattern =
  /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/

/**
 * The spec's email pattern (Zod's "practical" email).
 *
 * @since 0.1.0
 * @category patterns
 */
export const emailPattern =
  /^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-\.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$/

const hex = "0123456789abcdef"

const UuidStrict = Schema.String.pipe(
  Schema.pattern(uuidPattern, {
    jsonSchema: { pattern: uuidPattern.source, format: "uuid" },
    arbitrary: () => (fc) =>
      fc.tuple(fc.uuid(), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 8, max: 11 })).map(([u, v, r]) =>
        `${u.slice(0, 14)}${v}${u.slice(15, 19)}${hex[r]}${u.slice(20)}`
      )
  })
).annotations({ identifier: "Uuid" })

const EmailStrict = Schema.String.pipe(
  Schema.pattern(emailPattern, {
    jsonSchema: { pattern: emailPattern.source, format: "email" },
    arbitrary: () => (fc) =>
      fc.tuple(
        fc.stringMatching(/^[a-z0-9]{1,12}$/),
        fc.stringMatching(/^[a-z0-9]{1,12}$/),
        fc.constantFrom("com", "org", "io", "dev")
      ).map(([local, domain, tld]) => `${local}@${domain}.${tld}`)
  })
).annotations({ identifier: "Email" })

const customData = (number: Schema.Schema<number>, suffix: string) =>
  JsonRecord<string | number | boolean>(Schema.Union(Schema.String, number, Schema.Boolean), {
    identifier: `CustomData${suffix}`,
    valueJsonSchema: { anyOf: [{ type: "string" }, { type: "number" }, { type: "boolean" }] }
  })

/** exact: an optional key may be absent, never present as `undefined`. */
const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * A key the spec requires but older payloads omit: optional (exact) in the
 * tolerant mode, required as the spec says in the strict one.
 */
type Legacy<Tolerant extends boolean, S extends Schema.Schema.All> = Tolerant extends true
  ? Schema.optionalWith<S, { exact: true }>
  : S

/** An object of the spec, in either mode (see `ModeObject`). */
type Obj<Tolerant extends boolean, F extends Schema.Struct.Fields> = ModeObject<Tolerant, F>

// ---------------------------------------------------------------------------
// The two modes, built from one description of the spec
// ---------------------------------------------------------------------------

interface Mode<
  Uuid extends Schema.Schema.Any,
  Email extends Schema.Schema.Any,
  Channel extends Schema.Schema.Any,
  Status extends Schema.Schema.Any,
  Closure extends Schema.Schema.Any,
  Senti extends Schema.Schema.Any,
  TsName extends Schema.Schema.Any,
  TsIdType extends Schema.Schema.Any,
  Num extends Schema.Schema.Any,
  CData extends Schema.Schema.Any,
  Timestamp extends Schema.Schema.Any,
  Tolerant extends boolean
> {
  readonly name: string
  /** How a struct treats keys it does not declare. */
  readonly onExcessProperty: "error" | "preserve"
  readonly uuid: Uuid
  readonly email: Email
  readonly channel: Channel
  readonly status: Status
  readonly aiClosureType: Closure
  readonly sentiment: Senti
  readonly ticketingSystemName: TsName
  readonly ticketingSystemIdType: TsIdType
  /** A JSON number (strict: finite, as JSON numbers are). */
  readonly number: Num
  /** custom data: an object of strings, numbers and booleans */
  readonly customData: CData
  readonly timestamp: Timestamp
  /**
   * The tolerant mode (`true`) or the strict one (`false`). The literal is
   * what types the results of `legacy` and `object`.
   */
  readonly tolerant: Tolerant
  /**
   * Reads a required key that older payloads omit (the contact's
   * `non_verified_*`): optional when tolerant, else required as the spec says.
   */
  readonly legacy: <S extends Schema.Schema.All>(schema: S) => Legacy<Tolerant, S>
  /** Makes an object of the spec from its struct (see `Obj`). */
  readonly object: <F extends Schema.Struct.Fields>(struct: Schema.Struct<F>) => Obj<Tolerant, F>
}

const build = <
  Uuid extends Schema.Schema.Any,
  Email extends Schema.Schema.Any,
  Channel extends Schema.Schema.Any,
  Status extends Schema.Schema.Any,
  Closure extends Schema.Schema.Any,
  Senti extends Schema.Schema.Any,
  TsName extends Schema.Schema.Any,
  TsIdType extends Schema.Schema.Any,
  Num extends Schema.Schema.Any,
  CData extends Schema.Schema.Any,
  Timestamp extends Schema.Schema.Any,
  Tolerant extends boolean
>(mode: Mode<Uuid, Email, Channel, Status, Closure, Senti, TsName, TsIdType, Num, CData, Timestamp, Tolerant>) => {
  const closed = { parseOptions: { onExcessProperty: mode.onExcessProperty, exact: true } } as const
  const suffix = mode.name
  const CustomData = mode.customData
  const StringData = JsonRecord(Schema.String, {
    identifier: `StringData${suffix}`,
    valueJsonSchema: { type: "string" }
  })

  const Channel = mode.object(Schema.Struct({ type: mode.channel }).annotations({
    ...closed,
    identifier: `SessionChannelRef${suffix}`,
    title: "channel"
  }))

  const Contact = mode.object(Schema.Struct({
    id: mode.uuid,
    email: Schema.NullOr(mode.email),
    phone_number: Schema.NullOr(Schema.String),
    name: Schema.NullOr(Schema.String),
    custom_data: Schema.NullOr(StringData),
    created_at: Schema.String.annotations({
      description: "ISO 8601 timestamp of when the contact was created"
    }),
    updated_at: Schema.String.annotations({
      description: "ISO 8601 timestamp of when the contact was last updated"
    }),
    non_verified_name: mode.legacy(Schema.NullOr(Schema.String)),
    non_verified_email: mode.legacy(Schema.NullOr(Schema.String)),
    non_verified_custom_data: mode.legacy(Schema.NullOr(CustomData))
  }).annotations({ ...closed, identifier: `Contact${suffix}` }))

  const Team = mode.object(Schema.Struct({
    id: mode.uuid,
    name: Schema.String,
    description: optional(Schema.String)
  }).annotations({ ...closed, identifier: `Team${suffix}` }))

  const Handoff = mode.object(Schema.Struct({
    sentiment: optional(mode.sentiment),
    summary: Schema.String
  }).annotations({ ...closed, identifier: `Handoff${suffix}` }))

  const TicketingSystem = mode.object(Schema.Struct({
    name: mode.ticketingSystemName,
    external_id: Schema.String,
    id_type: mode.ticketingSystemIdType
  }).annotations({ ...closed, identifier: `TicketingSystem${suffix}` }))

  const ChatSession = mode.object(Schema.Struct({
    id: mode.uuid,
    status: mode.status,
    ai_closure_type: Schema.NullOr(mode.aiClosureType),
    sentiment: Schema.NullOr(mode.sentiment),
    channel: Channel,
    contact: optional(Contact),
    language: optional(Schema.String),
    assignee_id: optional(Schema.NullOr(Schema.String)),
    custom_data: optional(CustomData),
    team: optional(Team),
    handoff: optional(Handoff),
    ticketing_system: optional(TicketingSystem),
    ticket_number: mode.number,
    assist_mode: Schema.Boolean,
    created_at: mode.timestamp,
    updated_at: mode.timestamp
  }).annotations({ ...closed, identifier: `ChatSession${suffix}` }))

  const ListChatSessionsOutput = mode.object(Schema.Struct({
    items: Schema.Array(ChatSession),
    next: Schema.NullOr(Schema.String)
  }).annotations({ ...closed, identifier: `ListChatSessionsOutput${suffix}` }))

  return { Contact, Team, Handoff, TicketingSystem, ChatSession, ListChatSessionsOutput }
}

const tolerant = build({
  name: "",
  onExcessProperty: "preserve",
  uuid: Schema.String,
  email: Schema.String,
  channel: SessionChannel,
  status: SessionStatus,
  aiClosureType: AiClosureType,
  sentiment: Sentiment,
  ticketingSystemName: TicketingSystemName,
  ticketingSystemIdType: TicketingSystemIdType,
  number: Schema.Number,
  customData: customData(Schema.Number, ""),
  timestamp: DateTimeUtcFromLenientString,
  tolerant: true,
  legacy: optional,
  object: openStruct
})

const strict = build({
  name: "Strict",
  onExcessProperty: "error",
  uuid: UuidStrict,
  email: EmailStrict,
  channel: SessionChannelStrict,
  status: SessionStatusStrict,
  aiClosureType: AiClosureTypeStrict,
  sentiment: SentimentStrict,
  ticketingSystemName: TicketingSystemNameStrict,
  ticketingSystemIdType: TicketingSystemIdTypeStrict,
  number: Schema.Finite,
  customData: customData(Schema.Finite, "Strict"),
  timestamp: DateTimeUtcFromRfc3339,
  tolerant: false,
  legacy: <S extends Schema.Schema.All>(schema: S): S => schema,
  object: <F extends Schema.Struct.Fields>(struct: Schema.Struct<F>): Schema.Struct<F> => struct
})

// ---------------------------------------------------------------------------
// Tolerant (default)
// ---------------------------------------------------------------------------

/**
 * A contact, as the session references it. Its timestamps stay strings: the
 * spec gives them no format. `non_verified_name`, `non_verified_email` and
 * `non_verified_custom_data` are optional here (older API payloads omit them;
 * present, they are `string | null` / custom data | `null`, as the spec says);
 * `ContactStrict` requires them.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Contact = tolerant.Contact

/**
 * @since 0.1.0
 * @category models
 */
export interface Contact extends Schema.Schema.Type<typeof Contact> {}

/**
 * The team a session belongs to.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Team = tolerant.Team

/**
 * @since 0.1.0
 * @category models
 */
export interface Team extends Schema.Schema.Type<typeof Team> {}

/**
 * The hand-off to a human agent: a required summary and an optional sentiment.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Handoff = tolerant.Handoff

/**
 * @since 0.1.0
 * @category models
 */
export interface Handoff extends Schema.Schema.Type<typeof Handoff> {}

/**
 * The external ticketing system a session is linked to.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TicketingSystem = tolerant.TicketingSystem

/**
 * @since 0.1.0
 * @category models
 */
export interface TicketingSystem extends Schema.Schema.Type<typeof TicketingSystem> {}

/**
 * A chat session: the spec's `GetChatSessionOutput`. `created_at` and
 * `updated_at` decode to `DateTime.Utc` and encode back to ISO 8601.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatSession = tolerant.ChatSession

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatSession extends Schema.Schema.Type<typeof ChatSession> {}

/**
 * A chat session as it travels in JSON.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatSessionEncoded extends Schema.Schema.Encoded<typeof ChatSession> {}

/**
 * One page of `GET /chat/sessions`: `items` and the `next` cursor (`null` on
 * the last page).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ListChatSessionsOutput = tolerant.ListChatSessionsOutput

/**
 * @since 0.1.0
 * @category models
 */
export interface ListChatSessionsOutput extends Schema.Schema.Type<typeof ListChatSessionsOutput> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface ListChatSessionsOutputEncoded extends Schema.Schema.Encoded<typeof ListChatSessionsOutput> {}

// ---------------------------------------------------------------------------
// Strict
// ---------------------------------------------------------------------------

/**
 * `Contact` to the letter of the spec: every key required, the
 * `non_verified_*` ones included.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContactStrict = strict.Contact

/**
 * @since 0.1.0
 * @category models
 */
export interface ContactStrict extends Schema.Schema.Type<typeof ContactStrict> {}

/**
 * `Team` to the letter of the spec.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TeamStrict = strict.Team

/**
 * @since 0.1.0
 * @category models
 */
export interface TeamStrict extends Schema.Schema.Type<typeof TeamStrict> {}

/**
 * `Handoff` to the letter of the spec.
 *
 * @since 0.1.0
 * @category schemas
 */
export const HandoffStrict = strict.Handoff

/**
 * @since 0.1.0
 * @category models
 */
export interface HandoffStrict extends Schema.Schema.Type<typeof HandoffStrict> {}

/**
 * `TicketingSystem` to the letter of the spec.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TicketingSystemStrict = strict.TicketingSystem

/**
 * @since 0.1.0
 * @category models
 */
export interface TicketingSystemStrict extends Schema.Schema.Type<typeof TicketingSystemStrict> {}

/**
 * `ChatSession` to the letter of the spec (`GetChatSessionOutput`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatSessionStrict = strict.ChatSession

/**
 * @since 0.1.0
 * @category models
 */
export interface ChatSessionStrict extends Schema.Schema.Type<typeof ChatSessionStrict> {}

/**
 * `ListChatSessionsOutput` to the letter of the spec.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ListChatSessionsOutputStrict = strict.ListChatSessionsOutput

/**
 * @since 0.1.0
 * @category models
 */
export interface ListChatSessionsOutputStrict extends Schema.Schema.Type<typeof ListChatSessionsOutputStrict> {}

// ---------------------------------------------------------------------------
// ErrorDto
// ---------------------------------------------------------------------------

/**
 * The API's error body: `{ statusCode, message, error }`, every field
 * optional. The spec leaves it open to extra keys, so both modes accept them
 * (and carry them through as data, a `__proto__` key included: it cannot
 * lend the body a `message` it does not have).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorDto = openStruct(
  Schema.Struct({
    statusCode: optional(Schema.Int),
    message: optional(Schema.String),
    error: optional(Schema.String)
  }).annotations({ identifier: "ErrorDto", parseOptions: { onExcessProperty: "preserve", exact: true } })
)

/**
 * @since 0.1.0
 * @category models
 */
export interface ErrorDto extends Schema.Schema.Type<typeof ErrorDto> {}

/**
 * `ErrorDto` as the spec states it (it has no `additionalProperties: false`,
 * so this is the same Schema).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorDtoStrict = ErrorDto
