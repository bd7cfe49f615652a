-- notify_list.lua: the webhook deliveries that failed, newest first, for
-- GET /api/v1/admin/deliveries: the dead letters of the tenant.  Bounded:
-- one page (ARGV[2] <= 200).
--
-- KEYS[1]  pa:{t}:notify:dead            dead letters (zset, ms)
--
-- ARGV[1]  offset, ARGV[2] count
--
-- Keys not in KEYS (the exception): pa:{t}:notify:d:<delivery> of each
-- listed member, learned from KEYS[1]; same hash-tagged prefix.
--
-- Returns {total, {id, dead_at, target, event, type, attempts, first_at,
-- last_at, last_status, last_error, state}, ...}.

local prefix = string.match(KEYS[1], '^(.-}:)')
local off, n = tonumber(ARGV[1]), tonumber(ARGV[2])

local out = {redis.call('ZCARD', KEYS[1])}
local ids = redis.call('ZREVRANGE', KEYS[1], off, off + n - 1, 'WITHSCORES')

for k = 1, #ids, 2 do
    local d = redis.call('HMGET', prefix .. 'notify:d:' .. ids[k], 'target',
                         'event', 'type', 'attempts', 'first_at', 'last_at',
                         'last_status', 'last_error', 'state')
    local row = {ids[k], ids[k + 1]}
    for i = 1, 9 do
        row[#row + 1] = d[i] or ''
    end
    out[#out + 1] = row
end

return out
