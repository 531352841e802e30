/**
 * @opencx-effect/redis: a Redis store for the client's rate limiter, so that
 * several processes (and machines) on one API key share one limit.
 *
 * @since 0.2.0
 */

/**
 * The `RateLimitStore` in Redis: `make`, `layer`, `layerConfig`
 * (`OPENCX_REDIS_URL`).
 *
 * @since 0.2.0
 */
export * as RedisRateLimitStore from "./RedisRateLimitStore.js"
