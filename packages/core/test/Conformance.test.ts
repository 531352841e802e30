/**
 * The strict Schemas against the spec: the JSON Schema that effect derives
 * from each strict Schema is compared with the spec's component, read from
 * `spec/` at the root of the repository.
 */
import { ChatSession, ListChatSessionsParams } from "@opencx-effect/core"
import { describe, expect, it } from "@effect/vitest"
import { Either, JSONSchema, Schema } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"
import { fullSession, page, setPath } from "./fixtures/sessions.js"

const specPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../spec/list-chat-sessions.openapi.yaml")
const spec: unknown = parse(fs.readFileSync(specPath, "utf8"))

type Node = { readonly [key: string]: unknown }
const isNode = (u: unknown): u is Node => typeof u === "object" && u !== null && !Array.isArray(u)

const at = (root: unknown, pointer: ReadonlyArray<string>): Node => {
  let node = root
  for (const key of pointer) {
    if (Array.isArray(node)) node = node[Number(key)]
    else if (isNode(node)) node = node[key]
    else throw new Error(`no ${pointer.join("/")}`)
  }
  if (!isNode(node)) throw new Error(`no ${pointer.join("/")}`)
  return node
}

/**
 * The facets the comparison looks at: type, properties, required keys, enum
 * values, nullability, pattern and format, record value types and array
 * items. Titles, descriptions, `$id`s and how definitions are laid out are
 * not compared.
 */
interface Normal {
  readonly type?: string
  readonly nullable?: true
  readonly enum?: ReadonlyArray<unknown>
  readonly pattern?: string
  readonly format?: string
  readonly properties?: Record<string, Normal>
  readonly required?: ReadonlyArray<string>
  readonly values?: Normal
  readonly items?: Normal
  readonly anyOf?: ReadonlyArray<Normal>
}

const normalize = (node: Node, resolve: (ref: string) => Node): Normal => {
  if (typeof node.$ref === "string") return normalize(resolve(node.$ref), resolve)
  if (Array.isArray(node.anyOf)) {
    const members = node.anyOf.filter(isNode).map((m) => normalize(m, resolve))
    const nullable = members.some((m) => m.type === "null")
    const rest = members.filter((m) => m.type !== "null")
    const base: Normal = rest.length === 1 && rest[0] !== undefined
      ? rest[0]
      : { anyOf: [...rest].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) }
    return nullable ? { ...base, nullable: true } : base
  }
  const out: { -readonly [K in keyof Normal]: Normal[K] } = {}
  if (typeof node.type === "string") out.type = node.type
  if (Array.isArray(node.enum)) out.enum = [...node.enum].sort()
  if (typeof node.pattern === "string") out.pattern = node.pattern
  if (typeof node.format === "string") out.format = node.format
  if (node.type === "object") {
    const properties = isNode(node.properties) ? node.properties : {}
    if (Object.keys(properties).length === 0 && isNode(node.additionalProperties)) {
      out.type = "record"
      out.values = normalize(node.additionalProperties, resolve)
    } else {
      out.properties = Object.fromEntries(
        Object.entries(properties).map(([key, value]) => [key, normalize(isNode(value) ? value : {}, resolve)])
      )
      out.required = Array.isArray(node.required) ? [...node.required].map(String).sort() : []
    }
  }
  if (node.type === "array" && isNode(node.items)) out.items = normalize(node.items, resolve)
  return out
}

const fromSpec = (pointer: ReadonlyArray<string>): Normal =>
  normalize(at(spec, pointer), (ref) => at(spec, ref.replace(/^#\//, "").split("/")))

const fromSchema = (schema: Schema.Schema.AnyNoContext): Normal => {
  const root = at(JSON.parse(JSON.stringify(JSONSchema.make(schema))), [])
  return normalize(root, (ref) => at(root, ref.replace(/^#\//, "").split("/")))
}

const component = (name: string) => ["components", "schemas", name]
const sessionProperty = (name: string) => [...component("GetChatSessionOutput"), "properties", name]

describe("conformance with spec/list-chat-sessions.openapi.yaml", () => {
  it.each([
    ["SessionChannel", ChatSession.SessionChannelStrict, component("SessionChannel")],
    ["GetChatSessionOutput", ChatSession.ChatSessionStrict, component("GetChatSessionOutput")],
    ["ListChatSessionsOutput", ChatSession.ListChatSessionsOutputStrict, component("ListChatSessionsOutput")],
    ["ErrorDto", ChatSession.ErrorDtoStrict, component("ErrorDto")],
    ["Contact", ChatSession.ContactStrict, sessionProperty("contact")],
    ["Team", ChatSession.TeamStrict, sessionProperty("team")],
    ["Handoff", ChatSession.HandoffStrict, sessionProperty("handoff")],
    ["TicketingSystem", ChatSession.TicketingSystemStrict, sessionProperty("ticketing_system")],
    ["SessionStatus", ChatSession.SessionStatusStrict, sessionProperty("status")],
    ["Sentiment", ChatSession.SentimentStrict, [...sessionProperty("handoff"), "properties", "sentiment"]],
    ["AiClosureType", ChatSession.AiClosureTypeStrict, [...sessionProperty("ai_closure_type"), "anyOf", "0"]],
    [
      "TicketingSystemName",
      ChatSession.TicketingSystemNameStrict,
      [...sessionProperty("ticketing_system"), "properties", "name"]
    ],
    [
      "TicketingSystemIdType",
      ChatSession.TicketingSystemIdTypeStrict,
      [...sessionProperty("ticketing_system"), "properties", "id_type"]
    ]
  ] as const)("%s: same properties, required keys, enums, nullability, patterns and formats", (_, schema, pointer) => {
    expect(fromSchema(schema)).toEqual(fromSpec(pointer))
  })

  it("the comparison sees a difference when there is one", () => {
    const drifted = Schema.Struct({ id: Schema.String, extra: Schema.NullOr(Schema.String) })
    expect(fromSchema(drifted)).not.toEqual(fromSpec(component("GetChatSessionOutput")))
  })

  // The spec sets additionalProperties: false on every object but ErrorDto.
  it.each([
    ["session", ["summary"]],
    ["channel", ["channel", "x"]],
    ["contact", ["contact", "x"]],
    ["team", ["team", "x"]],
    ["handoff", ["handoff", "x"]],
    ["ticketing_system", ["ticketing_system", "x"]]
  ] as const)("strict refuses an extra key on %s", (_, keyPath) => {
    const input = page([setPath(fullSession, keyPath, "extra")])
    expect(Either.isLeft(Schema.decodeUnknownEither(ChatSession.ListChatSessionsOutputStrict)(input))).toBe(true)
  })

  it("the query parameters are the spec's, with its enums", () => {
    const operation = at(spec, ["paths", "/chat/sessions", "get"])
    const parameters = (Array.isArray(operation.parameters) ? operation.parameters : []).filter(isNode)
    const names = parameters.map((p) => p.name)
    expect([...names].sort()).toEqual(["cursor", ...ListChatSessionsParams.filterNames].sort())
    const status = parameters.find((p) => p.name === "status")
    expect(normalize(at(status, ["schema"]), () => ({}))).toEqual(fromSchema(ChatSession.SessionStatusStrict))
    const channel = parameters.find((p) => p.name === "channel_type")
    expect(fromSpec(["components", "schemas", "SessionChannel"])).toEqual(
      normalize(at(channel, ["schema"]), (ref) => at(spec, ref.replace(/^#\//, "").split("/")))
    )
  })
})
