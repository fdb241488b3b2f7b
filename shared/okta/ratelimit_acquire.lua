-- KEYS: in-flight zset, bucket hash, then the given-back places' bucket hashes.
-- ARGV: now (Okta time), share, probe budget, max in flight, lease prefix, lease expiry, bucket,
-- concurrency pause, probe pause, places wanted, budget headroom, in-flight headroom, the wait
-- when only places still leased hold the budget (budget.HELD_RECHECK_S), the caller's Okta-minus-
-- local clock skew ('' before it has seen a Date; kept in the bucket's hash for the live
-- flusher), then the places given back (from 15).
-- Returns {code, wait, granted}: code 1 admitted (granted places named prefix|1..granted);
-- 2 concurrency, 3 probe, 4 budget (wait as a string).
-- (runs after ratelimit_give_back.lua, which defines give_back)
give_back(15, 3)
local now = tonumber(ARGV[1])
local share = tonumber(ARGV[2])
local probe = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local leases = redis.call('ZRANGE', KEYS[1], 0, -1)
local free = cap - #leases
if free <= 0 then
  return {2, ARGV[8], 0}
end
local prefix = ARGV[7] .. '|'
local mine = 0
for _, member in ipairs(leases) do
  if string.sub(member, 1, #prefix) == prefix then
    mine = mine + 1
  end
end
local state = redis.call('HMGET', KEYS[2], 'limit', 'remaining', 'reset')
if ARGV[14] ~= '' and state[1] then
  redis.call('HSET', KEYS[2], 'skew', ARGV[14])
end
local limit = tonumber(state[1])
local remaining = tonumber(state[2])
local reset = tonumber(state[3])
local grant = 1
if limit == nil or reset == nil or now >= reset then
  if mine >= probe then
    return {3, ARGV[9], 0}
  end
else
  local spare = remaining - mine - (limit - math.floor(limit * share + 1e-9))
  if spare < 1 then
    if mine > 0 and remaining - (limit - math.floor(limit * share + 1e-9)) >= 1 then
      -- held by leases, some of which may come back unused: ask again soon
      return {4, tostring(math.min(tonumber(ARGV[13]), reset - now)), 0}
    end
    return {4, tostring(reset - now), 0}
  end
  grant = math.min(tonumber(ARGV[10]), math.floor(spare / tonumber(ARGV[11])),
    math.floor(free / tonumber(ARGV[12])))
  if grant < 1 then grant = 1 end
end
for i = 1, grant do
  redis.call('ZADD', KEYS[1], ARGV[6], ARGV[5] .. '|' .. i)
end
return {1, '0', grant}
