-- Only the holder of a lease releases it: a member re-claimed after its lease expired carries
-- another lease, which this caller must not remove.
local inflight, lease, released = KEYS[1], tonumber(ARGV[1]), 0
for i = 2, #ARGV do
  local score = redis.call('zscore', inflight, ARGV[i])
  if score and tonumber(score) == lease then
    redis.call('zrem', inflight, ARGV[i])
    released = released + 1
  end
end
return released
