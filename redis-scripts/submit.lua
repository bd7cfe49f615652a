-- submit.lua: store a new report atomically.
--
-- Everything was validated, sealed and encoded by the nginx worker; this
-- script only checks the phone (locked, duplicate of an open report) and
-- writes.  Its loops are bounded by the request: a few prints (text + each
-- media file, at most pa_media_max_count + 1), a few deadlines and the
-- pre-upload handles.  Lean on purpose (issue 12, bench/submit-cost.md):
-- the record comes as few hash fields plus one pre-serialised JSON value
-- ("doc", the fields read only as a whole), no first history entry (the
-- record implies it: the readers prepend it), no "all" index (the state
-- indexes partition the reports), the hints' index pruned by sweep.lua.
--
-- KEYS[1]  pa:{t}:r:<id>        report hash
-- KEYS[2]  pa:{t}:h:<id>        history list (JSON entries): written only
--                               at auto-dispatch (the submission's own
--                               entry is implied by the record)
-- KEYS[3]  pa:{t}:st:<state>    state index (zset, score = created):
--                               submitted, or dispatched (see ARGV[8])
-- KEYS[4]  pa:{t}:due           open deadlines (zset "<id>|<step>" -> due)
-- KEYS[5]  pa:{t}:events        event stream for notifiers
-- KEYS[6]  pa:{t}:dup:<phone>   duplicate prints of that phone -> report id
-- KEYS[7]  pa:{t}:locked        locked phones (sanctions)
-- KEYS[8]  pa:{t}:near          positions for duplicate hints (geo, id)
-- KEYS[9]  pa:{t}:near:at       the same ids, score = submitted (pruned
--                               by sweep.lua)
-- KEYS[10] pa:{t}:tok:<sha256>  the report id of the access token (whose
--                               hash is the token_hash field): GeoReport's
--                               tokens/{token}.json
-- KEYS[11] pa:{t}:idem:<sha256> the submission's idempotency key: what a
--                               retry gets back, for IDEM_TTL seconds (the
--                               key: SHA-256 of the Idempotency-Key and
--                               the phone, else of the submission; for an
--                               Open311 client of the Idempotency-Key, else
--                               of the body as sent, and the client)
-- KEYS[12] pa:{t}:aq:<agency>:dispatched  the agency's work list of
--                               dispatched reports (act.lua's rule, zset,
--                               score: as KEYS[15])
-- KEYS[13] pa:{t}:stats:<day>   the day's counters ("<agency>|dispatched")
-- KEYS[14] pa:{t}:gauge         current work load ("<agency>|in_progress")
--                               12 to 14 always passed (so that the keys
--                               after them keep their places), written
--                               only when dispatched at submission
--                               (pa_auto_dispatch, ARGV[8] not ""); not
--                               dispatched, KEYS[12] is
--                               pa:{t}:aq::dispatched
-- KEYS[15] pa:{t}:q:<state>      the IOC's work list of the state of
--                               KEYS[3] (queue.lua; score: the queue's
--                               order, act.lua's qscore)
-- KEYS[16] pa:{t}:o311:c:<client>   Open311 only (absent otherwise): the
--                               API client's own requests (zset, score =
--                               now)
-- last 2n  pa:{t}:up:<handle>, pa:{t}:upa:<addr>: a pair for each media
--                               pre-upload the report binds (n from ARGV,
--                               see below; the handle's media are among
--                               the report's): each must still exist and
--                               be bound to no other report; it is bound
--                               to this one and leaves the address's open
--                               handles
--
-- ARGV[1]  id
-- ARGV[2]  now (epoch seconds)
-- ARGV[3]  urgent ("1" / "0"): for the events (the worker knows it)
-- ARGV[4]  phone hash
-- ARGV[5]  lng, ARGV[6] lat: the report joins KEYS[8] ("" "": it does not,
--          as when the profile has no duplicate hints)
-- ARGV[7]  what a retry gets back ("<id> <print> <201 body>", no token
--          but a test token of pa_test_clock)
-- ARGV[8]  the agency whose area holds the report: dispatched to it now
--          ("": not dispatched)
-- ARGV[9]  that dispatch's history entry (JSON, "" when not dispatched)
-- ARGV[10] n: number of prints, then n prints ("c:<sha256>", "m:<sha256>")
-- then     n: number of deadlines, then n pairs "<id>|<step>", due
-- then     n: number of pre-upload handles bound (their keys end KEYS)
-- then     field, value pairs of the report hash: the hot fields and
--          "doc" (ngx_pa_record.h says which is which)
--
-- Keys not in KEYS (the one exception): pa:{t}:r:<other>, the report an
-- earlier print of this phone points at, whose status decides a duplicate;
-- only KEYS[6] names it, so declaring it would cost a first read.  Built
-- from KEYS[1]'s hash-tagged prefix: the same slot.
--
-- Returns 1, {"replay", ARGV[7] of the stored submission} when the key was
-- seen (a retry after a timeout or a 503: nothing is written), or an
-- error: "exists" (the id is taken: draw another), "account_locked",
-- "duplicate <id of the open report>", "media_bound" (a handle is bound
-- to another report), "media_expired" (a handle's key is gone).  Every
-- error leaves nothing written: the idempotency key stored by the first
-- command is removed again, so a retry after a 409 is checked anew.

local IDEM_TTL = 86400

-- one command finds a replay and stores this submission's answer
local seen = redis.call('SET', KEYS[11], ARGV[7], 'NX', 'EX', IDEM_TTL,
                        'GET')
if seen then
    return {'replay', seen}
end

local function fail(e)
    redis.call('DEL', KEYS[11])
    return redis.error_reply(e)
end

if redis.call('HEXISTS', KEYS[7], ARGV[4]) == 1 then
    return fail('account_locked')
end

if redis.call('EXISTS', KEYS[1]) == 1 then
    return fail('exists')
end

local id, now, urgent = ARGV[1], ARGV[2], ARGV[3]

local agency = ARGV[8]
local np = tonumber(ARGV[10])

-- the pre-upload handles: where their count sits, and their keys
local at_nh = 12 + np + 2 * tonumber(ARGV[11 + np])
local nh = tonumber(ARGV[at_nh])
local first_up = #KEYS - 2 * nh + 1

for k = first_up, #KEYS, 2 do
    local bound = redis.call('HGET', KEYS[k], 'report')
    if bound == false and redis.call('EXISTS', KEYS[k]) == 0 then
        return fail('media_expired')
    end
    if bound and bound ~= '' and bound ~= id then
        return fail('media_bound')
    end
end

-- each print in one command: HSETNX stores it and says whether the phone
-- sent it before; only then is the other report's status read (a closed
-- one gives its print up).  A duplicate undoes what this loop stored.
local i = 11
local taken = {}        -- prints this loop stored: arg index -> old value
for k = i, i + np - 1 do
    if redis.call('HSETNX', KEYS[6], ARGV[k], id) == 1 then
        taken[k] = false
    else
        -- (rare: what follows runs only for a print sent before)
        local closed = {resolved = true, rejected = true, cancelled = true,
                        monitoring = true, escalated = true}
        local prefix = string.match(KEYS[1], '^(.*:)r:[^:]*$')
        local other = redis.call('HGET', KEYS[6], ARGV[k])
        local st = redis.call('HGET', prefix .. 'r:' .. other, 'status')
        if st and not closed[st] then
            for j, old in pairs(taken) do
                if old then
                    redis.call('HSET', KEYS[6], ARGV[j], old)
                else
                    redis.call('HDEL', KEYS[6], ARGV[j])
                end
            end
            return fail('duplicate ' .. other)
        end
        if other ~= id then
            taken[k] = other
            redis.call('HSET', KEYS[6], ARGV[k], id)
        end
    end
end
i = i + np

local nd = tonumber(ARGV[i])
local due
i = i + 1
for _ = 1, nd do
    redis.call('ZADD', KEYS[4], ARGV[i + 1], ARGV[i])
    due = math.min(due or math.huge, tonumber(ARGV[i + 1]))
    i = i + 2
end
i = i + 1           -- past the number of handles (at_nh)

redis.call('HSET', KEYS[1], 'id', id, unpack(ARGV, i))
redis.call('ZADD', KEYS[3], now, id)
redis.call('SET', KEYS[10], id)
if first_up > 16 then
    redis.call('ZADD', KEYS[16], now, id)
end
for k = first_up, #KEYS, 2 do
    redis.call('HSET', KEYS[k], 'report', id)
    redis.call('HDEL', KEYS[k + 1], string.match(KEYS[k], ':up:(.*)$'))
end

-- the work lists' order (act.lua's qscore): urgent first, then the
-- nearest deadline; none: by submission
local band = urgent == '1' and 0 or 2
local score = due and band * 1e10 + due or (band + 1) * 1e10 + now
redis.call('ZADD', KEYS[15], score, id)
-- no personal data in the stream: ids, states and times (act.lua)
redis.call('XADD', KEYS[5], 'MAXLEN', '~', 100000, '*',
           'type', 'submitted', 'id', id, 'at', now, 'state', 'submitted',
           'urgent', urgent, 'agency', '', 'agencies', '')

if agency ~= '' then
    -- the dispatch an IOC would make, as the system: the agency is alerted
    -- (rare: the one JSON decode of this script)
    local entry = cjson.decode(ARGV[9])
    entry.agencies = ',' .. agency .. ','
    redis.call('RPUSH', KEYS[2], cjson.encode(entry))
    redis.call('ZADD', KEYS[12], score, id)
    redis.call('HINCRBY', KEYS[13], agency .. '|dispatched', 1)
    redis.call('HINCRBY', KEYS[14], agency .. '|in_progress', 1)
    redis.call('XADD', KEYS[5], 'MAXLEN', '~', 100000, '*',
               'type', 'dispatch', 'id', id, 'from', 'submitted',
               'to', 'dispatched', 'urgent', urgent, 'at', now,
               'agencies', entry.agencies, 'state', 'dispatched',
               'agency', agency, 'role', 'system')
    if urgent == '1' then
        -- the agency must hear of an urgent report at once (LC26 Đ15 B2)
        redis.call('XADD', KEYS[5], 'MAXLEN', '~', 100000, '*',
                   'type', 'urgent_dispatched', 'id', id,
                   'from', 'submitted', 'to', 'dispatched', 'urgent', '1',
                   'at', now, 'agencies', entry.agencies,
                   'state', 'dispatched', 'agency', agency,
                   'role', 'system', 'step', 'accept')
    end
end

-- duplicate hints: the position joins the index (the worker checked that
-- GEOADD takes it); sweep.lua removes what is past keeping
if ARGV[5] ~= '' then
    redis.call('GEOADD', KEYS[8], ARGV[5], ARGV[6], id)
    redis.call('ZADD', KEYS[9], now, id)
end

return 1
