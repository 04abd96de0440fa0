-- Shared by every script (prepended when the scripts are loaded). All keys of one participant share its hash tag,
-- so each script runs atomically on the one shard that owns the participant.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Regions: the caller passes the epoch of the ownership map it decided by (0 without regions). The disaster-recovery
-- controller raises an ISPB's fence to the epoch at which it changed owner, so a node that has not learned of the
-- change (a region back from a partition) is refused here, before anything changes.
local function fenced(p, epoch)
  if epoch == 0 then return false end
  local fence = redis.call('GET', p .. 'fence')
  return fence ~= false and tonumber(fence) > epoch
end

-- A stream's claim is the list of queue sequences its current batch holds, comma-separated.
local function split(claim)
  local seqs = {}
  if claim and claim ~= '' then
    for seq in string.gmatch(claim, '[^,]+') do seqs[#seqs + 1] = seq end
  end
  return seqs
end

-- Acknowledged messages leave the store: nobody may read them again.
local function acknowledge(p, seqs)
  if #seqs == 0 then return end
  redis.call('HDEL', p .. 'm', unpack(seqs))
  redis.call('DECRBY', p .. 'unacked', #seqs)
end

-- Released claims go back to the head of the queue: the ready set is ordered by sequence.
local function release(p, seqs)
  for i = 1, #seqs do redis.call('ZADD', p .. 'ready', tonumber(seqs[i]), seqs[i]) end
  if #seqs > 0 then redis.call('SPUBLISH', p .. 'wake', #seqs) end
end

local function close_stream(p, sid)
  redis.call('DEL', p .. 's:' .. sid)
  redis.call('SREM', p .. 'streams', sid)
  redis.call('ZREM', p .. 'idle', sid)
end

-- Puts one deliverable message at the tail of the queue under its id, holding its dedup key for the window.
-- Returns the id it is stored under: the original one when the key was held already.
local function store_message(p, id, key, payload, stamp, window)
  if key ~= '' then
    local original = redis.call('GET', p .. 'd:' .. key)
    if original then return original, true end
  end
  local seq = redis.call('INCR', p .. 'seq')
  redis.call('HSET', p .. 'm', seq, id .. stamp .. payload)
  redis.call('ZADD', p .. 'ready', seq, seq)
  if key ~= '' then redis.call('SET', p .. 'd:' .. key, id, 'PX', window) end
  redis.call('INCR', p .. 'unacked')
  return id, false
end
