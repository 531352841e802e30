/**
 * Schema models of a contact as `GET /contacts` lists it
 * (`spec/list-contacts.openapi.yaml`, derived from the public docs): id,
 * email, phone number, name, custom data (strings) and the timestamps (ISO
 * 8601 strings: the docs give them no format).
 *
 * A session's own `contact` (`ChatSession.Contact`) has more fields (the
 * unverified name, email and custom data).
 *
 * In two reading modes, as `ChatSession`: **tolerant** by default (unknown
 * properties kept as they came, no uuid pattern), **strict** on demand (the
 * derived spec to the letter).
 *
 * @since 0.2.0
 */
import * as Schema from "effect/Schema"
import { uuidPattern } from "./ChatSession.js"
import { JsonRecord, openStruct } from "./internal/schema/jsonRecord.js"

const StringData = (suffix: string) =>
  JsonRecord(Schema.String, { identifier: `ContactCustomData${suffix}`, valueJsonSchema: { type: "string" } })

const fields = <Id extends Schema.Schema.Any>(id: Id, suffix: string) => ({
  id,
  email: Schema.NullOr(Schema.String),
  phone_number: Schema.NullOr(Schema.String),
  name: Schema.NullOr(Schema.String),
  custom_data: Schema.NullOr(StringData(suffix)),
  created_at: Schema.String.annotations({ description: "ISO 8601 timestamp of when the contact was created" }),
  updated_at: Schema.String.annotations({ description: "ISO 8601 timestamp of when the contact was last updated" })
})

/**
 * A contact (tolerant).
 *
 * @since 0.2.0
 * @category schemas
 */
export const Contact = openStruct(
  Schema.Struct(fields(Schema.String, "")).annotations({
    identifier: "Contact",
    parseOptions: { onExcessProperty: "preserve", exact: true }
  })
)

/**
 * @since 0.2.0
 * @category models
 */
export interface Contact extends Schema.Schema.Type<typeof Contact> {}

/**
 * A page of `GET /contacts`: `items` and the `next` cursor (`null` on the
 * last page).
 *
 * @since 0.2.0
 * @category schemas
 */
export const ListContactsOutput = openStruct(
  Schema.Struct({
    items: Schema.Array(Contact),
    next: Schema.NullOr(Schema.String)
  }).annotations({ identifier: "ListContactsOutput", parseOptions: { onExcessProperty: "preserve", exact: true } })
)

/**
 * @since 0.2.0
 * @category models
 */
export interface ListContactsOutput extends Schema.Schema.Type<typeof ListContactsOutput> {}

/**
 * `Contact` to the letter of the derived spec.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ContactStrict = Schema.Struct(
  fields(
    Schema.String.pipe(Schema.pattern(uuidPattern, { jsonSchema: { pattern: uuidPattern.source, format: "uuid" } })),
    "Strict"
  )
).annotations({ identifier: "ContactStrict", parseOptions: { onExcessProperty: "error", exact: true } })

/**
 * @since 0.2.0
 * @category models
 */
export interface ContactStrict extends Schema.Schema.Type<typeof ContactStrict> {}

/**
 * `ListContactsOutput` to the letter of the derived spec.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ListContactsOutputStrict = Schema.Struct({
  items: Schema.Array(ContactStrict),
  next: Schema.NullOr(Schema.String)
}).annotations({ identifier: "ListContactsOutputStrict", parseOptions: { onExcessProperty: "error", exact: true } })

/**
 * @since 0.2.0
 * @category models
 */
export interface ListContactsOutputStrict extends Schema.Schema.Type<typeof ListContactsOutputStrict> {}
