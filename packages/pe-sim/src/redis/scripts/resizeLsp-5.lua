-- #include rates
-- #include faults
-- Make-before-break resize (RFC 3209 §4.6.4, shared-explicit style): each hop admits only the difference
-- between the new size and what it already holds, so a refusal leaves the old size in place.
-- KEYS: LSP hash, link capacity, link reserved, faults, fault state
-- ARGV: LSP id, new bandwidth, now, ingress PE
-- Returns {0, record}; {-9, record, hopsDone}; {-2}; {-6, status}; {-1, hopIndex, linkId, availableBps};
-- a fault reply (includes/faults.lua).
-- halfWay: -1 none, -2 half the hops, k: stop after k hops (a half-way fault)
local function resize(halfWay)
  local json = redis.call('HGET', KEYS[1], ARGV[1])
  if not json then return { -2 } end
  local lsp = cjson.decode(json)
  if lsp.status ~= 'up' and lsp.status ~= 'resize-partial' then return { -6, lsp.status } end
  local bw = tonumber(ARGV[2])
  local now = tonumber(ARGV[3])
  local n = #lsp.hops

  for i, hop in ipairs(lsp.hops) do
    local delta = bw - hop.reservedBps
    if delta > 0 then
      local available = tonumber(redis.call('HGET', KEYS[2], hop.linkId) or '0')
        - tonumber(redis.call('HGET', KEYS[3], hop.linkId) or '0')
      if available < delta then return { -1, i - 1, hop.linkId, available } end
    end
  end

  local done = n
  if halfWay == -2 then halfWay = math.floor(n / 2) end
  if halfWay >= 0 then done = math.min(halfWay, n - 1) end
  for i = 1, done do
    local hop = lsp.hops[i]
    local delta = bw - hop.reservedBps
    if delta ~= 0 then redis.call('HINCRBY', KEYS[3], hop.linkId, delta) end
    hop.reservedBps = bw
  end
  lsp.updatedAtMs = now
  if done == n then
    lsp.status = 'up'
    lsp.bandwidthBps = bw
    appendRate(lsp.rates, now, bw)
  else
    lsp.status = 'resize-partial'
  end
  json = cjson.encode(lsp)
  redis.call('HSET', KEYS[1], ARGV[1], json)
  if done < n then return { -9, json, done } end
  return { 0, json }
end

return withFault(KEYS[4], KEYS[5], ARGV[4], 'rsvp-te.resize', resize)
