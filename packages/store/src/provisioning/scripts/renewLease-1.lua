-- Extends a lease still held by this owner with this token.
-- KEYS[1] the lease; ARGV[1] owner, ARGV[2] token, ARGV[3] ttl in ms
-- Returns {1, expiresAtMs} or {0} when the lease was lost.
local held = redis.call('GET', KEYS[1])
if not held then return {0} end
local lease = cjson.decode(held)
if lease['owner'] ~= ARGV[1] or tostring(lease['token']) ~= ARGV[2] then return {0} end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return {1, now + tonumber(ARGV[3])}
