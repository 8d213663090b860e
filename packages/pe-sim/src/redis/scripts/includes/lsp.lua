-- RSVP-TE path scripts take KEYS[1] = LSP hash, KEYS[2] = link capacity, KEYS[3] = link reserved,
-- KEYS[4] = faults, KEYS[5] = fault state, then four keys per path node j (0-based) from KEYS[6 + 4j]:
-- label next, label free, label owner, node LSP index.

local function nodeKey(j, which)
  return KEYS[6 + 4 * j + which]
end

-- Releases everything an LSP record still holds: each hop's reservation on its link and the label its
-- downstream node bound for it, then drops the record and its index entries.
local function releaseLsp(lsp)
  local owner = 'rsvp:' .. lsp.lspId
  for i, hop in ipairs(lsp.hops) do
    if hop.reservedBps > 0 then
      redis.call('HINCRBY', KEYS[3], hop.linkId, -hop.reservedBps)
    end
    if hop.label ~= cjson.null then
      -- hop i (1-based) ends at path node i (0-based), which bound the label
      freeLabel(nodeKey(i, 1), nodeKey(i, 2), hop.label, owner)
    end
  end
  for j = 0, #lsp.nodes - 1 do
    redis.call('SREM', nodeKey(j, 3), lsp.lspId)
  end
  redis.call('HDEL', KEYS[1], lsp.lspId)
end
