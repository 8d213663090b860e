-- #include labels
-- #include faults
-- A site (CE) joins a VPN on a PE: the VRF is created on first use with its RD/RTs and a per-VRF VPN
-- label, and the membership route is advertised (RFC 4364 §4.3) with the VRF's export targets.
-- KEYS: VRFs, routes, label next, label free, label owner, faults, fault state
-- ARGV: VPN id, CE id, VRF config (JSON), route config (JSON), now, label min, label max, PE
-- Returns {vrfCreated 0|1, vrf JSON, route JSON, routeChanged 0|1}; {-3} when the VRF exists with another
-- RD/RT configuration; {-4} label space exhausted; a fault reply (includes/faults.lua).
local vpnId, ce, vrfConfig, routeConfig = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now = tonumber(ARGV[5])
return withFault(KEYS[6], KEYS[7], ARGV[8], 'bgp.advertise-membership', function()
  local vrfJson = redis.call('HGET', KEYS[1], vpnId)
  local vrf
  local created = 0
  if vrfJson then
    vrf = cjson.decode(vrfJson)
    if vrf.config ~= vrfConfig then return { -3 } end
  else
    if not labelAvailable(KEYS[3], KEYS[4], tonumber(ARGV[6]), tonumber(ARGV[7])) then return { -4 } end
    vrf = cjson.decode(vrfConfig)
    vrf.label = allocLabel(KEYS[3], KEYS[4], KEYS[5], 'vrf:' .. vpnId, tonumber(ARGV[6]))
    vrf.createdAtMs = now
    vrf.config = vrfConfig
    vrfJson = cjson.encode(vrf)
    redis.call('HSET', KEYS[1], vpnId, vrfJson)
    created = 1
  end
  local field = vpnId .. '|' .. ce
  local existing = redis.call('HGET', KEYS[2], field)
  if existing and cjson.decode(existing).config == routeConfig then
    return { created, vrfJson, existing, 0 }
  end
  -- a new or changed advertisement replaces the previous one (implicit withdraw)
  local route = cjson.decode(routeConfig)
  route.label = vrf.label
  route.advertisedAtMs = now
  route.config = routeConfig
  local routeJson = cjson.encode(route)
  redis.call('HSET', KEYS[2], field, routeJson)
  return { created, vrfJson, routeJson, 1 }
end)
