-- #include labels
-- #include faults
-- LDP label withdraw/release for a FEC (RFC 5036 §3.5.10): the label returns to the node's free pool.
-- KEYS: LDP bindings, label free, label owner, faults, fault state
-- ARGV: FEC, PE
-- Returns {0, label}; {-2} when no binding exists; a fault reply (includes/faults.lua).
local fec = ARGV[1]
return withFault(KEYS[4], KEYS[5], ARGV[2], 'ldp.release', function()
  local label = redis.call('HGET', KEYS[1], fec)
  if not label then return { -2 } end
  redis.call('HDEL', KEYS[1], fec)
  freeLabel(KEYS[2], KEYS[3], tonumber(label), 'ldp:' .. fec)
  return { 0, tonumber(label) }
end)
