/**
 * The README's example of a key shared through Redis runs, configured from
 * the environment, against a fake on a socket and the test Redis: the
 * counts land in Redis, under the hash of the key. (It waits for the test
 * Redis to have been up for the example's one-minute window.) (That the block in the
 * README is this file, verbatim, is core's Readme test.)
 */
import { NodeFakeOpenCx } from "@opencx-effect/platform-node"
import { expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Logger, Redacted } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Shared from "./examples/shared.js"
import { admin, testRedisUrl, uptimeAtLeast } from "./utils/redis.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")

it("the README shows the example", () => {
  expect(fs.readFileSync(path.join(root, "README.md"), "utf8")).toContain("<!-- example: packages/redis/test/examples/shared.ts -->")
})

it.scopedLive("the example runs: the open sessions, counted under a limit kept in Redis", () =>
  Effect.gen(function*() {
    const { fake, url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
    const redisUrl = testRedisUrl()
    const apiKey = Redacted.value(fake.apiKey)
    const env = ConfigProvider.fromMap(new Map([
      ["OPENCX_API_KEY", apiKey],
      ["OPENCX_BASE_URL", url],
      ["OPENCX_REDIS_URL", redisUrl]
    ]))
    // A Redis that has not been up for a whole window (a minute here) admits nothing until it has: it
    // cannot know what was sent before it started. In `npm test` the type-check and the build come first.
    yield* uptimeAtLeast(redisUrl, 61)
    const open = yield* Shared.program.pipe(
      Effect.provide(Shared.MainLayer),
      Effect.withConfigProvider(env),
      Effect.provide(Logger.remove(Logger.defaultLogger))
    )
    expect(open).toBe((yield* fake.sessions).filter((s) => s.status === "open").length)
    const namespace = createHash("sha256").update(apiKey).digest("hex").slice(0, 32)
    const redis = yield* admin(redisUrl)
    const keys = yield* Effect.promise(() => redis.keys(`opencx:ratelimit:{${namespace}}:*`))
    // nothing in flight any more: only the end times of the window
    expect(keys).toEqual([`opencx:ratelimit:{${namespace}}:ended`])
  }).pipe(Effect.provide(NodeFakeOpenCx.layer({ generate: { count: 200, seed: 4 }, pageSize: 20 }))), 90_000)
