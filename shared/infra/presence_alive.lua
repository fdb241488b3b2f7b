-- KEYS[1]: the workers' sorted set; ARGV[1]: seconds within which a beat counts. Returns how
-- many workers beat that recently, by Redis's clock.
local now = tonumber(redis.call('time')[1])
return redis.call('zcount', KEYS[1], now - tonumber(ARGV[1]), '+inf')
