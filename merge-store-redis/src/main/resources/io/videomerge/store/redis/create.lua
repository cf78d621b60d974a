-- KEYS[1] the new job's hash.
-- ARGV: prefix, id, request JSON, idempotency key or '', max attempts, now, queued message, principal,
-- request fingerprint, '1' when the request has a callback URL (the job then waits to deliver) else ''.
local job, id, now = KEYS[1], ARGV[2], ARGV[6]
local ik, principal = ARGV[4], ARGV[8]
if ik ~= '' then
  local existing = redis.call('GET', idemKey(principal, ik))
  if existing then
    local found = redis.call('HGETALL', jobKey(existing))
    if #found > 0 then
      return found
    end
  end
end
if redis.call('EXISTS', job) == 1 then
  return redis.error_reply('VM_DUPLICATE_ID a job with this id exists')
end
-- Equal not-before scores are ordered by member: creation time, then a store-wide sequence, so
-- "oldest first" is exact even for jobs created in the same millisecond.
local seq = redis.call('INCR', P .. ':seq')
local member = string.format('%015d:%015d:%s', tonumber(now), seq, id)
redis.call('HSET', job, 'id', id, 'state', 'PENDING', 'req', ARGV[3], 'att', 1, 'max', ARGV[5],
  'nb', now, 'cr', 0, 'prog', '0', 'msg', ARGV[7], 'ca', now, 'ua', now, 'qm', member, 'tok', 0,
  'pr', principal, 'fp', ARGV[9])
if ARGV[10] == '1' then
  redis.call('HSET', job, 'ds', 'WAITING', 'da', 1, 'dt', 0, 'dn', now)
end
if ik ~= '' then
  redis.call('HSET', job, 'ik', ik)
  redis.call('SET', idemKey(principal, ik), id)
end
redis.call('ZADD', P .. ':ready', now, member)
redis.call('PUBLISH', P .. ':wake', id)
return redis.call('HGETALL', job)
