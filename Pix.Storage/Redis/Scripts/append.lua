-- Stores one owner's share of an ingest request, all or nothing. KEYS[1]: any key of the owner (routing).
-- ARGV: prefix, max backlog (-1: none), dedup window ms, quarantine quota per sender, quarantine retention ms, count,
-- then per message: id (24 bytes), dedup key ('' for none), disposition ('0' deliver, '1' quarantine, with the
-- receiver's ISPB after it: '1' .. to), payload; then the number of notices and per notice its entry id and bytes
-- (the outbox, stored in the same step as the messages it concerns).
-- Returns {-1} when the receiver's backlog is at the limit, else per message its id and 1 when it was a duplicate.
local p = ARGV[1]
local max_backlog = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local quota, retention = tonumber(ARGV[4]), tonumber(ARGV[5])
local n = tonumber(ARGV[6])
if max_backlog >= 0 and tonumber(redis.call('GET', p .. 'unacked') or '0') >= max_backlog then return {-1} end
local now = now_ms()
local stamp = string.format('%016d', now)
local out = {}
local stored = 0
for i = 0, n - 1 do
  local a = 7 + i * 4
  local id, key, disposition, payload = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  if string.sub(disposition, 1, 1) == '0' then
    local kept, duplicate = store_message(p, id, key, payload, stamp, window)
    out[#out + 1] = kept
    out[#out + 1] = duplicate and 1 or 0
    if not duplicate then stored = stored + 1 end
  else
    -- Quarantined: kept under its sender, never delivered, holding no dedup key; within the retention and quota.
    redis.call('HSET', p .. 'qm', id, stamp .. payload)
    redis.call('HSET', p .. 'qi', id, string.sub(disposition, 2))
    redis.call('ZADD', p .. 'qt', now, id)
    local old = redis.call('ZRANGEBYSCORE', p .. 'qt', '-inf', now - retention)
    local over = redis.call('ZCARD', p .. 'qt') - #old - quota
    if over > 0 then
      local oldest = redis.call('ZRANGE', p .. 'qt', #old, #old + over - 1)
      for k = 1, #oldest do old[#old + 1] = oldest[k] end
    end
    if #old > 0 then
      redis.call('ZREM', p .. 'qt', unpack(old))
      redis.call('HDEL', p .. 'qm', unpack(old))
      redis.call('HDEL', p .. 'qi', unpack(old))
    end
    out[#out + 1] = id
    out[#out + 1] = 0
  end
end
local b = 7 + n * 4
local notices = tonumber(ARGV[b] or '0')
for j = 0, notices - 1 do
  redis.call('HSET', p .. 'outbox', ARGV[b + 1 + j * 2], ARGV[b + 2 + j * 2])
end
if stored > 0 then redis.call('SPUBLISH', p .. 'wake', stored) end
return out
