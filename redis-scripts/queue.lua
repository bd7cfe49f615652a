-- queue.lua: the reports of a work list, with what ordering them needs.
--
-- The worker decides which lists make the caller's queue (which states,
-- which agencies) and names them in KEYS, then filters and sorts what this
-- returns: urgent first, nearest open deadline next.  This script only
-- gathers.  The lists hold open work only (act.lua keeps aq:<agency>:
-- <state> so; the IOC's states are open ones), so a read costs what is
-- open, never the history of closed reports, and at most the scan cap.
--
-- KEYS[1..n]  the lists: pa:{t}:aq:<agency>:<state> (an agency's list,
--             or each agency of a superior body's subtree), else
--             pa:{t}:st:<state> (zsets, score = created)
--
-- ARGV[1]     scan cap: reports looked at, at most
-- ARGV[2..n+1] the state of each KEYS[k-1]: "resolved" takes the most
--             recent ones, the others the oldest first
--
-- Keys not in KEYS (the one exception): the report hashes pa:{t}:r:<id>
-- of the ids the lists hold, learned only here; declaring them would cost
-- a second round trip per read.  They are built from KEYS[1]'s hash-tagged
-- prefix "pa:{t}:", so they live in KEYS[1]'s slot.
--
-- Returns {candidates, looked, {field, value, ...}, ...}: the number of
-- reports in those lists (an upper bound when one list holds more than
-- the cap), the number of list entries read, then for each report looked
-- at its fields id, status, urgent, hidden, category, title, created_at,
-- agencies, lead, coordinator and its deadline fields dl:, dm:, do:.

local cap = tonumber(ARGV[1])
local prefix = string.match(KEYS[1], '^(.-}:)')

local keep = {
    id = true, status = true, urgent = true, hidden = true, category = true,
    title = true, created_at = true, agencies = true, lead = true,
    coordinator = true
}

local ids, seen, candidates, looked, whole = {}, {}, 0, 0, true

for k = 1, #KEYS do
    local members
    if ARGV[k + 1] == 'resolved' then
        members = redis.call('ZREVRANGE', KEYS[k], 0, cap - 1)
    else
        members = redis.call('ZRANGE', KEYS[k], 0, cap - 1)
    end
    looked = looked + #members

    if #members == cap then
        -- the cap cut this list: say how many it holds
        whole = false
        candidates = candidates + redis.call('ZCARD', KEYS[k])
    else
        candidates = candidates + #members
    end

    for n = 1, #members do
        if #ids >= cap then
            break
        end
        local id = members[n]
        if not seen[id] then
            seen[id] = true
            ids[#ids + 1] = id
        end
    end
end

if whole then
    -- every list was read whole: a report two agencies hold counts once
    candidates = #ids
end

local out = {candidates, looked}

for _, id in ipairs(ids) do
    local flat = redis.call('HGETALL', prefix .. 'r:' .. id)
    local fields = {}

    for n = 1, #flat, 2 do
        local name = flat[n]
        local p = string.sub(name, 1, 3)
        if keep[name] or p == 'dl:' or p == 'dm:' or p == 'do:' then
            fields[#fields + 1] = name
            fields[#fields + 1] = flat[n + 1]
        end
    end

    if #fields > 0 then
        out[#out + 1] = fields
    end
end

return out
