-- retention_purge.lua: remove archived reports from Redis, with every
-- index and companion key that names them.
--
-- Called by the sweeper only after the reports read by retention_read.lua
-- were written to the archive file and fsync'ed.  A report changed since
-- that read (a comment, a rating, a reopen) stays: its stamp no longer
-- matches; the next scan archives it again when it is past keeping.
--
-- KEYS[1]  pa:{t}:all          every report
-- KEYS[2]  pa:{t}:pub          published reports
-- KEYS[3]  pa:{t}:geo          the same by position
-- KEYS[4]  pa:{t}:near         positions of duplicate hints (before the
--                              day keys, below)
-- KEYS[5]  pa:{t}:near:at      their times
-- KEYS[6]  pa:{t}:due          open deadlines "<id>|<key>"
-- KEYS[7..11] pa:{t}:st:<state> of the closed states: resolved, rejected,
--          cancelled, monitoring, escalated
-- then, for each report, its group of keys in this order:
--          pa:{t}:r:<id>, pa:{t}:h:<id>, pa:{t}:tok:<token_hash> (an
--          older token's index: a token of this version names its
--          report, none is written), pa:{t}:dup:<phone_hash> (the prints
--          before issue 12.4), pa:{t}:dup:<first 4 hex of phone_hash>
--          (the phone's bucket since), then the group's other keys: the
--          work lists pa:{t}:aq:<agency>:<state> of the agencies it names
--          (and pa:{t}:q:escalated for an escalated one), its position's
--          day key pa:{t}:near:<YYYYMMDD> (local day of created_at: its
--          member "<created_at><ms>|<id>", ms two base-32 digits,
--          "<created_at>|<id>" or the id alone as earlier versions wrote
--          it; each removed) and, for an Open311 report,
--          pa:{t}:o311:c:<client>
--
-- ARGV[1]  number of reports; then for each report:
--          id, stamp (its updated_at as archived, "" when it had none),
--          number of other keys in its group,
--          n, then n members "<id>|<key>" of due (its dl: fields),
--          n, then n duplicate prints of dup:<phone_hash> ("c:<sha256>",
--          "m:<sha256>"), then the same n as fields of the bucket
--          ("<phone_hash cut>:c:<sha256 cut>", ngx_pa_print.h), each
--          removed only while it still names this report (a later report
--          of the phone may have taken the print over)
--
-- Returns {purged, kept, {id purged, ...}}: the worker then removes the
-- public copies of those (pa_media_dir/public/<id>/).

local CLOSED = {resolved = true, rejected = true, cancelled = true,
                monitoring = true, escalated = true}

-- The day key's member of this version holds the submission's
-- millisecond, which the record does not: it is found at the report's
-- position (the geohash's cell is well within a metre), among the
-- members there, by its id.  Rare: only a retention shorter than the
-- day key's life (the hints' window + 30 days) finds the key.  (pcall:
-- a position GEOADD refused never joined the key, and GEOSEARCH refuses
-- it as well.)
local function near_out(key, lng, lat, id)
    local at = redis.pcall('GEOSEARCH', key, 'FROMLONLAT', lng, lat,
                           'BYRADIUS', '1', 'm')
    if type(at) ~= 'table' or at.err then
        return
    end
    local tail = '|' .. id
    for _, m in ipairs(at) do
        if string.sub(m, -#tail) == tail then
            redis.call('ZREM', key, m)
        end
    end
end

local n = tonumber(ARGV[1])
local a, k = 2, 12
local purged, kept, gone = 0, 0, {}

for _ = 1, n do
    local id, stamp, others = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2])
    local R, H, TOK, DUP = KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3]
    local BUCKET = KEYS[k + 4]
    local first_other = k + 5
    k = first_other + others
    a = a + 3

    local nd = tonumber(ARGV[a])
    local due = {unpack(ARGV, a + 1, a + nd)}
    a = a + nd + 1

    local np = tonumber(ARGV[a])
    local prints = {unpack(ARGV, a + 1, a + np)}
    local fields = {unpack(ARGV, a + np + 1, a + 2 * np)}
    a = a + 2 * np + 1

    local rep = redis.call('HMGET', R, 'status', 'updated_at',
                           'created_at', 'lng', 'lat')

    if CLOSED[rep[1] or ''] and (rep[2] or '') == stamp then
        redis.call('DEL', R, H)

        if redis.call('GET', TOK) == id then
            redis.call('DEL', TOK)
        end

        for _, p in ipairs(prints) do
            if redis.call('HGET', DUP, p) == id then
                redis.call('HDEL', DUP, p)
            end
        end
        for _, f in ipairs(fields) do
            if f ~= '' and redis.call('HGET', BUCKET, f) == id then
                redis.call('HDEL', BUCKET, f)
            end
        end

        for j = 1, 11 do
            if j ~= 6 then
                redis.call('ZREM', KEYS[j], id)
            end
        end

        if #due > 0 then
            redis.call('ZREM', KEYS[6], unpack(due))
        end

        -- (the day key's members of earlier versions too: a member of
        -- another key's name cannot be there)
        local timed = (rep[3] or '') .. '|' .. id
        for j = first_other, k - 1 do
            redis.call('ZREM', KEYS[j], id, timed)
            if rep[4] and rep[5] and string.find(KEYS[j], ':near:%d+$') then
                near_out(KEYS[j], rep[4], rep[5], id)
            end
        end

        purged = purged + 1
        gone[#gone + 1] = id
    else
        kept = kept + 1
    end
end

return {purged, kept, gone}
