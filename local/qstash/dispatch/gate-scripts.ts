/**
 * Lua scripts behind the dispatch gate. Each runs atomically in Redis, so several server processes
 * sharing one Redis respect the same parallelism and rate limits. Times are epoch milliseconds passed
 * in by the caller (never Redis' own clock), so tests can drive them through `ServerContext.now()`.
 *
 * Flow-control HASH fields: createdAt, paused ("0"/"1"), parallelismMax (0 = unlimited),
 * rateMax (0 = unlimited), ratePeriod (seconds), rateCount, ratePeriodStart (ms),
 * pinnedParallelism and pinnedRate ("0"/"1").
 */
import { defineLuaScript } from "./lua-script.js";

/** Denial reasons returned by the acquire script, for logs. */
export const DENIAL_REASONS: Record<number, string> = {
  1: "global parallelism limit reached",
  2: "queue paused",
  3: "queue parallelism limit reached",
  4: "flow-control key paused",
  5: "flow-control parallelism limit reached",
  6: "flow-control rate limit reached",
  7: "older message waiting in the queue",
  8: "older message waiting for the flow-control key",
};

/**
 * Creates the flow-control HASH if missing and copies the message's settings into every field that
 * is not pinned. Arguments: config key, index key, flow-control key, parallelism, rate, period
 * (seconds), now (ms). A 0 for parallelism or rate means unlimited.
 */
const CONFIGURE_FLOW_CONTROL = `
local function configureFlowControl(configKey, indexKey, name, parallelism, rate, period, now)
  if redis.call('EXISTS', configKey) == 0 then
    redis.call('HSET', configKey, 'createdAt', now, 'paused', '0', 'pinnedParallelism', '0',
      'pinnedRate', '0', 'rateCount', 0, 'ratePeriodStart', now, 'parallelismMax', 0, 'rateMax', 0,
      'ratePeriod', period)
    redis.call('ZADD', indexKey, 'NX', now, name)
  end
  if redis.call('HGET', configKey, 'pinnedParallelism') ~= '1' then
    redis.call('HSET', configKey, 'parallelismMax', parallelism)
  end
  if redis.call('HGET', configKey, 'pinnedRate') ~= '1' then
    redis.call('HSET', configKey, 'rateMax', rate, 'ratePeriod', period)
  end
end
`;

/**
 * Records an accepted message in its lanes (queue and/or flow-control key) and auto-creates the queue
 * with parallelism 1 when it does not exist.
 *
 * KEYS: sequence, queue config, queue pending, queue index, fc config, fc pending, fc index.
 * ARGV: message id, now, has queue ("1"/"0"), has fc, queue name, fc key, parallelism, rate, period.
 */
export const acceptScript = defineLuaScript(`${CONFIGURE_FLOW_CONTROL}
local id = ARGV[1]
local now = tonumber(ARGV[2])
local sequence = redis.call('INCR', KEYS[1])
if ARGV[3] == '1' then
  if redis.call('EXISTS', KEYS[2]) == 0 then
    redis.call('HSET', KEYS[2], 'parallelism', 1, 'paused', '0', 'createdAt', now, 'updatedAt', now)
    redis.call('ZADD', KEYS[4], 'NX', now, ARGV[5])
  end
  redis.call('ZADD', KEYS[3], 'NX', sequence, id)
end
if ARGV[4] == '1' then
  configureFlowControl(KEYS[5], KEYS[7], ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), now)
  redis.call('ZADD', KEYS[6], 'NX', sequence, id)
end
return 1
`);

/**
 * Grants a delivery slot or returns when to try again.
 *
 * A lane (queue or flow-control key) grants a message when it is not paused, has a free parallelism
 * slot and has rate budget left in the current window. It also needs fewer messages waiting ahead of
 * it than the lane has free capacity. A message waits ahead when it was accepted earlier, was turned
 * away, and is expected back within the grace period.
 * Expired leases are dropped first, so a crashed holder frees its slot after its lease.
 *
 * KEYS: sequence, global in-flight, queue config, queue pending, queue in-flight, queue waiting,
 *       fc config, fc pending, fc in-flight, fc waiting, fc index.
 * ARGV: message id, now, lease ms, has queue, has fc, fc parallelism, fc rate, fc period (s),
 *       retry ms, waiting grace ms, global max (0 = unlimited), max waiting entries scanned, fc key.
 * Returns {1} when granted, {0, retryAt, reason} when denied (reason: see DENIAL_REASONS).
 */
export const acquireScript = defineLuaScript(`${CONFIGURE_FLOW_CONTROL}
local id = ARGV[1]
local now = tonumber(ARGV[2])
local leaseUntil = now + tonumber(ARGV[3])
local hasQueue = ARGV[4] == '1'
local hasFlowControl = ARGV[5] == '1'
local retryAt = now + tonumber(ARGV[9])
local graceStart = now - tonumber(ARGV[10])
local globalMax = tonumber(ARGV[11])
local scanLimit = tonumber(ARGV[12])

redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)

-- A repeated acquire by a message that still holds its lease renews the lease.
if redis.call('ZSCORE', KEYS[2], id) then
  redis.call('ZADD', KEYS[2], leaseUntil, id)
  if hasQueue then redis.call('ZADD', KEYS[5], leaseUntil, id) end
  if hasFlowControl then redis.call('ZADD', KEYS[9], leaseUntil, id) end
  return {1}
end

local function enterLane(pendingKey, inFlightKey, waitingKey)
  redis.call('ZREMRANGEBYSCORE', inFlightKey, '-inf', now)
  redis.call('ZREMRANGEBYSCORE', waitingKey, '-inf', '(' .. graceStart)
  if not redis.call('ZSCORE', pendingKey, id) then
    redis.call('ZADD', pendingKey, redis.call('INCR', KEYS[1]), id)
  end
end

-- Counts messages accepted before this one that wait for the same lane, stopping at limit.
local function countWaitingAhead(pendingKey, inFlightKey, waitingKey, limit)
  local rank = redis.call('ZRANK', pendingKey, id)
  local scanned = math.min(rank, scanLimit)
  if scanned == 0 then return 0 end
  local ahead = 0
  for _, member in ipairs(redis.call('ZRANGE', pendingKey, 0, scanned - 1)) do
    if not redis.call('ZSCORE', inFlightKey, member) then
      local expectedBack = redis.call('ZSCORE', waitingKey, member)
      if expectedBack and tonumber(expectedBack) >= graceStart then
        ahead = ahead + 1
        if ahead >= limit then return ahead end
      end
    end
  end
  return ahead
end

local function deny(at, reason)
  if hasQueue then redis.call('ZADD', KEYS[6], at, id) end
  if hasFlowControl then redis.call('ZADD', KEYS[10], at, id) end
  return {0, at, reason}
end

if hasQueue then enterLane(KEYS[4], KEYS[5], KEYS[6]) end
if hasFlowControl then
  if redis.call('EXISTS', KEYS[7]) == 0 then
    configureFlowControl(KEYS[7], KEYS[11], ARGV[13], tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), now)
  end
  enterLane(KEYS[8], KEYS[9], KEYS[10])
end

if globalMax > 0 and redis.call('ZCARD', KEYS[2]) >= globalMax then return deny(retryAt, 1) end

if hasQueue then
  if redis.call('HGET', KEYS[3], 'paused') == '1' then return deny(retryAt, 2) end
  local free = tonumber(redis.call('HGET', KEYS[3], 'parallelism') or '1') - redis.call('ZCARD', KEYS[5])
  if free <= 0 then return deny(retryAt, 3) end
  if countWaitingAhead(KEYS[4], KEYS[5], KEYS[6], free) >= free then return deny(retryAt, 7) end
end

local rateMax = 0
local windowStart = 0
local rateCount = 0
if hasFlowControl then
  if redis.call('HGET', KEYS[7], 'paused') == '1' then return deny(retryAt, 4) end
  local capacity = nil
  local parallelismMax = tonumber(redis.call('HGET', KEYS[7], 'parallelismMax') or '0')
  if parallelismMax > 0 then
    capacity = parallelismMax - redis.call('ZCARD', KEYS[9])
    if capacity <= 0 then return deny(retryAt, 5) end
  end
  rateMax = tonumber(redis.call('HGET', KEYS[7], 'rateMax') or '0')
  if rateMax > 0 then
    local periodMs = tonumber(redis.call('HGET', KEYS[7], 'ratePeriod') or '1') * 1000
    windowStart = tonumber(redis.call('HGET', KEYS[7], 'ratePeriodStart') or '0')
    rateCount = tonumber(redis.call('HGET', KEYS[7], 'rateCount') or '0')
    if now >= windowStart + periodMs then
      windowStart = now
      rateCount = 0
    end
    local remaining = rateMax - rateCount
    if remaining <= 0 then return deny(windowStart + periodMs, 6) end
    if capacity == nil or remaining < capacity then capacity = remaining end
  end
  if capacity ~= nil and countWaitingAhead(KEYS[8], KEYS[9], KEYS[10], capacity) >= capacity then
    return deny(retryAt, 8)
  end
end

redis.call('ZADD', KEYS[2], leaseUntil, id)
if hasQueue then
  redis.call('ZADD', KEYS[5], leaseUntil, id)
  redis.call('ZREM', KEYS[6], id)
end
if hasFlowControl then
  redis.call('ZADD', KEYS[9], leaseUntil, id)
  redis.call('ZREM', KEYS[10], id)
  if rateMax > 0 then
    redis.call('HSET', KEYS[7], 'ratePeriodStart', windowStart, 'rateCount', rateCount + 1)
  end
end
return {1}
`);
