/**
 * `--redis`: two `opencx sessions export` processes at once on one key,
 * against one fake server that answers 429 past 20 requests in any sliding
 * minute, keep one limit between them through Redis: no 429, and no window
 * of the fake's request log over the limit. (Each process alone would send
 * its 12 requests at once: 24 in a minute, 4 over.)
 */
import { expect, it } from "@effect/vitest"
import * as NodeFakeOpenCx from "@opencx-effect/platform-node/NodeFakeOpenCx"
import { Effect, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Cli from "./utils/cli.js"
import { busiestWindow, testRedisUrl } from "./utils/redis.js"

const limit = 20

it.live("two exports at once through one Redis: no 429, no sliding minute over the limit", () =>
  Effect.gen(function*() {
    const redis = yield* testRedisUrl
    const { fake, url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
    const env = { OPENCX_API_KEY: Redacted.value(fake.apiKey), OPENCX_BASE_URL: url, OPENCX_REDIS_URL: redis }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opencx-cli-redis-"))
    const args = (n: number) => ["sessions", "export", "-o", path.join(dir, `${n}.ndjson`), "--rate-limit", String(limit)]
    const [one, two] = yield* Effect.all([Cli.run(args(1), env), Cli.run(args(2), env)], { concurrency: 2 })
    for (const result of [one, two]) {
      expect(result.code).toBe(0)
      // the notice names the store; the summary says the export waited for the shared limit
      expect(result.stderr).toContain(
        `opencx: the rate limit (20 requests a minute) is shared through ${redis} (OPENCX_REDIS_URL), with every process on this key`
      )
      expect(result.stderr).toMatch(/\nexported to \S+: 240 sessions in 12 pages, .*, 0 retries, /)
    }
    for (const n of [1, 2]) expect(fs.readFileSync(path.join(dir, `${n}.ndjson`), "utf8").trimEnd().split("\n")).toHaveLength(240)
    const log = yield* fake.requests
    expect(log).toHaveLength(24)
    expect(log.filter((r) => r.status !== 200)).toEqual([])
    expect(busiestWindow(log.map((r) => r.arrivedAt), 60_000)).toBeLessThanOrEqual(limit)
  }).pipe(
    Effect.provide(NodeFakeOpenCx.layer({
      generate: { count: 240, seed: 71 },
      pageSize: 20,
      rateLimit: { limit, window: "1 minute" },
      // a key of its own: its own namespace in Redis, whatever ran before on this Redis
      apiKey: `opencx-shared-${process.pid}-${Date.now()}`
    }))
  ), 240_000)
