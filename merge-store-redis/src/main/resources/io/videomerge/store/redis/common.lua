-- Prepended to every script of RedisJobStore. ARGV[1] is always the store's hash-tagged prefix, so
-- every key a script derives lives in the same Cluster slot as the keys it was given.
local P = ARGV[1]

local function jobKey(id)
  return P .. ':job:' .. id
end

-- An idempotency key is the principal's own: the principal's length keeps "ab" + "c" apart from "a" + "bc".
-- Jobs written before principals existed have none and belong to the anonymous principal.
local function idemKey(principal, key)
  principal = principal or 'anonymous'
  return P .. ':idem:' .. #principal .. ':' .. principal .. ':' .. key
end

-- Back to PENDING without a lease and with progress 0; the ready member keeps the job's creation order.
-- A job put back at its creation time (release, rescue) takes its old place in the queue again.
-- Status lines come from the caller (JobMessages): no script spells its own.
local function requeue(job, id, attempt, notBefore, now, message)
  redis.call('HSET', job, 'state', 'PENDING', 'att', attempt, 'nb', notBefore, 'prog', '0', 'ua', now, 'msg', message)
  redis.call('HDEL', job, 'own', 'exp')
  redis.call('ZREM', P .. ':processing', id)
  redis.call('ZADD', P .. ':ready', notBefore, redis.call('HGET', job, 'qm'))
end

-- The one way a job ends: final state, no lease, indexed by finish time for purgeFinished, and
-- expiring after the retention together with its idempotency key, so Redis memory stays bounded
-- even when nobody purges. A waiting webhook delivery becomes due now, indexed in the deliveries set.
-- With an error code, the error's message is also the status line.
local function finish(job, id, state, now, retention, code, message)
  if code then
    redis.call('HSET', job, 'state', state, 'fa', now, 'ua', now, 'ec', code, 'em', message, 'msg', message)
    redis.call('HDEL', job, 'own', 'exp')
  else
    redis.call('HSET', job, 'state', state, 'fa', now, 'ua', now, 'msg', message)
    redis.call('HDEL', job, 'own', 'exp', 'ec', 'em')
  end
  local queued = redis.call('HMGET', job, 'qm', 'ik', 'pr', 'ds')
  redis.call('ZREM', P .. ':processing', id)
  redis.call('ZREM', P .. ':ready', queued[1])
  redis.call('ZADD', P .. ':finished', now, id)
  redis.call('PEXPIRE', job, retention)
  if queued[2] then
    redis.call('PEXPIRE', idemKey(queued[3], queued[2]), retention)
  end
  if queued[4] == 'WAITING' then
    redis.call('HSET', job, 'ds', 'DUE', 'dn', now)
    redis.call('ZADD', P .. ':deliveries', now, id)
  end
end
