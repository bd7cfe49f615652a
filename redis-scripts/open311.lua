-- open311.lua: one page of GET /open311/v2/requests.json (GeoReport v2).
--
-- The published reports of pub (as public.lua), filtered the GeoReport
-- way: a service (category), requested between two dates, open or
-- closed; or only the reports named by service_request_id, which
-- overrides every other filter.  The worker checks each report again
-- (published, not hidden, not private ...) and builds the GeoReport
-- fields from the hash.  Bounded by the scan cap, the page size and the
-- id list (at most 50, checked by the worker).
--
-- KEYS[1]  pa:{t}:pub       published reports, score = published_at
--
-- ARGV[1]  key prefix "pa:{t}:"
-- ARGV[2]  offset           ARGV[3]  count (page size)
-- ARGV[4]  category ("" for all)
-- ARGV[5]  requested at or after (epoch, "" for no bound)
-- ARGV[6]  requested at or before (epoch, "" for no bound)
-- ARGV[7]  "open", "closed" or "" (both)
-- ARGV[8]  scan cap: reports looked at, at most
-- ARGV[9..] service request ids: these reports only, in this order
--
-- Order: newest published first.  Returns {{field, value, ...}, ...}:
-- HGETALL of each report of the page (an unknown id is left out).

local PUB = KEYS[1]
local prefix = ARGV[1]
local offset, count = tonumber(ARGV[2]), tonumber(ARGV[3])
local category = ARGV[4]
local from, to = tonumber(ARGV[5]), tonumber(ARGV[6])
local want, cap = ARGV[7], tonumber(ARGV[8])

-- GeoReport "closed": nothing more happens here (as submit.lua's set)
local closed = {resolved = true, rejected = true, cancelled = true,
                monitoring = true, escalated = true}

local out = {}

if #ARGV > 8 then
    for n = 9, #ARGV do
        local h = redis.call('HGETALL', prefix .. 'r:' .. ARGV[n])
        if #h > 0 then
            out[#out + 1] = h
        end
    end
    return out
end

local filtered = category ~= '' or from or to or want ~= ''

if not filtered then
    -- the common case: a page straight from the index
    for _, id in ipairs(redis.call('ZREVRANGE', PUB, offset,
                                   offset + count - 1)) do
        out[#out + 1] = redis.call('HGETALL', prefix .. 'r:' .. id)
    end
    return out
end

local skipped = 0

for _, id in ipairs(redis.call('ZREVRANGE', PUB, 0, cap - 1)) do
    local key = prefix .. 'r:' .. id
    local v = redis.call('HMGET', key, 'category', 'created_at', 'status')
    local at = tonumber(v[2])
    local ok = (category == '' or v[1] == category)
        and (not from or (at and at >= from))
        and (not to or (at and at <= to))
        and (want == '' or (want == 'closed') == (closed[v[3]] == true))

    if ok then
        if skipped < offset then
            skipped = skipped + 1
        else
            out[#out + 1] = redis.call('HGETALL', key)
            if #out >= count then
                break
            end
        end
    end
end

return out
