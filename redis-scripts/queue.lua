-- queue.lua: one page of a work list, in the queue's order.
--
-- The lists are zsets scored in the order the queue shows (urgent first,
-- then the nearest open deadline, then the oldest; qscore() below, the
-- same function as in submit.lua, act.lua and sweep.lua, which keep the
-- lists at every transition), so a page reads the first entries of each
-- list and the report hashes of one page: O(page), not O(open work).
-- The worker sorts the page again with the full order (a tie on the score
-- is broken by created_at, then id) and cuts it to the limit; this script
-- returns every entry tied with the page's last score for that.
--
-- An agency's list (aq:<agency>:<state>) also holds the reports the
-- agency's own staff do not see: ones it returned (former_agencies), and
-- in coordinating / under_review the ones it does not coordinate.  Those
-- are scored SEC above the others, so the agency's own read takes the
-- score range below SEC and counts it with ZCOUNT, while a supervisor of
-- a subtree (mode "all") reads both ranges of each of its agencies'
-- lists whole (ids and scores only, no hash), drops the duplicates (a
-- report two agencies hold) and pages that: O(open work of the subtree)
-- in zset reads, O(page) in report reads.
--
-- overdue=1 is the score range whose deadline is before now (the first
-- entries of the urgent and the normal band), plus the reports of q:late
-- that the lists hold: a missed deadline extended afterwards is still
-- overdue (do:<key>) with its due in the future.
--
-- Lists written before the lists were scored this way (q:built does not
-- name them) are built here first, once: q:<state> from st:<state>, an
-- aq: list scored again in place, from the report hashes (one-time cost
-- of that list's open work), q:late with what they hold.
--
-- KEYS[1]  pa:{t}:q:built   hash: list name ("q:<state>",
--                           "aq:<agency>:<state>") -> 1 once built
-- KEYS[2]  pa:{t}:q:late    set: reports whose missed deadline was
--                           extended (act.lua)
-- KEYS[3..] pairs: a list, then where it is built from: pa:{t}:q:<state>
--           and pa:{t}:st:<state> (every report in the state: the IOC,
--           an admin, a supervisor of the province), or
--           pa:{t}:aq:<agency>:<state> twice (an agency's own list)
--
-- ARGV[1]  limit: the page
-- ARGV[2]  now (epoch): overdue means a deadline before now
-- ARGV[3]  "own" (the scores below SEC: the agency's own staff, and every
--          q: list) or "all" (a supervisor of a subtree: both ranges,
--          duplicates dropped)
-- ARGV[4]  "1": overdue only
--
-- Keys not in KEYS (the one exception): the report hashes pa:{t}:r:<id>
-- of the page (and, building a list, of its entries), learned only here;
-- declaring them would cost a second round trip per read.  Built from
-- KEYS[1]'s hash-tagged prefix "pa:{t}:": the same slot.
--
-- Returns {total, looked, {field, value, ...}, ...}: how many reports the
-- list holds for the caller (with the filters), the list entries read,
-- then for each report of the page (and ties) its fields id, status,
-- urgent, hidden, category, title, created_at, agencies, lead,
-- coordinator and its open deadlines' dl:, do: (HKEYS, then HMGET of
-- those: never the whole record).

local B, SEC = 1e10, 4e10
local BUILT, LATE = KEYS[1], KEYS[2]
local limit, now = tonumber(ARGV[1]), tonumber(ARGV[2])
local all, overdue = ARGV[3] == 'all', ARGV[4] == '1'
local prefix = string.match(KEYS[1], '^(.-}:)')

local HOT = {'id', 'status', 'urgent', 'hidden', 'category', 'title',
             'created_at', 'agencies', 'lead', 'coordinator'}

-- the queue's order (submit.lua, act.lua, sweep.lua): bands of B, urgent
-- first; in a band the nearest open deadline, none: by submission
local function qscore(h)
    local due
    for name, v in pairs(h) do
        local key = string.match(name, '^dl:(.+)$')
        local d = tonumber(v)
        if key and d and not h['dm:' .. key] and (not due or d < due) then
            due = d
        end
    end
    local band = h.urgent == '1' and 0 or 2
    if not due then
        return (band + 1) * B + (tonumber(h.created_at) or 0)
    end
    return band * B + due
end

-- does the agency's own staff see it in that state (ngx_pa_view_visible
-- and the coordinator's filter): else it is scored SEC higher
local function own(h, agency, state)
    if h.coordinator == agency then
        return true
    end
    if state == 'coordinating' or state == 'under_review' then
        return false
    end
    return string.find(h.agencies or '', ',' .. agency .. ',', 1, true)
           ~= nil
end

-- a missed deadline (do:) extended afterwards (act.lua's q:late rule)
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

local function build(list, src)
    local name = string.sub(list, #prefix + 1)
    if redis.call('HEXISTS', BUILT, name) == 1 then
        return
    end
    local agency, state = string.match(name, '^aq:(.+):([^:]+)$')
    state = state or string.match(name, '^q:(.+)$')
    for _, id in ipairs(redis.call('ZRANGE', src, 0, -1)) do
        local flat = redis.call('HGETALL', prefix .. 'r:' .. id)
        local h = {}
        for k = 1, #flat, 2 do
            h[flat[k]] = flat[k + 1]
        end
        if h.status ~= state then
            -- a stale entry of an old list: not in that state any more
            redis.call('ZREM', list, id)
        else
            local s = qscore(h)
            if agency and not own(h, agency, state) then
                s = s + SEC
            end
            redis.call('ZADD', list, s, id)
            if late(h) then
                redis.call('SADD', LATE, id)
            end
        end
    end
    redis.call('HSET', BUILT, name, 1)
end

-- the score ranges read: {min, max (excluded), offset}
local ranges = {}
local function range(lo, hi)
    ranges[#ranges + 1] = {lo, hi, 0}
    if all then
        ranges[#ranges + 1] = {lo + SEC, hi + SEC, SEC}
    end
end
if overdue then
    range(0, now)
    range(2 * B, 2 * B + now)
else
    range(0, SEC)
end

local function in_ranges(s)
    for _, r in ipairs(ranges) do
        if s >= r[1] and s < r[2] then
            return r
        end
    end
    return nil
end

local lists = {}
for k = 3, #KEYS, 2 do
    build(KEYS[k], KEYS[k + 1])
    lists[#lists + 1] = KEYS[k]
end

-- candidates: id -> normalised score; cut: {list, range, last} of the
-- reads the limit cut (more entries may tie with the page's last score)
local cand, cut, total, looked = {}, {}, 0, 0

local function add(id, s)
    if cand[id] == nil then
        cand[id] = s
        return true
    end
    return false
end

for _, list in ipairs(lists) do
    for _, r in ipairs(ranges) do
        local lo, hi = r[1], '(' .. r[2]
        local got
        if all then
            got = redis.call('ZRANGE', list, lo, hi, 'BYSCORE',
                             'WITHSCORES')
        else
            total = total + redis.call('ZCOUNT', list, lo, hi)
            got = redis.call('ZRANGE', list, lo, hi, 'BYSCORE', 'LIMIT', 0,
                             limit, 'WITHSCORES')
            if #got == 2 * limit then
                cut[#cut + 1] = {list, r, tonumber(got[#got])}
            end
        end
        looked = looked + #got / 2
        for n = 1, #got, 2 do
            if add(got[n], tonumber(got[n + 1]) - r[3]) and all then
                total = total + 1
            end
        end
    end
end

-- a missed deadline extended afterwards: overdue, due in the future
if overdue then
    for _, id in ipairs(redis.call('SMEMBERS', LATE)) do
        for _, list in ipairs(lists) do
            local s = tonumber(redis.call('ZSCORE', list, id) or '')
            if s and (all or s < SEC) and not in_ranges(s) then
                local norm = s >= SEC and s - SEC or s
                if add(id, norm) then
                    total = total + 1
                end
            end
        end
    end
end

local order = {}
for id, s in pairs(cand) do
    order[#order + 1] = {id, s}
end
table.sort(order, function(a, b)
    if a[2] ~= b[2] then
        return a[2] < b[2]
    end
    return a[1] < b[1]
end)

-- the page's last score: entries tied with it are the worker's to order
local last = #order >= limit and order[limit][2] or nil
if last then
    for _, c in ipairs(cut) do
        if c[3] - c[2][3] == last then
            local s = last + c[2][3]
            for _, id in ipairs(redis.call('ZRANGE', c[1], s, s,
                                           'BYSCORE')) do
                if add(id, last) then
                    order[#order + 1] = {id, last}
                end
            end
        end
    end
end

-- the fields a list shows: the hot ones and the deadlines' (HKEYS for
-- their names, then HMGET): never the whole record
local function fields_of(id)
    local r = prefix .. 'r:' .. id
    local names, keys = {unpack(HOT)}, redis.call('HKEYS', r)
    local met = {}
    for _, name in ipairs(keys) do
        if string.sub(name, 1, 3) == 'dm:' then
            met[string.sub(name, 4)] = true
        end
    end
    -- the open deadlines only: a list shows no closed one
    for _, name in ipairs(keys) do
        local p = string.sub(name, 1, 3)
        if (p == 'dl:' or p == 'do:') and not met[string.sub(name, 4)] then
            names[#names + 1] = name
        end
    end
    local values = redis.call('HMGET', r, unpack(names))
    local fields = {}
    for n = 1, #names do
        if values[n] then
            fields[#fields + 1] = names[n]
            fields[#fields + 1] = values[n]
        end
    end
    return fields
end

local out = {total, looked}

for _, o in ipairs(order) do
    -- past the page's last score: not shown (ties added above may follow)
    if not last or o[2] <= last then
        local fields = fields_of(o[1])
        if #fields > 0 then
            out[#out + 1] = fields
        end
    end
end

return out
