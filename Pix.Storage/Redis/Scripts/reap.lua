-- Closes the participant's streams whose idle deadline passed and that no live lease holds, releasing their
-- batches. ARGV: prefix, epoch. Returns {next deadline (ms, or -1 when no stream is left), then stream id, released,
-- ...}, or {-2} when fenced (another region owns the participant now).
local p = ARGV[1]
if fenced(p, tonumber(ARGV[2])) then return {-2} end
local now = now_ms()
local out = {-1}
local due = redis.call('ZRANGEBYSCORE', p .. 'idle', '-inf', now)
for i = 1, #due do
  local sid = due[i]
  local st = redis.call('HMGET', p .. 's:' .. sid, 'l', 'lu', 'c')
  if not st[1] then
    redis.call('ZREM', p .. 'idle', sid)
  elseif st[1] ~= '0' and tonumber(st[2]) > now then
    -- A parked request holds it: look again once its lease is over.
    redis.call('ZADD', p .. 'idle', tonumber(st[2]), sid)
  else
    local seqs = split(st[3])
    release(p, seqs)
    close_stream(p, sid)
    out[#out + 1] = sid
    out[#out + 1] = #seqs
  end
end
local first = redis.call('ZRANGE', p .. 'idle', 0, 0, 'WITHSCORES')
if #first > 0 then out[1] = tonumber(first[2]) end
return out
