-- KEYS: the event's dedup marker, LIVE_PENDING, LIVE_FIRST, and for a person their queued mark.
-- ARGV: the marker's TTL, the member, its due time, now, extend (1 in a storm), cap (seconds after
-- the first event). Returns 1 when the event is new, 0 when its id was seen before.
-- A person whose live sync message is queued and not started needs nothing more: the message
-- reads ChartHop after it starts (spending the mark), so after this event's change. Otherwise a
-- member not yet pending is due at ARGV[3] and its first event is noted; one already pending
-- keeps its due time, unless in a storm: then it moves to ARGV[3], never past first + cap.
if not redis.call('set', KEYS[1], ARGV[2], 'NX', 'EX', tonumber(ARGV[1])) then return 0 end
if KEYS[4] and redis.call('exists', KEYS[4]) == 1 then return 1 end
local now = tonumber(ARGV[4])
local current = redis.call('zscore', KEYS[2], ARGV[2])
if not current then
  redis.call('zadd', KEYS[2], ARGV[3], ARGV[2])
  redis.call('zadd', KEYS[3], ARGV[4], ARGV[2])
  redis.call('zremrangebyscore', KEYS[3], '-inf', now - 3600)
elseif ARGV[5] == '1' then
  local first = tonumber(redis.call('zscore', KEYS[3], ARGV[2]) or ARGV[4])
  local due = math.min(tonumber(ARGV[3]), first + tonumber(ARGV[6]))
  if due > tonumber(current) then redis.call('zadd', KEYS[2], 'XX', due, ARGV[2]) end
end
return 1
