-- KEYS: bucket hash. ARGV: now (Okta time), share. Hands out tickets for the windows after a spent
-- one, a budget's worth per window (the window's length is the shortest seen between resets), and
-- returns the seconds until the ticket's window opens.
local state = redis.call('HMGET', KEYS[1], 'limit', 'reset', 'period', 'parked_for', 'parked')
local limit = tonumber(state[1])
local reset = tonumber(state[2])
local now = tonumber(ARGV[1])
if limit == nil or reset == nil or reset <= now then
  return '0'
end
local budget = math.max(1, math.floor(limit * tonumber(ARGV[2]) + 1e-9))
local count = 0
if state[4] == state[2] then
  count = tonumber(state[5]) or 0
end
count = count + 1
redis.call('HSET', KEYS[1], 'parked_for', state[2], 'parked', count)
local period = tonumber(state[3]) or math.max(reset - now, 1)
return tostring(reset - now + math.floor((count - 1) / budget) * period)
