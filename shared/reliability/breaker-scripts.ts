/**
 * Lua scripts of the circuit breaker. Each runs atomically in Redis and reads the clock with `TIME`,
 * so every isolate reads one clock and one state.
 *
 * KEYS, the same for every script:
 *   1 state hash: `state` (closed | open | half-open), `openUntil` (epoch ms), `changedAt` (epoch ms),
 *     and `windowMs`, `bucketMs` of the last writer, so a snapshot can be read without the options
 *   2 window hash: `{bucket}:success` and `{bucket}:failure` counters, bucket = floor(now / bucketMs)
 *   3 probes sorted set: probe id -> lease expiry (epoch ms), only used while half-open
 *   4 transitions hash: `{from}->{to}` -> count
 *   5 registry set of breaker names, for `listBreakers`
 * ARGV, the same for every script:
 *   1 name, 2 windowMs (0 reads the stored one), 3 bucketMs, 4 minimumRequests, 5 failureRateThreshold (0..1], 6 openMs,
 *   7 halfOpenProbes, 8 probeLeaseMs, 9 probe id ('' for none), 10 outcome (success | failure | release)
 * Every script returns `cjson.encode({ state, transition, ... })`, with `transition` '' when none.
 */

const PRELUDE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local name, windowMs, bucketMs = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local minimumRequests, threshold = tonumber(ARGV[4]), tonumber(ARGV[5])
local openMs, halfOpenProbes, probeLeaseMs = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local probeId, outcome = ARGV[9], ARGV[10]
redis.call('SADD', KEYS[5], name)
if windowMs > 0 then
  redis.call('HSET', KEYS[1], 'windowMs', windowMs, 'bucketMs', bucketMs)
else
  windowMs = tonumber(redis.call('HGET', KEYS[1], 'windowMs') or '60000')
  bucketMs = tonumber(redis.call('HGET', KEYS[1], 'bucketMs') or '6000')
end
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
local transition = ''

local function moveTo(target, openUntil)
  transition = state .. '->' .. target
  redis.call('HINCRBY', KEYS[4], transition, 1)
  redis.call('HSET', KEYS[1], 'state', target, 'changedAt', now, 'openUntil', openUntil or 0)
  redis.call('DEL', KEYS[3])
  if target ~= 'half-open' then redis.call('DEL', KEYS[2]) end
  state = target
end
`;

/** Admits a call, moves open to half-open once `openUntil` passed, and leases half-open probes. */
export const CHECK_SCRIPT = `${PRELUDE}
if state == 'open' then
  local openUntil = tonumber(redis.call('HGET', KEYS[1], 'openUntil') or '0')
  if now < openUntil then
    return cjson.encode({ allowed = false, state = state, transition = transition, retryAfterMs = openUntil - now })
  end
  moveTo('half-open')
end
if state == 'half-open' then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  if redis.call('ZCARD', KEYS[3]) >= halfOpenProbes then
    local earliest = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
    -- Wait for the earliest lease to end, or one open period if that comes first.
    local retryAfterMs = math.max(1, math.min(openMs, tonumber(earliest[2]) - now))
    return cjson.encode({ allowed = false, state = state, transition = transition, retryAfterMs = retryAfterMs })
  end
  redis.call('ZADD', KEYS[3], now + probeLeaseMs, probeId)
  redis.call('PEXPIRE', KEYS[3], probeLeaseMs * 2)
  return cjson.encode({ allowed = true, state = state, transition = transition, probe = true })
end
return cjson.encode({ allowed = true, state = state, transition = transition, probe = false })
`;

/**
 * Records one call outcome. A probe's success closes the breaker and its failure opens it again.
 * Outcomes of calls that were not probes never move a half-open or open breaker. In the closed state a
 * failure opens the breaker once the window has `minimumRequests` calls and the failure rate reaches
 * the threshold. `release` only frees a probe lease, for calls whose result says nothing about health.
 */
export const RECORD_SCRIPT = `${PRELUDE}
local isProbe = false
if probeId ~= '' then isProbe = redis.call('ZREM', KEYS[3], probeId) == 1 end
if outcome == 'release' then
  return cjson.encode({ state = state, transition = transition })
end

local bucket = math.floor(now / bucketMs)
redis.call('HINCRBY', KEYS[2], bucket .. ':' .. outcome, 1)
redis.call('PEXPIRE', KEYS[2], windowMs + bucketMs)

local oldest = bucket - math.ceil(windowMs / bucketMs) + 1
local successes, failures = 0, 0
local fields = redis.call('HGETALL', KEYS[2])
for i = 1, #fields, 2 do
  local fieldBucket, kind = string.match(fields[i], '^(%-?%d+):(%a+)$')
  if fieldBucket == nil or tonumber(fieldBucket) < oldest then
    redis.call('HDEL', KEYS[2], fields[i])
  elseif kind == 'success' then
    successes = successes + tonumber(fields[i + 1])
  else
    failures = failures + tonumber(fields[i + 1])
  end
end

if state == 'half-open' and isProbe then
  if outcome == 'success' then moveTo('closed') else moveTo('open', now + openMs) end
elseif state == 'closed' and outcome == 'failure' then
  local total = successes + failures
  if total >= minimumRequests and failures / total >= threshold then moveTo('open', now + openMs) end
end
return cjson.encode({ state = state, transition = transition, successes = successes, failures = failures })
`;

/** Reads the state without changing it. An open breaker past `openUntil` reads as half-open. */
export const SNAPSHOT_SCRIPT = `${PRELUDE}
local openUntil = tonumber(redis.call('HGET', KEYS[1], 'openUntil') or '0')
local changedAt = tonumber(redis.call('HGET', KEYS[1], 'changedAt') or '0')
local effective = state
local retryAfterMs = 0
if state == 'open' then
  if now >= openUntil then effective = 'half-open' else retryAfterMs = openUntil - now end
end
local oldest = math.floor(now / bucketMs) - math.ceil(windowMs / bucketMs) + 1
local successes, failures = 0, 0
local fields = redis.call('HGETALL', KEYS[2])
for i = 1, #fields, 2 do
  local fieldBucket, kind = string.match(fields[i], '^(%-?%d+):(%a+)$')
  if fieldBucket ~= nil and tonumber(fieldBucket) >= oldest then
    if kind == 'success' then successes = successes + tonumber(fields[i + 1])
    else failures = failures + tonumber(fields[i + 1]) end
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
return cjson.encode({
  state = effective, transition = transition, retryAfterMs = retryAfterMs, changedAt = changedAt,
  successes = successes, failures = failures, probes = redis.call('ZCARD', KEYS[3]),
  transitions = redis.call('HGETALL', KEYS[4]),
})
`;
