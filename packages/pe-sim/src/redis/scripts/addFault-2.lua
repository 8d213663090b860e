-- KEYS: faults, fault state
-- ARGV: fault spec (JSON, id may be ''), seed
-- Stores the fault with its creation order and a seeded Park–Miller RNG state; returns the stored JSON.
local spec = cjson.decode(ARGV[1])
local seq = redis.call('HINCRBY', KEYS[2], '__seq', 1)
if spec.id == '' then spec.id = 'fault-' .. seq end
spec.seq = seq
local modulus = 2147483647
local state = ((tonumber(ARGV[2]) + seq * 7919) % (modulus - 1)) + 1
for _ = 1, 4 do state = (state * 48271) % modulus end
local json = cjson.encode(spec)
redis.call('HSET', KEYS[1], spec.id, json)
local remaining = -1
if spec.count ~= cjson.null then remaining = spec.count end
redis.call('HSET', KEYS[2], spec.id .. ':remaining', remaining, spec.id .. ':rng', state)
return json
