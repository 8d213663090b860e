-- #include rates
-- A node forgets all its state, as after a reboot.
-- KEYS: LSP hash, link reserved, then the node's label next, label free, label owner, LSP index, LDP
--       bindings, VRFs, membership routes, UNI sessions, marking rules
-- ARGV: node id, now
-- Every LSP through the node goes down: reservations the node held (its outgoing hops) are released and
-- the labels it bound are forgotten; other nodes keep their state until the LSP is torn down.
-- Returns {lsp ids (JSON), session ids (JSON), routes, vrfs, ldp bindings, labels}.
local node, now = ARGV[1], tonumber(ARGV[2])
local lspIds = redis.call('SMEMBERS', KEYS[6])
table.sort(lspIds)
for _, id in ipairs(lspIds) do
  local json = redis.call('HGET', KEYS[1], id)
  if json then
    local lsp = cjson.decode(json)
    for _, hop in ipairs(lsp.hops) do
      if hop.from == node and hop.reservedBps > 0 then
        redis.call('HINCRBY', KEYS[2], hop.linkId, -hop.reservedBps)
        hop.reservedBps = 0
      end
      if hop.to == node then hop.label = cjson.null end
    end
    lsp.status = 'down'
    lsp.updatedAtMs = now
    appendRate(lsp.rates, now, 0)
    redis.call('HSET', KEYS[1], id, cjson.encode(lsp))
  end
end
local sessions = redis.call('HKEYS', KEYS[10])
table.sort(sessions)
local routes = redis.call('HLEN', KEYS[9])
local vrfs = redis.call('HLEN', KEYS[8])
local ldp = redis.call('HLEN', KEYS[7])
local labels = redis.call('HLEN', KEYS[5])
redis.call('DEL', KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11])
local function list(t)
  if #t == 0 then return '[]' end
  return cjson.encode(t)
end
return { list(lspIds), list(sessions), routes, vrfs, ldp, labels }
