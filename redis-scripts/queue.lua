-- queue.lua: the reports of a work list, with what ordering them needs.
--
-- The worker decides which states (and which agency) make the caller's
-- list, then filters and sorts what this returns: urgent first, nearest
-- open deadline next.  This script only gathers, bounded by the scan cap.
--
-- KEYS[1]  pa:{t}:all       (routes the call to the tenant's slot)
--
-- ARGV[1]  key prefix "pa:{t}:"
-- ARGV[2]  agencies "a,b,c": "" for the state sets alone, else only the
--          reports of ag:<a> for each of them (ZINTER with each state
--          set): one agency's list, or a superior body's subtree
-- ARGV[3]  scan cap: reports looked at, at most
-- ARGV[4..] states; "resolved" takes the most recent ones (a comment
--          waits for an answer soon after), the others the oldest first
--
-- Returns {candidates, {field, value, ...}, ...}: the number of reports
-- in those sets (the cap may have cut it), then for each report looked at
-- its fields id, status, urgent, hidden, category, title, created_at,
-- agencies, lead, coordinator and its deadline fields dl:, dm:, do:.

local prefix, agency, cap = ARGV[1], ARGV[2], tonumber(ARGV[3])

local keep = {
    id = true, status = true, urgent = true, hidden = true, category = true,
    title = true, created_at = true, agencies = true, lead = true,
    coordinator = true
}

local ids, seen, counted, candidates = {}, {}, {}, 0

for k = 4, #ARGV do
    local state = ARGV[k]
    local set = prefix .. 'st:' .. state
    local members

    if agency ~= '' then
        members = {}
        for a in string.gmatch(agency, '[^,]+') do
            local m = redis.call('ZINTER', 2, prefix .. 'ag:' .. a, set,
                                 'WEIGHTS', 0, 1)
            for n = 1, #m do
                if not counted[m[n]] then
                    counted[m[n]] = true
                    members[#members + 1] = m[n]
                end
            end
        end
        candidates = candidates + #members
    else
        if state == 'resolved' then
            members = redis.call('ZREVRANGE', set, 0, cap - 1)
        else
            members = redis.call('ZRANGE', set, 0, cap - 1)
        end
        candidates = candidates + redis.call('ZCARD', set)
    end

    local first, last, step = 1, #members, 1
    if agency ~= '' and state == 'resolved' then
        first, last, step = #members, 1, -1
    end

    for n = first, last, step do
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

local out = {candidates}

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
