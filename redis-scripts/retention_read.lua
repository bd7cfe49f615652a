--! uses: record
-- retention_read.lua: the next closed reports past pa_retention, read
-- whole for the archive (nothing is changed but the scan's cursor).
--
-- Called by the sweeper (ngx_pa_retention.c) before retention_purge.lua:
-- the worker writes what this returns to the archive file and fsyncs it,
-- and only then asks for the removal.  Bounded: at most ARGV[2] reports
-- returned and ARGV[3] index entries looked at per call.
--
-- KEYS[1..5] pa:{t}:st:<state> of the closed states, in this order:
--            resolved, rejected, cancelled, monitoring, escalated
--            (README: "closed", nothing more happens to the report)
-- KEYS[6]    pa:{t}:retention:cursor  hash <state> -> how many entries
--            of the state's index, oldest first, were looked at and kept
--            (closed too recently); a scan that reaches the end starts
--            again from the oldest at the next call
--
-- ARGV[1]  cutoff (epoch): a report is past keeping when it was last
--          changed (updated_at; created_at when it never was) at or
--          before it.  An index's score is the submission time, never
--          later than the last change, so only entries scored at or
--          before the cutoff can be past keeping
-- ARGV[2]  reports returned at most
-- ARGV[3]  index entries looked at, at most
--
-- Keys not in KEYS (the exception, as queue.lua's): pa:{t}:r:<id> and
-- pa:{t}:h:<id> of the ids the indexes hold, built from KEYS[1]'s
-- hash-tagged prefix "pa:{t}:": the same slot.
--
-- Returns {more, id, {field, value, ...}, {history entry, ...}, ...}:
-- more = 1 when the call stopped at a limit (call again soon).

local cutoff, want, budget = tonumber(ARGV[1]), tonumber(ARGV[2]),
                             tonumber(ARGV[3])
local CUR = KEYS[6]
local prefix = string.match(KEYS[1], '^(.-}:)')

local out = {0}
local found = 0

for k = 1, 5 do
    local state = string.match(KEYS[k], ':st:(.+)$')
    local off = tonumber(redis.call('HGET', CUR, state) or '0')
    local taken = 0         -- entries of this index returned by this call
    local page = math.min(budget, 100)

    while true do
        -- the entries returned stay in the index until the purge: read on
        -- after them
        local ids = redis.call('ZRANGE', KEYS[k], '-inf', cutoff, 'BYSCORE',
                               'LIMIT', off + taken, page)
        budget = budget - #ids

        for _, id in ipairs(ids) do
            if found >= want then
                break
            end

            local rep = redis.call('HMGET', prefix .. 'r:' .. id,
                                   'status', 'updated_at', 'created_at')
            local last = tonumber(rep[2] or rep[3] or '')

            if rep[1] == state and last and last <= cutoff then
                out[#out + 1] = id
                out[#out + 1] = record(prefix .. 'r:' .. id)
                out[#out + 1] = redis.call('LRANGE', prefix .. 'h:' .. id,
                                           0, -1)
                found = found + 1
                taken = taken + 1
            else
                -- closed too recently, or a stale entry (the report moved
                -- on or is gone): passed over until the scan starts again
                off = off + 1
            end
        end

        if found >= want or budget <= 0 then
            out[1] = 1
            break
        end

        if #ids < page then
            -- the end of this index: from the oldest again next time
            off = -1
            break
        end
    end

    if off < 0 then
        redis.call('HDEL', CUR, state)
    else
        redis.call('HSET', CUR, state, off)
    end

    if out[1] == 1 then
        break
    end
end

return out
