-- KEYS: UNI sessions. ARGV: session id. Returns {0, session} removed; {-2} when absent.
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not json then return { -2 } end
redis.call('HDEL', KEYS[1], ARGV[1])
return { 0, json }
