-- Takes a lease if it is free, or extends it if the owner already holds it (same token).
-- KEYS[1] the lease (JSON {owner, token}, expiring), KEYS[2] the lease's token counter
-- ARGV[1] owner, ARGV[2] ttl in ms
-- Returns {1, token, expiresAtMs} or {0} when another owner holds it.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[2])
local held = redis.call('GET', KEYS[1])
if held then
  local lease = cjson.decode(held)
  if lease['owner'] ~= ARGV[1] then return {0} end
  redis.call('PEXPIRE', KEYS[1], ttl)
  return {1, lease['token'], now + ttl}
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], cjson.encode({owner = ARGV[1], token = token}), 'PX', ttl)
return {1, token, now + ttl}
