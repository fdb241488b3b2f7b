-- KEYS[1]: the lock; ARGV[1]: the holder's token. Deletes the lock only while this holder has
-- it (compare-and-delete), never a lock another scheduler has since taken.
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
