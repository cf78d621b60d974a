-- KEYS[1] the ready set. ARGV: prefix, now, owner, lease expiry, processing message.
local ready, now = KEYS[1], ARGV[2]
while true do
  local first = redis.call('ZRANGEBYSCORE', ready, '-inf', now, 'LIMIT', 0, 1)
  if #first == 0 then
    return {}
  end
  local member = first[1]
  redis.call('ZREM', ready, member)
  -- The member ends with the 36-character task id.
  local id = string.sub(member, -36)
  local job = jobKey(id)
  -- A member whose job is gone or not pending is a stale index entry: dropped, and the next one tried.
  if redis.call('HGET', job, 'state') == 'PENDING' then
    redis.call('HINCRBY', job, 'tok', 1)
    redis.call('HSET', job, 'state', 'PROCESSING', 'own', ARGV[3], 'exp', ARGV[4], 'ua', now, 'msg', ARGV[5])
    redis.call('ZADD', P .. ':processing', ARGV[4], id)
    return redis.call('HGETALL', job)
  end
end
