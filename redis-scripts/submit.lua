-- submit.lua: store a new report atomically.
--
-- Everything was validated, sealed and encoded by the nginx worker; this
-- script only checks the phone (locked, duplicate of an open report) and
-- writes.  Its loops are bounded by the request: a few prints (text + each
-- media file, at most pa_media_max_count + 1) and a few deadlines, and by
-- PRUNE old entries of the duplicate hints' index.
--
-- KEYS[1]  pa:{t}:r:<id>        report hash
-- KEYS[2]  pa:{t}:h:<id>        history list (JSON entries)
-- KEYS[3]  pa:{t}:st:<state>    state index (zset, score = created):
--                               submitted, or dispatched (see ARGV[9])
-- KEYS[4]  pa:{t}:due           open deadlines (zset "<id>|<step>" -> due)
-- KEYS[5]  pa:{t}:events        event stream for notifiers
-- KEYS[6]  pa:{t}:all           every report (zset, score = created)
-- KEYS[7]  pa:{t}:dup:<phone>   duplicate prints of that phone -> report id
-- KEYS[8]  pa:{t}:locked        locked phones (sanctions)
-- KEYS[9]  pa:{t}:near          positions for duplicate hints (geo, id)
-- KEYS[10] pa:{t}:near:at       the same ids, score = submitted
-- KEYS[11] pa:{t}:tok:<sha256>  the report id of the access token (whose
--                               hash is the token_hash field): GeoReport's
--                               tokens/{token}.json
-- KEYS[12] pa:{t}:idem:<sha256> the submission's idempotency key: what a
--                               retry gets back, for IDEM_TTL seconds (the
--                               key: SHA-256 of the Idempotency-Key and
--                               the phone, else of the submission; for an
--                               Open311 client of the Idempotency-Key, else
--                               of the body as sent, and the client)
-- KEYS[13] pa:{t}:aq:<agency>:dispatched  the agency's work list of
--                               dispatched reports (act.lua's rule, zset,
--                               score: as KEYS[16])
-- KEYS[14] pa:{t}:stats:<day>   the day's counters ("<agency>|dispatched")
-- KEYS[15] pa:{t}:gauge         current work load ("<agency>|in_progress")
--                               13 to 15 always passed (so that the keys
--                               after them keep their places), written
--                               only when dispatched at submission
--                               (pa_auto_dispatch, ARGV[9] not ""); not
--                               dispatched, KEYS[13] is
--                               pa:{t}:aq::dispatched
-- KEYS[16] pa:{t}:q:<state>      the IOC's work list of the state of
--                               KEYS[3] (queue.lua; score: the queue's
--                               order, act.lua's qscore)
-- KEYS[17] pa:{t}:o311:c:<client>   Open311 only (absent otherwise): the
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
-- ARGV[3]  history entry (JSON)
-- ARGV[4]  phone hash
-- ARGV[5]  lng, ARGV[6] lat: the report joins KEYS[9] ("" "": it does not)
-- ARGV[7]  entries submitted before this epoch leave KEYS[9] and KEYS[10]
-- ARGV[8]  what a retry gets back ("<id> <print> <201 body>", no token
--          but a test token of pa_test_clock)
-- ARGV[9]  the agency whose area holds the report: dispatched to it now
--          ("": not dispatched)
-- ARGV[10] that dispatch's history entry (JSON, "" when not dispatched)
-- ARGV[11] n: number of prints, then n prints ("c:<sha256>", "m:<sha256>")
-- then     n: number of deadlines, then n pairs "<id>|<step>", due
-- then     n: number of pre-upload handles bound (their keys end KEYS)
-- then     field, value pairs of the report hash
--
-- Keys not in KEYS (the one exception): pa:{t}:r:<other>, the report an
-- earlier print of this phone points at, whose status decides a duplicate;
-- only KEYS[7] names it, so declaring it would cost a first read.  Built
-- from KEYS[1]'s hash-tagged prefix: the same slot.
--
-- Returns 1, {"replay", ARGV[8] of the stored submission} when the key was
-- seen (a retry after a timeout or a 503: nothing is written), or an
-- error: "exists" (the id is taken: draw another), "account_locked",
-- "duplicate <id of the open report>", "media_bound" (a handle is bound
-- to another report), "media_expired" (a handle's key is gone).

local PRUNE = 100     -- old index entries removed by one submission, at most
local IDEM_TTL = 86400

local seen = redis.call('GET', KEYS[12])
if seen then
    return {'replay', seen}
end

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

local agency = ARGV[9]
local np = tonumber(ARGV[11])

-- the pre-upload handles: where their count sits, and their keys
local at_nh = 13 + np + 2 * tonumber(ARGV[12 + np])
local nh = tonumber(ARGV[at_nh])
local first_up = #KEYS - 2 * nh + 1

for k = first_up, #KEYS, 2 do
    local bound = redis.call('HGET', KEYS[k], 'report')
    if bound == false and redis.call('EXISTS', KEYS[k]) == 0 then
        return redis.error_reply('media_expired')
    end
    if bound and bound ~= '' and bound ~= id then
        return redis.error_reply('media_bound')
    end
end

local i = 12
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
local due
i = i + 1
for _ = 1, nd do
    redis.call('ZADD', KEYS[4], ARGV[i + 1], ARGV[i])
    due = math.min(due or math.huge, tonumber(ARGV[i + 1]))
    i = i + 2
end
i = i + 1           -- past the number of handles (at_nh)

redis.call('HSET', KEYS[1], 'id', id, unpack(ARGV, i))
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[3], now, id)
redis.call('ZADD', KEYS[6], now, id)
redis.call('SET', KEYS[11], id)
redis.call('SET', KEYS[12], ARGV[8], 'EX', IDEM_TTL)
if first_up > 17 then
    redis.call('ZADD', KEYS[17], now, id)
end
for k = first_up, #KEYS, 2 do
    redis.call('HSET', KEYS[k], 'report', id)
    redis.call('HDEL', KEYS[k + 1], string.match(KEYS[k], ':up:(.*)$'))
end
-- no personal data in the stream: ids, states and times (act.lua)
local urgent = redis.call('HGET', KEYS[1], 'urgent') or '0'

-- the work lists' order (act.lua's qscore): urgent first, then the
-- nearest deadline; none: by submission
local band = urgent == '1' and 0 or 2
local score = due and band * 1e10 + due or (band + 1) * 1e10 + now
redis.call('ZADD', KEYS[16], score, id)
redis.call('XADD', KEYS[5], 'MAXLEN', '~', 100000, '*',
           'type', 'submitted', 'id', id, 'at', now, 'state', 'submitted',
           'urgent', urgent, 'agency', '', 'agencies', '')

if agency ~= '' then
    -- the dispatch an IOC would make, as the system: the agency is alerted
    local entry = cjson.decode(ARGV[10])
    entry.agencies = ',' .. agency .. ','
    redis.call('RPUSH', KEYS[2], cjson.encode(entry))
    redis.call('ZADD', KEYS[13], score, id)
    redis.call('HINCRBY', KEYS[14], agency .. '|dispatched', 1)
    redis.call('HINCRBY', KEYS[15], agency .. '|in_progress', 1)
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
-- GEOADD takes it), and what is past keeping leaves it
if ARGV[5] ~= '' then
    local old = redis.call('ZRANGE', KEYS[10], '-inf', '(' .. ARGV[7],
                           'BYSCORE', 'LIMIT', 0, PRUNE)
    if #old > 0 then
        redis.call('ZREM', KEYS[10], unpack(old))
        redis.call('ZREM', KEYS[9], unpack(old))
    end

    redis.call('GEOADD', KEYS[9], ARGV[5], ARGV[6], id)
    redis.call('ZADD', KEYS[10], now, id)
end

return 1
