-- KEYS: queued mark and started marker of each message, in pairs; ARGV: their item keys and the
-- mark's TTL (last). A message that has already started leaves its person unmarked.
local ttl = tonumber(ARGV[#ARGV])
local marked = 0
for i = 1, #ARGV - 1 do
  if redis.call('exists', KEYS[2 * i]) == 0 then
    redis.call('set', KEYS[2 * i - 1], ARGV[i], 'EX', ttl)
    marked = marked + 1
  end
end
return marked
