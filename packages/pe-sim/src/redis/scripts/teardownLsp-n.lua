-- #include labels
-- #include lsp
-- RSVP-TE teardown (PathTear): releases every hop's reservation and label. KEYS: see includes/lsp.lua.
-- ARGV: LSP id, path nodes joined by '|' (the keys were computed from them; ids never contain '|')
-- Returns {0, record}; {-2} when absent; {-8} when the record now has another path (retry).
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not json then return { -2 } end
local lsp = cjson.decode(json)
if table.concat(lsp.nodes, '|') ~= ARGV[2] then return { -8 } end
releaseLsp(lsp)
return { 0, json }
