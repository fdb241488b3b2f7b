-- KEYS: the run's meta hash, its outcomes hash; ARGV[1]: how many outcomes complete the run.
-- Seals the run with that count; returns 1 when every outcome is already in, so the aggregator
-- is due now (no outcome still to come would notice).
local meta, outcomes = KEYS[1], KEYS[2]
redis.call('hset', meta, 'expected', ARGV[1], 'sealed', '1')
local complete = redis.call('hlen', outcomes) >= tonumber(ARGV[1])
if complete and not redis.call('hget', meta, 'aggregate') then
  redis.call('hset', meta, 'aggregate', 'due:' .. redis.call('time')[1])
  return 1
end
return 0
