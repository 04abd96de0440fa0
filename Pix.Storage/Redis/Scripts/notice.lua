-- Sends one outbox entry: stores the built notice in the queue and removes the entry, in one step; nothing when the
-- entry was sent already. ARGV: prefix, entry id, notice id (24 bytes), dedup key, payload, dedup window ms.
-- Returns 1 when the notice was stored now, 0 when it had been sent before.
local p = ARGV[1]
if redis.call('HDEL', p .. 'outbox', ARGV[2]) == 0 then return 0 end
local _, duplicate = store_message(p, ARGV[3], ARGV[4], ARGV[5], string.format('%016d', now_ms()), tonumber(ARGV[6]))
if duplicate then return 0 end
redis.call('SPUBLISH', p .. 'wake', 1)
return 1
