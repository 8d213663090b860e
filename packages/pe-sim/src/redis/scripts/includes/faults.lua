-- Injected faults, drawn inside the operation's own script: one round trip per PE operation, and the
-- draw sees every fault armed so far by any process sharing the network.
-- Fault replies: {-11, fault id, op} refused; {-12, fault id, op} reboot (the caller wipes the PE:
-- nothing of the operation applied); {-13, fault id, op} the answer is lost (timeout; the operation
-- applied if the fault says `applied`).

-- Finds the first armed fault (in creation order) matching the PE and operation whose probability
-- draw hits, uses up one of its count and returns it; nil when none applies. An empty `op` draws
-- nothing (a retry of an operation that has drawn already).
local function drawFault(faultsKey, stateKey, pe, op)
  if op == '' then return nil end
  local raw = redis.call('HGETALL', faultsKey)
  if #raw == 0 then return nil end
  local faults = {}
  for i = 2, #raw, 2 do faults[#faults + 1] = cjson.decode(raw[i]) end
  table.sort(faults, function(a, b) return a.seq < b.seq end)
  local modulus = 2147483647
  for _, f in ipairs(faults) do
    local halfWayOk = f.mode ~= 'half-way' or op == 'rsvp-te.signal' or op == 'rsvp-te.resize'
    if (f.pe == '*' or f.pe == pe) and (f.op == '*' or f.op == op) and halfWayOk then
      local remaining = tonumber(redis.call('HGET', stateKey, f.id .. ':remaining') or '-1')
      if remaining ~= 0 then
        local hit = true
        if f.probability < 1 then
          -- Park–Miller minimal standard generator: exact in doubles (state * 48271 < 2^47)
          local state = tonumber(redis.call('HGET', stateKey, f.id .. ':rng') or '1')
          state = (state * 48271) % modulus
          redis.call('HSET', stateKey, f.id .. ':rng', state)
          hit = (state / modulus) < f.probability
        end
        if hit then
          if remaining > 0 then redis.call('HSET', stateKey, f.id .. ':remaining', remaining - 1) end
          return f
        end
      end
    end
  end
  return nil
end

-- Half-way parameter of `operation`: -1 no fault, -2 the default (half the hops), k: stop after k hops.
local NO_HALF_WAY = -1
local DEFAULT_HALF_WAY = -2

-- Draws the fault of (pe, op), then runs `operation(halfWay)` as the fault allows and returns its
-- reply, or the fault's reply (see above).
local function withFault(faultsKey, stateKey, pe, op, operation)
  local fault = drawFault(faultsKey, stateKey, pe, op)
  if not fault then return operation(NO_HALF_WAY) end
  if fault.mode == 'refuse' then return { -11, fault.id, op } end
  if fault.mode == 'reboot' then return { -12, fault.id, op } end
  if fault.mode == 'timeout' then
    -- the change is made but its answer is lost, whatever the answer would have been
    if fault.applied == true then pcall(operation, NO_HALF_WAY) end
    return { -13, fault.id, op }
  end
  -- half-way (only drawn for the RSVP-TE operations)
  if type(fault.afterHops) == 'number' then return operation(fault.afterHops) end
  return operation(DEFAULT_HALF_WAY)
end

-- Whether a reply is one of withFault's fault replies.
local function isFaultReply(reply)
  return reply[1] == -11 or reply[1] == -12 or reply[1] == -13
end
