-- #include rates
-- Changes a UNI session in place; a bandwidth change starts a new counter rate.
-- KEYS: UNI sessions
-- ARGV: session id, patch (JSON: bandwidthBps?, interface?, lspId? (null clears), marking?), now
-- Returns {0, session}; {-2} when absent.
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not json then return { -2 } end
local session = cjson.decode(json)
local patch = cjson.decode(ARGV[2])
local now = tonumber(ARGV[3])
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
redis.call('HSET', KEYS[1], ARGV[1], json)
return { 0, json }
