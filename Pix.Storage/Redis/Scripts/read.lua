-- One step of a stream read (see IQueueStore.ReadAsync). ARGV: prefix, stream id, token, mode (0 advance, 1 fill,
-- 2 fill and release, 3 release), max, lease, lease ms, idle ms, epoch.
-- Returns {status} for gone (1), busy (2) or fenced (3); else {0, batch, changed, then per message: its stored value}.
-- A release (letting go of the caller's own lease) is allowed when fenced: it claims and acknowledges nothing.
local p, sid, token, mode, max = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local lease, lease_ms, idle_ms = ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8])
if mode ~= 3 and fenced(p, tonumber(ARGV[9])) then return {3} end
local sk = p .. 's:' .. sid
local st = redis.call('HMGET', sk, 'b', 'l', 'lu', 'c')
if not st[1] then return {1} end
local now = now_ms()
local batch, held, held_until = tonumber(st[1]), st[2], tonumber(st[3])
local seqs = split(st[4])
local leased_by_other = held ~= '0' and held ~= lease and held_until > now
local changed = 0

if mode == 3 then
  if held == lease then redis.call('HSET', sk, 'l', 0) end
  redis.call('ZADD', p .. 'idle', now + idle_ms, sid)
  return {0, batch, 0}
end
if leased_by_other then return {2} end
if mode == 0 then
  if token == batch or (#seqs == 0 and token > batch) then
    if #seqs > 0 then changed = 1 end
    acknowledge(p, seqs)
    seqs = {}
    batch = token + 1
  elseif token + 1 ~= batch then
    return {1}
  end
elseif batch ~= token then
  return {1}
end

if #seqs == 0 and max > 0 then
  local popped = redis.call('ZPOPMIN', p .. 'ready', max)
  for i = 1, #popped, 2 do seqs[#seqs + 1] = popped[i] end
  if #seqs > 0 then changed = 1 end
end

-- An empty batch keeps the request's lease while it waits (advance, fill); anything else lets go.
local hold = #seqs == 0 and mode ~= 2
if hold and mode == 0 then
  held = lease
  held_until = now + lease_ms
elseif not hold and held == lease then
  held = '0'
end
redis.call('HSET', sk, 'b', batch, 'l', held, 'lu', held_until, 'c', table.concat(seqs, ','))
redis.call('ZADD', p .. 'idle', now + idle_ms, sid)
local out = {0, batch, changed}
if #seqs > 0 then
  local values = redis.call('HMGET', p .. 'm', unpack(seqs))
  for i = 1, #values do out[#out + 1] = values[i] or '' end
end
return out
