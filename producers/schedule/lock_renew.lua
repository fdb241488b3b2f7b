-- KEYS[1]: the lock; ARGV: the holder's token, the lock's lifetime in ms. Renews the lock only
-- while this holder has it: 1 when renewed, 0 when another scheduler has taken it.
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
