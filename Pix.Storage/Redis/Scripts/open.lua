-- Takes one of the participant's stream slots. ARGV: prefix, max streams, idle ms, epoch. Returns the stream id, 0
-- when every slot is taken, -1 when fenced (another region owns the participant now).
local p = ARGV[1]
if fenced(p, tonumber(ARGV[4])) then return -1 end
if redis.call('SCARD', p .. 'streams') >= tonumber(ARGV[2]) then return 0 end
local sid = redis.call('INCR', p .. 'sid')
redis.call('SADD', p .. 'streams', sid)
redis.call('HSET', p .. 's:' .. sid, 'b', 0, 'l', 0, 'lu', 0, 'c', '')
redis.call('ZADD', p .. 'idle', now_ms() + tonumber(ARGV[3]), sid)
return sid
