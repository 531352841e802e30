/**
 * Reliability: a soak under random faults, bad input on every parameter,
 * and a decoder fuzz. (The fault matrix on a real socket is in
 * platform-node's FaultMatrix.test.ts; RELIABILITY.md lists what is covered.)
 */
import { ChatSession, FakeOpenCx, SessionsService, TestSessions } from "@opencx-effect/core"
import { assert, describe, expect, it } from "@effect/vitest"
import { Arbitrary, Cause, Chunk, DateTime, Effect, Exit, FastCheck, Schema, Stream } from "effect"
import { drive } from "./utils/drive.js"
import { containers } from "./utils/json.js"

const F = FakeOpenCx.Fault

describe("soak: 20 concurrent streams over one layer, 5% random faults, a rate limit", () => {
  const limit = 100
  const window = 60_000
  const faults = [F.status(500), F.status(502), F.status(503), F.status(504), F.status(408), F.status(429), F.status(429, {
    retryAfter: FakeOpenCx.RetryAfter.seconds(5)
  }), F.connectionReset, F.html(502), F.latency("40 seconds")]

  it.effect("every stream completes with every session exactly once; the limit is never exceeded", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.FakeOpenCx
      const service = yield* SessionsService.SessionsService
      const all = yield* fake.sessions
      // 20 walks over 10 different filters, twice each
      const filters = [
        {},
        { status: "open" as const },
        { status: "closed_resolved" as const },
        { status: "closed_unresolved" as const },
        { handed_off: true },
        { handed_off: false },
        { channel_type: "web" as const },
        { channel_type: "email" as const },
        { created_after: "2024-07-01" },
        { updated_before: "2025-06-01" }
      ]
      const walks = [...filters, ...filters].map((params) =>
        Stream.runCollect(service.stream(params)).pipe(
          Effect.map((chunk) => ({ params, ids: Chunk.toReadonlyArray(chunk).map((s) => s.id) }))
        )
      )
      const results = yield* drive(Effect.all(walks, { concurrency: "unbounded" }), { limit: 6 * 3_600_000 })
      const reference = (params: (typeof filters)[number]) => (s: ChatSession.ChatSessionStrict) => {
        const p: Record<string, unknown> = params
        const created = DateTime.toEpochMillis(s.created_at)
        const updated = DateTime.toEpochMillis(s.updated_at)
        const handed = s.handoff !== undefined || s.ai_closure_type === "handed_off"
        return (p.status === undefined || s.status === p.status) &&
          (p.handed_off === undefined || handed === p.handed_off) &&
          (p.channel_type === undefined || s.channel.type === p.channel_type) &&
          (p.created_after === undefined || created > Date.parse(`${String(p.created_after)}T00:00:00Z`)) &&
          (p.updated_before === undefined || updated < Date.parse(`${String(p.updated_before)}T00:00:00Z`))
      }
      for (const { ids, params } of results) {
        expect(ids, JSON.stringify(params)).toEqual(all.filter(reference(params)).map((s) => s.id))
      }
      const log = yield* fake.requests
      const injected = log.filter((r) => r.fault !== undefined)
      expect(injected.length).toBeGreaterThan(10) // the faults did happen
      // the fake's own limiter never answered 429: every 429 was an injected one
      const limited = log.filter((r) => r.status === 429)
      expect(limited.every((r) => r.fault === "Status")).toBe(true)
      expect(limited.length).toBeLessThanOrEqual(injected.length)
      // and no window of the limit's length ever held more than the limit
      const times = log.map((r) => r.arrivedAt).sort((a, b) => a - b)
      let end = 0
      for (let i = 0; i < times.length; i++) {
        while (end < times.length && times[end]! < times[i]! + window) end++
        expect(end - i).toBeLessThanOrEqual(limit)
      }
    }).pipe(
      Effect.provide(TestSessions.layerFake({
        generate: { count: 600, seed: 2026 },
        pageSize: 10,
        rateLimit: { limit, window },
        logLimit: 100_000,
        faults: FakeOpenCx.randomFaults({ rate: 0.05, seed: 7, faults }),
        client: { rateLimit: { limit, interval: window }, retry: { maxRetries: 6 } }
      }))
    ), 120_000)
})

describe("bad input: a typed error naming the field, before any request", () => {
  // [parameter, bad value]; passed as a user's untyped JavaScript would
  const bad: ReadonlyArray<readonly [string, unknown]> = [
    ["cursor", ""],
    ["cursor", 42],
    ["cursor", null],
    ["handed_off", "yes"],
    ["handed_off", 1],
    ["status", "archived"],
    ["status", ["open"]],
    ["channel_type", "fax"],
    ["channel_type", ""],
    ["created_after", "yesterday"],
    ["created_after", 1735689600],
    ["created_before", new Date(Number.NaN)],
    ["updated_after", "2025-13-01"],
    ["updated_before", {}],
    ["limit", 10],
    ["page", 2]
  ]

  it.effect.each(bad)("%s = %j", ([field, value]) =>
    Effect.gen(function*() {
      const service = yield* SessionsService.SessionsService
      const params = Schema.decodeUnknownSync(Schema.Object)({ [field]: value })
      for (const run of [service.list(params), Stream.runDrain(service.pages(params)), Stream.runDrain(service.stream(params))]) {
        const error = yield* Effect.flip(run)
        assert(error._tag === "InvalidParams")
        expect(error.field).toBe(field)
        expect(error.message).toContain(field)
      }
      expect(yield* Effect.flatMap(FakeOpenCx.FakeOpenCx, (fake) => fake.requests)).toHaveLength(0)
    }).pipe(Effect.provide(TestSessions.layerFake({ generate: { count: 10 } }))))

  it.effect("a reversed range names the field and both dates", () =>
    Effect.gen(function*() {
      const service = yield* SessionsService.SessionsService
      const error = yield* Effect.flip(service.list({ created_after: "2025-03-01", created_before: "2025-02-01" }))
      assert(error._tag === "InvalidParams")
      expect(error.field).toBe("created_after")
      expect(error.message).toContain("2025-03-01T00:00:00.000Z")
    }).pipe(Effect.provide(TestSessions.layerFake({ generate: { count: 10 } }))))
})

describe("decoder fuzz: never throws or dies; a Decode error or a valid page", () => {
  const encode = Schema.encodeSync(ChatSession.ListChatSessionsOutputStrict)
  const deep = (depth: number) => "[".repeat(depth) + "]".repeat(depth)

  /** a mutation of a page's text: drop, retype, add keys; truncate; huge strings; deep nesting */
  const mutate = (page: unknown, kind: number, where: number, what: number): string => {
    const json: unknown = JSON.parse(JSON.stringify(page))
    const nodes = containers(json)
    const node = nodes[where % nodes.length]!
    const keys = Object.keys(node)
    const key = keys[what % Math.max(1, keys.length)]
    const set = (value: unknown) => {
      if (key === undefined) return
      if (Array.isArray(node)) node[Number(key)] = value
      else node[key] = value
    }
    switch (kind % 8) {
      case 0:
        if (key !== undefined) {
          if (Array.isArray(node)) node.splice(Number(key), 1)
          else delete node[key]
        }
        return JSON.stringify(json)
      case 1:
        set([null, 0, "", true, {}, [], -1e308, "2024-99-99T00:00:00Z"][what % 8])
        return JSON.stringify(json)
      case 2:
        if (!Array.isArray(node)) node[`extra_${what}`] = { nested: [what, String(what)] }
        return JSON.stringify(json)
      case 3: {
        const text = JSON.stringify(json)
        return text.slice(0, what % Math.max(1, text.length))
      }
      case 4:
        set("x".repeat(1_000_000 + (what % 1000)))
        return JSON.stringify(json)
      case 5: {
        const text = JSON.stringify(json)
        return key === undefined ? text : text.replace(`"${key}":`, `"${key}":${deep(5_000 + (what % 1000))},"_${key}":`)
      }
      case 6:
        return deep(200_000)
      default:
        return ["", "null", "[]", "{}", "\"page\"", "<html></html>", "{\"items\":[],\"next\":null,}"][what % 7]!
    }
  }

  it.effect("property: through the service, every mutated page is a page or a Decode error, never a defect", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenCx.FakeOpenCx
      const service = yield* SessionsService.SessionsService
      const samples = FastCheck.sample(
        FastCheck.tuple(
          Arbitrary.make(ChatSession.ListChatSessionsOutputStrict),
          FastCheck.nat(),
          FastCheck.nat(),
          FastCheck.nat()
        ),
        { numRuns: 300, seed: 42 }
      )
      let decoded = 0
      let refused = 0
      for (const [page, kind, where, what] of samples) {
        const body = mutate(encode(page), kind, where, what)
        yield* fake.clearFaults
        yield* fake.addFaults(FakeOpenCx.when(() => true, F.body(200, body)))
        const exit = yield* Effect.exit(service.list())
        if (Exit.isSuccess(exit)) {
          decoded++
          // what the client accepted is what the tolerant Schema accepts
          expect(Schema.is(ChatSession.ListChatSessionsOutput)(exit.value)).toBe(true)
        } else {
          const failure = Cause.failureOption(exit.cause)
          assert(failure._tag === "Some", `a defect or an interruption: ${Cause.pretty(exit.cause)}`)
          expect(failure.value._tag).toBe("Decode")
          refused++
        }
      }
      expect(decoded).toBeGreaterThan(10)
      expect(refused).toBeGreaterThan(100)
    }).pipe(Effect.provide(TestSessions.layerFake({ generate: { count: 1 } }))), 120_000)
})
