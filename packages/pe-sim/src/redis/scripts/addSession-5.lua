-- #include faults
-- #include sessions
-- UNI session on a PE: a CE interface of a VPN gets a policed bandwidth and a DSCP marking rule;
-- optionally followed by a per-session marking.apply (the PE's next operation, with its own fault
-- draw), so a job attaching a session with its DSCP costs one round trip.
-- KEYS: UNI sessions, VRFs, marking rules, faults, fault state
-- ARGV: session id, session config (JSON), now, VPN id, per-session DSCP ('' = no marking.apply), PE
-- Returns {0, session, class, class DSCP} added; {1, …} already there with the same request; {-5} no
-- VRF for the VPN; {-3} the id is taken by a different request; a fault reply (includes/faults.lua).
local id, config, now, vpnId, sessionDscp, pe =
  ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5], ARGV[6]

local function add()
  local existing = redis.call('HGET', KEYS[1], id)
  if existing then
    if cjson.decode(existing).config == config then return { 1, existing } end
    return { -3 }
  end
  if redis.call('HEXISTS', KEYS[2], vpnId) == 0 then return { -5 } end
  local session = cjson.decode(config)
  session.config = config
  session.createdAtMs = now
  session.updatedAtMs = now
  session.dscpOverride = cjson.null
  session.rates = { { now, session.bandwidthBps } }
  local json = cjson.encode(session)
  redis.call('HSET', KEYS[1], id, json)
  return { 0, json }
end

local reply = withFault(KEYS[4], KEYS[5], pe, 'uni.add-session', add)
if reply[1] < 0 then return reply end
reply = thenMark(KEYS[4], KEYS[5], pe, KEYS[1], id, sessionDscp, now, reply)
if reply[1] < 0 then return reply end
return withClassRule(KEYS[3], reply)
