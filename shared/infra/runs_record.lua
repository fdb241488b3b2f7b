-- KEYS: the run's meta hash, its outcomes hash; ARGV: the outcomes' TTL, then key, outcome pairs.
-- Stores the outcomes (a redelivered one overwrites itself, so none counts twice). Returns 1 when
-- the run is sealed and complete and its aggregator not yet marked due (or marked over 30 s ago):
-- the caller then enqueues it. Else 0.
local meta, outcomes = KEYS[1], KEYS[2]
local ttl = tonumber(ARGV[1])
local now = tonumber(redis.call('time')[1])
if #ARGV > 1 then redis.call('hset', meta, 'touched', now) end
for i = 2, #ARGV, 2 do
  redis.call('hset', outcomes, ARGV[i], ARGV[i + 1])
end
if redis.call('ttl', outcomes) < 0 then redis.call('expire', outcomes, ttl) end
local expected = tonumber(redis.call('hget', meta, 'expected') or '-1')
local sealed = redis.call('hget', meta, 'sealed') == '1'
if not sealed or expected < 0 or redis.call('hlen', outcomes) < expected then return 0 end
local state = redis.call('hget', meta, 'aggregate')
local stale = state and string.sub(state, 1, 4) == 'due:'
  and now - tonumber(string.sub(state, 5)) > 30
if not state or stale then
  redis.call('hset', meta, 'aggregate', 'due:' .. now)
  return 1
end
return 0
