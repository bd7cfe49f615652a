-- public.lua: one page of the published reports (the public map/list).
--
-- pub and geo hold only published, not hidden reports (act.lua keeps
-- them so); the worker checks each report again before showing it and
-- builds the public view.  Bounded by the scan cap.
--
-- KEYS[1]  pa:{t}:pub       published reports, score = published_at
-- KEYS[2]  pa:{t}:geo       the same reports by position
--
-- ARGV[1]  key prefix "pa:{t}:"
-- ARGV[2]  offset           ARGV[3]  count (page size)
-- ARGV[4]  category ("" for all)
-- ARGV[5]  scan cap: reports looked at, at most
-- ARGV[6]  "" or a box: ARGV[6..9] min lng, min lat, max lng, max lat,
--          ARGV[10..13] centre lng, centre lat, width km, height km of a
--          search box that covers it (GEOSEARCH's box is not in degrees:
--          the exact box is applied here)
--
-- Order: newest published first; with a box, nearest the box's centre.
-- Returns {matching, {field, value, ...}, ...}: how many reports match
-- (within the scan cap), then the page's reports' public fields.

local PUB, GEO = KEYS[1], KEYS[2]
local prefix = ARGV[1]
local offset, count = tonumber(ARGV[2]), tonumber(ARGV[3])
local category, cap = ARGV[4], tonumber(ARGV[5])

local fields = {
    'id', 'status', 'title', 'content', 'category', 'lat', 'lng',
    'occurred_at', 'created_at', 'updated_at', 'urgent', 'published',
    'hidden', 'private_result', 'secret', 'publish_identity', 'pii_name',
    'result', 'resolved_at', 'published_at', 'rating', 'media'
}

local ids, total

if ARGV[6] == '' and category == '' then
    -- the common case: a page straight from the index
    total = redis.call('ZCARD', PUB)
    ids = redis.call('ZREVRANGE', PUB, offset, offset + count - 1)
else
    local found = {}

    if ARGV[6] ~= '' then
        local minlng, minlat = tonumber(ARGV[6]), tonumber(ARGV[7])
        local maxlng, maxlat = tonumber(ARGV[8]), tonumber(ARGV[9])
        local near = redis.call('GEOSEARCH', GEO, 'FROMLONLAT', ARGV[10],
                                ARGV[11], 'BYBOX', ARGV[12], ARGV[13], 'km',
                                'ASC', 'COUNT', cap, 'WITHCOORD')
        for _, e in ipairs(near) do
            local lng, lat = tonumber(e[2][1]), tonumber(e[2][2])
            if lng >= minlng and lng <= maxlng and lat >= minlat
                and lat <= maxlat then
                found[#found + 1] = e[1]
            end
        end
    else
        found = redis.call('ZREVRANGE', PUB, 0, cap - 1)
    end

    if category ~= '' then
        local kept = {}
        for _, id in ipairs(found) do
            if redis.call('HGET', prefix .. 'r:' .. id, 'category')
                == category then
                kept[#kept + 1] = id
            end
        end
        found = kept
    end

    total = #found
    ids = {}
    for n = offset + 1, math.min(offset + count, total) do
        ids[#ids + 1] = found[n]
    end
end

local out = {total}

for _, id in ipairs(ids) do
    local values = redis.call('HMGET', prefix .. 'r:' .. id, unpack(fields))
    local kv = {}
    for n = 1, #fields do
        if values[n] then
            kv[#kv + 1] = fields[n]
            kv[#kv + 1] = values[n]
        end
    end
    out[#out + 1] = kv
end

return out
