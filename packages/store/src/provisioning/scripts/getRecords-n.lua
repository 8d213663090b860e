-- Reads records of several provisioning tables in one round trip.
-- KEYS[1..n]  the record hashes
-- ARGV        pairs (hash index, field)
-- Returns the values in order (false where a record is absent).
local out = {}
for i = 1, #ARGV, 2 do
  out[#out + 1] = redis.call('HGET', KEYS[tonumber(ARGV[i])], ARGV[i + 1])
end
return out
