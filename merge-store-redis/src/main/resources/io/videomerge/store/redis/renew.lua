-- KEYS[1] the job's hash. ARGV: prefix, id, token, now, lease expiry, progress, message.
-- Returns 0 lost, 1 renewed, 2 renewed with cancellation requested.
local job = KEYS[1]
local h = redis.call('HMGET', job, 'state', 'tok', 'prog', 'cr')
if h[1] ~= 'PROCESSING' or h[2] ~= ARGV[3] then
  return 0
end
local progress = ARGV[6]
if tonumber(h[3]) > tonumber(progress) then
  progress = h[3]
end
redis.call('HSET', job, 'exp', ARGV[5], 'prog', progress, 'msg', ARGV[7], 'ua', ARGV[4])
redis.call('ZADD', P .. ':processing', ARGV[5], ARGV[2])
if h[4] == '1' then
  return 2
end
return 1
