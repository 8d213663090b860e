-- #include labels
-- #include rates
-- #include lsp
-- #include faults
-- RSVP-TE LSP set-up along an explicit route (RFC 3209). KEYS: see includes/lsp.lua.
-- ARGV: spec JSON {lspId, nodes, links, bandwidthBps, setupPriority, holdingPriority, php},
--       route key, now (ms), label min, label max, ingress PE, operation kind ('' = draw no fault)
-- Returns {0, record} set up; {1, record} already up (idempotent); {-9, record} failed half-way;
-- {-1, hopIndex, linkId, availableBps}; {-3, reason}; {-4, node}; {-10, linkId}; a fault reply
-- (includes/faults.lua).
local spec = cjson.decode(ARGV[1])
local routeKey = ARGV[2]
local now = tonumber(ARGV[3])
local minLabel, maxLabel = tonumber(ARGV[4]), tonumber(ARGV[5])
local bw = spec.bandwidthBps
local n = #spec.links

-- halfWay: -1 none, -2 half the hops, k: stop after k hops (a half-way fault)
local function signal(halfWay)
  local existingJson = redis.call('HGET', KEYS[1], spec.lspId)
  if existingJson then
    local existing = cjson.decode(existingJson)
    if existing.routeKey ~= routeKey then return { -3, 'route' } end
    if existing.status == 'up' or existing.status == 'resize-partial' then
      if existing.bandwidthBps == bw then return { 1, existingJson } end
      return { -3, 'bandwidth' }
    end
    -- partial or down with the same route: a retry releases what is left, then signals afresh
    releaseLsp(existing)
  end

  -- Path message, hop by hop: admission on each outgoing link (RFC 3209 §4.7.4). Refuse before any write.
  for i = 1, n do
    local link = spec.links[i]
    local cap = redis.call('HGET', KEYS[2], link)
    if not cap then return { -10, link } end
    local available = tonumber(cap) - tonumber(redis.call('HGET', KEYS[3], link) or '0')
    if available < bw then return { -1, i - 1, link, available } end
  end

  -- a half-way fault stops after `halfWay` hops (-2: half of them), never after all of them
  local setUp = n
  if halfWay == -2 then halfWay = math.floor(n / 2) end
  if halfWay >= 0 then setUp = math.min(halfWay, n - 1) end

  -- Every downstream node of a set-up hop binds a label, except a PHP egress (Implicit NULL).
  for i = 1, setUp do
    if not (i == n and spec.php) then
      if not labelAvailable(nodeKey(i, 0), nodeKey(i, 1), minLabel, maxLabel) then
        return { -4, spec.nodes[i + 1] }
      end
    end
  end

  -- Resv message, egress to ingress: each node binds the label its upstream neighbour will send with
  -- (RFC 3209 §4.1.1 LABEL object) and the hop's bandwidth is reserved.
  local owner = 'rsvp:' .. spec.lspId
  local hops = {}
  for i = n, 1, -1 do
    local hop = { linkId = spec.links[i], from = spec.nodes[i], to = spec.nodes[i + 1], reservedBps = 0, label = cjson.null }
    if i <= setUp then
      redis.call('HINCRBY', KEYS[3], hop.linkId, bw)
      hop.reservedBps = bw
      if i == n and spec.php then
        hop.label = 3
      else
        hop.label = allocLabel(nodeKey(i, 0), nodeKey(i, 1), nodeKey(i, 2), owner, minLabel)
      end
    end
    hops[i] = hop
  end
  for j = 0, n do
    redis.call('SADD', nodeKey(j, 3), spec.lspId)
  end

  local status = 'up'
  local rate = bw
  if setUp < n then
    status = 'partial'
    rate = 0
  end
  local record = {
    lspId = spec.lspId, ingress = spec.nodes[1], egress = spec.nodes[n + 1], nodes = spec.nodes, hops = hops,
    bandwidthBps = bw, setupPriority = spec.setupPriority, holdingPriority = spec.holdingPriority, php = spec.php,
    status = status, routeKey = routeKey, createdAtMs = now, updatedAtMs = now, rates = { { now, rate } },
  }
  local json = cjson.encode(record)
  redis.call('HSET', KEYS[1], spec.lspId, json)
  if setUp < n then return { -9, json, setUp } end
  return { 0, json }
end

return withFault(KEYS[4], KEYS[5], ARGV[6], ARGV[7], signal)
