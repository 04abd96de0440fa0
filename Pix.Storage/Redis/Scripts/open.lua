-- Takes one of the participant's stream slots. ARGV: prefix, max streams, idle ms. Returns the stream id, or 0.
local p = ARGV[1]
if redis.call('SCARD', p .. 'streams') >= tonumber(ARGV[2]) then return 0 end
local sid = redis.call('INCR', p .. 'sid')
redis.call('SADD', p .. 'streams', sid)
redis.call('HSET', p .. 's:' .. sid, 'b', 0, 'l', 0, 'lu', 0, 'c', '')
redis.call('ZADD', p .. 'idle', now_ms() + tonumber(ARGV[3]), sid)
return sid
