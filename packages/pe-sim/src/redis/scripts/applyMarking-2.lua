-- marking.apply: DSCP for one session (overrides its rule) or for a service class on the PE.
-- KEYS: UNI sessions, marking rules
-- ARGV: 'session' | 'class', session id or class name, DSCP, now
-- Returns {0, sessions affected}; {-2} when the session is absent.
local kind, key, dscp, now = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if kind == 'session' then
  local json = redis.call('HGET', KEYS[1], key)
  if not json then return { -2 } end
  local session = cjson.decode(json)
  session.dscpOverride = dscp
  session.updatedAtMs = now
  redis.call('HSET', KEYS[1], key, cjson.encode(session))
  return { 0, 1 }
end
redis.call('HSET', KEYS[2], key, dscp)
local affected = 0
for _, json in ipairs(redis.call('HVALS', KEYS[1])) do
  local session = cjson.decode(json)
  if session.marking.serviceClass == key and session.dscpOverride == cjson.null then affected = affected + 1 end
end
return { 0, affected }
