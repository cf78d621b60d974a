-- KEYS[1] the job's hash. ARGV: prefix, id, token, time of the next attempt.
-- Schedules the next attempt of the delivery claimed with this token. Returns 1 when it did, else 0.
local job = KEYS[1]
local h = redis.call('HMGET', job, 'ds', 'dt')
if h[1] ~= 'DUE' or h[2] ~= ARGV[3] then
  return 0
end
redis.call('HINCRBY', job, 'da', 1)
redis.call('HSET', job, 'dn', ARGV[4])
redis.call('ZADD', P .. ':deliveries', ARGV[4], ARGV[2])
return 1
