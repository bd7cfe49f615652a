-- notify_take.lua: take the next due retry of one webhook target, for one
-- attempt by the node that calls.
--
-- The member stays in the retry set with its score moved a lease ahead:
-- a node that dies during the attempt leaves it there, and any node
-- takes it again once the lease is over (at least once, never lost).
--
-- KEYS[1]  pa:{t}:notify:<target>:retry  due retries (zset, ms)
--
-- ARGV[1]  now (ms), ARGV[2] lease (ms)
--
-- Keys not in KEYS (the exception): pa:{t}:notify:d:<delivery> of the
-- member found, learned only from KEYS[1]; built from its hash-tagged
-- prefix, the same slot.
--
-- Returns {delivery id, body, attempts, event type} or nil (nothing due).

local now, lease = tonumber(ARGV[1]), tonumber(ARGV[2])
local prefix = string.match(KEYS[1], '^(.-}:)')

local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1)
if #due == 0 then
    return nil
end

local id = due[1]
local d = redis.call('HMGET', prefix .. 'notify:d:' .. id, 'body',
                     'attempts', 'type')
if not d[1] then
    -- its record is gone (removed by hand): nothing left to send
    redis.call('ZREM', KEYS[1], id)
    return nil
end

redis.call('ZADD', KEYS[1], now + lease, id)
return {id, d[1], d[2] or '0', d[3] or ''}
