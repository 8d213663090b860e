-- #include faults
-- #include sessions
-- KEYS: UNI sessions, marking rules, faults, fault state. ARGV: session id, PE.
-- Returns {0, session, class, class DSCP} removed; {-2} when absent; a fault reply (includes/faults.lua).
local id, pe = ARGV[1], ARGV[2]
local reply = withFault(KEYS[3], KEYS[4], pe, 'uni.remove-session', function()
  local json = redis.call('HGET', KEYS[1], id)
  if not json then return { -2 } end
  redis.call('HDEL', KEYS[1], id)
  return { 0, json }
end)
if reply[1] < 0 then return reply end
return withClassRule(KEYS[2], reply)
