-- Commits one charge record change for one session event, atomically (DESIGN §5: idempotent per event).
-- KEYS[1] record hash (fields: record, version, customer, index, applied:<eventId>)
-- KEYS[2] index of every record (sorted set, score 0, lexicographic members)
-- KEYS[3] index of the record's customer
-- KEYS[4] index of the customer the stored record had (KEYS[3] when unchanged or new)
-- ARGV[1] eventId  ARGV[2] expected version  ARGV[3] record JSON  ARGV[4] customer
-- ARGV[5] index member  ARGV[6] the stored index member ('' when new)
-- Returns {1, version} committed, {0, version} duplicate (nothing written), {-1, version} version conflict.
local applied = 'applied:' .. ARGV[1]
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if redis.call('HEXISTS', KEYS[1], applied) == 1 then
  return {0, version}
end
if version ~= tonumber(ARGV[2]) then
  return {-1, version}
end
redis.call('HSET', KEYS[1], 'record', ARGV[3], 'version', version + 1, 'customer', ARGV[4], 'index', ARGV[5], applied, '1')
if ARGV[6] ~= '' and ARGV[6] ~= ARGV[5] then
  redis.call('ZREM', KEYS[2], ARGV[6])
end
if ARGV[6] ~= '' then
  redis.call('ZREM', KEYS[4], ARGV[6])
end
redis.call('ZADD', KEYS[2], 0, ARGV[5])
redis.call('ZADD', KEYS[3], 0, ARGV[5])
return {1, version + 1}
