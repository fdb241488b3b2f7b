-- One round trip per admitted write: the script reads the org's size the last resync saw (the base
-- of limits given as shares), trims the hour, counts it, and admits or refuses; with a planned key
-- it also notes the admitted plan (RunStore.save_planned's write, before Okta's).
-- KEYS: the window, the base, [the run's planned outcomes].
-- ARGV: now, span, the wants (updates, creates, removals, deactivations), a limit per kind as
-- (mode, value, floor) in the same order, the member id, [the planned field, value and TTL].
-- Modes: "none" no limit; "count" the value; "share" value % of the kind's base, at least floor
-- people, no limit before any resync; "share0" the same with a missing base counted as 0.
local window, now, span = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
local kinds = {'u', 'c', 'r', 'd'}
local found = redis.call('hmget', KEYS[2], 'people', 'memberships', 'managed')
local bases = {u = found[1], c = found[1], r = found[2], d = found[3]}
local wants, limits = {}, {}
for i, kind in ipairs(kinds) do
  wants[kind] = tonumber(ARGV[2 + i])
  local mode, value = ARGV[4 + 3 * i], tonumber(ARGV[5 + 3 * i])
  local floor, base = tonumber(ARGV[6 + 3 * i]), bases[kind]
  local limit = -1
  if mode == 'count' then
    limit = value
  elseif mode == 'share0' or (mode == 'share' and base) then
    limit = math.max(math.ceil(tonumber(base or 0) * value / 100), floor)
  end
  limits[kind] = limit
end
redis.call('zremrangebyscore', window, '-inf', now - span)
local counts = {u = 0, c = 0, r = 0, d = 0}
for _, member in ipairs(redis.call('zrange', window, 0, -1)) do
  local kind = string.sub(member, 1, 1)
  counts[kind] = (counts[kind] or 0) + 1
end
for _, kind in ipairs(kinds) do
  if limits[kind] >= 0 and counts[kind] + wants[kind] > limits[kind] then
    return {kind, counts[kind], limits[kind]}
  end
end
for _, kind in ipairs(kinds) do
  for i = 1, wants[kind] do
    redis.call('zadd', window, now, kind .. ':' .. ARGV[19] .. ':' .. i)
  end
end
redis.call('expire', window, span + 60)
if KEYS[3] then
  redis.call('hset', KEYS[3], ARGV[20], ARGV[21])
  redis.call('expire', KEYS[3], tonumber(ARGV[22]))
end
return {}
