-- #include labels
-- #include faults
-- LDP label binding for a FEC (RFC 5036 §2.1, downstream unsolicited, per-platform label space).
-- KEYS: LDP bindings, label next, label free, label owner, faults, fault state
-- ARGV: FEC, label min, label max, PE
-- Returns {0, label} bound now; {1, label} already bound; {-4} label space exhausted; a fault reply
-- (includes/faults.lua).
local fec = ARGV[1]
return withFault(KEYS[5], KEYS[6], ARGV[4], 'ldp.bind', function()
  local existing = redis.call('HGET', KEYS[1], fec)
  if existing then return { 1, tonumber(existing) } end
  if not labelAvailable(KEYS[2], KEYS[3], tonumber(ARGV[2]), tonumber(ARGV[3])) then return { -4 } end
  local label = allocLabel(KEYS[2], KEYS[3], KEYS[4], 'ldp:' .. fec, tonumber(ARGV[2]))
  redis.call('HSET', KEYS[1], fec, label)
  return { 0, label }
end)
