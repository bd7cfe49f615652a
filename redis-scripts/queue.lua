--! uses: qscore
-- queue.lua: one page of a work list, in the queue's order.
--
-- The lists are zsets scored in the order the queue shows (urgent first,
-- then the nearest open deadline, then the oldest; lib/qscore.lua, as
-- submit.lua, act.lua and sweep.lua, which keep the lists at every
-- transition), so a page reads the first entries of each
-- list and the report hashes of one page: O(page), not O(open work).
-- The worker sorts the page again with the full order (a tie on the score
-- is broken by created_at, then id) and cuts it to the limit; this script
-- returns every entry tied with the page's last score for that.  A tie is
-- on the whole score: submit.lua adds a fraction in [0, 1) that follows
-- the submission's time in its minute, not created_at (reports a minute
-- apart, one earlier in its minute), and act.lua drops it.
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
-- of that list's open work), q:late with what they hold.  An open
-- state's st: is no longer written (q: is its one index, issue 12): one
-- that still exists holds reports of an earlier version, merged into q:
-- the same way and then deleted (stats.lua and metrics.lua count the
-- union until then).
--
-- KEYS[1]  pa:{t}:q:built   hash: list name ("q:<state>",
--                           "aq:<agency>:<state>") -> 1 once built
-- KEYS[2]  pa:{t}:q:late    set: reports whose missed deadline was
--                           extended (act.lua)
-- KEYS[3..] pairs: a list, then where it is built from: pa:{t}:q:<state>
--           and pa:{t}:st:<state> (the reports of an earlier version in
--           the state: the IOC, an admin, a supervisor of the province), or
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

local BUILT, LATE = KEYS[1], KEYS[2]
local limit, now = tonumber(ARGV[1]), tonumber(ARGV[2])
local all, overdue = ARGV[3] == 'all', ARGV[4] == '1'
local prefix = string.match(KEYS[1], '^(.-}:)')

local HOT = {'id', 'status', 'urgent', 'hidden', 'category', 'title',
             'created_at', 'agencies', 'lead', 'coordinator'}

local function build(list, src)
    local name = string.sub(list, #prefix + 1)
    -- st:<state> of an open state is no longer written (q: is its one
    -- index): one that exists holds reports written before, merged here
    -- once and then removed, so nothing is counted in both.  Escalated
    -- (closed, and on the supervisor's list) keeps its st:, which
    -- retention walks by creation
    local old = src ~= list and string.sub(src, -13) ~= ':st:escalated'
                and redis.call('EXISTS', src) == 1
    if not old and redis.call('HEXISTS', BUILT, name) == 1 then
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
    if old then
        redis.call('DEL', src)
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

-- Each read is a run sorted by (score, id): {list, range, the reply
-- (id, score, ...), next position, cut}.  The page is merged from the
-- runs' heads (k lists: k comparisons an entry, no sort of them all).
local reads, total, looked = {}, 0, 0
local seen = {}

for _, list in ipairs(lists) do
    for _, r in ipairs(ranges) do
        local lo, hi = r[1], '(' .. r[2]
        local got
        if all then
            got = redis.call('ZRANGE', list, lo, hi, 'BYSCORE',
                             'WITHSCORES')
            -- a report two agencies of the subtree hold counts once
            for n = 1, #got, 2 do
                if not seen[got[n]] then
                    seen[got[n]] = true
                    total = total + 1
                end
            end
        else
            total = total + redis.call('ZCOUNT', list, lo, hi)
            got = redis.call('ZRANGE', list, lo, hi, 'BYSCORE', 'LIMIT', 0,
                             limit, 'WITHSCORES')
        end
        looked = looked + #got / 2
        if #got > 0 then
            reads[#reads + 1] = {list, r, got, 1,
                                 not all and #got == 2 * limit}
        end
    end
end

-- a missed deadline extended afterwards: overdue, due in the future
if overdue then
    local extra = {}
    for _, id in ipairs(redis.call('SMEMBERS', LATE)) do
        for _, list in ipairs(lists) do
            local s = tonumber(redis.call('ZSCORE', list, id) or '')
            if s and (all or s < SEC) and not in_ranges(s) then
                extra[#extra + 1] = {id, s >= SEC and s - SEC or s}
            end
        end
    end
    table.sort(extra, function(a, b)
        if a[2] ~= b[2] then
            return a[2] < b[2]
        end
        return a[1] < b[1]
    end)
    local got = {}
    for _, e in ipairs(extra) do
        if not seen[e[1]] then
            seen[e[1]] = true
            total = total + 1
        end
        got[#got + 1] = e[1]
        got[#got + 1] = e[2]
    end
    if #got > 0 then
        reads[#reads + 1] = {LATE, {0, 0, 0}, got, 1, false}
    end
end

-- the smallest head: its read, id and normalised score
local function head()
    local best, bid, bs
    for _, rd in ipairs(reads) do
        local n = rd[4]
        if n < #rd[3] then
            local id, sc = rd[3][n], tonumber(rd[3][n + 1]) - rd[2][3]
            if not best or sc < bs or (sc == bs and id < bid) then
                best, bid, bs = rd, id, sc
            end
        end
    end
    return best, bid, bs
end

-- the page, then every entry tied with its last whole score (the worker
-- orders ties by submission, which the score does not hold)
local floor = math.floor
local order, taken, last = {}, {}, nil
while true do
    local rd, id, sc = head()
    if not rd or (#order >= limit and floor(sc) ~= last) then
        break
    end
    rd[4] = rd[4] + 2
    if not taken[id] then
        taken[id] = true
        order[#order + 1] = id
        last = floor(sc)
    end
end

-- a run the limit cut may hold more entries with the last whole score
if last and #order >= limit then
    for _, rd in ipairs(reads) do
        if rd[5] and floor(tonumber(rd[3][#rd[3]]) - rd[2][3]) == last then
            local s = last + rd[2][3]
            for _, id in ipairs(redis.call('ZRANGE', rd[1], s,
                                           '(' .. (s + 1), 'BYSCORE')) do
                if not taken[id] then
                    taken[id] = true
                    order[#order + 1] = id
                end
            end
        end
    end
end

-- the fields a list shows: the hot ones and the open deadlines' (HKEYS
-- for their names, then HMGET): never the whole record.  Names are told
-- apart by their bytes ("dl:", "dm:", "do:"): no string made for each.
-- (Measured against HSCAN ... MATCH "d[lmo]:*" + HMGET and HGETALL: this
-- costs Redis least, bench/README.md "Scale of data".)
local byte, sub = string.byte, string.sub
local D, L, M, O, COLON = 100, 108, 109, 111, 58

local function fields_of(id)
    local r = prefix .. 'r:' .. id
    local keys = redis.call('HKEYS', r)
    local names, met, dl = {unpack(HOT)}, {}, {}
    for _, name in ipairs(keys) do
        local a, b, c = byte(name, 1, 3)
        if a == D and c == COLON then
            if b == M then
                met[sub(name, 4)] = true
            elseif b == L or b == O then
                dl[#dl + 1] = name
            end
        end
    end
    -- a closed deadline is not shown
    for _, name in ipairs(dl) do
        if not met[sub(name, 4)] then
            names[#names + 1] = name
        end
    end
    local values = redis.call('HMGET', r, unpack(names))
    -- HOT's "id": a report stored since issue 12's cut keeps none (its
    -- key names it); one that exists has a status
    values[1] = values[1] or (values[2] and id)
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

for _, id in ipairs(order) do
    local fields = fields_of(id)
    if #fields > 0 then
        out[#out + 1] = fields
    end
end

return out
