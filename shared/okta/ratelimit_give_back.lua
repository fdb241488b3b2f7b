-- The shared part of both scripts: give places back, folding each answer's reading into its
-- bucket's window. KEYS[1] is the in-flight zset. ARGV[first] is the hashes' TTL, ARGV[first + 1]
-- the number of places; each place is 5 arguments (member, has reading 0/1, limit, remaining,
-- reset) and its bucket's hash is KEYS[first_key + i - 1]. A reading of a later window replaces
-- the window; of the same, lowers Remaining.
local function fold(hash, limit, remaining, reset, reset_text, ttl)
  if limit <= 0 then return end
  local state = redis.call('HMGET', hash, 'remaining', 'reset')
  local known_remaining = tonumber(state[1])
  local known_reset = tonumber(state[2])
  if known_reset == nil or known_remaining == nil or reset > known_reset then
    redis.call('HSET', hash, 'limit', limit, 'remaining', remaining, 'reset', reset_text)
    if known_reset ~= nil and reset > known_reset then
      local period = reset - known_reset
      local shortest = tonumber(redis.call('HGET', hash, 'period'))
      if shortest == nil or period < shortest then
        redis.call('HSET', hash, 'period', period)
      end
    end
  elseif reset == known_reset then
    redis.call('HSET', hash, 'limit', limit, 'remaining', math.min(known_remaining, remaining))
  end
  redis.call('EXPIRE', hash, ttl)
end
local function give_back(first, first_key)
  local ttl = tonumber(ARGV[first])
  local count = tonumber(ARGV[first + 1])
  for i = 1, count do
    local at = first + 2 + (i - 1) * 5
    redis.call('ZREM', KEYS[1], ARGV[at])
    if ARGV[at + 1] == '1' then
      fold(KEYS[first_key + i - 1], tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]),
        tonumber(ARGV[at + 4]), ARGV[at + 4], ttl)
    end
  end
end
