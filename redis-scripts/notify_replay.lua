--! uses: late
-- notify_replay.lua: an admin sends a dead letter again
-- (POST /api/v1/admin/deliveries/{id}/replay): it leaves the dead letters
-- and is due at once in its target's retry set, for one attempt: if that
-- fails it comes back (notify_fail.lua), with its attempts counted.
--
-- KEYS[1]  pa:{t}:notify:dead            dead letters (zset, ms)
-- KEYS[2]  pa:{t}:notify:<target>:retry  the target's retries (zset, ms)
-- KEYS[3]  pa:{t}:notify:d:<delivery>    the delivery (hash)
--
-- ARGV[1]  delivery id, ARGV[2] now (ms)
-- ARGV[3]  the call's deadline (Redis's clock, ms; "" none: lib/late.lua)
--
-- Returns 1, or an error: not_found (no such dead letter), LATE (the
-- deadline passed: nothing written, the worker answers 503).

if call_late(ARGV[3]) then
    return redis.error_reply(CALL_LATE)
end

if not redis.call('ZSCORE', KEYS[1], ARGV[1])
    or redis.call('EXISTS', KEYS[3]) == 0 then
    return redis.error_reply('not_found')
end

redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[3], 'state', 'replay', 'replay', '1',
           'next_at', ARGV[2])
return 1
