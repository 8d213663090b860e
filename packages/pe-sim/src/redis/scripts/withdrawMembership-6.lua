-- #include labels
-- #include faults
-- A site leaves a VPN on a PE: its membership route is withdrawn; the VRF goes (and its VPN label is
-- released) with the last local site of that VPN.
-- KEYS: VRFs, routes, label free, label owner, faults, fault state
-- ARGV: VPN id, CE id, PE
-- Returns {withdrawn 0|1, vrfRemoved 0|1}; a fault reply (includes/faults.lua).
local vpnId, ce = ARGV[1], ARGV[2]
return withFault(KEYS[5], KEYS[6], ARGV[3], 'bgp.withdraw-membership', function()
  local prefix = vpnId .. '|'
  if redis.call('HDEL', KEYS[2], prefix .. ce) == 0 then return { 0, 0 } end
  for _, field in ipairs(redis.call('HKEYS', KEYS[2])) do
    if string.sub(field, 1, #prefix) == prefix then return { 1, 0 } end
  end
  local vrfJson = redis.call('HGET', KEYS[1], vpnId)
  if not vrfJson then return { 1, 0 } end
  local vrf = cjson.decode(vrfJson)
  freeLabel(KEYS[3], KEYS[4], vrf.label, 'vrf:' .. vpnId)
  redis.call('HDEL', KEYS[1], vpnId)
  return { 1, 1 }
end)
