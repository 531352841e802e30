/**
 * Deterministic generation of chat sessions: session `i` of seed `s` is a pure
 * function of `(s, i)`, so a store of a million sessions costs no memory and
 * the same seed always gives the same data.
 *
 * @internal
 */
import * as DateTime from "effect/DateTime"
import type { ChatSessionStrict, ContactStrict, KnownAiClosureType, KnownSentiment, KnownSessionChannel, KnownSessionStatus, TeamStrict, TicketingSystemStrict } from "../../ChatSession.js"

/** A small, fast PRNG (mulberry32) over a 32-bit state. */
export const prng = (seed: number): () => number => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Mixes two 32-bit integers into one (murmur3 finaliser). */
export const mix = (a: number, b: number): number => {
  let h = Math.imul((a ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ (b >>> 0) ^ Math.floor(b / 4294967296)
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, "0")

export const pick = <A>(r: number, values: ReadonlyArray<A>): A => values[Math.min(values.length - 1, Math.floor(r * values.length))]!

export const weighted = <A>(r: number, table: ReadonlyArray<readonly [A, number]>): A => {
  let total = 0
  for (const [, w] of table) total += w
  let x = r * total
  for (const [value, w] of table) {
    if (x < w) return value
    x -= w
  }
  return table[table.length - 1]![0]
}

/** A uuid (version 4 layout) from a PRNG. */
export const uuidFrom = (next: () => number): string => {
  const a = hex8(next() * 4294967296)
  const b = hex8(next() * 4294967296)
  const c = hex8(next() * 4294967296)
  const d = hex8(next() * 4294967296)
  const variant = "89ab"[Math.floor(next() * 4)]
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(0, 3)}-${c.slice(3, 8)}${d.slice(0, 7)}`
}

/** The shape of a generated store. */
export interface Generated {
  readonly count: number
  readonly seed: number
  /** epoch millis of session 0's slot */
  readonly from: number
  /** milliseconds between slots (≥ 1000) */
  readonly step: number
}

export const makeGenerated = (options: { count: number; seed: number; from: number; to: number }): Generated => {
  const count = Math.max(0, Math.floor(options.count))
  const span = Math.max(0, options.to - options.from)
  const step = Math.max(1000, count === 0 ? 1000 : Math.floor(span / count))
  return { count, seed: options.seed >>> 0, from: options.from, step }
}

const streams = {
  meta: 1,
  session: 2,
  contact: 3,
  id: 4,
  teams: 5
} as const

const rngFor = (g: Generated, stream: number, i: number) => prng(mix(mix(g.seed, stream), i))

/**
 * The id of generated session `i`: uuid-shaped (version 4 layout), seeded,
 * with the index in its last 12 hex digits so that the store finds it back.
 */
export const generatedId = (g: Generated, i: number): string => {
  const next = rngFor(g, streams.id, i)
  const a = hex8(next() * 4294967296)
  const b = hex8(next() * 4294967296)
  const c = hex8(next() * 4294967296)
  const variant = "89ab"[Math.floor(next() * 4)]
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(0, 3)}-${i.toString(16).padStart(12, "0")}`
}

/** The index of a generated id, or -1 when the id is not one of this store's. */
export const generatedIndex = (g: Generated, id: string): number => {
  if (id.length !== 36) return -1
  const i = parseInt(id.slice(24), 16)
  return Number.isFinite(i) && i >= 0 && i < g.count && generatedId(g, i) === id ? i : -1
}

/** What filters look at, cheap to compute without building the session. */
export interface Meta {
  readonly created: number
  readonly updated: number
  readonly status: KnownSessionStatus
  readonly channel: KnownSessionChannel
  readonly aiClosureType: KnownAiClosureType | null
  readonly handedOff: boolean
}

const channels: ReadonlyArray<readonly [KnownSessionChannel, number]> = [
  ["web", 34],
  ["email", 16],
  ["whatsapp", 12],
  ["api", 8],
  ["phone_voice", 7],
  ["slack", 6],
  ["sms", 5],
  ["messenger", 5],
  ["instagram", 4],
  ["web_voice", 3]
]

/** Created times are strictly increasing in `i`: slot start plus up to 90% of a slot. */
export const createdAt = (g: Generated, i: number): number =>
  g.from + i * g.step + Math.floor(rngFor(g, streams.meta, i)() * g.step * 0.9)

export const generatedMeta = (g: Generated, i: number): Meta => {
  const next = rngFor(g, streams.meta, i)
  const created = g.from + i * g.step + Math.floor(next() * g.step * 0.9)
  const status = weighted<KnownSessionStatus>(next(), [["open", 18], ["closed_resolved", 62], ["closed_unresolved", 20]])
  const channel = weighted(next(), channels)
  const closure: KnownAiClosureType | null = status === "open"
    ? null
    : weighted<KnownAiClosureType | null>(next(), [["resolved", 45], ["assumed_resolved", 25], ["handed_off", 22], [
      null,
      8
    ]])
  // handed off: closed by a hand-off, or open and already with a human (10%)
  const handedOff = closure === "handed_off" || (status === "open" && next() < 0.1)
  // updated: minutes to weeks after creation, skewed short
  const r = next()
  const updated = created + Math.floor(r * r * r * 21 * 24 * 3600 * 1000) + 1000
  return { created, updated, status, channel, aiClosureType: closure, handedOff }
}

const firstNames = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Linus", "Frances", "Ken", "Radia", "Tim"]
const lastNames = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Torvalds", "Allen", "Thompson"]
const domains = ["example.com", "example.org", "mail.test", "acme.io", "contoso.dev"]
const languages = ["en", "en", "en", "nl", "de", "fr", "es", "pt", "ar"]
const plans = ["free", "starter", "pro", "enterprise"]
const summaries = [
  "Customer asked for a refund and was passed to billing.",
  "Shipping address change needed manual verification.",
  "Bug report about the mobile app crashing on login.",
  "Enterprise plan question escalated to sales.",
  "Customer was unhappy with the AI answer and asked for a human.",
  "Order cancellation outside the automatic window."
]
const ticketing: ReadonlyArray<Pick<TicketingSystemStrict, "name" | "id_type">> = [
  { name: "zendesk", id_type: "ticket_id" },
  { name: "intercom", id_type: "conversation_id" },
  { name: "salesforce", id_type: "case_id" },
  { name: "twilio_flex", id_type: "conversation_sid" },
  { name: "hubspot", id_type: "ticket_id" },
  { name: "freshdesk", id_type: "ticket_id" }
]

/** The store's teams: five, seeded. */
export const generatedTeams = (g: Generated): ReadonlyArray<TeamStrict> => {
  const next = rngFor(g, streams.teams, 0)
  const names = ["Support", "Billing", "Sales", "Technical", "VIP"]
  return names.map((name, k) => {
    const id = uuidFrom(next)
    return k % 2 === 0 ? { id, name, description: `${name} team` } : { id, name }
  })
}

const isoAt = (millis: number): string => new Date(millis).toISOString()

const contactFor = (next: () => number, created: number): ContactStrict => {
  const first = pick(next(), firstNames)
  const last = pick(next(), lastNames)
  const verified = next() < 0.6
  const email = `${first}.${last}${Math.floor(next() * 1000)}@${pick(next(), domains)}`.toLowerCase()
  const contactCreated = created - Math.floor(next() * 400 * 24 * 3600 * 1000)
  return {
    id: uuidFrom(next),
    email: verified ? email : null,
    phone_number: next() < 0.5 ? `+3161${String(Math.floor(next() * 1e7)).padStart(7, "0")}` : null,
    name: verified ? `${first} ${last}` : next() < 0.5 ? null : first,
    custom_data: next() < 0.4 ? null : { plan: pick(next(), plans), region: pick(next(), ["eu", "us", "apac"]) },
    created_at: isoAt(contactCreated),
    updated_at: isoAt(created),
    non_verified_name: verified ? null : `${first} ${last}`,
    non_verified_email: verified ? null : email,
    non_verified_custom_data: next() < 0.5
      ? null
      : { vip: next() < 0.2, seats: Math.floor(next() * 50), source: pick(next(), ["ads", "referral", "organic"]) }
  }
}

/** Generated session `i`, fully built. */
export const generatedSession = (
  g: Generated,
  teams: ReadonlyArray<TeamStrict>,
  i: number,
  meta: Meta = generatedMeta(g, i)
): ChatSessionStrict => {
  const next = rngFor(g, streams.session, i)
  const sentiment = weighted<KnownSentiment | null>(next(), [["happy", 30], ["neutral", 30], ["angry", 12], [null, 28]])
  const session: {
    -readonly [K in keyof ChatSessionStrict]: ChatSessionStrict[K]
  } = {
    id: generatedId(g, i),
    status: meta.status,
    ai_closure_type: meta.aiClosureType,
    sentiment,
    channel: { type: meta.channel },
    ticket_number: i + 1,
    assist_mode: next() < 0.1,
    created_at: DateTime.unsafeMake(meta.created),
    updated_at: DateTime.unsafeMake(meta.updated)
  }
  if (next() < 0.85) session.contact = contactFor(rngFor(g, streams.contact, i), meta.created)
  if (next() < 0.8) session.language = pick(next(), languages)
  const assignee = next()
  if (assignee < 0.4) session.assignee_id = `agent-${1 + Math.floor(next() * 40)}`
  else if (assignee < 0.7) session.assignee_id = null
  if (next() < 0.5) {
    session.custom_data = next() < 0.5
      ? { order_id: `A-${100000 + i}`, amount: Math.round(next() * 50000) / 100, gift: next() < 0.1 }
      : { campaign: pick(next(), ["spring", "summer", "black-friday"]) }
  }
  if (next() < 0.6) session.team = pick(next(), teams)
  if (meta.handedOff) {
    const handoffSentiment = weighted<KnownSentiment | undefined>(next(), [["angry", 35], ["neutral", 40], ["happy", 10], [
      undefined,
      15
    ]])
    session.handoff = handoffSentiment === undefined
      ? { summary: pick(next(), summaries) }
      : { sentiment: handoffSentiment, summary: pick(next(), summaries) }
    if (next() < 0.7) {
      const system = pick(next(), ticketing)
      session.ticketing_system = { ...system, external_id: `${system.name.slice(0, 2).toUpperCase()}-${10000 + i}` }
    }
  }
  return session
}
