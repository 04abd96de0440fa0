-- The sender gate (ISenderGate.AdmitAsync) on the sender's slot. ARGV: prefix, cost, messages, failures, capacity,
-- refill per second, window seconds, isolate above ratio, minimum messages, is the SPI ('1' never isolated), epoch.
-- Returns {0, retry after seconds} when refused, {2} when fenced (another region owns the sender now), else
-- {1, isolated before (0/1), newly isolated (0/1)}.
local p = ARGV[1]
if fenced(p, tonumber(ARGV[11])) then return {2} end
local cost, messages, failures = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local capacity, refill = tonumber(ARGV[5]), tonumber(ARGV[6])
local window, ratio, minimum, spi = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), ARGV[10] == '1'
local now = now_ms()
local bucket = redis.call('HMGET', p .. 'bucket', 'tokens', 'at')
local tokens = tonumber(bucket[1]) or capacity
local at = tonumber(bucket[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) / 1000 * refill)
if tokens < cost then
  redis.call('HSET', p .. 'bucket', 'tokens', tostring(tokens), 'at', now)
  return {0, math.max(1, math.ceil((cost - tokens) / refill))}
end
redis.call('HSET', p .. 'bucket', 'tokens', tostring(tokens - cost), 'at', now)
-- An idle sender's bucket is full again after capacity/refill seconds: nothing is kept longer than that.
redis.call('PEXPIRE', p .. 'bucket', math.ceil(capacity / refill * 1000) + 1000)
if spi then return {1, 0, 0} end

local isolated = redis.call('EXISTS', p .. 'isolated') == 1
-- Ten buckets of window/10 seconds: t<n> and f<n> count messages and failures, 'slot' is the newest bucket.
local width = window * 100
local slot = math.floor(now / width)
local last = tonumber(redis.call('HGET', p .. 'window', 'slot') or '-1')
if last < 0 or slot - last >= 10 then
  redis.call('DEL', p .. 'window')
else
  for s = last + 1, slot do redis.call('HDEL', p .. 'window', 't' .. (s % 10), 'f' .. (s % 10)) end
end
redis.call('HSET', p .. 'window', 'slot', slot)
redis.call('HINCRBY', p .. 'window', 't' .. (slot % 10), messages)
redis.call('HINCRBY', p .. 'window', 'f' .. (slot % 10), failures)
redis.call('PEXPIRE', p .. 'window', math.ceil(window * 1000))
local counts = redis.call('HGETALL', p .. 'window')
local total, failed = 0, 0
for i = 1, #counts, 2 do
  local name = counts[i]
  if string.sub(name, 1, 1) == 't' then total = total + tonumber(counts[i + 1]) end
  if string.sub(name, 1, 1) == 'f' then failed = failed + tonumber(counts[i + 1]) end
end
local newly = 0
if not isolated and failures > 0 and total >= minimum and failed / total > ratio then
  redis.call('SET', p .. 'isolated', now)
  newly = 1
end
return {1, isolated and 1 or 0, newly}
