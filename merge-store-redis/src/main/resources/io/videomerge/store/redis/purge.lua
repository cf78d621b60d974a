-- KEYS[1] the finished set. ARGV: prefix, cutoff, most entries to examine.
-- Deletes the final jobs among the oldest entries finished before the cutoff, with their idempotency
-- keys and delivery entries, and drops those entries (an entry whose job already expired is dropped too).
-- Returns {entries examined, fields of each deleted job as HGETALL gave them...}, oldest finished
-- first; the caller repeats while every entry it asked for was examined.
local finished = KEYS[1]
local ids = redis.call('ZRANGEBYSCORE', finished, '-inf', '(' .. ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local reply = {#ids}
for _, id in ipairs(ids) do
  local job = jobKey(id)
  local h = redis.call('HMGET', job, 'state', 'ik', 'pr')
  if h[1] == 'COMPLETED' or h[1] == 'FAILED' or h[1] == 'CANCELLED' then
    reply[#reply + 1] = redis.call('HGETALL', job)
    if h[2] and redis.call('GET', idemKey(h[3], h[2])) == id then
      redis.call('DEL', idemKey(h[3], h[2]))
    end
    redis.call('DEL', job)
    redis.call('ZREM', P .. ':deliveries', id)
  end
  redis.call('ZREM', finished, id)
end
return reply
