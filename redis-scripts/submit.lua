-- submit.lua: store a new report atomically.
--
-- Everything was validated, sealed and encoded by the nginx worker; this
-- script only writes, in O(1) commands (the deadline loop is bounded by the
-- steps of one state, 1 or 2).
--
-- KEYS[1]  pa:{t}:r:<id>        report hash
-- KEYS[2]  pa:{t}:h:<id>        history list (JSON entries)
-- KEYS[3]  pa:{t}:st:submitted  state index (zset, score = created)
-- KEYS[4]  pa:{t}:due           open deadlines (zset "<id>|<step>" -> due)
-- KEYS[5]  pa:{t}:events        event stream for notifiers
-- KEYS[6]  pa:{t}:all           every report (zset, score = created)
--
-- ARGV[1]  id
-- ARGV[2]  now (epoch seconds)
-- ARGV[3]  history entry (JSON)
-- ARGV[4]  n: number of deadlines, then n pairs "<id>|<step>", due
-- ARGV[..] field, value pairs of the report hash (id and status included)
--
-- Returns 1, or the error "exists" when the id is taken (the caller draws
-- another one).

if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.error_reply('exists')
end

local id, now = ARGV[1], ARGV[2]
local n = tonumber(ARGV[4])
local i = 5

for _ = 1, n do
    redis.call('ZADD', KEYS[4], ARGV[i + 1], ARGV[i])
    i = i + 2
end

redis.call('HSET', KEYS[1], 'id', id, unpack(ARGV, i))
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[3], now, id)
redis.call('ZADD', KEYS[6], now, id)
redis.call('XADD', KEYS[5], 'MAXLEN', '~', 100000, '*',
           'type', 'submitted', 'id', id, 'at', now)

return 1
