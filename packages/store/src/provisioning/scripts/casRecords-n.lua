-- Compare-and-set over provisioning record hashes, optionally fenced by a lease token.
-- KEYS[1..n]  the record hashes touched; KEYS[n+1] the lease key when fenced
-- ARGV[1]     n (number of hashes)
-- ARGV[2]     fencing token, '' when not fenced
-- ARGV[3]     c (number of checks), then c × (hash index, field, present 0/1, value)
-- then        w (number of writes), then w × (hash index, field, op 'set'/'del', value)
-- Returns 1 applied, 0 a checked record changed (nothing written), -1 the fence no longer holds.
-- Every check runs before the first write (Redis does not roll a failing script back).
local n = tonumber(ARGV[1])
local token = ARGV[2]
if token ~= '' then
  local held = redis.call('GET', KEYS[n + 1])
  if not held then return -1 end
  local lease = cjson.decode(held)
  if tostring(lease['token']) ~= token then return -1 end
end
local i = 3
local checks = tonumber(ARGV[i])
i = i + 1
for _ = 1, checks do
  local key = KEYS[tonumber(ARGV[i])]
  local value = redis.call('HGET', key, ARGV[i + 1])
  if ARGV[i + 2] == '1' then
    if value ~= ARGV[i + 3] then return 0 end
  elseif value then
    return 0
  end
  i = i + 4
end
local writes = tonumber(ARGV[i])
i = i + 1
for _ = 1, writes do
  local key = KEYS[tonumber(ARGV[i])]
  if ARGV[i + 2] == 'set' then
    redis.call('HSET', key, ARGV[i + 1], ARGV[i + 3])
  else
    redis.call('HDEL', key, ARGV[i + 1])
  end
  i = i + 4
end
return 1
