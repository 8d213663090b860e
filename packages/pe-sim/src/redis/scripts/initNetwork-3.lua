-- KEYS: meta, link capacity, link reserved
-- ARGV: network (canonical JSON), replace ('1' | '0'), then link id / capacity pairs
-- Returns 1 when written, 0 when already present, -7 when another network is stored.
local existing = redis.call('HGET', KEYS[1], 'network')
if existing == ARGV[1] then return 0 end
if existing and ARGV[2] ~= '1' then return -7 end
redis.call('HSET', KEYS[1], 'network', ARGV[1])
redis.call('DEL', KEYS[2])
for i = 3, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  redis.call('HSETNX', KEYS[3], ARGV[i], 0)
end
return 1
