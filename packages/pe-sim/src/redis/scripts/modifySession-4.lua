-- #include rates
-- #include faults
-- #include sessions
-- Changes a UNI session in place; a bandwidth change starts a new counter rate. Optionally followed by
-- a per-session marking.apply (the PE's next operation, with its own fault draw).
-- KEYS: UNI sessions, marking rules, faults, fault state
-- ARGV: session id, patch (JSON: bandwidthBps?, interface?, lspId? (null clears), marking?), now,
--       per-session DSCP ('' = no marking.apply), PE
-- Returns {0, session, class, class DSCP}; {-2} when absent; a fault reply (includes/faults.lua).
local id, now, sessionDscp, pe = ARGV[1], tonumber(ARGV[3]), ARGV[4], ARGV[5]

local function modify()
  local json = redis.call('HGET', KEYS[1], id)
  if not json then return { -2 } end
  local session = cjson.decode(json)
  local patch = cjson.decode(ARGV[2])
  if patch.bandwidthBps ~= nil then
    session.bandwidthBps = patch.bandwidthBps
    appendRate(session.rates, now, patch.bandwidthBps)
  end
  if patch.interface ~= nil then session.interface = patch.interface end
  if patch.lspId ~= nil then session.lspId = patch.lspId end
  if patch.marking ~= nil then
    -- the newest instruction wins: a new UNI marking rule replaces an earlier marking.apply
    session.marking = patch.marking
    session.dscpOverride = cjson.null
  end
  session.updatedAtMs = now
  json = cjson.encode(session)
  redis.call('HSET', KEYS[1], id, json)
  return { 0, json }
end

local reply = withFault(KEYS[3], KEYS[4], pe, 'uni.modify-session', modify)
if reply[1] < 0 then return reply end
reply = thenMark(KEYS[3], KEYS[4], pe, KEYS[1], id, sessionDscp, now, reply)
if reply[1] < 0 then return reply end
return withClassRule(KEYS[2], reply)
