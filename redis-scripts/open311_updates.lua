--! uses: record
-- open311_updates.lua: GET /open311/v2/servicerequestupdates, the
-- Service Request Updates extension (FixMyStreet polls it): the client's
-- own requests changed since a moment, each with its history.  The
-- worker picks the entries of the window (changes of state), and builds
-- the updates in plain words.  Bounded by the scan cap; a request's
-- history is a few dozen entries.
--
-- KEYS[1]  pa:{t}:o311:c:<client>  the client's own requests,
--                                  score = submitted
--
-- ARGV[1]  changed at or after (epoch): older requests are left out
-- ARGV[2]  scan cap: the client's newest requests looked at, at most
--
-- Returns {hash, history, hash, history, ...}: HGETALL of the report and
-- LRANGE of its history (JSON entries, oldest first).
--
-- Keys not in KEYS (the one exception): pa:{t}:r:<id> and pa:{t}:h:<id> of the
-- ids the index holds, learned only here; declaring them would cost a
-- second round trip per read.  They are built from KEYS[1]'s hash-tagged
-- prefix "pa:{t}:", so they live in KEYS[1]'s slot.

local prefix = string.match(KEYS[1], '^(.-}:)')
local since, cap = tonumber(ARGV[1]), tonumber(ARGV[2])
local out = {}

for _, id in ipairs(redis.call('ZREVRANGE', KEYS[1], 0, cap - 1)) do
    local key = prefix .. 'r:' .. id
    -- a report never changed since its submission keeps no updated_at
    -- (issue 12): it changed when it was made
    local t = redis.call('HMGET', key, 'updated_at', 'created_at')
    local at = tonumber(t[1] or t[2])

    if at and at >= since then
        out[#out + 1] = record(key)
        out[#out + 1] = redis.call('LRANGE', prefix .. 'h:' .. id, 0, -1)
    end
end

return out
