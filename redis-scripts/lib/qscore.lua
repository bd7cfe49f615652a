-- lib/qscore.lua: the work lists' order, for the scripts that keep the
-- lists (act.lua, sweep.lua) and the one that reads them (queue.lua).
-- A new report's scores are made by the worker with the same arithmetic
-- (ngx_pa_qscore.c, issue 12): a change of the order here changes it
-- there too.  A library of the prelude (README.md here): its code is
-- joined into the first line of a script that names it ("--! uses:
-- qscore"), so comments stand on their own lines only.
--
-- The lists' order: bands of B, urgent first; in a band the nearest open
-- deadline, none: by submission.  An agency's own staff do not see a
-- report it returned, nor in coordinating / under_review one it does not
-- coordinate: those are scored SEC higher, apart (a supervisor of a
-- subtree reads them).
local B, SEC = 1e10, 4e10

-- the score of a report from its urgency, its nearest open deadline (nil:
-- none) and its submission (submit.lua has these before any hash)
local function qorder(urgent, due, created_at)
    local band = urgent == '1' and 0 or 2
    if not due then
        return (band + 1) * B + (tonumber(created_at) or 0)
    end
    return band * B + due
end

local function qscore(h)
    local due
    for name, v in pairs(h) do
        local key = string.match(name, '^dl:(.+)$')
        local d = tonumber(v)
        if key and d and not h['dm:' .. key] and (not due or d < due) then
            due = d
        end
    end
    return qorder(h.urgent, due, h.created_at)
end

-- does the agency's own staff see it in that state (ngx_pa_view_visible
-- and the coordinator's filter): else it is scored SEC higher
local function own(h, a, st)
    if h.coordinator == a then
        return true
    end
    if st == 'coordinating' or st == 'under_review' then
        return false
    end
    return string.find(h.agencies or '', ',' .. a .. ',', 1, true) ~= nil
end

-- a missed deadline (do:) extended afterwards: overdue, due later (the
-- q:late list)
local function late(h)
    for name, _ in pairs(h) do
        local key = string.match(name, '^dl:(.+)$')
        if key and not h['dm:' .. key] and h['do:' .. key] == '1'
            and h['dx:' .. key] == '1' then
            return true
        end
    end
    return false
end

-- A report submitted to q:submitted has no due entry for the deadline its
-- score stands for (band + due: issue 12, one index insert less a
-- submit); sweep.lua finds it by that score.  Once another script writes
-- the report (an action, the sweeper's notice), that score may move: its
-- open deadlines not yet seen overdue are filed in the due index again
-- (NX: an entry there keeps its score).
local function qdue_file(due, id, h)
    for name, v in pairs(h) do
        local key = string.match(name, '^dl:(.+)$')
        if key and not h['dm:' .. key] and h['do:' .. key] ~= '1' then
            redis.call('ZADD', due, 'NX', v, id .. '|' .. key)
        end
    end
end

-- the keys of h's deadlines passed before now, open and not yet seen
-- overdue: what a sweep takes of a report q:submitted lists (sweep.lua),
-- and what /metrics counts of it until then (metrics.lua)
local function qpassed(h, now)
    local keys = {}
    for name, v in pairs(h) do
        local key = string.match(name, '^dl:(.+)$')
        local due = tonumber(v)
        if key and due and due < now and not h['dm:' .. key]
            and h['do:' .. key] ~= '1' then
            keys[#keys + 1] = key
        end
    end
    return keys
end

-- the passed scores of q:submitted's band ('0' urgent, '2' the others)
-- the sweeper has not read: [lo, hi), lo from its cursor (the hash cur:
-- sweep.lua; "(" before it: excluded), from the band's start when there
-- is none or it is beyond now (the clock went back)
local function qcursor(cur, band, now)
    local hi = band * B + now
    local lo = redis.call('HGET', cur, band)
    if not lo or tonumber(string.match(lo, '^%(?(.*)$')) > hi then
        lo = tostring(band * B)
    end
    return lo, hi
end
