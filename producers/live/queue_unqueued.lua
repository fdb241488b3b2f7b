-- Returns the people (ARGV) that have no queued, unstarted live sync message.
local fresh = {}
for i = 1, #KEYS do
  if redis.call('exists', KEYS[i]) == 0 then table.insert(fresh, ARGV[i]) end
end
return fresh
