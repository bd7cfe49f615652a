--! uses: qscore fold prints record late
-- act.lua: one workflow action on one report, atomically.
--
-- The worker has validated the fields, checked the caller's role and
-- computed every deadline the action opens (normal and urgent flavours);
-- this script checks what needs the stored report -- may the caller see
-- it, is the state right, agency rules -- then writes the transition, its
-- history entry, index moves, deadlines, counters and event together.
--
-- KEYS[1]  pa:{t}:r:<id>    report hash
-- KEYS[2]  pa:{t}:h:<id>    history list
-- KEYS[3]  pa:{t}:due       open deadlines "<id>|<key>" -> due
-- KEYS[4]  pa:{t}:events    event stream
-- KEYS[5]  pa:{t}:clock     commenting locks: phone_hash -> until
-- KEYS[6]  pa:{t}:viol      offensive-wording violations per phone_hash
-- KEYS[7]  pa:{t}:locked    locked phones
-- KEYS[8]  pa:{t}:gauge     "<agency>|in_progress" -> current count
-- KEYS[9]  pa:{t}:pub       published reports (zset)
-- KEYS[10] pa:{t}:geo       the same by position
-- KEYS[11] pa:{t}:stats:<YYYYMMDD>  the day's counters
-- KEYS[12] pa:{t}:late:<YYYYMMDD>   the day's overdue list
-- KEYS[13] pa:{t}:pubver   the public version: raised by every action
--           that changes what the public sees, so that every node's
--           public cache misses (ngx_pa_pubver.c)
-- KEYS[14..27] pa:{t}:st:<state> for every state of api.md: the report
--           leaves its state's index and joins the new one's, and only
--           the stored report says which it leaves.  Written for the
--           closed states and escalated only: an open state's one index
--           is its q: (issue 12); its st: is only left (a report written
--           before)
-- KEYS[28..37] pa:{t}:q:<state> for each state of the IOC's and the
--           supervisor's work lists (queue.lua): scored in the queue's
--           order (qscore), kept after every action
-- KEYS[38] pa:{t}:q:late    reports with a missed deadline that was then
--           extended: overdue with a due in the future (queue.lua)
-- last     pa:{t}:aidem:<sha256>, only with an Idempotency-Key (extras
--           "iprint"): the key of this caller, report and client key;
--           holds "<iprint> <the answer, JSON>" for IDEM_TTL seconds
--
-- Keys not in KEYS (the exceptions, learned only from the stored report,
-- so declaring them would cost a first read round trip on every action):
-- pa:{t}:aq:<agency>:<state> of the agencies the report names (the work
-- lists, queue.lua, scored as q:<state>), pa:{t}:cviol:<phone_hash> of
-- the reporter (flag_comment), and pa:{t}:dup:<4 hex of phone_hash>, the
-- prints' bucket, when the report closes or opens again (lib/prints.lua),
-- and then pa:{t}:r:<id> of the report holding or waiting for one of its
-- prints (its status, "dp" and "dh").  They are built from KEYS[1]'s
-- hash-tagged prefix "pa:{t}:": the same slot.
--
-- ARGV[1]  action           ARGV[6]  token hash
-- ARGV[2]  now              ARGV[7]  allowed states ",a,b," or "*"
-- ARGV[3]  role             ARGV[8]  new state ("" keeps it)
-- ARGV[4]  caller agency    ARGV[9]  history entry (JSON; from/to set here)
-- ARGV[5]  actor            ARGV[10] note
-- then four lists, each its element count then the elements:
--   fields to set (name value ...; "+media" appends to the media array),
--   deadline keys to close ("step", "step@agency", "step@*", "*"),
--   deadlines to open (key due due_urgent ...; a key ending in "@" gets the
--     lead agency, one ending in "#" the new comment's id; "<state>>key"
--     opens only when the report ends in <state>: a supplement returns
--     the report to where request_info took it from),
--   extras (name value ...): agencies, coordinator, rating, text,
--     comment_id, comments_max, violation, lead_only, coordinator_only,
--     reopen, until, until_text, pending, agency, auto_dispatch, summary,
--     secret, ikey, window, day_start, per_day (comment: ngx_pa_comment.c),
--     iprint (the action as asked, hashed: ngx_pa_action_idem.c)
-- last: the call's deadline (Redis's clock, ms; "" or absent: none),
--   lib/late.lua
--
-- Returns the report hash (HGETALL), or an error: not_found,
-- invalid_transition, forbidden, comments_locked, too_many_comments
-- (extras.comments_max reached), no_comment,
-- "not_later <current deadline>" (extend: the new date is not after it),
-- which_extension (several agencies wait for an answer: name one),
-- comments_per_day (the report has its comments for today),
-- confirm_first (publish in the coordinator flow while the coordinator's
-- confirmation is due: 409 invalid_transition), LATE (the deadline
-- passed: nothing written, the worker answers 503).
-- A replayed comment returns the report as it was, unchanged.
-- A retry under its Idempotency-Key returns {"replayed", "1", the first
-- answer's fields...}, writing nothing; the key with another action or
-- other fields is the error idempotency_mismatch.

local R, H, DUE, EV = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local action, now, role, agency = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local token_hash, allowed, to = ARGV[6], ARGV[7], ARGV[8]
local note = ARGV[10]
local CLOCK, VIOL, LOCKED, GAUGE = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local PUB, GEO, STATS, LATE = KEYS[9], KEYS[10], KEYS[11], KEYS[12]
local PUBVER = KEYS[13]
local prefix = string.match(R, '^(.-}:)')

-- an action's retry answer (ngx_pa_action_idem.c): the last key if any
local IDEM = string.find(KEYS[#KEYS], '}:aidem:', 1, true) and KEYS[#KEYS]
local IDEM_TTL = 86400

-- the state indexes by state name, the IOC's lists q:<state> by state
-- name, and q:late
local ST, Q, QLATE = {}, {}, nil
for k = 14, #KEYS - (IDEM and 1 or 0) do
    local kind, name = string.match(KEYS[k], '}:(%a+):(.+)$')
    if kind == 'st' then
        ST[name] = KEYS[k]
    elseif name == 'late' then
        QLATE = KEYS[k]
    else
        Q[name] = KEYS[k]
    end
end

-- each list: its number of elements, then the elements
local i = 11
local function counted()
    local n = tonumber(ARGV[i])
    local list = {}
    for k = 1, n do
        list[k] = ARGV[i + k]
    end
    i = i + n + 1
    return list
end

local sets, closes, opens = counted(), counted(), counted()
local extras = {}
do
    local e = counted()
    for k = 1, #e, 2 do
        extras[e[k]] = e[k + 1]
    end
end

if call_late(ARGV[i]) then
    return redis.error_reply(CALL_LATE)
end

-- Redis' cjson has no empty_array: an empty Lua table encodes as "{}",
-- so a media item's "flags": [] would come back as {} after a decode and
-- an encode.  The names below are arrays in every stored JSON; an empty
-- one is written as [] (a marker string, replaced after encoding).
local ARRAYS = {media = true, flags = true, agencies = true}
local EMPTY = '\0pa-empty-array\0'

local function mark(t)
    for k, v in pairs(t) do
        if type(v) == 'table' then
            if next(v) == nil and ARRAYS[k] then
                t[k] = EMPTY
            else
                mark(v)
            end
        end
    end
    return t
end

local function encode(t)
    local s = cjson.encode(mark(t))
    return (string.gsub(s, '"\\u0000pa%-empty%-array\\u0000"', '[]'))
end

-- the same action retried with its key: the first answer, nothing done
if IDEM then
    local seen = redis.call('GET', IDEM)
    if seen then
        if string.sub(seen, 1, #extras.iprint + 1) ~= extras.iprint .. ' ' then
            return redis.error_reply('idempotency_mismatch')
        end
        local first = cjson.decode(string.sub(seen, #extras.iprint + 2))
        table.insert(first, 1, '1')
        table.insert(first, 1, 'replayed')
        return first
    end
end

local flat = record(R)
if #flat == 0 then
    return redis.error_reply('not_found')
end

local rep = {}
for k = 1, #flat, 2 do
    rep[flat[k]] = flat[k + 1]
end

-- A closed deadline is folded into one field "dc" (ngx_pa_closed.h):
-- entries "<key> <due> <done - due> <met>[o][x]" joined by ';'.  Read
-- here as the fields it stands for (a field dl:<key>, a step opened
-- again, wins), so every rule below reads one layout, old and new.
local function unfold(h)
    for e in string.gmatch(h.dc or '', '[^;]+') do
        local key, due, delta, met, flags =
            string.match(e, '^(%S+) (%d+) (%-?%d+) ([01])(%a*)$')
        if key and not h['dl:' .. key] then
            h['dl:' .. key], h['dm:' .. key] = due, met
            h['dd:' .. key] = tostring(tonumber(due) + tonumber(delta))
            if string.find(flags, 'o', 1, true) then
                h['do:' .. key] = '1'
            end
            if string.find(flags, 'x', 1, true) then
                h['dx:' .. key] = '1'
            end
        end
    end
end
unfold(rep)

local id, from = rep.id, rep.status

-- The agencies' work lists (aq:<agency>:<state>, read by queue.lua): a
-- report is listed for every agency that holds, coordinates or held it,
-- in its state while that state is one of a work list's; resolved only
-- while a comment waits for the agency's reply.  Closed reports leave the
-- lists, so a queue read costs what is open, not the whole history.
-- The same rule is in sweep.lua and submit.lua.
local CLOSED = {rejected = true, cancelled = true, monitoring = true}

local function queue_slot(h)
    local st = h.status
    if not st or CLOSED[st] then
        return nil
    end
    if st == 'resolved' then
        for name, _ in pairs(h) do
            local key = string.match(name, '^dl:(reply#.+)$')
            if key and not h['dm:' .. key] then
                return st
            end
        end
        return nil
    end
    return st
end

local function queue_agencies(h)
    local set, list = {}, {}
    for _, f in ipairs({h.agencies, h.coordinator, h.former_agencies}) do
        for a in string.gmatch(f or '', '([^,]+)') do
            if not set[a] then
                set[a] = true
                list[#list + 1] = a
            end
        end
    end
    return list
end

local old_slot, old_listed = queue_slot(rep), queue_agencies(rep)
local agencies = rep.agencies or ''
local function assigned(a)
    return a ~= '' and string.find(agencies, ',' .. a .. ',', 1, true) ~= nil
end

-- who may see the report at all: others get not_found (no existence leak)
if role == 'reporter' then
    -- stored: 32 hex of the SHA-256 (ngx_pa_auth.h), 64 in older records
    local stored = rep.token_hash or ''
    if token_hash == '' or (stored ~= token_hash
        and (#stored ~= 32 or stored ~= string.sub(token_hash, 1, 32))) then
        return redis.error_reply('not_found')
    end
elseif role == 'handler' or role == 'leader' or role == 'coordinator' then
    if not assigned(agency) and rep.coordinator ~= agency then
        -- an agency that handled it before sees it, but acts no more
        if string.find(rep.former_agencies or '', ',' .. agency .. ',', 1,
                       true) then
            return redis.error_reply('forbidden')
        end
        return redis.error_reply('not_found')
    end
end

if allowed ~= '*' and not string.find(allowed, ',' .. from .. ',', 1, true)
then
    return redis.error_reply('invalid_transition')
end

if extras.lead_only and rep.lead ~= agency then
    return redis.error_reply('forbidden')
end

if extras.coordinator_only and rep.coordinator ~= agency then
    return redis.error_reply('forbidden')
end

local function open_deadline(key)
    return rep['dl:' .. key] and not rep['dm:' .. key]
end

-- agency and comment rules of single actions

-- the coordinator confirms the result before it is published (VL Điều
-- 17, step 7): publishing would close the confirm step unanswered.  The
-- open confirm deadline is the mark (it opens only with a coordinator);
-- a coordinator who never answers is swept overdue, and the IOC may
-- review_return or escalate, never publish over it
if action == 'publish' and (rep.coordinator or '') ~= ''
    and open_deadline('confirm') then
    return redis.error_reply('confirm_first')
end

if action == 'accept' and not open_deadline('accept@' .. agency) then
    return redis.error_reply('invalid_transition')
end

if (action == 'return' or action == 'extend' or action == 'reply')
    and not assigned(agency) then
    return redis.error_reply('forbidden')
end

-- the IOC decides on an unsatisfied rating once (keep or reopen)
if action == 'review_rating' and not open_deadline('review_rating') then
    return redis.error_reply('invalid_transition')
end

-- reopened to the same agency: there must be one
if action == 'reopen' and (rep.lead or '') == '' then
    return redis.error_reply('invalid_transition')
end

if action == 'rate' and rep.rating then
    -- one rating per report (documented in README)
    return redis.error_reply('invalid_transition')
end

if action == 'comment' then
    local lock_until = tonumber(redis.call('HGET', CLOCK,
                                      rep.phone_hash or '') or '0')
    if lock_until and lock_until > now then
        return redis.error_reply('comments_locked')
    end
end

local comments = rep.comments and cjson.decode(rep.comments) or {}

if action == 'comment' then
    -- a replay (the same Idempotency-Key, or without one the same text
    -- within the window) is answered with the report as it is: the
    -- original comment, nothing written, no new reply deadline
    local today = 0
    for _, c in ipairs(comments) do
        if extras.ikey then
            if c.key == extras.ikey then
                return flat
            end
        elseif c.text == extras.text
            and c.at >= now - tonumber(extras.window or 0) then
            return flat
        end
        if c.at >= tonumber(extras.day_start or now) then
            today = today + 1
        end
    end
    if extras.per_day and today >= tonumber(extras.per_day) then
        return redis.error_reply('comments_per_day')
    end
end

if action == 'comment' and extras.comments_max
    and #comments >= tonumber(extras.comments_max) then
    return redis.error_reply('too_many_comments')
end

if action == 'reply' or action == 'flag_comment' then
    local c = comments[tonumber(extras.comment_id)]
    if not c or (action == 'reply' and c.reply) then
        return redis.error_reply('no_comment')
    end
end

local new_lead = rep.lead
if action == 'receive' and extras.auto_dispatch then
    if not rep.auto_agency or rep.auto_agency == '' then
        -- no area holds the position: a plain receipt, the IOC dispatches
        -- it by hand (the agencies' deadlines open with that dispatch)
        to, extras.auto_dispatch, opens = 'received', nil, {}
    else
        extras.agencies = ',' .. rep.auto_agency .. ','
    end
end

if action == 'supplement' then
    -- back to the state request_info took the report from
    to = rep.info_from or 'submitted'
end

if extras.agencies and (action == 'dispatch' or action == 'receive') then
    new_lead = string.match(extras.agencies, '^,([^,]+),')
end

-- ---------------------------------------------------------------- write

local state = (to ~= '' and to) or from
local urgent = rep.urgent == '1'
local hset = {'updated_at', now}

for k = 1, #sets, 2 do
    local name, value = sets[k], sets[k + 1]
    if name == '+media' then
        -- appended as text: the stored items are not decoded again
        local old = rep.media or '[]'
        if old == '[]' then
            rep.media = value
        elseif value ~= '[]' then
            rep.media = string.sub(old, 1, -2) .. ',' .. string.sub(value, 2)
        end
        hset[#hset + 1] = 'media'
        hset[#hset + 1] = rep.media
    else
        hset[#hset + 1] = name
        hset[#hset + 1] = value
        if name == 'urgent' then
            urgent = value == '1'
        end
    end
end

local stats_key = STATS
local function count(a, name, by)
    if a and a ~= '' then
        redis.call('HINCRBY', stats_key, a .. '|' .. name, by or 1)
    end
end

local function each_agency(list, fn)
    for a in string.gmatch(list or '', '([^,]+)') do
        fn(a)
    end
end

-- whose step it is: sweep.lua's owner(), the same rule
local function owner(step, key_agency)
    if key_agency ~= '' then
        return key_agency
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

-- the steps that end an owner's part of a report: handled, published,
-- the coordinator's agency identified or result confirmed
local closing = {resolve = true, publish = true, identify = true,
                 confirm = true}

-- a step completes: met or not is recorded now, stats are built from it.
-- The statistics count reports per owner, once each (sc:<owner>): overdue
-- from the first of the owner's deadlines that passed, counted by
-- whoever sees it first (the sweeper, do:<key>, or this completion) and
-- never undone; on time when the owner's part ends in time with no
-- deadline missed.  A return (not handling) counts neither way.
local function close_key(key)
    if not open_deadline(key) then
        return
    end
    local due = tonumber(rep['dl:' .. key])
    local met = now <= due and '1' or '0'
    hset[#hset + 1] = 'dm:' .. key
    hset[#hset + 1] = met
    hset[#hset + 1] = 'dd:' .. key
    hset[#hset + 1] = now
    rep['dm:' .. key] = met
    redis.call('ZREM', DUE, id .. '|' .. key)
    -- an extension still asked for ends with its step
    if rep['xp:' .. key] or rep['xt:' .. key] then
        redis.call('HDEL', R, 'xp:' .. key, 'xt:' .. key)
    end

    local step = string.match(key, '^([^@#]+)')
    local a = owner(step, string.match(key, '@(.+)$') or '')
    if a == '' or step == 'notify' then
        return
    end

    local counted = rep['sc:' .. a]

    if met == '0' then
        if rep['do:' .. key] ~= '1' then
            -- the sweeper did not pass yet: the miss is recorded now
            hset[#hset + 1] = 'do:' .. key
            hset[#hset + 1] = '1'
            if rep['dx:' .. key] == '1' then
                count(a, 'extension_missed')
            end
            if counted ~= 'overdue' then
                count(a, 'overdue')
                -- the day's overdue list: which reports, for the reports
                redis.call('SADD', LATE, a .. '|' .. id)
                rep['sc:' .. a] = 'overdue'
                hset[#hset + 1] = 'sc:' .. a
                hset[#hset + 1] = 'overdue'
            end
        end
        return
    end

    if action ~= step or not closing[step] or counted then
        return
    end

    count(a, 'on_time')
    rep['sc:' .. a] = 'on_time'
    hset[#hset + 1] = 'sc:' .. a
    hset[#hset + 1] = 'on_time'
end

for _, pattern in ipairs(closes) do
    if pattern == '*' or string.sub(pattern, -2) == '@*' then
        local stem = pattern == '*' and '' or string.sub(pattern, 1, -2)
        -- the keys first: close_key adds fields to rep, and adding to a
        -- table while pairs() walks it may skip entries (Lua 5.1 next)
        local keys = {}
        for name, _ in pairs(rep) do
            local key = string.match(name, '^dl:(.+)$')
            if key and string.sub(key, 1, #stem) == stem then
                keys[#keys + 1] = key
            end
        end
        for _, key in ipairs(keys) do
            close_key(key)
        end
    else
        close_key(pattern)
    end
end

local comment_id
if action == 'comment' then
    comment_id = #comments + 1
    comments[comment_id] = {id = comment_id, text = extras.text, at = now,
                            key = extras.ikey}
elseif action == 'reply' then
    local c = comments[tonumber(extras.comment_id)]
    c.reply, c.reply_at, c.agency = extras.text, now, agency
elseif action == 'flag_comment' then
    local cid = tonumber(extras.comment_id)
    comments[cid].flagged = true
    -- more than 3 violating comments within a month lock commenting for
    -- a month (LC26 Điều 14); the sweeper lifts the lock after that
    local ph = rep.phone_hash or ''
    local key = prefix .. 'cviol:' .. ph
    redis.call('ZADD', key, now, id .. ':' .. cid)
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - 30 * 86400)
    if redis.call('ZCARD', key) > 3 then
        redis.call('HSET', CLOCK, ph, now + 30 * 86400)
    end
end

if action == 'comment' or action == 'reply' or action == 'flag_comment' then
    hset[#hset + 1] = 'comments'
    hset[#hset + 1] = encode(comments)
end

local function open_key(key, due_normal, due_urgent)
    local only = string.match(key, '^([%w_]+)>')
    if only then
        if only ~= state then
            return
        end
        key = string.sub(key, #only + 2)
    end
    if key == 'confirm' and (rep.coordinator or '') == '' then
        -- only a coordinator confirms (coordinator flow): nobody else can
        return
    end
    if string.sub(key, -1) == '@' then
        key = key .. (new_lead or '')
    elseif string.sub(key, -1) == '#' then
        key = key .. comment_id
    end
    local due = urgent and due_urgent or due_normal
    hset[#hset + 1] = 'dl:' .. key
    hset[#hset + 1] = due
    -- what an earlier opening of the key left (one HDEL, only if any)
    local old = {}
    for _, f in ipairs({'dm:', 'dd:', 'do:', 'dx:', 'xp:', 'xt:'}) do
        if rep[f .. key] then
            old[#old + 1] = f .. key
        end
    end
    if #old > 0 then
        redis.call('HDEL', R, unpack(old))
    end
    redis.call('ZADD', DUE, due, id .. '|' .. key)
end

for k = 1, #opens, 3 do
    open_key(opens[k], opens[k + 1], opens[k + 2])
end

if extras.reopen then
    -- the handling clock kept running: the same deadline opens again
    local key = extras.reopen .. (rep.lead or '')
    if rep['dl:' .. key] then
        redis.call('HDEL', R, 'dm:' .. key, 'dd:' .. key)
        -- folded (dc): its fields again, so the fold leaves it out
        for _, f in ipairs({'dl:', 'do:', 'dx:'}) do
            if rep[f .. key] then
                hset[#hset + 1] = f .. key
                hset[#hset + 1] = rep[f .. key]
            end
        end
        redis.call('ZADD', DUE, rep['dl:' .. key], id .. '|' .. key)
    end
end

-- One extension per handling deadline.  Within pa_extend_max it applies
-- at once; beyond it (extras.pending) the agency's request waits in
-- xp:<key> (the date) and xt:<key> (as text) with the deadline unchanged,
-- so a miss meanwhile counts as a plain overdue, until the IOC grants it
-- (approve_extension: then it is an extended deadline, dx:) or refuses it.
local function extend_to(key, due)
    hset[#hset + 1] = 'dl:' .. key
    hset[#hset + 1] = due
    hset[#hset + 1] = 'dx:' .. key
    hset[#hset + 1] = '1'
    redis.call('ZADD', DUE, due, id .. '|' .. key)
end

local event_type, extension = action, nil

if action == 'extend' then
    local key = 'resolve@' .. agency
    if not open_deadline(key) or rep['dx:' .. key] == '1'
        or rep['xp:' .. key] then
        return redis.error_reply('invalid_transition')
    end
    local due = tonumber(extras['until'])
    if due <= tonumber(rep['dl:' .. key]) then
        -- an extension grants a later date, never an earlier one
        return redis.error_reply('not_later ' .. rep['dl:' .. key])
    end
    if extras.pending then
        redis.call('HSET', R, 'xp:' .. key, due, 'xt:' .. key,
                   extras.until_text)
        event_type = 'extension_requested'
        extension = 'requested'
    else
        extend_to(key, due)
        extension = 'granted'
    end
end

if action == 'approve_extension' or action == 'reject_extension' then
    local key
    if extras.agency then
        key = 'resolve@' .. extras.agency
    else
        -- the only request waiting, or the IOC must say whose
        for name, _ in pairs(rep) do
            local k = string.match(name, '^xp:(.+)$')
            if k and key then
                return redis.error_reply('which_extension')
            end
            key = key or k
        end
    end
    if not key or not rep['xp:' .. key] or not open_deadline(key) then
        return redis.error_reply('invalid_transition')
    end
    extras['until_text'] = rep['xt:' .. key]
    extras.agency = string.match(key, '@(.+)$')
    if action == 'approve_extension' then
        extend_to(key, tonumber(rep['xp:' .. key]))
        extension = 'granted'
    else
        extension = 'refused'
    end
    redis.call('HDEL', R, 'xp:' .. key, 'xt:' .. key)
end

-- assignments, indexes and counters

-- an agency that handled the report and no longer holds it (it returned
-- it, or the IOC sent it elsewhere) keeps a short read-only view of it
-- (where it went, its own return message): "former_agencies"
local former = rep.former_agencies or ''
local function let_go(old, new)
    each_agency(old, function(a)
        if not string.find(new, ',' .. a .. ',', 1, true)
           and not string.find(former, ',' .. a .. ',', 1, true) then
            former = (former == '' and ',' or former) .. a .. ','
        end
    end)
    if former ~= (rep.former_agencies or '') then
        hset[#hset + 1] = 'former_agencies'
        hset[#hset + 1] = former
    end
end

if extras.agencies and (action == 'dispatch'
                        or (action == 'receive' and extras.auto_dispatch)) then
    let_go(rep.agencies, extras.agencies)
    agencies = extras.agencies
    hset[#hset + 1] = 'agencies'
    hset[#hset + 1] = agencies
    hset[#hset + 1] = 'lead'
    hset[#hset + 1] = new_lead
    hset[#hset + 1] = 'dispatched_at'
    hset[#hset + 1] = now
    each_agency(agencies, function(a)
        count(a, 'dispatched')
    end)
end

if action == 'resolve' and not rep.resolved_at then
    -- a result sent back and submitted again is one report resolved
    count(rep.lead, 'resolved')
end

if action == 'rate' then
    count(rep.lead, 'rating_' .. extras.rating)
end

-- the leader (TN Điều 9) or the IOC at publication (TN Điều 10) edits
-- the result; the agency's own words are kept beside it
if (action == 'approve' or action == 'publish') and extras.summary then
    local result = cjson.decode(rep.result or '{}')
    if not result.summary_agency then
        result.summary_agency = result.summary
    end
    result.summary = extras.summary
    result[action == 'approve' and 'approved_by' or 'edited_by'] = ARGV[5]
    hset[#hset + 1] = 'result'
    hset[#hset + 1] = encode(result)
end

if action == 'request_info' then
    hset[#hset + 1] = 'info_from'
    hset[#hset + 1] = from
end

if action == 'reopen' then
    -- the reporter rates the new result; the old rating stays in history
    redis.call('HDEL', R, 'rating', 'rated_at')
end

if action == 'reject' and extras.violation then
    -- offensive wording: more than 3 and the phone may not report again
    local ph = rep.phone_hash or ''
    if redis.call('HINCRBY', VIOL, ph, 1) > 3 then
        redis.call('HSET', LOCKED, ph, '1')
    end
end

-- the agencies' current work load: reports dispatched or being handled
local active = {dispatched = true, in_progress = true}
local old_agencies = rep.agencies or ''
if active[from] and not active[state] then
    each_agency(old_agencies, function(a)
        redis.call('HINCRBY', GAUGE, a .. '|in_progress', -1)
    end)
elseif not active[from] and active[state] then
    each_agency(agencies, function(a)
        redis.call('HINCRBY', GAUGE, a .. '|in_progress', 1)
    end)
end

if action == 'return' then
    let_go(rep.agencies, '')
    hset[#hset + 1] = 'agencies'
    hset[#hset + 1] = ''
    hset[#hset + 1] = 'lead'
    hset[#hset + 1] = ''
end

-- what the public sees: published, not hidden
local published = rep.published == '1'
local hidden = rep.hidden == '1'

if action == 'publish' then
    -- a sensitive report (received as such) is never published
    published = rep.private_result ~= '1' and extras.secret ~= '1'
        and rep.secret ~= '1' and rep.sensitive ~= '1'
    for k = 1, #sets, 2 do
        if sets[k] == 'secret' then
            published = false
        end
    end
    hset[#hset + 1] = 'published'
    hset[#hset + 1] = published and '1' or '0'
elseif action == 'review_return' or action == 'reopen' then
    published = false
    hset[#hset + 1] = 'published'
    hset[#hset + 1] = '0'
elseif action == 'hide' then
    hidden = true
elseif action == 'unhide' then
    hidden = false
end

-- the actions after which the public answers must be read again (the
-- same list raises the node's own number in ngx_pa_action.c)
local PUBLIC_CHANGE = {publish = true, review_return = true, reopen = true,
                       hide = true, unhide = true, rate = true}
if PUBLIC_CHANGE[action] then
    redis.call('INCR', PUBVER)
end

if published and not hidden then
    redis.call('ZADD', PUB, tonumber(rep.published_at or now)
               or now, id)
    redis.call('GEOADD', GEO, rep.lng, rep.lat, id)
else
    redis.call('ZREM', PUB, id)
    redis.call('ZREM', GEO, id)
end

if state ~= from then
    hset[#hset + 1] = 'status'
    hset[#hset + 1] = state
    -- a closed report's prints wait in its hash, not in the bucket every
    -- submission scans (lib/prints.lua); they go back when it opens again
    if PRINT_CLOSED[state] and not PRINT_CLOSED[from] then
        local dp = prints_park(R, id, rep)
        if dp then
            hset[#hset + 1] = 'dp'
            hset[#hset + 1] = dp
        end
    elseif PRINT_CLOSED[from] and not PRINT_CLOSED[state] and rep.dp then
        -- (what "dp" keeps: prints a newer open report holds, which pass
        -- here when it closes)
        local dp = prints_unpark(R, id, rep)
        if dp and dp ~= '' then
            hset[#hset + 1] = 'dp'
            hset[#hset + 1] = dp
        else
            redis.call('HDEL', R, 'dp')
        end
    end
    -- an open state's one index is its work list (below); st: of one
    -- may still hold a report written before (queue.lua drains it)
    redis.call('ZREM', ST[from], id)
    if not Q[state] or state == 'escalated' then
        redis.call('ZADD', ST[state], rep.created_at, id)
    end
end

redis.call('HSET', R, unpack(hset))

local entry = cjson.decode(ARGV[9])
entry.from, entry.to = from, state
if role == 'handler' or role == 'leader' or role == 'coordinator' then
    -- whose agency acted: a former agency reads its own return by it
    entry.agency = agency
end
if extras.agencies then
    entry.agencies = extras.agencies
end
if extras.rating then
    entry.rating = extras.rating
end
if extension then
    entry.extension, entry['until'] = extension, extras.until_text
    entry.agency = entry.agency or extras.agency
end
if comment_id then
    entry.comment_id = comment_id
end
if extras.comment_id then
    entry.comment_id = tonumber(extras.comment_id)
end
for k = 1, #sets, 2 do
    if sets[k] == 'reject_reason' or sets[k] == 'return_kind' then
        entry[sets[k]] = sets[k + 1]
    end
end
redis.call('RPUSH', H, cjson.encode(entry))

-- The events (the stream notifiers and live views read; no personal
-- data, no free text: ids, states, agencies and times only).  First the
-- action itself, then what it means for someone to be told: the reporter
-- (supplement_requested, result_published) or an agency at once
-- (urgent_dispatched).  Fields are only ever added, never renamed.
local lead = (action == 'return' and '') or new_lead or rep.lead or ''
local ev = {'urgent', urgent and '1' or '0', 'at', now,
            'agencies', agencies, 'state', state, 'agency', lead,
            'role', role}
local function event(t, ...)
    local f = {'type', t, 'id', id, 'from', from, 'to', state}
    for _, v in ipairs(ev) do
        f[#f + 1] = v
    end
    for _, v in ipairs({...}) do
        f[#f + 1] = v
    end
    redis.call('XADD', EV, 'MAXLEN', '~', 100000, '*', unpack(f))
end

if comment_id then
    event(action, 'comment_id', comment_id)
elseif extras.comment_id then
    event(action, 'comment_id', extras.comment_id)
elseif action == 'rate' then
    event(action, 'rating', extras.rating)
else
    -- an extend beyond pa_extend_max is "extension_requested"
    event(event_type)
end

if action == 'request_info' then
    event('supplement_requested', 'step', 'supplement')
elseif action == 'publish' then
    -- the result reaches the reporter even when it is not made public
    event('result_published', 'published', published and '1' or '0')
end

if urgent and state == 'dispatched' and from ~= 'dispatched'
    and extras.agencies then
    event('urgent_dispatched', 'step', 'accept')
end

-- the work lists follow the stored report (dispatch, return, comment,
-- reply and every state change move it)
flat = record(R)
local after = {}
for k = 1, #flat, 2 do
    after[flat[k]] = flat[k + 1]
end

-- the steps closed leave their fields for "dc" (lib/fold.lua)
fold(R, after)

-- a submitted report's first deadline was only its q:submitted score
-- (submit.lua): once acted on, its deadlines are swept from the due index
if from == 'submitted' then
    qdue_file(DUE, id, after)
end

local new_slot, new_listed = queue_slot(after), queue_agencies(after)
local score = qscore(after)
if old_slot then
    for _, a in ipairs(old_listed) do
        redis.call('ZREM', prefix .. 'aq:' .. a .. ':' .. old_slot, id)
    end
end
if new_slot then
    for _, a in ipairs(new_listed) do
        redis.call('ZADD', prefix .. 'aq:' .. a .. ':' .. new_slot,
                   own(after, a, new_slot) and score or score + SEC, id)
    end
end
if Q[from] and from ~= state then
    redis.call('ZREM', Q[from], id)
end
if Q[state] then
    redis.call('ZADD', Q[state], score, id)
end
if late(after) then
    redis.call('SADD', QLATE, id)
else
    redis.call('SREM', QLATE, id)
end

if IDEM then
    redis.call('SET', IDEM, extras.iprint .. ' ' .. cjson.encode(flat),
               'EX', IDEM_TTL)
end

return flat
