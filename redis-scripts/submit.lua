-- submit.lua: store a new report atomically.
--
-- Everything was validated, sealed and encoded by the nginx worker; this
-- script only checks the phone (locked, duplicate of an open report) and
-- writes.  Its loops are bounded by the request: a few prints (text + each
-- media file, at most pa_media_max_count + 1) and 1-2 deadlines.
--
-- KEYS[1]  pa:{t}:r:<id>        report hash
-- KEYS[2]  pa:{t}:h:<id>        history list (JSON entries)
-- KEYS[3]  pa:{t}:st:submitted  state index (zset, score = created)
-- KEYS[4]  pa:{t}:due           open deadlines (zset "<id>|<step>" -> due)
-- KEYS[5]  pa:{t}:events        event stream for notifiers
-- KEYS[6]  pa:{t}:all           every report (zset, score = created)
-- KEYS[7]  pa:{t}:dup:<phone>   duplicate prints of that phone -> report id
-- KEYS[8]  pa:{t}:locked        locked phones (sanctions)
--
-- ARGV[1]  id
-- ARGV[2]  now (epoch seconds)
-- ARGV[3]  history entry (JSON)
-- ARGV[4]  phone hash
-- ARGV[5]  n: number of prints, then n prints ("c:<sha256>", "m:<sha256>")
-- then     n: number of deadlines, then n pairs "<id>|<step>", due
-- then     field, value pairs of the report hash
--
-- Returns 1, or an error: "exists" (the id is taken: draw another),
-- "account_locked", "duplicate <id of the open report>".

local closed = {resolved = true, rejected = true, cancelled = true,
                monitoring = true, escalated = true}

if redis.call('HEXISTS', KEYS[8], ARGV[4]) == 1 then
    return redis.error_reply('account_locked')
end

if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.error_reply('exists')
end

local id, now = ARGV[1], ARGV[2]
local prefix = string.match(KEYS[1], '^(.*:)r:[^:]*$')

local np = tonumber(ARGV[5])
local i = 6
for k = i, i + np - 1 do
    local other = redis.call('HGET', KEYS[7], ARGV[k])
    if other then
        local st = redis.call('HGET', prefix .. 'r:' .. other, 'status')
        if st and not closed[st] then
            return redis.error_reply('duplicate ' .. other)
        end
    end
end

for k = i, i + np - 1 do
    redis.call('HSET', KEYS[7], ARGV[k], id)
end
i = i + np

local nd = tonumber(ARGV[i])
i = i + 1
for _ = 1, nd do
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
