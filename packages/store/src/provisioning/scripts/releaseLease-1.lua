-- Gives a lease up if this owner still holds it with this token.
-- KEYS[1] the lease; ARGV[1] owner, ARGV[2] token. Returns 1 released, 0 not held.
local held = redis.call('GET', KEYS[1])
if not held then return 0 end
local lease = cjson.decode(held)
if lease['owner'] ~= ARGV[1] or tostring(lease['token']) ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
return 1
