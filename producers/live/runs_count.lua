-- Adds ARGV[1] to the run's enqueued count once per batch (KEYS[2] marks the batch counted), so
-- a count the client retries because its answer was lost adds nothing the second time.
if not redis.call('set', KEYS[2], 1, 'NX', 'EX', tonumber(ARGV[2])) then
  return tonumber(redis.call('hget', KEYS[1], 'enqueued') or 0)
end
return redis.call('hincrby', KEYS[1], 'enqueued', tonumber(ARGV[1]))
