-- #include labels
-- LDP label withdraw/release for a FEC (RFC 5036 §3.5.10): the label returns to the node's free pool.
-- KEYS: LDP bindings, label free, label owner
-- ARGV: FEC
-- Returns {0, label}; {-2} when no binding exists.
local fec = ARGV[1]
local label = redis.call('HGET', KEYS[1], fec)
if not label then return { -2 } end
redis.call('HDEL', KEYS[1], fec)
freeLabel(KEYS[2], KEYS[3], tonumber(label), 'ldp:' .. fec)
return { 0, tonumber(label) }
