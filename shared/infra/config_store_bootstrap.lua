-- KEYS: versions hash, active, next; ARGV: record. Saves version 1 only when no number was ever
-- handed out, so services starting together against an empty Redis save the file once, and a
-- save racing them takes number 2 instead of overwriting 1.
if redis.call('setnx', KEYS[3], 1) == 0 then return 0 end
redis.call('hset', KEYS[1], '1', ARGV[1])
redis.call('set', KEYS[2], 1)
return 1
