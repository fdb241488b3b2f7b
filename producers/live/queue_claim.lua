-- Expired leases go back to pending (due now unless already due sooner), then due members move
-- to in-flight under the new lease, unless a receiver holds the flusher in a storm (KEYS[4]: the
-- time until which nothing is claimed; see producers.webhook.burst). One script, so two flushers
-- never claim the same member.
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
if tonumber(redis.call('get', KEYS[4]) or '0') > tonumber(now) then return {} end
local claimed = redis.call('zrangebyscore', pending, '-inf', now, 'LIMIT', 0, limit)
for _, member in ipairs(claimed) do
  redis.call('zrem', pending, member)
  redis.call('zadd', inflight, lease, member)
end
if #claimed > 0 then
  redis.call('rpush', record, unpack(claimed))
  redis.call('expire', record, tonumber(ARGV[4]))
end
return claimed
