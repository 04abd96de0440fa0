-- Delivers a quarantined message an operator released: stores it in the receiver's queue under its own id, holding
-- its dedup key. ARGV: prefix, id (24 bytes), dedup key ('' for none), quarantined value (stamp and payload), dedup window.
-- Returns {id in the queue, 1 when the key was held already (not stored again)}.
local p = ARGV[1]
local value = ARGV[4]
local kept, duplicate = store_message(p, ARGV[2], ARGV[3], string.sub(value, 17), string.format('%016d', now_ms()), tonumber(ARGV[5]))
if not duplicate then redis.call('SPUBLISH', p .. 'wake', 1) end
return {kept, duplicate and 1 or 0}
