-- Counts a session against its customer's SLA limits over the claim's window, atomically (policy
-- usage counters; usage-claims.ts is the same rule in TypeScript, for the memory store).
-- KEYS[1]  hash: the customer's claims, session id -> 'bps;start;end' (end 'inf': open) or, as
--          stored before claims had windows, 'bps' (counts at every instant)
-- KEYS[2]  hash: every counted session's customer, session id -> customer id
-- ARGV     session id, customer id, bit/s, max sessions, max total bit/s, start ms, end ms or 'inf',
--          now ms, the claim as stored ('bps;start;end')
-- Reply    {0, peak sessions, peak bit/s, previous bit/s or ''} counted (peak with the claim)
--          {-1, peak sessions, peak bit/s}                    refused: one session too many
--          {-2, peak sessions, peak bit/s}                    refused: total bit/s too high
--          {-3, owner}                                        the session id is another customer's
--          (refusals answer the peak of the customer's other claims over the window)
-- Cost     O(n) to read and parse the customer's n claims (HGETALL) and drop the ended ones, plus
--          O(k log k) to sort the start/end instants of the k claims overlapping the window: a few
--          milliseconds for a few thousand claims, during which Redis runs nothing else.
local session, customer = ARGV[1], ARGV[2]
local bps, max_sessions, max_total = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local start, now = tonumber(ARGV[6]), tonumber(ARGV[8])
local finish = math.huge
if ARGV[7] ~= 'inf' then finish = tonumber(ARGV[7]) end

local owner = redis.call('HGET', KEYS[2], session)
if owner and owner ~= customer then
  return {-3, owner}
end

local function parse(text)
  local b, s, e = string.match(text, '^([^;]+);([^;]+);([^;]+)$')
  if not b then
    return tonumber(text), -math.huge, math.huge
  end
  if e == 'inf' then
    return tonumber(b), tonumber(s), math.huge
  end
  return tonumber(b), tonumber(s), tonumber(e)
end

-- The other live claims; ended ones are dropped here (lazily: nothing else removes them).
local others, previous = {}, nil
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local id = all[i]
  local b, s, e = parse(all[i + 1])
  if e <= now then
    redis.call('HDEL', KEYS[1], id)
    if redis.call('HGET', KEYS[2], id) == customer then
      redis.call('HDEL', KEYS[2], id)
    end
  elseif id == session then
    previous = {b, s, e}
  else
    others[#others + 1] = {b, s, e}
  end
end

-- Only what is still to come counts: [max(start, now), finish).
local ws = math.max(start, now)

-- Peak sessions and bit/s of the others over [ws, finish): usage rises only where a claim starts, so
-- sweep the start and end instants in order (ends first at a tie: windows are half-open).
local sessions, total, events = 0, 0, {}
for _, c in ipairs(others) do
  local b, s, e = c[1], c[2], c[3]
  if s < finish and e > ws then
    if s <= ws then
      sessions = sessions + 1
      total = total + b
    else
      events[#events + 1] = {s, 1, b}
    end
    if e < finish then
      events[#events + 1] = {e, 0, b}
    end
  end
end
table.sort(events, function(x, y)
  if x[1] ~= y[1] then
    return x[1] < y[1]
  end
  return x[2] < y[2]
end)
local peak_sessions, peak_total = sessions, total
for _, ev in ipairs(events) do
  if ev[2] == 1 then
    sessions = sessions + 1
    total = total + ev[3]
    if sessions > peak_sessions then peak_sessions = sessions end
    if total > peak_total then peak_total = total end
  else
    sessions = sessions - 1
    total = total - ev[3]
  end
end

-- A change that neither widens the window nor raises the bit/s asks for nothing more: it passes,
-- even when the customer is over a limit that shrank meanwhile.
local wider = true
local held = 0
if previous then
  held = previous[1]
  wider = finish > previous[3] or ws < math.max(previous[2], now)
end
if wider and peak_sessions + 1 > max_sessions then
  return {-1, peak_sessions, string.format('%.0f', peak_total)}
end
if (wider or bps > held) and peak_total + bps > max_total then
  return {-2, peak_sessions, string.format('%.0f', peak_total)}
end

redis.call('HSET', KEYS[1], session, ARGV[9])
redis.call('HSET', KEYS[2], session, customer)
local previous_bps = ''
if previous then
  previous_bps = string.format('%.0f', held)
end
return {0, peak_sessions + 1, string.format('%.0f', peak_total + bps), previous_bps}
