-- #include labels
-- #include lsp
-- #include faults
-- RSVP-TE teardown (PathTear): releases every hop's reservation and label. KEYS: see includes/lsp.lua.
-- ARGV: LSP id, path nodes joined by '|' (the keys were computed from them; ids never contain '|'),
--       ingress PE, operation kind ('' = draw no fault: a retry)
-- Returns {0, record}; {-2} when absent; {-8} when the record now has another path (retry); a fault
-- reply (includes/faults.lua).
return withFault(KEYS[4], KEYS[5], ARGV[3], ARGV[4], function()
  local json = redis.call('HGET', KEYS[1], ARGV[1])
  if not json then return { -2 } end
  local lsp = cjson.decode(json)
  if table.concat(lsp.nodes, '|') ~= ARGV[2] then return { -8 } end
  releaseLsp(lsp)
  return { 0, json }
end)
