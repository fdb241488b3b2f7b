-- Returns the period's run id: the stored one, or ARGV[1] when this call stored it.
local current = redis.call('get', KEYS[1])
if current then return current end
redis.call('set', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[3]))
redis.call('zadd', KEYS[2], ARGV[2], ARGV[1])
return ARGV[1]
