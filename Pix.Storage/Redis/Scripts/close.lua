-- DELETE on a token (see IQueueStore.CloseStreamAsync). ARGV: prefix, stream id, token, epoch.
-- Returns {status, released}: 0 closed, 1 gone, 2 busy, 3 fenced.
local p, sid, token = ARGV[1], ARGV[2], tonumber(ARGV[3])
if fenced(p, tonumber(ARGV[4])) then return {3, 0} end
local sk = p .. 's:' .. sid
local st = redis.call('HMGET', sk, 'b', 'l', 'lu', 'c')
if not st[1] then return {1, 0} end
local batch, held, held_until = tonumber(st[1]), st[2], tonumber(st[3])
local seqs = split(st[4])
if held ~= '0' and held_until > now_ms() then return {2, 0} end
local released = 0
if token == batch or (#seqs == 0 and token > batch) then
  acknowledge(p, seqs)
elseif token + 1 == batch then
  release(p, seqs)
  released = #seqs
else
  return {1, 0}
end
close_stream(p, sid)
return {0, released}
