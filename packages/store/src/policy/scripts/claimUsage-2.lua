-- Counts a session against its customer's SLA limits, atomically (policy usage counters).
-- KEYS[1]  hash: the customer's sessions, session id -> bit/s
-- KEYS[2]  hash: every counted session's customer, session id -> customer id
-- ARGV     session id, customer id, bit/s, max sessions, max total bit/s
-- Reply    {0, sessions, total, previous bit/s or ''} counted
--          {-1, sessions, total}                      refused: one session too many
--          {-2, sessions, total}                      refused: total bit/s too high
--          {-3, owner}                                the session id is another customer's
local session, customer = ARGV[1], ARGV[2]
local bps, max_sessions, max_total = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])

local owner = redis.call('HGET', KEYS[2], session)
if owner and owner ~= customer then
  return {-3, owner}
end

local count = redis.call('HLEN', KEYS[1])
local total = 0
for _, value in ipairs(redis.call('HVALS', KEYS[1])) do
  total = total + tonumber(value)
end

local previous = redis.call('HGET', KEYS[1], session)
local held = 0
if previous then
  held = tonumber(previous)
elseif count + 1 > max_sessions then
  return {-1, count, string.format('%.0f', total)}
end

local new_total = total - held + bps
-- Lowering a session's bit/s always succeeds, even when the customer is over its total.
if bps > held and new_total > max_total then
  return {-2, count, string.format('%.0f', total)}
end

redis.call('HSET', KEYS[1], session, ARGV[3])
redis.call('HSET', KEYS[2], session, customer)
if not previous then
  count = count + 1
  previous = ''
end
return {0, count, string.format('%.0f', new_total), previous}
