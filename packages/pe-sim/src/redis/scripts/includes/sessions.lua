-- UNI sessions and their marking. A session's effective DSCP is its per-session override, else the
-- PE's rule for its service class, else its UNI marking rule.

-- A per-session marking.apply: the DSCP overrides the session's rules. {0, session} or {-2} when absent.
local function markSession(sessionsKey, id, dscp, now)
  local json = redis.call('HGET', sessionsKey, id)
  if not json then return { -2 } end
  local session = cjson.decode(json)
  session.dscpOverride = dscp
  session.updatedAtMs = now
  json = cjson.encode(session)
  redis.call('HSET', sessionsKey, id, json)
  return { 0, json }
end

-- After an attach or modify that answered `reply` ({0, session}): the session's own DSCP when the
-- caller passed one ('' for none), as a per-session marking.apply with its own fault draw — so the
-- pair stops where two separate operations would. Returns the reply to send on, or a fault's.
local function thenMark(faultsKey, faultStateKey, pe, sessionsKey, id, sessionDscp, now, reply)
  if reply[1] < 0 or sessionDscp == '' then return reply end
  local marked = withFault(faultsKey, faultStateKey, pe, 'marking.apply', function()
    return markSession(sessionsKey, id, tonumber(sessionDscp), now)
  end)
  if marked[1] < 0 then return marked end
  reply[2] = marked[2]
  return reply
end

-- Completes a session reply {code, session} with what the caller needs to resolve its DSCP without
-- another round trip: {code, session, class, class DSCP}, the last two false unless the PE's class
-- rule decides (no per-session override, a service class with a rule on the PE).
local function withClassRule(markingKey, reply)
  reply[3], reply[4] = false, false
  local session = cjson.decode(reply[2])
  local class = session.marking.serviceClass
  if session.dscpOverride == cjson.null and type(class) == 'string' then
    local dscp = redis.call('HGET', markingKey, class)
    if dscp then reply[3], reply[4] = class, tonumber(dscp) end
  end
  return reply
end
