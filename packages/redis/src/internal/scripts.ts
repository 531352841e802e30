/**
 * The Lua scripts of the Redis store: each operation is one script, run
 * atomically by Redis, with the time read from Redis itself (`TIME`), so
 * that the clocks of the machines sharing the store never enter the window.
 *
 * They reproduce `RateLimitStore.memory` exactly (see its source): a
 * namespace holds the requests in flight (a sorted set, lease → start) and
 * the end times of the requests that ended in the window (a sorted set,
 * lease → end); a request is admitted only when in flight + ended in the
 * window < limit; a lease that ran out counts as ended at start + lease; a
 * pause blocks every caller of the namespace.
 *
 * One addition, for what memory cannot lose: Redis can (a restart with
 * persistence off, or one that reloads a snapshot older than the window).
 * The store admits nothing before it has seen a whole window: the moment
 * from which this Redis has recorded every request of the namespace is the
 * server's start, read on every acquire from `INFO server`'s
 * `uptime_in_seconds` (about 40 µs); when `INFO` is refused to the script's
 * user, the moment the namespace was first seen (`firstSeen` in the meta
 * key, which a reloaded snapshot brings back: not covered then). No request
 * is admitted before that moment + window. On a server up for longer than a
 * window, that costs nothing.
 *
 * Every key is written with an expiry extended (never shortened) to cover
 * what it holds: the requests in flight, their lease and then a window;
 * the ended requests, a window; the metadata (the pause, `firstSeen`), the
 * pause or a lease and a window. An idle namespace disappears.
 *
 * @internal
 */
import { createHash } from "node:crypto"

/** a script and its SHA-1, for `EVALSHA` */
export interface Script {
  readonly source: string
  readonly sha: string
}

const script = (source: string): Script => ({ source, sha: createHash("sha1").update(source).digest("hex") })

/** extra life of every key, beyond what it must hold (TIME's granularity, slow replies) */
export const marginMillis = 1_000

const prelude = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local margin = ${marginMillis}
-- extends a key's expiry to at least ms (never shortens it)
local function extend(key, ms)
  local ttl = redis.call('PTTL', key)
  if ttl ~= -2 and ttl < ms then redis.call('PEXPIRE', key, ms) end
end
`

/**
 * KEYS: inflight, ended, meta. ARGV: limit, windowMillis, leaseMillis,
 * lease, pollMillis. Returns {1, 0} (admitted under the lease) or
 * {0, millis} (wait).
 */
export const acquire = script(`${prelude}
local inflight, ended, meta = KEYS[1], KEYS[2], KEYS[3]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local leaseMillis = tonumber(ARGV[3])
local poll = tonumber(ARGV[5])

-- since when this Redis has seen every request of the namespace: since it
-- started (a restart may have lost the last window, even one that reloads a
-- snapshot); when INFO is refused to the script's user, since the namespace
-- was first seen
local trusted = nil
local info = redis.pcall('INFO', 'server')
if type(info) == 'string' then
  local uptime = tonumber(string.match(info, 'uptime_in_seconds:(%d+)'))
  -- whole seconds: now - uptime is the latest the server can have started
  if uptime then trusted = now - uptime * 1000 end
end
if not trusted then
  trusted = tonumber(redis.call('HGET', meta, 'firstSeen'))
  if not trusted then
    trusted = now
    redis.call('HSET', meta, 'firstSeen', now)
  end
  extend(meta, leaseMillis + window + margin)
end

local paused = tonumber(redis.call('HGET', meta, 'pausedUntil')) or 0
local blocked = math.max(paused, trusted + window)
if blocked > now then return {0, blocked - now} end

-- leases that ran out count as ended when they ran out
local expired = redis.call('ZRANGEBYSCORE', inflight, '-inf', now - leaseMillis, 'WITHSCORES')
for i = 1, #expired, 2 do
  redis.call('ZADD', ended, tonumber(expired[i + 1]) + leaseMillis, expired[i])
end
if #expired > 0 then redis.call('ZREMRANGEBYSCORE', inflight, '-inf', now - leaseMillis) end
redis.call('ZREMRANGEBYSCORE', ended, '-inf', now - window)
extend(ended, window + margin)

if redis.call('ZCARD', inflight) + redis.call('ZCARD', ended) < limit then
  redis.call('ZADD', inflight, now, ARGV[4])
  extend(inflight, leaseMillis + window + margin)
  return {1, 0}
end
-- the oldest end leaves the window; or, with every slot in flight, look again soon
local oldest = redis.call('ZRANGE', ended, 0, 0, 'WITHSCORES')
local wait = poll
if #oldest > 0 then wait = tonumber(oldest[2]) + window - now end
return {0, math.max(1, wait)}
`)

/**
 * KEYS: inflight, ended. ARGV: lease, windowMillis. The request of the lease
 * ended now (a lease already counted as ended is left as it is).
 */
export const release = script(`${prelude}
local inflight, ended = KEYS[1], KEYS[2]
if redis.call('ZREM', inflight, ARGV[1]) == 1 then
  redis.call('ZADD', ended, now, ARGV[1])
  extend(ended, tonumber(ARGV[2]) + margin)
end
return 1
`)

/** KEYS: meta. ARGV: millis. No request of the namespace starts before now + millis. */
export const pause = script(`${prelude}
local meta = KEYS[1]
local paused = tonumber(redis.call('HGET', meta, 'pausedUntil')) or 0
local untilMillis = math.max(paused, now + tonumber(ARGV[1]))
redis.call('HSET', meta, 'pausedUntil', untilMillis)
extend(meta, untilMillis - now + margin)
return 1
`)
