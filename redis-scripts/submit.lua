--! uses: late
-- submit.lua: store new reports atomically, one or a batch of N (group
-- commit: a worker sends the reports that became ready while its previous
-- call was in flight as one call, ngx_pa_batch.c).
--
-- Everything was validated, sealed and encoded by the nginx worker; this
-- script only checks the phone (locked, duplicate of an open report) and
-- writes.  Its loops are bounded by the request: N reports (pa_submit_batch
-- max), a few prints each (text + each media file, at most
-- pa_media_max_count + 1), a few deadlines and the pre-upload handles.
-- Lean on purpose (issue 12, bench/submit-cost.md): the record comes as
-- one argument, its hash serialised by the worker as DUMP would (RESTORE
-- makes it), with few hash fields plus one JSON value ("doc", the fields
-- read only as a whole), no first history entry (the record implies it:
-- the readers prepend it), no "all" index (the state indexes partition the
-- reports), one index of an open state (its work list q:, not st: too),
-- the hints' index one key a day that expires on its own (no time index
-- to prune it).
--
-- Each report is taken in the batch's order with exactly the semantics of
-- a call of its own: a later report sees what an earlier one wrote (the
-- same idempotency key replays it, the same print of the same phone is its
-- duplicate).  A report refused, or whose write failed (redis.pcall: an
-- error of a command), undoes its own writes only and gets its error; the
-- others are stored.  What many reports write to one key (the deadlines,
-- the work list, the hints, the events stream's bound) is written once
-- per batch, for the reports stored.
--
-- KEYS, shared by the batch (the tenant's hash tag: one slot):
-- KEYS[1]  pa:{t}:events        event stream for notifiers
-- KEYS[2]  pa:{t}:locked        locked phones (sanctions)
-- KEYS[3]  pa:{t}:due           open deadlines (zset "<id>|<step>" -> due;
--                               with pa_record_compat off the worker
--                               leaves out a listed report's nearest: its
--                               +1 score stands for it, sweep.lua)
-- KEYS[4]  pa:{t}:sweep:qdue    the scores of q:submitted the sweeper
--                               swept, a band each (sweep.lua): set back
--                               to a report listed below them
-- (Scores of KEYS[3], +1 and +5 carry a fraction, in [0, 1) above the
-- whole second or deadline, that grows with the submission: see "index
-- scores" below; the worker makes them.)
-- then each report's group of keys, in the order of the reports:
-- +0  pa:{t}:r:<id>             report hash (no "id" field: the key names it)
-- +1  pa:{t}:q:<state>          the IOC's work list of the state,
--                               submitted, or dispatched (agency not ""):
--                               an open state's one index (queue.lua;
--                               score: the queue's order, lib/qscore.lua)
-- +2  pa:{t}:dup:<bucket>       duplicate prints -> report id: the phone's
--                               bucket, its prints as fields (key and
--                               fields as the worker names them)
-- +3  pa:{t}:r:<id'>            pa_record_compat off: the report's other
--                               candidate, the same id of the local day
--                               before (a retry just after midnight names
--                               the report by today)
--     or pa_record_compat on (its +8 argument longer than ik says so):
-- +3  pa:{t}:idem:<sha256>      what a retry gets back, for IDEM_TTL
--                               seconds, and what an older node stored
--                               (the key: SHA-256 of the Idempotency-Key
--                               and the phone, else of the submission; for
--                               an Open311 client of the Idempotency-Key,
--                               else of the body as sent, and the client)
--     then, only when dispatched at submission (pa_auto_dispatch, agency
--     not ""):
-- +4  pa:{t}:h:<id>             history list (JSON entries)
-- +5  pa:{t}:aq:<agency>:dispatched  the agency's work list (act.lua's
--                               rule, zset, score: as +1)
-- +6  pa:{t}:stats:<day>        the day's counters ("<agency>|dispatched")
-- +7  pa:{t}:gauge              current work load ("<agency>|in_progress")
--     then, Open311 only:
--     pa:{t}:o311:c:<client>    the API client's own requests (zset,
--                               score = now)
--     then 2n (the last of the group but the day key below):
--     pa:{t}:up:<handle>, pa:{t}:upa:<addr>: a pair for each media
--                               pre-upload the report binds (n from its
--                               ARGV); each must still exist and be bound
--                               to no other report; it is bound to this
--                               one and leaves the address's open handles
--     last, when the report joins the hints (its last argument, below,
--     not ""):
--     pa:{t}:near:<YYYYMMDD>    positions for duplicate hints (geo,
--                               member "<created_at><ms>|<id>": see
--                               below)
--                               of the local day of submission
--
-- ARGV[1]  N: the number of reports
-- then each report's group:
-- +0  nk: the number of its keys
-- +1  na: the number of its arguments after this one
-- +2  id
-- +3  now (epoch seconds): the record's created_at too
-- +4  urgent ("1" / "0"): for the events (the worker knows it)
-- +5  phone hash: the record's phone_hash too
-- +6  when the report joins the hints (the group's last argument not
--     ""): its position's score in the day key, the geohash GEOADD makes
--     of the record's lng and lat (made by the worker, ngx_pa_geohash.h:
--     Redis parses no float), +7 its member "<created_at><ms>|<id>" (ms:
--     the millisecond in two base-32 digits); else ""
--     and ""
-- +8  pa_record_compat off: the retry's proof, the hash's "ik": 8 hex
--     of the idempotency key's hash, 8 of the submission's print
--     (16 characters); on: what a retry gets back ("<id> <print>
--     <201 body>", no token but a test token of pa_test_clock), stored at
--     the idem: key, and no ik is written (older nodes neither read nor
--     need it)
-- +9  the agency whose area holds the report: dispatched to it now ("":
--     not dispatched)
-- +10 that dispatch's history entry (JSON, "" when not dispatched)
-- +11 n: number of prints, then n prints ("c:<sha256>", "m:<sha256>")
-- then n: number of deadlines, then n pairs "<id>|<step>", its score in
--      KEYS[3] (text: the due time and its fraction of the minute)
-- then n: number of pre-upload handles bound (their keys end the group,
--      but for the day key)
-- then: the record, the report hash as RESTORE takes it (the DUMP
--      payload of the hash, made by the worker: ngx_pa_submit_record.h):
--      phone_hash, lat, lng, created_at, status (submitted, or
--      dispatched with an agency), token_hash, ik (pa_record_compat
--      off), doc (the cold fields as one JSON value, ngx_pa_doc.h), and
--      the hot fields (ngx_pa_doc.h says which); one argument, not a
--      name and a value each (issue 12: Redis neither parses nor inserts
--      them one by one, and the AOF gets one string)
-- then: the report's score in the work lists +1 and +5 (text,
--      lib/qscore.lua's order and its fraction)
-- last: "" or, when the report joins the hints (its day key ends its
--      KEYS), the day key's time to live (seconds: the day's end + the
--      window + 30 days, from now; set by the day's first call only)
-- after the N groups: the call's deadline (Redis's clock, ms; "" or
--      absent: none), lib/late.lua: past it nothing is written
--
-- Keys not in KEYS (the one exception): pa:{t}:r:<other>, the report an
-- earlier print of this phone points at, whose status decides a duplicate;
-- only the dup: key names it, so declaring it would cost a first read.
-- Built from the r: key's hash-tagged prefix: the same slot.
--
-- The report's own record is its idempotency record (issue 12): the
-- worker derives the id from the idempotency key, so a retry names the
-- same r: key (or, after midnight, the day before's: +3).  A candidate
-- taken (the batch's one EXISTS, or stored by this batch) is read on
-- that rare path: its "ik" of the same key and created_at less than
-- IDEM_TTL ago is the submission seen; so is, with pa_record_compat off,
-- one without "ik" of less than IDEM_TTL ago: a report stored under
-- pa_record_compat on (which writes no ik) at this key's id; today's of
-- another key (or older) is "exists", the day before's is ignored.
-- With pa_record_compat on the idem: key finds the retries, as on the
-- older nodes, and the day before's candidate is not read: only a
-- report of a node with pa_record_compat off (its ik, no idem: key) is
-- looked for at today's id.
--
-- Returns an array of N elements, one per report in order: 1 (stored),
-- {"replay", "0" (today's candidate) or "1" (the day before's), its
-- created_at, its ik ("": none)} when the key was seen (a retry after a
-- timeout or a 503: nothing is written), {"replay", <the idem: key's
-- value>} when the idem: key was (pa_record_compat on), or an error:
-- "exists" (the id is taken: take the next candidate), "account_locked",
-- "duplicate <id of the open report>", "media_bound" (a handle is bound
-- to another report), "media_expired" (a handle's key is gone), or a
-- command's own error.  Every error leaves nothing of that report
-- written: an idem: key it stored is removed again, so a retry after a
-- 409 is checked anew.  An element N + 1, when present, is the error of a
-- batch-wide index write (the reports were stored; the worker logs it).
-- A node that takes no write (READONLY, OOM: the error of the batch's
-- first write, before any report is stored) fails the whole call with
-- that error instead, as a call of one report did.
-- A call that came after its deadline fails whole with the error LATE
-- (the worker answers 503 to every report of it: none was written).

-- (numbers a command takes as strings: redis.call writes a Lua number
-- with %.17g, the costliest part of its argument handling)
local IDEM_TTL = '86400'
local EV_MAX = '100000'
-- (lib/prints.lua's PRINT_CLOSED: a report closing parks its prints)
local CLOSED = {resolved = true, rejected = true, cancelled = true,
                monitoring = true, escalated = true}

-- the globals the script uses at each report, as locals: a global is a
-- table lookup at each use
local KEYS, ARGV = KEYS, ARGV
local call, rpcall = redis.call, redis.pcall
local unpack, error = unpack, error

-- ARGV's numbers by coercion (s + 0): tonumber converts a string twice
local n = ARGV[1] + 0

-- Index scores (issue 12, bench/submit-cost.md): members of one score are
-- ordered by id (random), so at a hundred thousand entries each insert
-- into a run of ties (a second's submissions, a day's shared deadline)
-- walks the skiplist at random places.  A fraction that grows with the
-- submission (its microsecond, the report's place in the batch added)
-- keeps a run in insertion order (a deadline's: of the minute, as a
-- double's 18 bits there hold, ngx_pa_qscore.h).  It stays in [0, 1): a
-- reader that compares a score with whole seconds sees what it saw
-- before; act.lua and sweep.lua write whole scores again (the fraction
-- is then dropped, and nothing relies on it).  The worker makes the scores, exact doubles
-- as text, as this script made them with lib/qscore.lua's qorder() and
-- the cut to the spacing of doubles at the whole score + 1
-- (ngx_pa_qscore.c): here they go to ZADD as they come.

-- pa_record_compat on: the idem: key, no ik, no candidate of the day
-- before (one worker's batch: one setting, its first report says it: a
-- +8 argument longer than ik's 16 characters, ngx_pa_submit_idem.h).
-- (Literals, not locals, where a closure would take them as upvalues:
-- each upvalue of each closure made per call costs a walk of the open
-- ones.)
local compat = #ARGV[10] > 16

-- each report's first key and first argument (g[2r - 1], g[2r]); read
-- once for the batch: the phones' locks, whether any id is taken (off:
-- both candidates of each report, a retry's record is one of them).  A
-- loop of each setting: a test of it per report cost ~0.4k instructions
local g, phones, rkeys = {}, {}, {}
local k, a = 5, 2
if compat then
    for r = 1, n do
        g[2 * r - 1], g[2 * r] = k, a + 2
        phones[r] = ARGV[a + 5]
        rkeys[r] = KEYS[k]
        k = k + ARGV[a]
        a = a + 2 + ARGV[a + 1]
    end
else
    for r = 1, n do
        g[2 * r - 1], g[2 * r] = k, a + 2
        phones[r] = ARGV[a + 5]
        rkeys[2 * r - 1], rkeys[2 * r] = KEYS[k], KEYS[k + 3]
        k = k + ARGV[a]
        a = a + 2 + ARGV[a + 1]
    end
end
g[2 * n + 1], g[2 * n + 2] = k, a + 2

-- (the worker gave up on the call: its 503 must keep nothing)
if call_late(ARGV[a]) then
    return redis.error_reply(CALL_LATE)
end

local locked = call('HMGET', KEYS[2], unpack(phones))
local taken_any = call('EXISTS', unpack(rkeys)) ~= 0

-- what the batch writes once, for the reports stored
local due_m, geo_m, geo_ttl, q_m = {}, {}, {}, {}
local stored = {}       -- report keys written by this batch

-- A report's writes, as far as they went, for its undo: no table on the
-- path of a report stored (the common case)
local u_idem, u_p1, u_o1, u_prints, u_rec, u_o311, u_ev, u_evs, u_disp, u_up

local function undo(K)
    if u_up then
        for i = 1, #u_up, 2 do
            if u_up[i + 1] then
                rpcall('HSET', u_up[i], 'report', u_up[i + 1])
            else
                rpcall('HDEL', u_up[i], 'report')
            end
        end
    end
    if u_disp then
        rpcall('DEL', KEYS[K + 4])
        rpcall('ZREM', KEYS[K + 5], u_disp[1])
        -- only the counters it counted (a failed write before them left
        -- them as they were)
        if u_disp[3] > 0 then
            rpcall('HINCRBY', KEYS[K + 6], u_disp[2] .. '|dispatched', -1)
        end
        if u_disp[3] > 1 then
            rpcall('HINCRBY', KEYS[K + 7], u_disp[2] .. '|in_progress', -1)
        end
    end
    if u_evs then
        rpcall('XDEL', KEYS[1], unpack(u_evs))
    end
    if u_ev then
        rpcall('XDEL', KEYS[1], u_ev)
    end
    if u_o311 then
        rpcall('ZREM', u_o311, u_rec)
    end
    if u_rec then
        rpcall('DEL', KEYS[K])
    end
    if u_p1 then
        if u_o1 then
            rpcall('HSET', KEYS[K + 2], u_p1, u_o1)
        else
            rpcall('HDEL', KEYS[K + 2], u_p1)
        end
    end
    if u_prints then
        for i = 1, #u_prints, 2 do
            if u_prints[i + 1] then
                rpcall('HSET', KEYS[K + 2], u_prints[i], u_prints[i + 1])
            else
                rpcall('HDEL', KEYS[K + 2], u_prints[i])
            end
        end
    end
    if u_idem then
        rpcall('DEL', u_idem)
    end
end

-- a print stored, and what it named before (false: nothing); the first
-- in locals (a text report has one)
local function taken(p, old)
    if not u_p1 then
        u_p1, u_o1 = p, old
        return
    end
    u_prints = u_prints or {}
    u_prints[#u_prints + 1] = p
    u_prints[#u_prints + 1] = old
end

local first     -- the report's first write failed: nothing of it written
local ttl_ok    -- the hints' time to live last found a whole number

-- one report, as a call of its own would take it (K: its first key, A:
-- its first argument, k_end, a_end: its last); an error (a refusal, or a
-- command's) ends it, caught by the caller
local function one(r, K, A, k_end, a_end)
    local id, now, urgent = ARGV[A], ARGV[A + 1], ARGV[A + 2]
    local rk = KEYS[K]
    -- off: the retry's proof; on: the idem: key's value
    local ik = ARGV[A + 6]

    -- joins the hints: the group ends with its day key, and its time to
    -- live
    local geo_ex = ARGV[a_end]
    local geo = geo_ex ~= ''
    a_end = a_end - 1       -- the score
    local rec = ARGV[a_end - 1]
    if geo then
        k_end = k_end - 1
        -- a whole number of seconds as EXPIRE reads it, checked before
        -- the first write: an error after the report's share of the
        -- batch's writes (below) would leave its entries there while the
        -- report is refused and undone.  EXPIRE takes the text (a Lua
        -- number would cost it a %.17g), so what Lua alone takes as a
        -- number ("1e6", "0x10", " 5", "010") is refused too.  Once a
        -- value (it counts from each report's now: the reports of one
        -- second of a batch share it)
        if geo_ex ~= ttl_ok then
            if #geo_ex > 10 or not string.find(geo_ex, '^[1-9]%d*$') then
                error('hints: the time to live is no whole number of '
                      .. 'seconds', 0)
            end
            ttl_ok = geo_ex
        end
    end

    if compat then
        -- any node's submission is found by its key alone, as the older
        -- nodes find it, and they find this one so
        local idem = KEYS[K + 3]
        local seen = rpcall('SET', idem, ik, 'NX', 'EX', IDEM_TTL, 'GET')
        if seen then
            -- (rare: a replay, or the command's error)
            if type(seen) == 'table' and seen.err then
                first = true
                error(seen.err, 0)
            end
            return {'replay', seen}
        end
        u_idem = idem

        if locked[r] then
            error('account_locked', 0)
        end

        if stored[rk] or (taken_any and call('EXISTS', rk) == 1) then
            -- (rare) a report of a node with pa_record_compat off at this
            -- key's id, which wrote no idem: key: its ik (the key's hash
            -- ends the idem: key's name)
            local h = call('HMGET', rk, 'ik', 'created_at')
            if h[1] and h[2] and now - h[2] < 86400
               and string.sub(h[1], 1, 8) == string.sub(idem, -64, -57)
            then
                rpcall('DEL', idem)
                u_idem = nil
                return {'replay', '0', h[2], h[1]}
            end
            error('exists', 0)
        end
    else
        -- a candidate taken: a retry (its record), or another key's
        -- report
        local yk = KEYS[K + 3]
        local busy = false
        if taken_any or stored[rk] or stored[yk] then
            -- a candidate taken: the submission seen when it is younger
            -- than IDEM_TTL and has the key's part of ik (kh: ik's first
            -- 8), or no ik at all (rare: a retry, or a collision).  A
            -- record without ik at this key's id is this key's report
            -- stored with pa_record_compat on, but for another key's (or
            -- an older node's random id) of the same 40 bits: 1 in 2^40 a
            -- day.  With ik, 72 bits must match (the id's 40, ik's 32)
            -- for another key's.  (A function made here, on the rare
            -- path: one of the script's chunk is made at every call.)
            local kh = string.sub(ik, 1, 8)
            local function seen_at(key)
                local h = call('HMGET', key, 'ik', 'created_at')
                if h[2] and now - h[2] < 86400      -- IDEM_TTL
                   and (h[1] and string.sub(h[1], 1, 8) == kh or not h[1])
                then
                    h[1] = h[1] or ''
                    return h
                end
            end
            busy = stored[rk] or (taken_any and call('EXISTS', rk) == 1)
            local h = busy and seen_at(rk)
            if h then
                return {'replay', '0', h[2], h[1]}
            end
            if stored[yk] or (taken_any and call('EXISTS', yk) == 1) then
                h = seen_at(yk)
                if h then
                    return {'replay', '1', h[2], h[1]}
                end
            end
        end

        if locked[r] then
            error('account_locked', 0)
        end

        if busy then
            error('exists', 0)
        end
    end

    local agency = ARGV[A + 7]
    local np = ARGV[A + 9] + 0
    local i = A + 10 + np
    local at_nh = i + 1 + 2 * ARGV[i]
    local first_up = k_end - 2 * ARGV[at_nh] + 1
    local kd = agency ~= '' and 4 or 0
    local o311 = first_up - (K + 4 + kd) == 1 and KEYS[K + 4 + kd]

    for u = first_up, k_end, 2 do
        local bound = call('HGET', KEYS[u], 'report')
        if bound == false and call('EXISTS', KEYS[u]) == 0 then
            error('media_expired', 0)
        end
        if bound and bound ~= '' and bound ~= id then
            error('media_bound', 0)
        end
    end

    -- each print in one command: HSETNX stores it and says whether the
    -- phone sent it before; only then is the other report's status read
    -- (a closed one gives its print up)
    local dup = KEYS[K + 2]
    for p = A + 10, A + 9 + np do
        local w = rpcall('HSETNX', dup, ARGV[p], id)
        if w == 1 then
            if u_p1 then
                taken(ARGV[p], false)
            else
                u_p1, u_o1 = ARGV[p], false
            end
        else
            if w ~= 0 then
                -- (rare) the report's first write when nothing else is
                -- written (no idem: key): a node that takes none
                -- (READONLY, OOM) refuses here (an error: a table; type()
                -- on every print cost ~0.3k instructions a report)
                first = not u_idem and not u_p1
                error(w.err, 0)
            end
            -- (rare: what follows runs only for a print sent before)
            local prefix = string.match(KEYS[K], '^(.*:)r:[^:]*$')
            local other = call('HGET', dup, ARGV[p])
            local st = call('HGET', prefix .. 'r:' .. other, 'status')
            if st and not CLOSED[st] then
                error('duplicate ' .. other, 0)
            end
            if other ~= id then
                call('HSET', dup, ARGV[p], id)
                taken(ARGV[p], other)
            end
        end
    end

    -- no "id" field (issue 12): the key names the report, and every
    -- reader puts it back (lib/record.lua, ngx_pa_record_id.h); (on: no
    -- ik, the idem: key holds what a retry needs).  RESTORE, not HSET:
    -- the same fields in the same order, from one argument (a listpack
    -- even with a value past hash-max-listpack-value, ngx_pa_dump.h;
    -- BUSYKEY cannot be: the key was checked above)
    u_rec = id
    call('RESTORE', rk, '0', rec)
    if o311 then
        u_o311 = o311
        call('ZADD', o311, now, id)
    end

    -- no personal data in the stream: ids, states and times (act.lua)
    -- (its bound: the batch's one XTRIM, below)
    u_ev = call('XADD', KEYS[1], '*', 'type', 'submitted', 'id', id,
                'at', now, 'state', 'submitted', 'urgent', urgent,
                'agency', '', 'agencies', '')

    -- the work lists' order (lib/qscore.lua): urgent first, then the
    -- nearest deadline; none: by submission (the worker's score)
    local score = ARGV[a_end]

    if agency ~= '' then
        -- the dispatch an IOC would make, as the system: the agency is
        -- alerted (rare: the one JSON decode of this script)
        local entry = cjson.decode(ARGV[A + 8])
        entry.agencies = ',' .. agency .. ','
        -- (and how many of its counters it counted: its undo takes back
        -- those alone)
        u_disp = {id, agency, 0}
        u_evs = {}
        call('RPUSH', KEYS[K + 4], cjson.encode(entry))
        call('ZADD', KEYS[K + 5], score, id)
        call('HINCRBY', KEYS[K + 6], agency .. '|dispatched', 1)
        u_disp[3] = 1
        call('HINCRBY', KEYS[K + 7], agency .. '|in_progress', 1)
        u_disp[3] = 2
        u_evs[#u_evs + 1] = call('XADD', KEYS[1], '*',
                   'type', 'dispatch', 'id', id, 'from', 'submitted',
                   'to', 'dispatched', 'urgent', urgent, 'at', now,
                   'agencies', entry.agencies, 'state', 'dispatched',
                   'agency', agency, 'role', 'system')
        if urgent == '1' then
            -- the agency must hear of an urgent report at once (LC26 Đ15
            -- B2)
            u_evs[#u_evs + 1] = call('XADD', KEYS[1], '*',
                   'type', 'urgent_dispatched', 'id', id,
                   'from', 'submitted', 'to', 'dispatched', 'urgent', '1',
                   'at', now, 'agencies', entry.agencies,
                   'state', 'dispatched', 'agency', agency,
                   'role', 'system', 'step', 'accept')
        end
    end

    -- the handles last: a failure before them leaves them as they were.
    -- In here only a key of the wrong type could fail a write: Redis
    -- refuses a script's write for OOM, READONLY or a disk error only
    -- before its first one (Redis 7.0's script.c, scriptVerifyOOM and
    -- scriptVerifyWriteCommandAllow), and the record is written above.
    -- So undo restores each handle's report and leaves the address's
    -- open list (the HDEL) as this loop left it
    for u = first_up, k_end, 2 do
        local old = call('HGET', KEYS[u], 'report')
        u_up = u_up or {}
        u_up[#u_up + 1] = KEYS[u]
        u_up[#u_up + 1] = old or false
        call('HSET', KEYS[u], 'report', id)
        call('HDEL', KEYS[u + 1], string.match(KEYS[u], ':up:(.*)$'))
    end

    -- stored: its part of the batch's writes (nothing fails after this)
    for d = i + 1, at_nh - 1, 2 do
        due_m[#due_m + 1] = ARGV[d + 1]
        due_m[#due_m + 1] = ARGV[d]
    end

    local m = q_m[KEYS[K + 1]]
    if not m then
        m = {}
        q_m[KEYS[K + 1]] = m
    end
    m[#m + 1] = score
    m[#m + 1] = id

    -- duplicate hints: the position joins its day's key, which expires
    -- once past keeping; a ZADD of the score GEOADD would make (the
    -- worker's), which GEOSEARCH reads alike.  The member leads with the
    -- time (issue 12): members of one position (the same spot reported
    -- again and again, a commune's centre) are ordered by member, and
    -- random ids put each insert at a random place of the day's
    -- skiplist, a cache miss a level; in time order it goes to the end of
    -- the run (in a day key of 400k: GEOADD 17-21 -> 5 us a report), and
    -- with the millisecond a second's reports do too (~6 % of this
    -- script at a bench's rate, bench/submit-cost.md).  Ten digits sort
    -- as numbers until 2286; retention finds the member at the report's
    -- position, get.lua takes the id after the "|".
    if geo then
        local dk = KEYS[k_end + 1]
        m = geo_m[dk]
        if not m then
            m = {}
            geo_m[dk] = m
        end
        m[#m + 1] = ARGV[A + 4]
        m[#m + 1] = ARGV[A + 5]
        geo_ttl[dk] = geo_ttl[dk] or geo_ex
    end

    stored[rk] = true
    return 1
end

local res = {}
local cur       -- the report being taken

-- the reports from the one given on, each as a call of its own would
-- take it; an error ends the run at report cur (one pcall a run, not one
-- a report: most batches are one run)
local function run(from)
    for r = from, n do
        cur = r
        u_idem, u_p1, u_o1, u_prints, u_rec, u_o311, u_ev, u_evs, u_disp,
            u_up = nil
        first = false
        res[r] = one(r, g[2 * r - 1], g[2 * r], g[2 * r + 1] - 1,
                     g[2 * r + 2] - 3)
    end
end

local from = 1
while from <= n do
    local ok, e = pcall(run, from)
    if ok then
        break
    end

    undo(g[2 * cur - 1])
    -- (Redis's pcall hands an error over as its text)
    e = type(e) == 'table' and e.err or tostring(e)
    if first and next(stored) == nil then
        -- the node refuses writes (READONLY, OOM: only a script's first
        -- write can get these), and none of this batch is stored: the
        -- call's own error, as the worker knows it
        return redis.error_reply(e)
    end
    res[cur] = {err = e}
    from = cur + 1
end

-- once per batch: what many reports write to one key
local failed
local function index(...)
    local e = rpcall(...)
    if type(e) == 'table' and e.err then
        failed = failed or e.err
    end
end

if #due_m > 0 then
    index('ZADD', KEYS[3], unpack(due_m))
end
-- the stream's bound, once a batch (an XADD's own MAXLEN was three more
-- arguments a report, rewritten and written to the AOF each time)
if next(stored) ~= nil then
    index('XTRIM', KEYS[1], 'MAXLEN', '~', EV_MAX)
end
for key, m in pairs(q_m) do
    index('ZADD', key, unpack(m))
end

-- The sweeper reads q:submitted's passed scores from where it swept to
-- (sweep.lua): a report listed below that (a node's clock behind the
-- sweeper's, a test clock gone back) sets it back, else a first deadline
-- that is its score alone would never be swept.  One read a batch
local qsub = q_m[string.sub(KEYS[4], 1, -11) .. 'q:submitted']
if qsub then
    local cur = call('HMGET', KEYS[4], '0', '2')
    local c0 = cur[1] and tonumber(string.match(cur[1], '[^(]+$'))
    local c2 = cur[2] and tonumber(string.match(cur[2], '[^(]+$'))
    local l0, l2
    -- (a number of each score: ~2k instructions a report, 1.5 % of it)
    for j = 1, (c0 or c2) and #qsub or 0, 2 do
        local s = qsub[j] + 0
        if s < 1e10 then
            if c0 and s < c0 then
                c0, l0 = s, qsub[j]
            end
        elseif c2 and s < c2 and s >= 2e10 and s < 3e10 then
            c2, l2 = s, qsub[j]
        end
    end
    if l0 then
        index('HSET', KEYS[4], '0', l0)
    end
    if l2 then
        index('HSET', KEYS[4], '2', l2)
    end
end

-- (one day key a batch, two across midnight).  Its expiry is the same
-- instant for every report of its day (the day's end + the window + 30
-- days), so the first call of the day sets it and NX leaves it to the
-- others: an EXPIRE that changes nothing is neither written nor
-- propagated (Redis >= 7.0, as RESTORE's payload needs; a call of one
-- report: 312k -> 302k instructions)
for key, m in pairs(geo_m) do
    index('ZADD', key, unpack(m))
    index('EXPIRE', key, geo_ttl[key], 'NX')
end

if failed then
    res[n + 1] = failed
end

return res
