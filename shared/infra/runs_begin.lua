-- KEYS: outcomes, planned, then for a live message its person's queued mark and its started
-- marker. ARGV: the item's key, the marker's TTL. A message whose outcome is stored does nothing
-- more; a live one records that it started and spends its person's queued mark if the mark names
-- it (a later message's mark stays). Returns {1} when the outcome is stored, else {0, planned}.
if redis.call('hexists', KEYS[1], ARGV[1]) == 1 then return {1} end
if #KEYS > 2 then
  redis.call('set', KEYS[4], 1, 'EX', tonumber(ARGV[2]))
  if redis.call('get', KEYS[3]) == ARGV[1] then redis.call('del', KEYS[3]) end
end
return {0, redis.call('hget', KEYS[2], ARGV[1])}
