-- KEYS: in-flight zset, then the given-back places' bucket hashes. ARGV: the places given back (as in ratelimit_give_back.lua).
-- (runs after ratelimit_give_back.lua, which defines give_back)
give_back(1, 2)
return 1
