/**
 * Every `opencx` line of the README's command-line examples runs, against a
 * fake server, and exits 0.
 */
import { expect, it } from "@effect/vitest"
import { NodeFakeOpenCx } from "@opencx-effect/platform-node"
import { Effect, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Cli from "./utils/cli.js"

const readme = fs.readFileSync(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../README.md"),
  "utf8"
)
const block = /<!-- example: cli -->\s*```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? ""
const lines = block.split("\n").filter((line) => line.startsWith("opencx "))

it.live("the README shows command-line examples", () => Effect.sync(() => expect(lines.length).toBeGreaterThan(3)))

it.live.each(lines)("%s", (line) =>
  Effect.gen(function*() {
    const { fake, url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opencx-readme-"))
    const args = line.split(/\s+/).slice(1)
    const result = yield* Cli.run(
      [...args, "--rate-limit", "0", "--quiet"],
      { OPENCX_API_KEY: Redacted.value(fake.apiKey), OPENCX_BASE_URL: url },
      { cwd: dir }
    )
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
  }).pipe(
    // seed 1, the embedded FakeOpenCx's: the README's lines name its first session (an id depends on the seed and the index only)
    Effect.provide(NodeFakeOpenCx.layer({ generate: { count: 300, seed: 1 }, pageSize: 50 }))
  ))
