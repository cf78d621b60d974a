-- KEYS[1] the job's hash. ARGV: prefix, id, token, now, result JSON, retention millis, completed message.
local job = KEYS[1]
local h = redis.call('HMGET', job, 'state', 'tok')
if h[1] ~= 'PROCESSING' or h[2] ~= ARGV[3] then
  return 0
end
redis.call('HSET', job, 'res', ARGV[5], 'prog', '1')
finish(job, ARGV[2], 'COMPLETED', ARGV[4], ARGV[6], nil, ARGV[7])
return 1
