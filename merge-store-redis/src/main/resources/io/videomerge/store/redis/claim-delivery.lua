-- KEYS[1] the deliveries set. ARGV: prefix, now, lease end.
-- Takes the due delivery with the earliest not-before time under a lease: its not-before becomes the lease end,
-- its token grows. Returns the job as HGETALL gives it, or nothing.
local deliveries, now = KEYS[1], ARGV[2]
while true do
  local first = redis.call('ZRANGEBYSCORE', deliveries, '-inf', now, 'LIMIT', 0, 1)
  if #first == 0 then
    return {}
  end
  local id = first[1]
  local job = jobKey(id)
  -- An entry whose job expired or whose delivery is no longer due is stale: dropped, and the next one tried.
  if redis.call('HGET', job, 'ds') == 'DUE' then
    redis.call('HINCRBY', job, 'dt', 1)
    redis.call('HSET', job, 'dn', ARGV[3])
    redis.call('ZADD', deliveries, ARGV[3], id)
    return redis.call('HGETALL', job)
  end
  redis.call('ZREM', deliveries, id)
end
