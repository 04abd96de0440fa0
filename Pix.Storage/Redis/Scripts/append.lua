-- Stores one owner's share of an ingest request, all or nothing. KEYS[1]: any key of the owner (routing).
-- ARGV: prefix, max backlog (-1: none), dedup window ms, count, then per message: id (24 bytes), dedup key
-- ('' for none), disposition ('0' deliver, '1' quarantine), payload.
-- Returns {-1} when the receiver's backlog is at the limit, else per message its id and 1 when it was a duplicate.
local p = ARGV[1]
local max_backlog = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local n = tonumber(ARGV[4])
if max_backlog >= 0 and tonumber(redis.call('GET', p .. 'unacked') or '0') >= max_backlog then return {-1} end
local now = now_ms()
local stamp = string.format('%016d', now)
local out = {}
local stored = 0
for i = 0, n - 1 do
  local a = 5 + i * 4
  local id, key, disposition, payload = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  local original = false
  if key ~= '' then original = redis.call('GET', p .. 'd:' .. key) end
  if original then
    out[#out + 1] = original
    out[#out + 1] = 1
  else
    if disposition == '0' then
      local seq = redis.call('INCR', p .. 'seq')
      redis.call('HSET', p .. 'm', seq, id .. stamp .. payload)
      redis.call('ZADD', p .. 'ready', seq, seq)
      if key ~= '' then redis.call('SET', p .. 'd:' .. key, id, 'PX', window) end
      stored = stored + 1
    else
      redis.call('HSET', p .. 'qm', id, stamp .. payload)
      redis.call('ZADD', p .. 'qt', now, id)
    end
    out[#out + 1] = id
    out[#out + 1] = 0
  end
end
if stored > 0 then
  redis.call('INCRBY', p .. 'unacked', stored)
  redis.call('SPUBLISH', p .. 'wake', stored)
end
return out
