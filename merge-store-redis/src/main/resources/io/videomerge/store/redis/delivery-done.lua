-- KEYS[1] the job's hash. ARGV: prefix, id, token.
-- Ends the delivery claimed with this token: never claimed again. Returns 1 when it did, else 0.
local job = KEYS[1]
local h = redis.call('HMGET', job, 'ds', 'dt')
if h[1] ~= 'DUE' or h[2] ~= ARGV[3] then
  return 0
end
redis.call('HSET', job, 'ds', 'DONE')
redis.call('ZREM', P .. ':deliveries', ARGV[2])
return 1
