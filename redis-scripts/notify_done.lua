-- notify_done.lua: a retried (or replayed) webhook delivery was answered
-- 2xx: it leaves the retry set and its record is deleted.  A first
-- attempt that succeeds needs none of this (XACK alone).
--
-- KEYS[1]  pa:{t}:notify:<target>:retry  due retries (zset, ms)
-- KEYS[2]  pa:{t}:notify:dead            dead letters (zset, ms)
-- KEYS[3]  pa:{t}:notify:d:<delivery>    the delivery (hash)
--
-- ARGV[1]  delivery id ("<target>:<stream entry id>")
--
-- Returns 1.

redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[3])
return 1
