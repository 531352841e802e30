/**
 * The cursor paginator: given "fetch the page after this cursor", the lazy
 * `Stream` of pages and of items of an endpoint that pages `{ items, next }`.
 * Every cursor endpoint of the client walks through it; it knows nothing of
 * sessions.
 *
 * - **Lazy**: nothing is fetched until the stream is pulled; page n+1 is
 *   fetched when page n has been consumed; each run starts afresh. An
 *   opt-in, bounded `prefetch` overlaps the next fetch with the consumer's
 *   work.
 * - **Complete**: empty pages with a `next` are followed; the walk ends when
 *   `next` is `null` (or `""`).
 * - **Guarded**: a `next` already used in the walk (a loop of any period)
 *   fails with `CursorLoop` after that page's items; more than
 *   `maxEmptyPages` empty pages in a row (1,000 by default) fail with
 *   `EmptyPages`; an item whose key appeared on the previous page (a server
 *   that pages by offset while rows shift) is skipped, counted
 *   (`metrics.duplicatesSkipped`, `Step.skipped`) and logged at Debug.
 *   Memory stays bounded: the walk keeps a fingerprint per cursor used and
 *   the previous page's keys, never the items.
 * - **Resumable**: a walk can start where another stopped (`start`), with
 *   what its guards need (the fingerprints of the cursors used, the previous
 *   page's keys), which each `Step` reports.
 * - **Interruptible**: interrupting the consumer interrupts the fetch in
 *   flight.
 *
 * Retries belong to the fetch (one request), never to the stream, which
 * would start again from page one.
 *
 * @example
 * ```ts
 * import { Paginator } from "@opencx-effect/core"
 * import { Effect, Stream } from "effect"
 *
 * // three pages of numbers, the second one empty
 * const pages: Record<string, Paginator.Page<number>> = {
 *   start: { items: [1, 2], next: "b" },
 *   b: { items: [], next: "c" },
 *   c: { items: [3], next: null }
 * }
 * const all = Paginator.items(
 *   { method: "GET", url: "https://example.com/numbers", fetch: (cursor) => Effect.succeed(pages[cursor ?? "start"]!) },
 *   { key: String }
 * ).pipe(Stream.runCollect) // 1, 2, 3
 * ```
 *
 * @since 0.2.0
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { keyedHash } from "./internal/hash.js"
import { CursorLoop, EmptyPages } from "./OpenCxError.js"

/**
 * A page of a cursor endpoint: its items, and the cursor of the next page
 * (`null`, or `""`, on the last one). Pages may carry more fields.
 *
 * @since 0.2.0
 * @category models
 */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly next: string | null
}

/**
 * The endpoint to walk.
 *
 * @since 0.2.0
 * @category models
 */
export interface Walk<P extends Page<unknown>, E, R> {
  /** fetches the page after `cursor` (`null`: the first page); `index` counts pages from 0 */
  readonly fetch: (cursor: string | null, index: number) => Effect.Effect<P, E, R>
  /** what the guards' errors name */
  readonly method: string
  readonly url: string
}

/**
 * Where a walk starts: by default the first page of a fresh walk; or where
 * another walk stopped, with what its guards need (from its last `Step`).
 *
 * @since 0.2.0
 * @category models
 */
export interface Start {
  /** the cursor of the first page to fetch (`null`: the first page of the endpoint) */
  readonly cursor: string | null
  /** the index of that page (default 0) */
  readonly index?: number | undefined
  /** the fingerprints (`fingerprint`) of the cursors already used by the walk */
  readonly used?: Iterable<string> | undefined
  /** the keys of the items of the walk's last non-empty page */
  readonly previousKeys?: Iterable<string> | undefined
  /** how many empty pages came last, in a row */
  readonly emptyPages?: number | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Options<A> {
  /**
   * an item's identity, for the adjacent-duplicate guard (none: no such
   * guard; `undefined` for an item: that item is never a duplicate)
   */
  readonly key?: ((item: A) => string | undefined) | undefined
  /** how many empty pages in a row end the walk with `EmptyPages`; default 1,000 */
  readonly maxEmptyPages?: number | undefined
  /** how many pages to fetch ahead of the consumer (default 0: fully lazy) */
  readonly prefetch?: number | undefined
  /** where to start (default: the first page) */
  readonly start?: Start | undefined
}

/**
 * A page, and where the walk stands after it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Step<P> {
  /** the page, without the items skipped as duplicates */
  readonly page: P
  /** the page's index, from 0 */
  readonly index: number
  /** the cursor the page was fetched with (`null` for the endpoint's first page) */
  readonly cursor: string | null
  /** the fingerprint of `cursor` (`null` with it) */
  readonly fingerprint: string | null
  /** the cursor of the next page; `null` when the walk ends here */
  readonly next: string | null
  /** `next` was already used: the walk fails with `CursorLoop` after this page */
  readonly loop: boolean
  /** items skipped because their key was on the previous page (or earlier on this one) */
  readonly skipped: number
  /** the keys of the page's items as they came (those `key` gives; empty without a `key`) */
  readonly keys: ReadonlyArray<string>
  /** empty pages in a row, this one included */
  readonly emptyPages: number
}

/**
 * @since 0.2.0
 * @category constants
 */
export const defaults = {
  maxEmptyPages: 1_000,
  prefetch: 0
} as const

/**
 * Counters of the guards (Effect metrics).
 *
 * @since 0.2.0
 * @category metrics
 */
export const metrics = {
  /** items skipped because they repeated an item of the previous page */
  duplicatesSkipped: Metric.counter("opencx_duplicates_skipped_total", {
    description: "items skipped because the previous page already had them"
  })
} as const

/**
 * A cursor's fingerprint: what a walk remembers of the cursors it used (a
 * short hash, so that a checkpoint can carry them all).
 *
 * @since 0.2.0
 * @category utils
 */
export const fingerprint = (cursor: string): string => keyedHash("opencx-cursor", cursor)

interface State {
  readonly cursor: string | null
  /** the fingerprint of `cursor` (`null` with it) */
  readonly fingerprint: string | null
  readonly index: number
  readonly previousKeys: ReadonlySet<string>
  readonly emptyPages: number
  readonly failure: CursorLoop | EmptyPages | undefined
}

const normalize = (next: string | null): string | null => (next === null || next === "" ? null : next)

/**
 * The walk, step by step: each page with where the walk stands after it.
 *
 * @since 0.2.0
 * @category streams
 */
export const steps = <P extends Page<unknown>, E, R>(
  walk: Walk<P, E, R>,
  options: Options<P["items"][number]> = {}
): Stream.Stream<Step<P>, E | CursorLoop | EmptyPages, R> =>
  Stream.suspend(() => {
    const key = options.key
    const maxEmptyPages = Math.max(1, Math.floor(options.maxEmptyPages ?? defaults.maxEmptyPages))
    const start = options.start
    const startCursor = normalize(start?.cursor ?? null)
    const startFingerprint = startCursor === null ? null : fingerprint(startCursor)
    // the fingerprints of the cursors this run of the walk used (one run at a time: pages are fetched in order)
    const used = new Set(start?.used ?? [])
    const startIndex = start?.index ?? 0
    const initial: State = {
      cursor: startCursor,
      fingerprint: startFingerprint,
      index: startIndex,
      previousKeys: new Set(start?.previousKeys ?? []),
      emptyPages: start?.emptyPages ?? 0,
      // resuming at a cursor the walk already used: the loop was detected before the stop
      failure: startFingerprint !== null && used.has(startFingerprint)
        ? new CursorLoop({ method: walk.method, url: walk.url, cursor: startCursor!, pageIndex: Math.max(0, startIndex - 1) })
        : undefined
    }

    const step = (state: State): Effect.Effect<
      readonly [Step<P>, Option.Option<State>],
      E | CursorLoop | EmptyPages,
      R
    > =>
      state.failure !== undefined ? Effect.fail(state.failure) : Effect.flatMap(
        walk.fetch(state.cursor, state.index),
        (received) => {
          const next = normalize(received.next)
          const fp = state.fingerprint
          if (fp !== null) used.add(fp)
          // the adjacent-duplicate guard: an item whose key was on the previous page, or earlier on this one
          let page = received
          let keys: ReadonlyArray<string> = []
          let pageKeys: ReadonlySet<string> = state.previousKeys
          let skipped = 0
          if (key !== undefined && received.items.length > 0) {
            const items = received.items
            const previous = state.previousKeys
            const seen = new Set<string>()
            const found: Array<string> = []
            // the items kept, once the first one is skipped
            let kept: Array<P["items"][number]> | undefined = undefined
            for (let i = 0; i < items.length; i++) {
              const item = items[i]
              const k = key(item)
              const duplicate = k !== undefined && (previous.has(k) || seen.has(k))
              if (k !== undefined) {
                found.push(k)
                seen.add(k)
              }
              if (duplicate) {
                skipped++
                kept ??= items.slice(0, i)
              } else if (kept !== undefined) {
                kept.push(item)
              }
            }
            keys = found
            if (found.length > 0) pageKeys = seen
            if (kept !== undefined) page = { ...received, items: kept }
          }
          const emptyPages = received.items.length === 0 ? state.emptyPages + 1 : 0
          const nextFingerprint = next === null ? null : fingerprint(next)
          const loop = nextFingerprint !== null && used.has(nextFingerprint)
          const result: Step<P> = { page, index: state.index, cursor: state.cursor, fingerprint: fp, next, loop, skipped, keys, emptyPages }
          const after = next === null ? Option.none<State>() : Option.some<State>({
            cursor: next,
            fingerprint: nextFingerprint,
            index: state.index + 1,
            previousKeys: pageKeys,
            emptyPages,
            failure: loop
              ? new CursorLoop({ method: walk.method, url: walk.url, cursor: next, pageIndex: state.index })
              : emptyPages >= maxEmptyPages
              ? new EmptyPages({ method: walk.method, url: walk.url, cursor: next, pages: emptyPages, pageIndex: state.index })
              : undefined
          })
          if (skipped === 0) return Effect.succeed([result, after] as const)
          return Effect.as(
            Effect.zipRight(
              Metric.incrementBy(metrics.duplicatesSkipped, skipped),
              Effect.logDebug(
                `OpenCX ${walk.method} ${walk.url}: page ${state.index} repeated ${skipped} item(s) of the previous page; skipped`
              )
            ),
            [result, after] as const
          )
        }
      )

    const stream = Stream.paginateEffect(initial, step)
    const prefetch = Math.max(0, Math.floor(options.prefetch ?? defaults.prefetch))
    return prefetch > 0 ? Stream.buffer(stream, { capacity: prefetch }) : stream
  })

/**
 * Every page of the walk.
 *
 * @since 0.2.0
 * @category streams
 */
export const pages = <P extends Page<unknown>, E, R>(
  walk: Walk<P, E, R>,
  options?: Options<P["items"][number]>
): Stream.Stream<P, E | CursorLoop | EmptyPages, R> => Stream.map(steps(walk, options), (s) => s.page)

/**
 * Every item of the walk's pages, in order.
 *
 * @since 0.2.0
 * @category streams
 */
export const items = <P extends Page<unknown>, E, R>(
  walk: Walk<P, E, R>,
  options?: Options<P["items"][number]>
): Stream.Stream<P["items"][number], E | CursorLoop | EmptyPages, R> =>
  Stream.mapConcatChunk(pages(walk, options), (page) => Chunk.unsafeFromArray(page.items))
