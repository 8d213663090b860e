-- Per-node MPLS label space (RFC 3031 §3.14 per-platform): next never-used label, a sorted set of
-- released labels (lowest reused first) and label -> owner. A label is bound at most once per node.

local function labelAvailable(nextKey, freeKey, minLabel, maxLabel)
  if redis.call('ZCARD', freeKey) > 0 then return true end
  local nextLabel = tonumber(redis.call('GET', nextKey) or minLabel)
  return nextLabel <= maxLabel
end

-- Callers check labelAvailable first: scripts make every check before their first write.
local function allocLabel(nextKey, freeKey, ownerKey, owner, minLabel)
  local popped = redis.call('ZPOPMIN', freeKey)
  local label
  if popped[1] then
    label = tonumber(popped[1])
  else
    label = tonumber(redis.call('GET', nextKey) or minLabel)
    redis.call('SET', nextKey, label + 1)
  end
  if redis.call('HSETNX', ownerKey, label, owner) == 0 then
    error('PESIM invariant broken: label ' .. label .. ' is bound twice')
  end
  return label
end

-- Frees a label only if `owner` still holds it (after a reboot the node may have bound it again).
local function freeLabel(freeKey, ownerKey, label, owner)
  if redis.call('HGET', ownerKey, label) == owner then
    redis.call('HDEL', ownerKey, label)
    redis.call('ZADD', freeKey, label, label)
    return true
  end
  return false
end
