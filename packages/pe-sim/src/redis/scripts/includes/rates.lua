-- Rate history for lazily computed counters: a list of {startMs, rateBps}; each rate holds until the
-- next entry. Times never go backwards; a change at the same instant replaces the last rate.
local function appendRate(rates, now, rate)
  local last = rates[#rates]
  if last then
    if now < last[1] then now = last[1] end
    if last[2] == rate then return end
    if last[1] == now then
      last[2] = rate
      return
    end
  end
  rates[#rates + 1] = { now, rate }
end
