--! uses: qscore fold prints record
-- sweep.lua: one pass of the SLA sweeper over the deadlines that passed.
--
-- Called every pa_sweep_interval by one worker of one node (the lock
-- below), or at once by POST /api/v1/admin/sweep in test-clock mode.
-- Bounded: at most ARGV[6] (<= 500) due members and one page of the
-- commenting locks per call; the worker calls again soon when "more".
--
-- KEYS[1]  pa:{t}:sweep:lock    who sweeps (SET NX PX), value = node id
-- KEYS[2]  pa:{t}:due           open deadlines "<id>|<key>" -> due
-- KEYS[3]  pa:{t}:events        event stream for notifiers
-- KEYS[4]  pa:{t}:clock         commenting locks: phone_hash -> until
-- KEYS[5]  pa:{t}:sweep:cursor  HSCAN cursor of KEYS[4] between calls
-- KEYS[6]  pa:{t}:sweep:last    when the sweeper last ran (ARGV[1]), set
--                               by the timer's sweeps only (node id
--                               given): GET /metrics' sweeper lag
-- KEYS[7]  pa:{t}:near          positions for duplicate hints before the
--                               day keys near:<YYYYMMDD> (which expire
--                               on their own: nothing to prune)
-- KEYS[8]  pa:{t}:near:at       the same ids, score = submitted
-- KEYS[9]  pa:{t}:dup:cursor    SCAN cursor of the move of duplicate
--                               prints from dup:<phone_hash> (before
--                               issue 12.4) into the buckets, then
--                               "p<cursor>": the buckets' walk that
--                               parks closed reports' prints (lib/
--                               prints.lua); "parked" once both walked
--                               the keyspace ("done", the end of the
--                               first walk before, starts the second)
-- KEYS[10] pa:{t}:q:late        reports whose missed deadline was
--                               extended (act.lua, queue.lua)
-- KEYS[11..16] pairs pa:{t}:st:<state>, pa:{t}:q:<state> of dispatched,
--          in_progress, awaiting_approval: an earlier version's index of
--          the state (st:), moved into its work list (q:), below
-- KEYS[17] pa:{t}:q:submitted  the IOC's list of new reports: a score
--                               stands for the first deadline (below)
-- KEYS[18] pa:{t}:sweep:qdue    the scores of KEYS[17] swept, a band each
--                               (hash: "0" urgent, "2" the others)
--
-- ARGV[1]  now (epoch seconds); a deadline has passed when now > due,
--          the rule act.lua uses for "met" (now <= due is on time)
-- ARGV[2]  key prefix "pa:{t}:" (report, history, index and stats keys;
--          the work lists q:<state>, aq:<agency>:<state>: a report the
--          sweeper rejects leaves them, a status notice moves it there)
-- ARGV[3]  day "YYYYMMDD" (local; statistics)
-- ARGV[4]  node id; "" sweeps without the lock (the test endpoint)
-- ARGV[5]  lock time to live, milliseconds (a little under the interval)
-- ARGV[6]  how many due members at most
-- ARGV[7]  "at" of history entries (RFC 3339 in the province's offset)
-- ARGV[8]  note of the status notice (to the reporter, Vietnamese)
-- ARGV[9]  note of the automatic rejection (to the reporter, Vietnamese)
-- ARGV[10] entries of KEYS[7]/KEYS[8] submitted before this epoch leave
--          them, PRUNE a call at most ("0": hints off, nothing to do);
--          nothing adds to them since the day keys: once empty (gone),
--          this is one ZRANGE of a missing key
--
-- For each passed member: "supplement" of a report still in needs_info
-- is rejected with supplement_timeout, as act.lua's reject does; "notify"
-- (LC25 / ĐB status notice) sends the notice and completes the step; any
-- other step is marked do:<key> = "1" with an "overdue" event, and the
-- miss is counted now against the step's owner: "<owner>|overdue" once per
-- report and owner (sc:<owner>, as act.lua) with the report in the day's
-- overdue list late:<day>, "extension_missed" when the deadline was an
-- extended one.  An agency that never answers is overdue in the
-- statistics from the day its deadline passed, as in its queue.  act.lua
-- counts on_time when an owner's part ends in time, and a miss the
-- sweeper has not seen yet (do:<key> unset) when a step ends late.
-- Hidden reports are swept like any other: hiding never stops a clock.
--
-- Duplicate prints of an earlier version (dup:<64 hex phone_hash>, which
-- no submission reads any more) move into the buckets a submission reads
-- (dup:<4 hex>, field "<phone_hash 32 hex>:<c|m>:<sha256 32 hex>",
-- ngx_pa_print_field()): one SCAN step (MIGRATE_SCAN keys looked at) a
-- call, the cursor in KEYS[9], "more" until the walk is done.  A print of
-- a report still open moves with HSETNX (a print the bucket already has is
-- newer: it wins); a closed report's print is no duplicate and is dropped;
-- the old key is deleted.  The buckets and the reports read are built from
-- ARGV[2]'s prefix (found by the SCAN: they cannot be declared).
--
-- The reports an earlier version indexed in st:<state> of an open state
-- the IOC's reads do not merge (queue.lua merges the states it lists) move
-- into q:<state>, its one index since issue 12, MIGRATE_ST a state a call:
-- each still in that state scored as queue.lua would (qscore; one already
-- in q: keeps its score, q:late as queue.lua), a stale one only leaves
-- st:.  Until a st: is empty (Redis deletes it) stats.lua and metrics.lua
-- count the union (lib/count.lua, one ZINTERCARD a state a read); "more"
-- until then.
--
-- Returns {overdue, rejected, notices, unlocked, more}, or the status
-- "locked" when another node holds the lock.

local LOCK, DUE, EV, CLOCK, CUR = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local now, prefix, day = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local node, ttl, limit = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local at, notice_note, reject_note = ARGV[7], ARGV[8], ARGV[9]

if node ~= '' then
    local holder = redis.call('GET', LOCK)
    if holder and holder ~= node then
        return redis.status_reply('locked')
    end
    redis.call('SET', LOCK, node, 'PX', ttl)
    redis.call('SET', KEYS[6], now)
end

local overdue, rejected, notices, unlocked = 0, 0, 0, 0
local stats_key = prefix .. 'stats:' .. day

local function count(a, name)
    if a and a ~= '' then
        redis.call('HINCRBY', stats_key, a .. '|' .. name, 1)
    end
end

-- a passed deadline of the owner a: its miss, counted once per report
local function missed(R, rep, a, key)
    if a == '' then
        return
    end
    if rep['dx:' .. key] == '1' then
        count(a, 'extension_missed')
    end
    if rep['sc:' .. a] ~= 'overdue' then
        count(a, 'overdue')
        -- the day's overdue list (stats.lua): "<owner>|<report id>"
        redis.call('SADD', prefix .. 'late:' .. day, a .. '|' .. rep.id)
        rep['sc:' .. a] = 'overdue'
        redis.call('HSET', R, 'sc:' .. a, 'overdue')
    end
end

local function history(id, entry)
    redis.call('RPUSH', prefix .. 'h:' .. id, cjson.encode(entry))
end

-- whose step it is, for the event and the counter
local function owner(rep, step, agency)
    if agency ~= '' then
        return agency
    end
    if step == 'identify' or step == 'confirm' then
        return rep.coordinator or ''
    end
    if step == 'approve' or step == 'reply' or step == 'notify' then
        return rep.lead or ''
    end
    if step == 'supplement' then
        return ''
    end
    return 'ioc'
end

-- a step completed by the sweeper (the status notice) moves the report
-- in the lists that hold it (XX: never adds it to one)
local function relist(id, h)
    local st, score = h.status or '', qscore(h)
    if st == 'submitted' then
        -- the score moves: what it stood for goes to the due index
        qdue_file(DUE, id, h)
    end
    redis.call('ZADD', prefix .. 'q:' .. st, 'XX', score, id)
    for _, f in ipairs({h.agencies, h.coordinator, h.former_agencies}) do
        for a in string.gmatch(f or '', '([^,]+)') do
            local own = h.coordinator == a
                        or (st ~= 'coordinating' and st ~= 'under_review'
                            and string.find(h.agencies or '',
                                            ',' .. a .. ',', 1, true))
            redis.call('ZADD', prefix .. 'aq:' .. a .. ':' .. st, 'XX',
                       own and score or score + SEC, id)
        end
    end
end

-- the reporter did not supplement in time: act.lua's reject, by the system
local function reject(R, id, rep)
    local hset = {'status', 'rejected', 'reject_reason', 'supplement_timeout',
                  'updated_at', now}

    for name, value in pairs(rep) do
        local key = string.match(name, '^dl:(.+)$')
        if key and not rep['dm:' .. key] then
            local met = now <= tonumber(value) and '1' or '0'
            hset[#hset + 1] = 'dm:' .. key
            hset[#hset + 1] = met
            hset[#hset + 1] = 'dd:' .. key
            hset[#hset + 1] = now
            redis.call('ZREM', DUE, id .. '|' .. key)

            -- the miss is a fact of the deadline: counted once, and a
            -- rejection is no completion, so nothing counts on time
            local step = string.match(key, '^([^@#]+)')
            if met == '0' and rep['do:' .. key] ~= '1' and step ~= 'notify'
            then
                hset[#hset + 1] = 'do:' .. key
                hset[#hset + 1] = '1'
                missed(R, rep, owner(rep, step,
                                     string.match(key, '@(.+)$') or ''), key)
            end
        end
    end

    -- its prints wait in its hash (lib/prints.lua)
    local dp = prints_park(R, id, rep)
    if dp then
        hset[#hset + 1] = 'dp'
        hset[#hset + 1] = dp
    end
    redis.call('HSET', R, unpack(hset))
    for k = 1, #hset, 2 do
        rep[hset[k]] = tostring(hset[k + 1])
    end
    fold(R, rep)
    -- (st: of an open state: a report of an earlier version only)
    redis.call('ZREM', prefix .. 'st:needs_info', id)
    redis.call('ZREM', prefix .. 'q:needs_info', id)
    -- off the agencies' work lists (act.lua's aq:<agency>:<state> rule):
    -- rejected is listed nowhere
    for _, f in ipairs({rep.agencies, rep.coordinator, rep.former_agencies})
    do
        for a in string.gmatch(f or '', '([^,]+)') do
            redis.call('ZREM', prefix .. 'aq:' .. a .. ':needs_info', id)
        end
    end
    redis.call('ZADD', prefix .. 'st:rejected', rep.created_at or now, id)
    redis.call('ZREM', prefix .. 'pub', id)
    redis.call('ZREM', prefix .. 'geo', id)

    history(id, {at = at, role = 'system', actor = 'sweeper',
                 action = 'reject', from = 'needs_info', to = 'rejected',
                 note = reject_note, reject_reason = 'supplement_timeout'})

    redis.call('XADD', EV, 'MAXLEN', '~', 100000, '*',
               'type', 'reject', 'id', id, 'from', 'needs_info',
               'to', 'rejected', 'urgent', rep.urgent == '1' and '1' or '0',
               'at', now, 'agencies', rep.agencies or '',
               'reason', 'supplement_timeout', 'actor', 'sweeper',
               'state', 'rejected', 'agency', rep.lead or '',
               'role', 'system', 'step', 'supplement')
end

-- ------------------------------------------------------------ deadlines

-- a deadline key of the report rep (stored at R) that passed at due:
-- rejected, the status notice, or overdue
local function passed(R, id, key, rep, due)
    local step = string.match(key, '^([^@#]+)')
    local agency = string.match(key, '@(.+)$') or ''
    local urgent = rep.urgent == '1' and '1' or '0'

    if step == 'supplement' and rep.status == 'needs_info' then
        reject(R, id, rep)
        rejected = rejected + 1

    elseif step == 'notify' then
        -- LC25 / ĐB: the reporter hears the status after 6 days
        redis.call('HSET', R, 'dm:notify', '1', 'dd:notify', now)
        rep['dm:notify'], rep['dd:notify'] = '1', tostring(now)
        fold(R, rep)
        relist(id, rep)
        history(id, {at = at, role = 'system', actor = 'sweeper',
                     action = 'notify', from = rep.status,
                     to = rep.status, note = notice_note})
        redis.call('XADD', EV, 'MAXLEN', '~', 100000, '*',
                   'type', 'notice', 'id', id,
                   'status', rep.status or '',
                   'agency', owner(rep, step, agency),
                   'agencies', rep.agencies or '',
                   'urgent', urgent, 'at', now,
                   'state', rep.status or '', 'step', 'notify')
        notices = notices + 1

    else
        local a = owner(rep, step, agency)
        redis.call('HSET', R, 'do:' .. key, '1')
        rep['do:' .. key] = '1'
        redis.call('XADD', EV, 'MAXLEN', '~', 100000, '*',
                   'type', 'overdue', 'id', id, 'step', step,
                   'key', key, 'agency', a, 'urgent', urgent,
                   'due', due, 'at', now, 'state', rep.status or '',
                   'agencies', rep.agencies or '')
        missed(R, rep, a, key)
        overdue = overdue + 1
    end
end

local function report(R)
    local flat = record(R)
    local rep = {}
    for k = 1, #flat, 2 do
        rep[flat[k]] = flat[k + 1]
    end
    return rep
end

local members = redis.call('ZRANGEBYSCORE', DUE, '-inf', '(' .. now,
                           'LIMIT', 0, limit)

for _, member in ipairs(members) do
    redis.call('ZREM', DUE, member)

    local id, key = string.match(member, '^([^|]+)|(.+)$')
    local R = id and prefix .. 'r:' .. id
    local rep = R and report(R) or {}

    local due = tonumber(rep['dl:' .. (key or '')] or '')

    -- gone, completed or already seen: nothing to do (the member was stale)
    if due and not rep['dm:' .. key] and rep['do:' .. key] ~= '1' then
        if due > now then
            -- moved later meanwhile (extend): back in the index
            redis.call('ZADD', DUE, due, member)
        else
            passed(R, id, key, rep, due)
        end
    end
end

-- ------------------------------------------- submitted reports' deadlines

-- A report submitted to q:submitted has no due entry for the deadline its
-- score stands for (submit.lua, issue 12): the band and the due (lib/
-- qscore.lua), so the scores passed since the last sweep name the
-- reports.  A cursor a band (KEYS[18]: the score swept up to, excluded
-- when "(" leads it) keeps a report that stays listed overdue from being
-- read at every sweep; submit.lua sets it back to a report listed below
-- it (a node's clock behind this one's).  A report written since
-- (qdue_file) is in due too, and found here again only as seen.  Its
-- passed open deadlines are taken as the due members above.
local QSUB, QCUR = KEYS[17], KEYS[18]
local qmore = false

local function listed(id)
    local R = prefix .. 'r:' .. id
    local rep = report(R)
    if rep.status ~= 'submitted' then
        return
    end
    -- (the keys first: passed() adds fields to rep)
    for _, key in ipairs(qpassed(rep, now)) do
        -- (a notice before it may have folded the report's fields)
        if not rep['dm:' .. key] and rep['do:' .. key] ~= '1' then
            passed(R, id, key, rep, tonumber(rep['dl:' .. key]))
            -- taken here: a due entry of it (filed by a notice's relist
            -- earlier in this sweep, after due was read) would only wait
            -- to be found stale, and /metrics count it unswept meanwhile
            -- (none: nothing removed, nothing written to the AOF)
            redis.call('ZREM', DUE, id .. '|' .. key)
        end
    end
end

for _, band in ipairs({'0', '2'}) do
    -- (none yet, or the clock went back: from the band's start; each
    -- report again is only seen again)
    local lo, hi = qcursor(QCUR, band, now)
    local page = redis.call('ZRANGE', QSUB, lo, '(' .. hi, 'BYSCORE',
                            'LIMIT', 0, limit, 'WITHSCORES')
    local cut = hi
    if #page == 2 * limit then
        -- a full page: up to its last score, and every member of that
        -- score (ties: whole scores act.lua wrote); the next from after it
        cut = page[#page]
        for k = 1, #page - 2, 2 do
            if page[k + 1] ~= cut then
                listed(page[k])
            end
        end
        for _, id in ipairs(redis.call('ZRANGE', QSUB, cut, cut, 'BYSCORE'))
        do
            listed(id)
        end
        cut = '(' .. cut
        qmore = true
    else
        for k = 1, #page, 2 do
            listed(page[k])
        end
    end
    redis.call('HSET', QCUR, band, cut)
end

-- ------------------------------------------------------------ comment locks

-- one HSCAN page per call (a small hash answers whole): bounded however
-- many reporters are locked; the cursor carries on at the next call
local page = redis.call('HSCAN', CLOCK, redis.call('GET', CUR) or '0',
                        'COUNT', limit)
if page[1] == '0' then
    redis.call('DEL', CUR)
else
    redis.call('SET', CUR, page[1])
end

local locks = page[2]
for k = 1, #locks, 2 do
    local until_ = tonumber(locks[k + 1])
    if not until_ or until_ <= now then
        redis.call('HDEL', CLOCK, locks[k])
        unlocked = unlocked + 1
    end
end

-- ------------------------------------------- hints' index before day keys

local PRUNE = 100
local old = redis.call('ZRANGE', KEYS[8], '-inf', '(' .. ARGV[10],
                       'BYSCORE', 'LIMIT', 0, PRUNE)
if #old > 0 then
    redis.call('ZREM', KEYS[8], unpack(old))
    redis.call('ZREM', KEYS[7], unpack(old))
end

-- ------------------------------------------------------------ old prints

local MIGRATE_SCAN = 500
local CLOSED_ST = {resolved = true, rejected = true, cancelled = true,
                   monitoring = true, escalated = true}
local migrating = false
local mcur = redis.call('GET', KEYS[9]) or '0'

-- (the walk of the old keys ended with "done" before the buckets' walk
-- below: it starts then)
if mcur == 'done' then
    mcur = 'p0'
end

if string.match(mcur, '^p%d+$') then
    -- the buckets' walk: the prints of reports closed before lib/prints.lua
    -- are parked in their hash; those of reports gone are dropped
    local step = redis.call('SCAN', string.sub(mcur, 2), 'MATCH',
                            prefix .. 'dup:*', 'COUNT', MIGRATE_SCAN)
    local plen = #prefix + #'dup:'
    for _, k in ipairs(step[2]) do
        if #k == plen + 4 then
            local f = redis.call('HGETALL', k)
            local drop, park = {}, {}
            for j = 1, #f, 2 do
                local r = prefix .. 'r:' .. f[j + 1]
                local st = redis.call('HGET', r, 'status')
                if not st then
                    drop[#drop + 1] = f[j]
                elseif PRINT_CLOSED[st] then
                    drop[#drop + 1] = f[j]
                    park[r] = park[r] or {}
                    table.insert(park[r], string.sub(f[j], 34))
                end
            end
            for r, p in pairs(park) do
                local dp = redis.call('HGET', r, 'dp')
                if dp and dp ~= '' then
                    p[#p + 1] = dp
                end
                redis.call('HSET', r, 'dp', table.concat(p, ' '))
            end
            if #drop > 0 then
                redis.call('HDEL', k, unpack(drop))
            end
        end
    end
    if step[1] == '0' then
        redis.call('SET', KEYS[9], 'parked')
    else
        redis.call('SET', KEYS[9], 'p' .. step[1])
        migrating = true
    end
elseif mcur ~= 'parked' then
    local step = redis.call('SCAN', mcur, 'MATCH', prefix .. 'dup:*',
                            'COUNT', MIGRATE_SCAN)
    local plen = #prefix + #'dup:'
    for _, k in ipairs(step[2]) do
        local ph = string.sub(k, plen + 1)
        if #ph == 64 and not string.find(ph, '[^0-9a-f]') then
            local bucket = prefix .. 'dup:' .. string.sub(ph, 1, 4)
            local f = redis.call('HGETALL', k)
            for j = 1, #f, 2 do
                local kind, print = string.match(f[j], '^([cm]):(%x+)$')
                local st = redis.call('HGET', prefix .. 'r:' .. f[j + 1],
                                      'status')
                if kind and st and not CLOSED_ST[st] then
                    redis.call('HSETNX', bucket,
                               string.sub(ph, 1, 32) .. ':' .. kind .. ':'
                               .. string.sub(print, 1, 32), f[j + 1])
                end
            end
            redis.call('DEL', k)
        end
    end
    if step[1] == '0' then
        redis.call('SET', KEYS[9], 'p0')
        migrating = true
    else
        redis.call('SET', KEYS[9], step[1])
        migrating = true
    end
end

-- ------------------------------------------------- old open-state indexes

local MIGRATE_ST = 100

for j = 11, 15, 2 do
    local st, q = KEYS[j], KEYS[j + 1]
    local state = string.match(q, ':q:([^:]+)$')
    local ids = redis.call('ZRANGE', st, 0, MIGRATE_ST - 1)
    for _, id in ipairs(ids) do
        local flat = redis.call('HGETALL', prefix .. 'r:' .. id)
        local h = {}
        for k = 1, #flat, 2 do
            h[flat[k]] = flat[k + 1]
        end
        if h.status == state then
            redis.call('ZADD', q, 'NX', qscore(h), id)
            if late(h) then
                redis.call('SADD', KEYS[10], id)
            end
        end
        redis.call('ZREM', st, id)
    end
    if #ids == MIGRATE_ST and redis.call('EXISTS', st) == 1 then
        migrating = true
    end
end

return {overdue, rejected, notices, unlocked,
        (#members == limit or qmore or #old == PRUNE or migrating)
            and 1 or 0}
