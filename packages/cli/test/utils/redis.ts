/**
 * The Redis the CLI's tests share a rate limit through: OPENCX_TEST_REDIS_URL,
 * set by `scripts/with-redis.sh` (`npm test` runs vitest through it). Without
 * it these tests FAIL, in CI and outside: they are never skipped.
 */
import { Effect } from "effect"
import { windowCounts } from "../../../../test-utils/windows.js"

/** the URL of the test Redis; a test without one fails, saying how to run it */
export const testRedisUrl: Effect.Effect<string> = Effect.suspend(() => {
  const url = process.env.OPENCX_TEST_REDIS_URL
  return url === undefined || url === ""
    ? Effect.dieMessage(
      "OPENCX_TEST_REDIS_URL is not set: run the tests through scripts/with-redis.sh (npm test does; e.g. `scripts/with-redis.sh bash scripts/with-postgres.sh npx vitest run --project cli`)"
    )
    : Effect.succeed(url)
})

/** a port nobody listens on (a dead Redis) */
export { freePort } from "../../../../test-utils/net.js"

/**
 * The most requests that arrived within any sliding window of `windowMillis`
 * (arrival times in epoch milliseconds): what a server counting a sliding
 * window saw at its busiest.
 */
export const busiestWindow = (arrivals: ReadonlyArray<number>, windowMillis: number): number =>
  Math.max(0, ...windowCounts(arrivals, windowMillis))
