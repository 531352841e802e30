import { SessionsService } from "@opencx-effect/core"
import { NodeOpenCx } from "@opencx-effect/platform-node"
import { RedisRateLimitStore } from "@opencx-effect/redis"
import { Effect, Layer, Stream } from "effect"

// Every process running this, on this machine or another, shares the key's
// 100 requests a minute: the client's limiter keeps its counts in Redis
// (OPENCX_REDIS_URL, e.g. redis://:password@redis.internal:6379), under a
// hash of the key. If Redis fails or is slow, a request fails with
// RateLimiterUnavailable (nothing is sent); `onStoreFailure` can choose a
// fallback to a limit of this process instead.
export const MainLayer = NodeOpenCx.layerConfig({
  rateLimit: { limit: 100, interval: "1 minute", onStoreFailure: "fail" }
}).pipe(Layer.provide(RedisRateLimitStore.layerConfig()))

export const program = SessionsService.stream({ status: "open" }).pipe(
  Stream.runCount,
  Effect.tap((open) => Effect.log(`${open} open sessions`))
)

// In each process: program.pipe(Effect.provide(MainLayer), NodeRuntime.runMain)
