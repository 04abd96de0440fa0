-- The operator's view of one participant. ARGV: prefix. Returns {depth, unacknowledged, oldest stored at (ms, 0 for
-- none), open streams, now}.
local p = ARGV[1]
local depth = redis.call('ZCARD', p .. 'ready')
local unacked = tonumber(redis.call('GET', p .. 'unacked') or '0')
local oldest = nil
local head = redis.call('ZRANGE', p .. 'ready', 0, 0)
if #head > 0 then oldest = tonumber(head[1]) end
local streams = redis.call('SMEMBERS', p .. 'streams')
for i = 1, #streams do
  local seqs = split(redis.call('HGET', p .. 's:' .. streams[i], 'c'))
  for j = 1, #seqs do
    local seq = tonumber(seqs[j])
    if oldest == nil or seq < oldest then oldest = seq end
  end
end
local stored_at = 0
if oldest ~= nil then
  local value = redis.call('HGET', p .. 'm', oldest)
  if value then stored_at = tonumber(string.sub(value, 25, 40)) end
end
return {depth, unacked, stored_at, #streams, now_ms()}
