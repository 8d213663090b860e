-- KEYS: faults, fault state
-- ARGV: addressed PE, operation kind
-- Finds the first armed fault (in creation order) matching the PE and operation whose probability draw
-- hits, uses up one of its count, and returns its JSON; false when none applies.
local raw = redis.call('HGETALL', KEYS[1])
local faults = {}
for i = 1, #raw, 2 do
  local fault = cjson.decode(raw[i + 1])
  faults[#faults + 1] = { seq = fault.seq, fault = fault, json = raw[i + 1] }
end
table.sort(faults, function(a, b) return a.seq < b.seq end)
local pe, op = ARGV[1], ARGV[2]
local modulus = 2147483647
for _, entry in ipairs(faults) do
  local f = entry.fault
  local halfWayOk = f.mode ~= 'half-way' or op == 'rsvp-te.signal' or op == 'rsvp-te.resize'
  if (f.pe == '*' or f.pe == pe) and (f.op == '*' or f.op == op) and halfWayOk then
    local remaining = tonumber(redis.call('HGET', KEYS[2], f.id .. ':remaining') or '-1')
    if remaining ~= 0 then
      local hit = true
      if f.probability < 1 then
        -- Park–Miller minimal standard generator: exact in doubles (state * 48271 < 2^47)
        local state = tonumber(redis.call('HGET', KEYS[2], f.id .. ':rng') or '1')
        state = (state * 48271) % modulus
        redis.call('HSET', KEYS[2], f.id .. ':rng', state)
        hit = (state / modulus) < f.probability
      end
      if hit then
        if remaining > 0 then redis.call('HSET', KEYS[2], f.id .. ':remaining', remaining - 1) end
        return entry.json
      end
    end
  end
end
return false
