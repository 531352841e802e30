/**
 * The README's examples are files of this test project (so `tsc -b` type-checks
 * them) and this test runs them. Each README block is preceded by a marker
 * `<!-- example: path/from/repo/root.ts -->` and must be that file, verbatim.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Fake from "./examples/fake.js"
import * as History from "./examples/history.js"
import * as Models from "./examples/models.js"
import * as Orchestrate from "./examples/orchestrate.js"
import { TestSessions } from "@opencx-effect/core"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")
const blocks = [...readme.matchAll(/<!-- example: (\S+) -->\s*```ts\n([\s\S]*?)```/g)].map((m) => ({
  file: m[1]!,
  code: m[2]!
}))

describe("README", () => {
  it("shows examples", () => {
    expect(blocks.length).toBeGreaterThan(0)
  })

  it.each(blocks)("the block for $file is that file, verbatim", ({ code, file }) => {
    expect(code.trim()).toBe(fs.readFileSync(path.join(root, file), "utf8").trim())
  })

  it.effect("the models example runs", () =>
    Effect.gen(function*() {
      expect(yield* Models.program).toEqual({
        created: "2025-03-02T10:00:00.000Z",
        channel: "telegram",
        strictFails: true
      })
    }))

  it.effect("the history example runs: first-response times per channel, in seconds", () =>
    Effect.gen(function*() {
      const byChannel = yield* History.program
      expect(Object.keys(byChannel).length).toBeGreaterThan(2)
      for (const seconds of Object.values(byChannel)) expect(seconds).toBeGreaterThanOrEqual(0)
    }).pipe(Effect.provide(TestSessions.layerFake({ generate: { count: 400, seed: 3 } }))))

  it.effect("the orchestration example runs: create, send, read back, close", () =>
    Effect.gen(function*() {
      const result = yield* Orchestrate.program
      expect(result.transcript).toEqual([
        "contact: Where is my order?",
        "ai: Thanks for your message. Let me look into that for you.",
        "human_agent: It left our warehouse this morning."
      ])
      expect(result.status).toBe("closed_resolved")
    }).pipe(Effect.provide(TestSessions.layerFake({ generate: { count: 10 } }))))

  it.effect("the FakeOpenCx example runs", () =>
    Effect.gen(function*() {
      const result = yield* Fake.program
      expect(result.items).toBe(10)
      expect(result.failed).toBe(true)
      expect(result.statuses).toEqual([200, 503])
    }))
})
