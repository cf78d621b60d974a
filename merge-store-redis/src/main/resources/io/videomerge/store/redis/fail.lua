-- KEYS[1] the job's hash.
-- ARGV: prefix, id, token, now, error code, error message, retry time or '', retention millis.
local job, id, now, code, message, retryAt = KEYS[1], ARGV[2], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local h = redis.call('HMGET', job, 'state', 'tok', 'att', 'max', 'cr')
if h[1] ~= 'PROCESSING' or h[2] ~= ARGV[3] then
  return 0
end
local attempt = tonumber(h[3])
if retryAt ~= '' and attempt < tonumber(h[4]) and h[5] ~= '1' then
  redis.call('HSET', job, 'ec', code, 'em', message)
  requeue(job, id, attempt + 1, retryAt, now, message)
  return 1
end
local state = 'FAILED'
if code == 'CANCELLED' then
  state = 'CANCELLED'
end
finish(job, id, state, now, ARGV[8], code, message)
return 1
