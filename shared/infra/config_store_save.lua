-- KEYS: versions hash, active, next; ARGV: number, record. The active version only moves forward,
-- so two saves racing leave the newer one active whatever order their scripts run in.
redis.call('hset', KEYS[1], ARGV[1], ARGV[2])
if tonumber(redis.call('get', KEYS[2]) or '0') < tonumber(ARGV[1]) then
  redis.call('set', KEYS[2], ARGV[1])
end
return 1
