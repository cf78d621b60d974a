-- KEYS[1] the job's hash. ARGV: prefix, id, token, now, retention millis, cancelled message, released message.
local job, id, now = KEYS[1], ARGV[2], ARGV[4]
local h = redis.call('HMGET', job, 'state', 'tok', 'att', 'cr', 'ca')
if h[1] ~= 'PROCESSING' or h[2] ~= ARGV[3] then
  return 0
end
if h[4] == '1' then
  finish(job, id, 'CANCELLED', now, ARGV[5], 'CANCELLED', ARGV[6])
  return 1
end
requeue(job, id, tonumber(h[3]), h[5], now, ARGV[7])
redis.call('PUBLISH', P .. ':wake', id)
return 1
