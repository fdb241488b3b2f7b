-- KEYS[1]: the workers' sorted set; ARGV: this worker's id, how long old beats are kept (s).
-- Scores the beat by Redis's own clock, so hosts with skewed clocks agree; returns that time.
local now = tonumber(redis.call('time')[1])
redis.call('zadd', KEYS[1], now, ARGV[1])
redis.call('zremrangebyscore', KEYS[1], '-inf', now - tonumber(ARGV[2]))
return now
