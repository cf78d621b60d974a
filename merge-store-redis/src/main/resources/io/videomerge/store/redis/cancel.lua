-- KEYS[1] the job's hash. ARGV: prefix, id, now, retention millis, cancelled message, cancelling message.
local job, id, now = KEYS[1], ARGV[2], ARGV[3]
local state = redis.call('HGET', job, 'state')
if state == 'PENDING' then
  finish(job, id, 'CANCELLED', now, ARGV[4], 'CANCELLED', ARGV[5])
  return 1
end
if state == 'PROCESSING' then
  redis.call('HSET', job, 'cr', 1, 'ua', now, 'msg', ARGV[6])
  return 1
end
return 0
