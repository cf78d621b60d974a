-- KEYS[1] the finished set. ARGV: prefix, cutoff, batch size.
-- Returns {jobs deleted, entries examined}; the caller repeats while a full batch was examined.
local finished = KEYS[1]
local ids = redis.call('ZRANGEBYSCORE', finished, '-inf', '(' .. ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local deleted = 0
for _, id in ipairs(ids) do
  local job = jobKey(id)
  local h = redis.call('HMGET', job, 'state', 'ik')
  if h[1] == 'COMPLETED' or h[1] == 'FAILED' or h[1] == 'CANCELLED' then
    if h[2] and redis.call('GET', idemKey(h[2])) == id then
      redis.call('DEL', idemKey(h[2]))
    end
    deleted = deleted + redis.call('DEL', job)
  end
  redis.call('ZREM', finished, id)
end
return {deleted, #ids}
