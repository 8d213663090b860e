-- UNI session on a PE: a CE interface of a VPN gets a policed bandwidth and a DSCP marking rule.
-- KEYS: UNI sessions, VRFs
-- ARGV: session id, session config (JSON), now, VPN id
-- Returns {0, session} added; {1, session} already there with the same request; {-5} no VRF for the VPN;
-- {-3} the id is taken by a different request.
local id, config, now, vpnId = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
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
