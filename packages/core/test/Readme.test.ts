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
import * as Models from "./examples/models.js"

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

  it.effect("the FakeOpenCx example runs", () =>
    Effect.gen(function*() {
      const result = yield* Fake.program
      expect(result.items).toBe(10)
      expect(result.failed).toBe(true)
      expect(result.statuses).toEqual([200, 503])
    }))
})
