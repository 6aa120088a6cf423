/**
 * The Redis store's Lua scripts: each runs atomically on the server, so several gateway instances
 * can never together overdraw a limit. The arithmetic mirrors usedNow/fitTime in quota-store.ts
 * line for line; change both or neither. Time is the caller's `now` (an injected clock), never
 * Redis TIME, so the memory and Redis stores behave the same under a test clock.
 *
 * Values are plain strings read with one MGET and written with SET PX, because each redis.call
 * costs more than the arithmetic around it:
 *   slot: "used,stamp"  (stamp: continuous, last update ms; calendar, its period's end)
 *   park: "until,level,reason"
 */

const helpers = `
local function parse_slot(value)
  if not value then return nil, nil end
  local u, t = string.match(value, '^([^,]*),(.*)$')
  return tonumber(u), tonumber(t)
end
local function parse_park(value)
  if not value then return 0, 0, '' end
  local until_at, level, reason = string.match(value, '^([^,]*),([^,]*),(.*)$')
  return tonumber(until_at) or 0, tonumber(level) or 0, reason or ''
end
local function used_now(u, t, amount, window, period_end, now)
  if not u then return 0 end
  t = t or now
  if period_end > 0 then
    if t < period_end then return 0 end
    return u
  end
  if amount <= 0 or window <= 0 then return u end
  return math.max(0, u - math.max(0, now - t) * amount / window)
end
-- stamp: continuous slots only, now or later (a hold); calendar slots store their period's end.
local function store_slot(key, u, amount, window, period_end, now, stamp)
  local ttl = window + 1000
  if period_end > 0 then
    stamp, ttl = period_end, period_end - now + 60000
  elseif amount > 0 then
    ttl = math.ceil(u * window / amount) + 1000 + math.max(0, stamp - now)
  end
  redis.call('SET', key, string.format('%.17g,%d', u, stamp), 'PX', math.max(1000, math.floor(ttl)))
end
`;

/**
 * Reserves a batch of requests in one call, each all or nothing, in order: concurrent callers
 * share the reads and writes of hot keys, which is what lets one Redis serve thousands a second.
 * KEYS: every key the batch touches, once. ARGV: now, request count, delivery guard ms, then per request:
 * park count, slot count, park key indexes, and per slot: key index, amount, windowMs, periodEnd, cost,
 * ceiling (fill no higher: below amount for a share kept free), holdUntil (0: none; see setsHold).
 * Returns per request three numbers: ok (1/0), retryAt (-1: never), blocking index (parks, then slots);
 * then per slot the units in use just before the charge, in thousandths (Redis answers integers; 0 when
 * refused), as -1 - that when the charge set the slot's hold.
 */
export const reserveScript = `${helpers}
local now = tonumber(ARGV[1])
local count = tonumber(ARGV[2])
local guard = tonumber(ARGV[3])
local values = redis.call('MGET', unpack(KEYS))
local slot_u, slot_t, seen, dirty = {}, {}, {}, {}
local results = {}
local pos = 4
for r = 1, count do
  local parks, slots = tonumber(ARGV[pos]), tonumber(ARGV[pos + 1])
  pos = pos + 2
  local retry_at, blocking, never = now, -1, false
  for i = 1, parks do
    local until_at = parse_park(values[tonumber(ARGV[pos])])
    pos = pos + 1
    if until_at > retry_at then retry_at, blocking = until_at, i - 1 end
  end
  local first, used = pos, {}
  for j = 1, slots do
    local k, amount, window, period_end, cost = tonumber(ARGV[pos]), tonumber(ARGV[pos + 1]), tonumber(ARGV[pos + 2]), tonumber(ARGV[pos + 3]), tonumber(ARGV[pos + 4])
    local ceiling = tonumber(ARGV[pos + 5])
    pos = pos + 7
    if not seen[k] then
      seen[k] = true
      slot_u[k], slot_t[k] = parse_slot(values[k])
    end
    local u = used_now(slot_u[k], slot_t[k], amount, window, period_end, now)
    used[j] = u
    -- guardedFitTime: a refilling slot is judged by its usage guard ms ago; a held one as if now were its stamp.
    local guarded = period_end <= 0 and slot_u[k] ~= nil and slot_t[k] ~= nil and amount > 0 and window > 0 and (guard > 0 or slot_t[k] > now)
    local c = u
    if guarded then c = math.max(0, slot_u[k] - (math.max(now, slot_t[k]) - slot_t[k] - guard) * amount / window) end
    if c + cost > ceiling and not never then
      if cost > ceiling or amount <= 0 or window <= 0 then
        never, blocking = true, parks + j - 1
      else
        local at = period_end
        if guarded then at = math.min(slot_t[k], now) + guard + math.ceil((slot_u[k] + cost - ceiling) * window / amount)
        elseif period_end <= 0 then at = now + math.ceil((u + cost - ceiling) * window / amount) end
        if at > retry_at then retry_at, blocking = at, parks + j - 1 end
      end
    end
  end
  local isTaken, held = false, {}
  if never then
    results[#results + 1], results[#results + 2], results[#results + 3] = 0, -1, blocking
  elseif blocking >= 0 then
    results[#results + 1], results[#results + 2], results[#results + 3] = 0, math.ceil(retry_at), blocking
  else
    isTaken = true
    for j = 1, slots do
      local p = first + (j - 1) * 7
      local k, period_end, cost, hold_until = tonumber(ARGV[p]), tonumber(ARGV[p + 3]), tonumber(ARGV[p + 4]), tonumber(ARGV[p + 6])
      slot_u[k] = used[j] + cost
      if period_end > 0 then
        slot_t[k] = period_end
      else
        -- reservedStamp and setsHold: a stamp never moves back; a charge onto less than its cost sets the hold.
        slot_t[k] = math.max(now, slot_t[k] or now)
        if hold_until > 0 and used[j] < cost then
          held[j] = true
          slot_t[k] = math.max(slot_t[k], hold_until)
        end
      end
      dirty[k] = p
    end
    results[#results + 1], results[#results + 2], results[#results + 3] = 1, 0, 0
  end
  for j = 1, slots do
    local before = 0
    if isTaken then before = math.floor(used[j] * 1000 + 0.5) end
    if held[j] then before = -1 - before end
    results[#results + 1] = before
  end
end
for k, p in pairs(dirty) do
  store_slot(KEYS[k], slot_u[k], tonumber(ARGV[p + 1]), tonumber(ARGV[p + 2]), tonumber(ARGV[p + 3]), now, slot_t[k])
end
return results
`;

/**
 * KEYS: slot keys. ARGV: now, channel, message, then per slot: amount, windowMs, periodEnd (the
 * reservation's), delta. A refund (a negative delta) publishes the message on the channel, so other
 * instances' waiting requests try again now instead of at the time they were last told.
 */
export const settleScript = `${helpers}
local now = tonumber(ARGV[1])
local values = redis.call('MGET', unpack(KEYS))
local refunded = false
for j = 1, #KEYS do
  local base = 3 + (j - 1) * 4
  local amount, window, period_end, delta = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3]), tonumber(ARGV[base + 4])
  local su, st = parse_slot(values[j])
  -- A calendar charge belongs to its period: once the period has turned, there is nothing to correct.
  if period_end <= 0 or (su and st == period_end) then
    local u = used_now(su, st, amount, window, period_end, now)
    store_slot(KEYS[j], math.max(0, u + delta), amount, window, period_end, now, now)
    -- A refund, or a hold released (the slot refills from now, not from later): capacity comes back sooner.
    if delta < 0 or (period_end <= 0 and st and st > now) then refunded = true end
  end
end
if refunded and ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return 1
`;

/**
 * KEYS: slot keys (ARGV[2] of them), then park keys.
 * ARGV: now, slot count, per slot: amount, windowMs, periodEnd, used floor;
 * then per park key: kind (until|backoff|success), until, reason, baseMs, maxMs.
 */
export const applyScript = `${helpers}
local now = tonumber(ARGV[1])
local slots = tonumber(ARGV[2])
local values = redis.call('MGET', unpack(KEYS))
for j = 1, slots do
  local base = 2 + (j - 1) * 4
  local amount, window, period_end, floor = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3]), tonumber(ARGV[base + 4])
  local su, st = parse_slot(values[j])
  if floor > used_now(su, st, amount, window, period_end, now) then
    store_slot(KEYS[j], floor, amount, window, period_end, now, now)
  end
end
local offset = 2 + slots * 4
for i = 1, #KEYS - slots do
  local key, value = KEYS[slots + i], values[slots + i]
  local base = offset + (i - 1) * 5
  local kind = ARGV[base + 1]
  local until_at, level, reason = parse_park(value)
  local changed = false
  if kind == 'success' then
    if level > 0 then level, changed = 0, true end
  elseif kind == 'until' then
    local wanted = tonumber(ARGV[base + 2])
    if wanted > until_at then until_at, reason, changed = wanted, ARGV[base + 3], true end
  elseif until_at <= now then
    -- Concurrent failures of one outage arrive while it is parked: they must not grow the backoff.
    until_at = now + math.min(tonumber(ARGV[base + 5]), tonumber(ARGV[base + 4]) * 2 ^ level)
    level, reason, changed = level + 1, ARGV[base + 3], true
  end
  if changed then
    -- Keep the backoff level an hour past the parking so a quick relapse still grows it.
    local ttl = math.max(1000, math.floor(until_at - now + 3600000))
    redis.call('SET', key, string.format('%d,%d,%s', until_at, level, reason), 'PX', ttl)
  end
end
return 1
`;
