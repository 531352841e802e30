/**
 * The FakeOpenCx store: generated sessions (virtual, by index) plus explicit
 * ones, in one order: `created_at` ascending, then `id` ascending. Paging is
 * keyset paging on that order, so a session is served exactly once per walk
 * even when sessions are added or updated between pages.
 *
 * The store is an immutable value; FakeOpenCx keeps it in a `Ref`.
 *
 * @internal
 */
import * as DateTime from "effect/DateTime"
import type { ChatSessionStrict, TeamStrict } from "../../ChatSession.js"
import {
  createdAt,
  type Generated,
  generatedId,
  generatedIndex,
  generatedMeta,
  generatedSession,
  generatedTeams,
  type Meta
} from "./data.js"

export interface Key {
  readonly created: number
  readonly id: string
}

export const compareKey = (a: Key, b: Key): number =>
  a.created < b.created ? -1 : a.created > b.created ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0

/** A session given explicitly, with what the filters look at. */
interface Explicit {
  readonly key: Key
  readonly session: ChatSessionStrict
  readonly meta: FilterFacts
}

type FilterFacts = Pick<Meta, "created" | "updated" | "handedOff"> & {
  readonly status: string
  readonly channel: string
}

export interface Store {
  readonly generated: Generated | undefined
  readonly teams: ReadonlyArray<TeamStrict>
  /** generated index → its replacement (same created_at), or `null` when removed or moved */
  readonly overlay: ReadonlyMap<number, Explicit | null>
  /** explicit sessions, sorted by key */
  readonly extras: ReadonlyArray<Explicit>
}

/**
 * A session is handed off when it has a `handoff` or the AI closed it with
 * `ai_closure_type: "handed_off"`.
 */
export const isHandedOff = (session: Pick<ChatSessionStrict, "handoff" | "ai_closure_type">): boolean =>
  session.handoff !== undefined || session.ai_closure_type === "handed_off"

const explicit = (session: ChatSessionStrict): Explicit => {
  const created = DateTime.toEpochMillis(session.created_at)
  return {
    key: { created, id: session.id },
    session,
    meta: {
      created,
      updated: DateTime.toEpochMillis(session.updated_at),
      status: session.status,
      channel: session.channel.type,
      handedOff: isHandedOff(session)
    }
  }
}

const searchExtras = (extras: ReadonlyArray<Explicit>, after: Key): number => {
  let lo = 0
  let hi = extras.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compareKey(extras[mid]!.key, after) <= 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

const insertSorted = (extras: ReadonlyArray<Explicit>, entry: Explicit): ReadonlyArray<Explicit> => {
  const at = searchExtras(extras, entry.key)
  return [...extras.slice(0, at), entry, ...extras.slice(at)]
}

export const make = (options: {
  readonly generated: Generated | undefined
  readonly sessions: Iterable<ChatSessionStrict>
}): Store => {
  const byId = new Map<string, Explicit>()
  for (const session of options.sessions) byId.set(session.id, explicit(session))
  const extras = [...byId.values()].sort((a, b) => compareKey(a.key, b.key))
  return {
    generated: options.generated,
    teams: options.generated === undefined ? [] : generatedTeams(options.generated),
    overlay: new Map(),
    extras
  }
}

/** Inserts or replaces a session (matched by id). */
export const upsert = (store: Store, session: ChatSessionStrict): Store => {
  const entry = explicit(session)
  const removed = remove(store, session.id)
  const g = removed.generated
  const index = g === undefined ? -1 : generatedIndex(g, session.id)
  if (g !== undefined && index >= 0 && createdAt(g, index) === entry.key.created) {
    const overlay = new Map(removed.overlay)
    overlay.set(index, entry)
    return { ...removed, overlay }
  }
  return { ...removed, extras: insertSorted(removed.extras, entry) }
}

/** Removes a session by id; a no-op when there is none. */
export const remove = (store: Store, id: string): Store => {
  const g = store.generated
  const index = g === undefined ? -1 : generatedIndex(g, id)
  if (index >= 0 && store.overlay.get(index) !== null) {
    const overlay = new Map(store.overlay)
    overlay.set(index, null)
    return { ...store, overlay }
  }
  const at = store.extras.findIndex((e) => e.key.id === id)
  return at < 0 ? store : { ...store, extras: [...store.extras.slice(0, at), ...store.extras.slice(at + 1)] }
}

/** Finds a session by id. */
export const get = (store: Store, id: string): ChatSessionStrict | undefined => {
  const g = store.generated
  const index = g === undefined ? -1 : generatedIndex(g, id)
  if (g !== undefined && index >= 0) {
    const over = store.overlay.get(index)
    if (over === null) return store.extras.find((e) => e.key.id === id)?.session
    return over === undefined ? generatedSession(g, store.teams, index) : over.session
  }
  return store.extras.find((e) => e.key.id === id)?.session
}

export const size = (store: Store): number => {
  let removed = 0
  for (const value of store.overlay.values()) if (value === null) removed++
  return (store.generated?.count ?? 0) - removed + store.extras.length
}

export interface Filter {
  readonly status?: string | undefined
  readonly channel?: string | undefined
  readonly handedOff?: boolean | undefined
  /** exclusive bounds, epoch millis */
  readonly createdAfter?: number | undefined
  readonly createdBefore?: number | undefined
  readonly updatedAfter?: number | undefined
  readonly updatedBefore?: number | undefined
}

const matches = (filter: Filter, facts: FilterFacts): boolean =>
  (filter.status === undefined || facts.status === filter.status) &&
  (filter.channel === undefined || facts.channel === filter.channel) &&
  (filter.handedOff === undefined || facts.handedOff === filter.handedOff) &&
  (filter.createdAfter === undefined || facts.created > filter.createdAfter) &&
  (filter.createdBefore === undefined || facts.created < filter.createdBefore) &&
  (filter.updatedAfter === undefined || facts.updated > filter.updatedAfter) &&
  (filter.updatedBefore === undefined || facts.updated < filter.updatedBefore)

/** The first generated index whose key is after `after`. */
const searchGenerated = (g: Generated, after: Key): number => {
  let lo = 0
  let hi = g.count
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2)
    const created = createdAt(g, mid)
    const le = created < after.created || (created === after.created && generatedId(g, mid) <= after.id)
    if (le) lo = mid + 1
    else hi = mid
  }
  return lo
}

const startKey = (after: Key | undefined, filter: Filter): Key | undefined => {
  if (filter.createdAfter === undefined) return after
  // created > createdAfter: start after every key at createdAfter
  const bound: Key = { created: filter.createdAfter, id: "\uffff" }
  return after === undefined || compareKey(bound, after) > 0 ? bound : after
}

export interface Page {
  readonly items: ReadonlyArray<ChatSessionStrict>
  /** the key of the last item, when more items follow */
  readonly next: Key | undefined
}

/**
 * Up to `size` sessions matching `filter` whose key is after `after` (or from
 * the start), in order.
 */
export const page = (store: Store, after: Key | undefined, filter: Filter, size: number): Page => {
  const g = store.generated
  const start = startKey(after, filter)
  let gi = g === undefined ? 0 : start === undefined ? 0 : searchGenerated(g, start)
  let ei = start === undefined ? 0 : searchExtras(store.extras, start)
  const gEnd = g?.count ?? 0
  const items: Array<ChatSessionStrict> = []
  let lastKey: Key | undefined
  let more = false
  let genMeta: Meta | undefined
  let genKey: Key | undefined
  while (true) {
    // the next generated candidate (skipping removed ones)
    if (g !== undefined && genKey === undefined) {
      while (gi < gEnd && store.overlay.get(gi) === null) gi++
      if (gi < gEnd) {
        const over = store.overlay.get(gi)
        genMeta = over === undefined || over === null ? generatedMeta(g, gi) : undefined
        genKey = over === undefined || over === null ? { created: genMeta!.created, id: generatedId(g, gi) } : over.key
      }
    }
    const extra = store.extras[ei]
    if (genKey === undefined && extra === undefined) break
    const takeGenerated = genKey !== undefined && (extra === undefined || compareKey(genKey, extra.key) < 0)
    const key = takeGenerated ? genKey! : extra!.key
    if (filter.createdBefore !== undefined && key.created >= filter.createdBefore) break
    let facts: FilterFacts
    let build: () => ChatSessionStrict
    if (takeGenerated) {
      const over = store.overlay.get(gi)
      const index = gi
      if (over === undefined || over === null) {
        const meta = genMeta!
        facts = meta
        build = () => generatedSession(g!, store.teams, index, meta)
      } else {
        facts = over.meta
        build = () => over.session
      }
      gi++
      genKey = undefined
      genMeta = undefined
    } else {
      facts = extra!.meta
      build = () => extra!.session
      ei++
    }
    if (!matches(filter, facts)) continue
    if (items.length === size) {
      more = true
      break
    }
    items.push(build())
    lastKey = key
  }
  return { items, next: more ? lastKey : undefined }
}

/** Every session, in order. */
export const all = (store: Store): ReadonlyArray<ChatSessionStrict> => {
  const out: Array<ChatSessionStrict> = []
  let after: Key | undefined
  while (true) {
    const p = page(store, after, {}, 1000)
    out.push(...p.items)
    if (p.next === undefined) return out
    after = p.next
  }
}
