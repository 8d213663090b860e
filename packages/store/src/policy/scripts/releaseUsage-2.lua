-- Stops counting a session (policy usage counters).
-- KEYS[1]  hash: the customer's sessions, session id -> bit/s
-- KEYS[2]  hash: every counted session's customer, session id -> customer id
-- ARGV     session id, the customer id the caller read for it
-- Reply    1 released, 0 not counted, -4 the session's customer changed meanwhile (read again)
local owner = redis.call('HGET', KEYS[2], ARGV[1])
if not owner then
  return 0
end
if owner ~= ARGV[2] then
  return -4
end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
