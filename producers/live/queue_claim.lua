-- Expired leases go back to pending (due now unless already due sooner), then due members move
-- to in-flight under the new lease, unless a receiver holds the flusher in a storm (KEYS[4]: the
-- time until which nothing is claimed; see producers.webhook.burst). One script, so two flushers
-- never claim the same member.
-- A hold is lifted for the budget of an Okta window about to lapse (producers.live.hold): ARGV[5]
-- names the window (its end; '' when nothing is lifted), ARGV[6] the syncs its budget covers.
-- KEYS[5] counts what was claimed under the lift of that window (the budget its first lift saw),
-- so the ticks of all flushers together claim no more than that budget.
-- What a claim took is kept under its token (KEYS[3]) for the lease: the client retries a claim
-- whose answer was lost (Redis died after writing it), and the retry returns the same members.
local pending, inflight, record = KEYS[1], KEYS[2], KEYS[3]
local now, lease, limit = ARGV[1], ARGV[2], tonumber(ARGV[3])
if redis.call('exists', record) == 1 then return redis.call('lrange', record, 0, -1) end
for _, member in ipairs(redis.call('zrangebyscore', inflight, '-inf', now)) do
  redis.call('zrem', inflight, member)
  local due = redis.call('zscore', pending, member)
  if not due or tonumber(due) > tonumber(now) then
    redis.call('zadd', pending, now, member)
  end
end
local lifted = nil
if tonumber(redis.call('get', KEYS[4]) or '0') > tonumber(now) then
  if ARGV[5] == '' then return {} end
  local state = redis.call('hmget', KEYS[5], 'window', 'budget', 'claimed')
  lifted = {budget = tonumber(ARGV[6]), claimed = 0}
  if state[1] == ARGV[5] then
    lifted = {budget = tonumber(state[2]) or 0, claimed = tonumber(state[3]) or 0}
  end
  limit = math.min(limit, lifted.budget - lifted.claimed)
  if limit <= 0 then return {} end
end
local claimed = redis.call('zrangebyscore', pending, '-inf', now, 'LIMIT', 0, limit)
for _, member in ipairs(claimed) do
  redis.call('zrem', pending, member)
  redis.call('zadd', inflight, lease, member)
end
if #claimed > 0 then
  redis.call('rpush', record, unpack(claimed))
  redis.call('expire', record, tonumber(ARGV[4]))
  if lifted then
    redis.call('hset', KEYS[5], 'window', ARGV[5], 'budget', lifted.budget,
      'claimed', lifted.claimed + #claimed)
    redis.call('expire', KEYS[5], tonumber(ARGV[7]))
  end
end
return claimed
