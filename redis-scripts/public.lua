-- public.lua: one page of the published reports (the public map/list).
--
-- pub and geo hold only published, not hidden reports (act.lua keeps
-- them so); the worker checks each report again before showing it and
-- builds the public view.  Bounded by the scan cap.
--
-- KEYS[1]  pa:{t}:pub       published reports, score = published_at
-- KEYS[2]  pa:{t}:geo       the same reports by position
--
-- ARGV[1]  offset           ARGV[2]  count (page size)
-- ARGV[3]  category ("" for all)
-- ARGV[4]  scan cap: reports looked at, at most
-- ARGV[5]  "" or a box: ARGV[5..8] min lng, min lat, max lng, max lat,
--          ARGV[9..12] centre lng, centre lat, width km, height km of a
--          search box that covers it (GEOSEARCH's box is not in degrees:
--          the exact box is applied here)
--
-- Order: newest published first; with a box, nearest the box's centre.
-- Returns {matching, {field names}, {values}, ...}: how many reports match
-- (within the scan cap), the public fields' names, then the page's
-- reports' values of them in that order (nil where a report has none).
--
-- Keys not in KEYS (the one exception): the report hashes pa:{t}:r:<id>
-- of the ids the indexes hold, learned only here; declaring them would
-- cost a second round trip per read.  They are built from KEYS[1]'s
-- hash-tagged prefix "pa:{t}:", so they live in KEYS[1]'s slot.

local PUB, GEO = KEYS[1], KEYS[2]
local prefix = string.match(PUB, '^(.-}:)')
local offset, count = tonumber(ARGV[1]), tonumber(ARGV[2])
local category, cap = ARGV[3], tonumber(ARGV[4])

local fields = {
    'id', 'status', 'title', 'content', 'category', 'lat', 'lng',
    'occurred_at', 'created_at', 'updated_at', 'urgent', 'published',
    'hidden', 'private_result', 'secret', 'publish_identity', 'pii_name',
    'result', 'resolved_at', 'published_at', 'rating', 'media',
    -- a record stored lean: content, occurred_at, publish_identity and
    -- pii_name are in it (ngx_pa_doc.h); the worker unfolds it
    'doc'
}

local ids, total

if ARGV[5] == '' and category == '' then
    -- the common case: a page straight from the index
    total = redis.call('ZCARD', PUB)
    ids = redis.call('ZREVRANGE', PUB, offset, offset + count - 1)
else
    local found = {}

    if ARGV[5] ~= '' then
        local minlng, minlat = tonumber(ARGV[5]), tonumber(ARGV[6])
        local maxlng, maxlat = tonumber(ARGV[7]), tonumber(ARGV[8])
        local near = redis.call('GEOSEARCH', GEO, 'FROMLONLAT', ARGV[9],
                                ARGV[10], 'BYBOX', ARGV[11], ARGV[12], 'km',
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

-- the names once, then each report's values in their order (nil: no
-- such field): no name, value pairs built here for every report
local out = {total, fields}

for _, id in ipairs(ids) do
    local v = redis.call('HMGET', prefix .. 'r:' .. id, unpack(fields))
    -- "id": a report stored since issue 12's cut keeps none (its key
    -- names it); one that exists has a status
    v[1] = v[1] or (v[2] and id)
    out[#out + 1] = v
end

return out
