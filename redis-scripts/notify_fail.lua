-- notify_fail.lua: a webhook delivery attempt failed (non-2xx, timeout,
-- refused): record it and schedule the next attempt, or, once the
-- target's retry window is over, move the delivery to the dead letters.
--
-- The first failure of an event comes from the consumer group: the entry
-- is acknowledged here, in the same step as its record is written, so
-- the event is never lost between the stream and the retry set, nor held
-- twice.  Later attempts come from the retry set (notify_take.lua).
--
-- KEYS[1]  pa:{t}:events                 the stream
-- KEYS[2]  pa:{t}:notify:<target>:retry  due retries (zset, ms)
-- KEYS[3]  pa:{t}:notify:dead            dead letters (zset, ms)
-- KEYS[4]  pa:{t}:notify:d:<delivery>    the delivery (hash)
--
-- ARGV[1]  consumer group ("notify:<target>"), ARGV[2] stream entry id
-- ARGV[3]  target name, ARGV[4] event type, ARGV[5] the body (JSON, no
--          personal data: a pii=on target's contact is added in nginx,
--          per attempt, and never written here)
-- ARGV[6]  now (ms), ARGV[7] delay before the next attempt (ms, with
--          jitter), ARGV[8] the target's retry window (ms)
-- ARGV[9]  last status (HTTP code, "" for none), ARGV[10] last error
--
-- Returns {attempts, "retry" | "dead"}.

local D = KEYS[4]
local now, delay, window = tonumber(ARGV[6]), tonumber(ARGV[7]),
                           tonumber(ARGV[8])

if redis.call('EXISTS', D) == 0 then
    redis.call('HSET', D, 'target', ARGV[3], 'event', ARGV[2],
               'type', ARGV[4], 'body', ARGV[5], 'first_at', now,
               'attempts', 0)
end

redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])

local attempts = redis.call('HINCRBY', D, 'attempts', 1)
local first = tonumber(redis.call('HGET', D, 'first_at')) or now
local replay = redis.call('HGET', D, 'replay') == '1'

redis.call('HSET', D, 'last_at', now, 'last_status', ARGV[9],
           'last_error', ARGV[10])

-- a replay is one more try an operator asked for: it fails back
if replay or now + delay > first + window then
    redis.call('ZREM', KEYS[2], ARGV[3] .. ':' .. ARGV[2])
    redis.call('ZADD', KEYS[3], now, ARGV[3] .. ':' .. ARGV[2])
    redis.call('HSET', D, 'state', 'dead', 'next_at', '')
    redis.call('HDEL', D, 'replay')
    return {attempts, 'dead'}
end

redis.call('ZADD', KEYS[2], now + delay, ARGV[3] .. ':' .. ARGV[2])
redis.call('HSET', D, 'state', 'retry', 'next_at', now + delay)
return {attempts, 'retry'}
