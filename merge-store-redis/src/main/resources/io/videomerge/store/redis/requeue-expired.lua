-- KEYS[1] the processing set. ARGV: prefix, now, retention millis, batch size, worker-lost message,
-- cancelled message, requeued message.
-- Returns {jobs changed, entries examined}; the caller repeats while a full batch was examined.
local processing, now = KEYS[1], ARGV[2]
local ids = redis.call('ZRANGEBYSCORE', processing, '-inf', '(' .. now, 'LIMIT', 0, tonumber(ARGV[4]))
local changed = 0
for _, id in ipairs(ids) do
  local job = jobKey(id)
  local h = redis.call('HMGET', job, 'state', 'att', 'max', 'cr', 'exp', 'ca')
  if h[1] ~= 'PROCESSING' then
    redis.call('ZREM', processing, id)
  elseif tonumber(h[5]) >= tonumber(now) then
    -- Renewed meanwhile: the index entry is stale, the job is not touched.
    redis.call('ZADD', processing, h[5], id)
  else
    changed = changed + 1
    local attempt = tonumber(h[2])
    if h[4] == '1' then
      finish(job, id, 'CANCELLED', now, ARGV[3], 'CANCELLED', ARGV[6])
    elseif attempt >= tonumber(h[3]) then
      finish(job, id, 'FAILED', now, ARGV[3], 'WORKER_LOST', ARGV[5])
    else
      requeue(job, id, attempt + 1, h[6], now, ARGV[7])
    end
  end
end
if changed > 0 then
  redis.call('PUBLISH', P .. ':wake', '')
end
return {changed, #ids}
