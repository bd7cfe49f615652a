--! uses: record
-- open311.lua: one page of GET /open311/v2/requests (GeoReport v2).
--
-- The published reports of pub and, with an API key, the client's own
-- requests in any state, filtered the GeoReport way: services
-- (categories), requested between two dates (the worker always sends
-- both: the spec's 90-day window), open or closed; or only the reports
-- named by service_request_id, which overrides every other filter.  The
-- worker checks each report again (published and shown, or the client's)
-- and builds the GeoReport fields from the hash.  Bounded by the scan cap
-- (of each index), the page size and the id list (at most 50, checked by
-- the worker).
--
-- KEYS[1]  pa:{t}:pub              published reports, score = published_at
-- KEYS[2]  pa:{t}:o311:c:<client>  optional: the client's own requests,
--                                  score = submitted
--
-- ARGV[1]  offset           ARGV[2]  count (page size)
-- ARGV[3]  categories ",a,b," ("" for all)
-- ARGV[4]  requested at or after (epoch)
-- ARGV[5]  requested at or before (epoch)
-- ARGV[6]  "open", "closed" or "" (both)
-- ARGV[7]  scan cap: reports looked at in each index, at most
-- ARGV[8..] service request ids: these reports only, in this order
--
-- Order: newest requested first.  Returns {{field, value, ...}, ...}:
-- HGETALL of each report of the page (an unknown id is left out), with
-- "o311_own", "1" appended to the client's own.
--
-- Keys not in KEYS (the one exception): the report hashes pa:{t}:r:<id> of the
-- ids the index holds, learned only here; declaring them would cost a
-- second round trip per read.  They are built from KEYS[1]'s hash-tagged
-- prefix "pa:{t}:", so they live in KEYS[1]'s slot.

local PUB, OWN = KEYS[1], KEYS[2]
local prefix = string.match(PUB, '^(.-}:)')
local offset, count = tonumber(ARGV[1]), tonumber(ARGV[2])
local categories = ARGV[3]
local from, to = tonumber(ARGV[4]), tonumber(ARGV[5])
local want, cap = ARGV[6], tonumber(ARGV[7])

-- GeoReport "closed": the handling has ended here (ngx_pa_open311.c's
-- set); an escalated report is open, its superior's direction to come
local closed = {resolved = true, rejected = true, cancelled = true,
                monitoring = true}

local function report(id, own)
    local h = record(prefix .. 'r:' .. id)
    if #h > 0 and own then
        h[#h + 1] = 'o311_own'
        h[#h + 1] = '1'
    end
    return h
end

local out = {}

if #ARGV > 7 then
    for n = 8, #ARGV do
        local own = OWN and redis.call('ZSCORE', OWN, ARGV[n])
        local h = report(ARGV[n], own)
        if #h > 0 then
            out[#out + 1] = h
        end
    end
    return out
end

-- the candidates: the client's requested in the window, and whatever was
-- published since its start (a report is published after it is requested)
local seen, found = {}, {}

local function consider(id, own)
    if seen[id] then
        return
    end
    seen[id] = true

    local v = redis.call('HMGET', prefix .. 'r:' .. id,
                         'category', 'created_at', 'status')
    local at = tonumber(v[2])
    local ok = at and at >= from and at <= to
        and (categories == '' or
             string.find(categories, ',' .. (v[1] or '') .. ',', 1, true))
        and (want == '' or (want == 'closed') == (closed[v[3]] == true))

    if ok then
        found[#found + 1] = {at, id, own}
    end
end

if OWN then
    for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', OWN, to, from,
                                   'LIMIT', 0, cap)) do
        consider(id, true)
    end
end

for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', PUB, '+inf', from,
                               'LIMIT', 0, cap)) do
    consider(id, OWN and redis.call('ZSCORE', OWN, id))
end

table.sort(found, function(a, b)
    if a[1] ~= b[1] then
        return a[1] > b[1]
    end
    return a[2] > b[2]
end)

for n = offset + 1, math.min(#found, offset + count) do
    out[#out + 1] = report(found[n][2], found[n][3])
end

return out
