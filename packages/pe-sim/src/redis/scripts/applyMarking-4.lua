-- #include faults
-- #include sessions
-- marking.apply: DSCP for one session (overrides its rule) or for a service class on the PE.
-- KEYS: UNI sessions, marking rules, faults, fault state
-- ARGV: 'session' | 'class', session id or class name, DSCP, now, PE
-- Returns {0, sessions affected}; {-2} when the session is absent; a fault reply (includes/faults.lua).
local kind, key, dscp, now, pe = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
return withFault(KEYS[3], KEYS[4], pe, 'marking.apply', function()
  if kind == 'session' then
    local marked = markSession(KEYS[1], key, dscp, now)
    if marked[1] < 0 then return marked end
    return { 0, 1 }
  end
  redis.call('HSET', KEYS[2], key, dscp)
  local affected = 0
  for _, json in ipairs(redis.call('HVALS', KEYS[1])) do
    local session = cjson.decode(json)
    if session.marking.serviceClass == key and session.dscpOverride == cjson.null then
      affected = affected + 1
    end
  end
  return { 0, affected }
end)
