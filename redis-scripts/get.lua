--! uses: day record
-- get.lua: read one report, in one call.
--
-- The worker decides what the caller may see (visibility, views, opening
-- sealed data); this script only reads, and writes the audit entry of a
-- read of personal data in the same atomic step as the read itself.
--
-- KEYS[1]  pa:{t}:r:<id>    report hash
-- KEYS[2]  pa:{t}:h:<id>    history list (JSON entries)
-- KEYS[3]  pa:{t}:audit     reads of personal data (stream)
-- KEYS[4]  pa:{t}:near      positions for duplicate hints before the day
--                           keys (mode "report" with hints only; searched
--                           while it exists, the sweeper empties it)
-- KEYS[5]  pa:{t}:near:at   its ids, score = submitted (with hints only):
--                           its candidates outside the window are left
--                           without reading their hash
-- KEYS[6..] pa:{t}:near:<YYYYMMDD>  (hints only) the days that can hold a
--                           report within the window before or after
--                           this one, as the worker learns its day from
--                           the id ("YYMMDD-..."); none for an id that
--                           names no date (a test id)
--
-- ARGV[1]  mode: "report" or "reporter"
--
-- mode "report": returns {HGETALL, the last 500 history entries}; an
-- empty hash when there is no such report.  With duplicate hints:
-- ARGV[2]  radius (metres)  ARGV[3]  window (seconds)
-- ARGV[4]  most hints returned
-- ARGV[5]  the province's UTC offset (seconds east): its local days
-- and a third element: {id, metres, status, submitted, ...} of reports
-- of the same category within the radius, submitted within the window
-- before or after this one, neither rejected nor cancelled, nearest
-- first; the CANDIDATES nearest positions are looked at, at most.
-- Positions are in one key a day, pa:{t}:near:<YYYYMMDD> (the local day
-- of submission, submit.lua; member "<created_at><ms>|<id>",
-- "<created_at>|<id>" or the id alone in a key of an earlier version):
-- the days that can hold a report
-- within the window before or after this one are searched (KEYS[6..], 7
-- for 72 h), and their nearest merged by distance with those of KEYS[4].
-- Keys not in KEYS (the exceptions): the candidates' hashes
-- pa:{t}:r:<id>, learned from the GEOSEARCH; the day keys of a report
-- whose id names no date (test ids only), named from its created_at.
-- Declaring them would cost a second round trip.  Both are built from
-- KEYS[1]'s hash-tagged prefix "pa:{t}:": the same slot.
--
-- mode "reporter" (the reporter's name, phone, e-mail):
-- ARGV[2]  agency the caller must be assigned to ("" for the IOC)
-- ARGV[3]  "1" when the reporter's consent (share_identity) is required
-- ARGV[4]  actor            ARGV[5]  role
-- ARGV[6]  now (epoch)      ARGV[7]  report id
-- returns {"not_found"}, {"forbidden"} or {"ok", field, sealed value, ...}
-- with the pii_* fields present (from the hash, else from its "doc");
-- "ok" is audited (id, actor, role, at).

local R, H, AUDIT = KEYS[1], KEYS[2], KEYS[3]

local CANDIDATES = 100
local AUDIT_MAX = 1000000    -- audit entries kept (approximately)

-- not a live problem of their own: a rejected report was not valid (or
-- was itself a duplicate of one listed), a cancelled one was withdrawn
local dead = {rejected = true, cancelled = true}

-- the CANDIDATES nearest of the day keys within the window and of the
-- old index (its entries outside the window left out by their time),
-- {id, metres} nearest first
local function candidates(prefix, lng, lat, radius, at, window, offset)
    local found, seen = {}, {}

    -- (more than CANDIDATES at one spot on a day: GEOSEARCH keeps the
    -- first of equal distance in member order, so the day's earliest;
    -- before the members led with the time, CANDIDATES of random ids)
    local function search(key)
        return redis.call('GEOSEARCH', key, 'FROMLONLAT', lng, lat,
                          'BYRADIUS', radius, 'm', 'ASC',
                          'COUNT', CANDIDATES, 'WITHDIST')
    end

    -- a day key's member is "<created_at><ms>|<id>" (ngx_pa_duplicate.c;
    -- "<created_at>|<id>" since issue 12), the id alone in those written
    -- before and in KEYS[4]
    local function take(c)
        local id = c[1]
        local bar = string.find(id, '|', 1, true)
        if bar then
            id = string.sub(id, bar + 1)
        end
        if not seen[id] then
            seen[id] = true
            found[#found + 1] = {id, tonumber(c[2])}
        end
    end

    local days = {unpack(KEYS, 6)}
    if #days == 0 then
        for d = math.floor((at - window + offset) / 86400),
                math.floor((at + window + offset) / 86400)
        do
            days[#days + 1] = prefix .. 'near:' .. ymd(d)
        end
    end

    for _, day in ipairs(days) do
        for _, c in ipairs(search(day)) do
            take(c)
        end
    end

    -- the old index: the candidates' times in one call, as before
    local old = search(KEYS[4])
    if #old > 0 then
        local ids = {}
        for n, c in ipairs(old) do
            ids[n] = c[1]
        end
        local when = redis.call('ZMSCORE', KEYS[5], unpack(ids))
        for n, c in ipairs(old) do
            -- (whole seconds: a fraction of the second some versions of
            -- submit.lua wrote is no part of the window)
            local w = tonumber(when[n] or '')
            w = w and math.floor(w)
            if not w or math.abs(w - at) <= window then
                take(c)
            end
        end
    end

    table.sort(found, function(x, y)
        if x[2] ~= y[2] then
            return x[2] < y[2]
        end
        return x[1] < y[1]
    end)

    for n = #found, CANDIDATES + 1, -1 do
        found[n] = nil
    end

    return found
end

local function hints(radius, window, most, offset)
    local prefix, self = string.match(R, '^(.-}:)'), rid(R)
    local me = redis.call('HMGET', R, 'status', 'category', 'lng', 'lat',
                          'created_at')
    local out = {}

    if not me[1] or not me[2] or me[2] == '' or not me[3] or not me[4] then
        return out
    end

    local at = tonumber(me[5]) or 0
    local near = candidates(prefix, me[3], me[4], radius, at, window, offset)

    for _, c in ipairs(near) do
        local other = c[1]

        if other ~= self then
            local o = redis.call('HMGET', prefix .. 'r:' .. other,
                                 'category', 'status', 'created_at')
            local t = tonumber(o[3])

            if o[1] == me[2] and o[2] and not dead[o[2]] and t
               and math.abs(t - at) <= window
            then
                out[#out + 1] = other
                out[#out + 1] = tostring(math.floor(tonumber(c[2]) + 0.5))
                out[#out + 1] = o[2]
                out[#out + 1] = o[3]

                if #out >= most * 4 then
                    break
                end
            end
        end
    end

    return out
end

if ARGV[1] == 'report' then
    local out = {record(R), redis.call('LRANGE', H, -500, -1)}
    local radius = tonumber(ARGV[2] or '0') or 0

    if radius > 0 then
        out[3] = hints(radius, tonumber(ARGV[3]), tonumber(ARGV[4]),
                       tonumber(ARGV[5] or '0') or 0)
    end

    return out
end

local agency, consent = ARGV[2], ARGV[3]
local f = redis.call('HMGET', R, 'status', 'agencies', 'share_identity',
                     'pii_name', 'pii_phone', 'pii_email', 'doc', 'pii')

if not f[1] then
    return {'not_found'}
end

-- a record stored lean keeps these in "doc" (ngx_pa_doc.h); a field of the
-- hash wins.  A contact read is rare and audited: off the hot path.  A
-- report of this version has the whole contact sealed as one "pii"
-- (ngx_pa_pii.h); earlier ones have the three fields.
if f[7] then
    local doc = cjson.decode(f[7])
    local cold = {false, false, 'share_identity', 'pii_name', 'pii_phone',
                  'pii_email', false, 'pii'}
    for k = 3, 8 do
        if cold[k] and not f[k] and type(doc[cold[k]]) == 'string' then
            f[k] = doc[cold[k]]
        end
    end
end

if agency ~= '' then
    -- an agency that is not assigned does not see the report at all
    if not f[2] or not string.find(f[2], ',' .. agency .. ',', 1, true) then
        return {'not_found'}
    end

    if consent == '1' and f[3] ~= '1' then
        return {'forbidden'}
    end
end

-- capped like every stream here, but far larger: a year of a province's
-- reads of personal data; an exporter archives it before it is trimmed
redis.call('XADD', AUDIT, 'MAXLEN', '~', AUDIT_MAX, '*', 'id', ARGV[7],
           'actor', ARGV[4], 'role', ARGV[5], 'at', ARGV[6])

local out = {'ok'}
local names = {'pii_name', 'pii_phone', 'pii_email', false, 'pii'}

for k = 1, 5 do
    if names[k] and f[k + 3] then
        out[#out + 1] = names[k]
        out[#out + 1] = f[k + 3]
    end
end

return out
