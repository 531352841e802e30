/**
 * The paginator's guarantees, tested once, generically, with a page function
 * (no HTTP, no sessions).
 */
import { OpenCxError, Paginator } from "@opencx-effect/core"
import { assert, describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Ref, Scope, Stream, TestClock } from "effect"

type Page = Paginator.Page<number> & { readonly extra?: string }

/** a server of pages keyed by cursor ("" for the first), recording what it was asked */
const server = (pages: Readonly<Record<string, Page>>) =>
  Effect.map(Ref.make<ReadonlyArray<string | null>>([]), (asked) => ({
    asked: Ref.get(asked),
    walk: {
      method: "GET",
      url: "https://example.com/things",
      fetch: (cursor: string | null) =>
        Effect.zipRight(
          Ref.update(asked, (all) => [...all, cursor]),
          pages[cursor ?? ""] === undefined ? Effect.dieMessage(`no page ${cursor}`) : Effect.succeed(pages[cursor ?? ""]!)
        )
    } satisfies Paginator.Walk<Page, never, never>
  }))

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

describe("Paginator", () => {
  it.effect("lazy: nothing is fetched until pulled; one page per pull; each run afresh", () =>
    Effect.gen(function*() {
      const { asked, walk } = yield* server({ "": { items: [1, 2], next: "b" }, b: { items: [3], next: null } })
      const stream = Paginator.pages(walk)
      expect(yield* asked).toEqual([])
      const scope = yield* Scope.make()
      const pull = yield* Scope.extend(Stream.toPull(stream), scope)
      yield* pull
      expect(yield* asked).toEqual([null])
      yield* pull
      expect(yield* asked).toEqual([null, "b"])
      yield* Scope.close(scope, Exit.void)
      expect(yield* collect(Paginator.items(walk))).toEqual([1, 2, 3])
      expect(yield* asked).toEqual([null, "b", null, "b"])
    }))

  it.effect("follows empty pages; ends on next null or \"\"; keeps the page's other fields", () =>
    Effect.gen(function*() {
      const { walk } = yield* server({
        "": { items: [1], next: "b", extra: "kept" },
        b: { items: [], next: "c" },
        c: { items: [2], next: "" }
      })
      const pages = yield* collect(Paginator.pages(walk))
      expect(pages.map((p) => p.items)).toEqual([[1], [], [2]])
      expect(pages[0]!.extra).toBe("kept")
    }))

  it.effect("a loop of any period fails with CursorLoop after the looping page's items", () =>
    Effect.gen(function*() {
      const { walk } = yield* server({
        "": { items: [1], next: "a" },
        a: { items: [2], next: "b" },
        b: { items: [3], next: "c" },
        c: { items: [4], next: "a" }
      })
      const seen: Array<number> = []
      const error = yield* Effect.flip(Stream.runForEach(Paginator.items(walk), (n) => Effect.sync(() => void seen.push(n))))
      assert(error._tag === "CursorLoop")
      expect(error.cursor).toBe("a")
      expect(error.pageIndex).toBe(3)
      expect(seen).toEqual([1, 2, 3, 4])
    }))

  it.effect("a step says when its next loops, before the failure", () =>
    Effect.gen(function*() {
      const { walk } = yield* server({ "": { items: [1], next: "a" }, a: { items: [2], next: "a" } })
      const steps: Array<Paginator.Step<Page>> = []
      yield* Effect.exit(Stream.runForEach(Paginator.steps(walk), (step) => Effect.sync(() => void steps.push(step))))
      expect(steps.map((s) => [s.cursor, s.next, s.loop])).toEqual([[null, "a", false], ["a", "a", true]])
    }))

  it.effect("more empty pages in a row than maxEmptyPages fail with EmptyPages; a non-empty page resets the count", () =>
    Effect.gen(function*() {
      const pages: Record<string, Page> = {}
      for (let i = 0; i < 10; i++) pages[i === 0 ? "" : `p${i}`] = { items: i === 3 ? [3] : [], next: `p${i + 1}` }
      const { asked, walk } = yield* server(pages)
      const error = yield* Effect.flip(Stream.runDrain(Paginator.items(walk, { maxEmptyPages: 4 })))
      assert(error instanceof OpenCxError.EmptyPages)
      expect(error.pages).toBe(4)
      // 3 empty, 1 with an item, then 4 empty: 8 pages
      expect((yield* asked).length).toBe(8)
      expect(error.cursor).toBe("p8")
    }))

  it.effect("an item repeated from the previous page, or within the page, is skipped; memory is the previous page", () =>
    Effect.gen(function*() {
      const { walk } = yield* server({
        "": { items: [1, 2, 3], next: "b" },
        b: { items: [2, 3, 4, 4], next: "c" },
        c: { items: [], next: "d" },
        d: { items: [4, 5, 1], next: null }
      })
      const steps = yield* collect(Paginator.steps(walk, { key: String }))
      expect(steps.map((s) => s.page.items)).toEqual([[1, 2, 3], [4], [], [5, 1]])
      expect(steps.map((s) => s.skipped)).toEqual([0, 3, 0, 1])
      // 1 was two pages back: only the previous page is remembered
    }))

  it.effect("starts where another walk stopped, with its guards' memory", () =>
    Effect.gen(function*() {
      const { asked, walk } = yield* server({
        "": { items: [1, 2], next: "b" },
        b: { items: [2, 3], next: "c" },
        c: { items: [4], next: "b" }
      })
      const first = yield* collect(Stream.take(Paginator.steps(walk, { key: String }), 1))
      const stop = first[0]!
      const resumed = Paginator.steps(walk, {
        key: String,
        start: { cursor: stop.next, index: stop.index + 1, used: [], previousKeys: stop.keys }
      })
      const steps: Array<Paginator.Step<Page>> = []
      const error = yield* Effect.flip(Stream.runForEach(resumed, (s) => Effect.sync(() => void steps.push(s))))
      expect(steps.map((s) => [s.index, s.page.items])).toEqual([[1, [3]], [2, [4]]])
      assert(error._tag === "CursorLoop")
      expect(yield* asked).toEqual([null, "b", "c"])
    }))

  it.effect("prefetch fetches at most that many pages ahead", () =>
    Effect.gen(function*() {
      const pages: Record<string, Page> = {}
      for (let i = 0; i < 10; i++) pages[i === 0 ? "" : `p${i}`] = { items: [i], next: i === 9 ? null : `p${i + 1}` }
      const { asked, walk } = yield* server(pages)
      const scope = yield* Scope.make()
      const pull = yield* Scope.extend(Stream.toPull(Paginator.pages(walk, { prefetch: 2 })), scope)
      yield* pull
      yield* TestClock.adjust(1)
      yield* Effect.yieldNow()
      const fetched = (yield* asked).length
      expect(fetched).toBeGreaterThanOrEqual(2)
      expect(fetched).toBeLessThanOrEqual(1 + 2 + 1)
      yield* Scope.close(scope, Exit.void)
    }))

  it.effect("interrupting the consumer interrupts the fetch in flight", () =>
    Effect.gen(function*() {
      const interrupted = yield* Ref.make(false)
      const walk: Paginator.Walk<Page, never, never> = {
        method: "GET",
        url: "https://example.com/things",
        fetch: (cursor) =>
          cursor === null
            ? Effect.succeed({ items: [1], next: "slow" })
            : Effect.onInterrupt(Effect.never, () => Ref.set(interrupted, true))
      }
      const fiber = yield* Effect.fork(Stream.runDrain(Paginator.items(walk)))
      yield* TestClock.adjust(1)
      yield* Fiber.interrupt(fiber)
      expect(yield* Ref.get(interrupted)).toBe(true)
    }))
})
