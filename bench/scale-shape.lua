--! uses: qscore day
-- scale-shape.lua: the shape of the reports Redis holds, for
-- bench/scale.sh's layout check (the generator must write what the module
-- writes: run on reports made through HTTP, then on generated ones, and
-- compare).  A bench tool, not one of the module's scripts: it SCANs the
-- keyspace of a private Redis.
--
-- KEYS[1]  pa:{t}:st:submitted (its prefix "pa:{t}:" names every key
--          read)
--
-- ARGV[1] now minus pa_duplicate_window minus 30 days: a day's key of
--         the duplicate hints is kept while its day ends after this
--
-- Returns sorted lines.  Per report, each prefixed with its class
-- (status, "+pub" when published, "+rated" when rated):
--   r       the hash's TYPE, OBJECT ENCODING and field names (agencies,
--           days and comment ids folded to A, D, N), the JSON keys of
--           "doc" and "result"
--   r.hex   the length of each hex value (token_hash, phone_hash, ...):
--           a generator writing 64 where the module writes 32 would
--           overstate the memory per report
--   h       the history list's TYPE, ENCODING, actions and entries' keys
--   in      every index it is in, with whether its score is the one the
--           module gives (created_at, the queue's order, the due, ...)
-- and for the shared keys: "key <name> <TYPE>" (names folded as above),
-- "stats" and "gauge" field names.

local P = string.match(KEYS[1], '^(.-}:)')
local cutoff = tonumber(ARGV[1])
local out, seen = {}, {}

local function add(line)
    if not seen[line] then
        seen[line] = true
        out[#out + 1] = line
    end
end

local function fold(name)
    if string.match(name, '^sc:') and name ~= 'sc:ioc' then
        return 'sc:A'
    end
    return (string.gsub(string.gsub(name, '@[%w_-]+', '@A'), '#%d+', '#N'))
end

-- local (UTC+7, the bench's province) YYYYMMDD, as the worker names a
-- day (lib/day.lua)
local function day(t)
    return ymd(math.floor((t + 25200) / 86400))
end

local function keys_of(json)
    local ok, v = pcall(cjson.decode, json)
    if not ok or type(v) ~= 'table' then
        return '(not a JSON object)'
    end
    local k = {}
    for name, _ in pairs(v) do k[#k + 1] = name end
    table.sort(k)
    return table.concat(k, ',')
end

local function enc(key)
    return redis.call('TYPE', key).ok .. '/'
           .. redis.call('OBJECT', 'ENCODING', key)
end

local function score(key, member, want, what)
    local s = redis.call('ZSCORE', key, member)
    if not s then
        return nil
    end
    -- the whole part: submit.lua's fraction above it (its index scores,
    -- docs/data-model.md) is no part of the shape
    s = math.floor(tonumber(s))
    if want and tonumber(s) == tonumber(want) then
        return what
    end
    if want and tonumber(s) == tonumber(want) + SEC then
        return what .. '+SEC'
    end
    return 'other'
end

local STATES = {'submitted', 'needs_info', 'verified', 'received',
                'coordinating', 'dispatched', 'in_progress',
                'awaiting_approval', 'under_review', 'resolved', 'rejected',
                'cancelled', 'monitoring', 'escalated'}

local function report(id)
    local flat = redis.call('HGETALL', P .. 'r:' .. id)
    local h, names = {}, {}
    for k = 1, #flat, 2 do
        h[flat[k]] = flat[k + 1]
        names[#names + 1] = fold(flat[k])
    end
    table.sort(names)
    local c = (h.status or '?') .. (h.published == '1' and '+pub' or '')
              .. (h.rating and '+rated' or '') .. ' '
    add(c .. 'r ' .. enc(P .. 'r:' .. id) .. ' ' .. table.concat(names, ','))
    for k = 1, #flat, 2 do
        if #flat[k + 1] >= 16 and string.match(flat[k + 1], '^%x+$') then
            add(c .. 'r.hex ' .. fold(flat[k]) .. ' ' .. #flat[k + 1])
        end
    end
    if h.doc then add(c .. 'r.doc ' .. keys_of(h.doc)) end
    if h.result then add(c .. 'r.result ' .. keys_of(h.result)) end

    local hk = P .. 'h:' .. id
    if redis.call('EXISTS', hk) == 1 then
        local acts = {}
        for _, e in ipairs(redis.call('LRANGE', hk, 0, -1)) do
            local ok, v = pcall(cjson.decode, e)
            local a = ok and type(v) == 'table' and v.action or '?'
            acts[#acts + 1] = a
            add(c .. 'h.' .. a .. ' ' .. keys_of(e))
        end
        add(c .. 'h ' .. enc(hk) .. ' ' .. table.concat(acts, ','))
    else
        add(c .. 'h none')
    end

    local created = h.created_at
    for _, st in ipairs(STATES) do
        local s = score(P .. 'st:' .. st, id, created, 'created')
        if s then add(c .. 'in st:' .. st .. ' ' .. s) end
        s = score(P .. 'q:' .. st, id, qscore(h), 'qscore')
        if s then add(c .. 'in q:' .. st .. ' ' .. s) end
        for _, f in ipairs({'agencies', 'coordinator', 'former_agencies'}) do
            for a in string.gmatch(h[f] or '', '([^,]+)') do
                s = score(P .. 'aq:' .. a .. ':' .. st, id, qscore(h),
                          'qscore')
                if s then add(c .. 'in aq:' .. f .. ':' .. st .. ' ' .. s) end
            end
        end
    end
    -- closed deadlines folded (act.lua's fold): which, met, flags
    for e in string.gmatch(h.dc or '', '[^;]+') do
        local key, _, _, met, flags =
            string.match(e, '^(%S+) (%d+) (%-?%d+) ([01])(%a*)$')
        add(c .. 'dc ' .. (key and fold(key) .. ' met=' .. met .. flags
                           or 'unreadable'))
        if key then
            local s = score(P .. 'due', id .. '|' .. key, 0, 'due')
            add(c .. 'in due ' .. fold(key) .. ' closed ' .. (s or 'absent'))
        end
    end
    for name, v in pairs(h) do
        local key = string.match(name, '^dl:(.+)$')
        if key then
            local s = score(P .. 'due', id .. '|' .. key, v, 'due')
            add(c .. 'in due ' .. fold(key) .. ' '
                .. (h['dm:' .. key] and 'closed ' or 'open ')
                .. (s or 'absent'))
        end
    end
    -- the hints' day key holds the reports of the days still kept, and
    -- expires (submit.lua); no single index of every position
    local t = tonumber(created)
    local day_end = (math.floor((t + 25200) / 86400) + 1) * 86400 - 25200
    local young = day_end > cutoff
    local nk = P .. 'near:' .. day(t)
    -- (member "<created_at><ms>|<id>", ngx_pa_duplicate.c: the module's
    -- holds a millisecond the record does not, so found at its position)
    local geo = false
    if h.lng and h.lat then
        for _, m in ipairs(redis.call('GEOSEARCH', nk, 'FROMLONLAT', h.lng,
                                      h.lat, 'BYRADIUS', '1', 'm')) do
            if m == created .. string.sub(m, 11, 12) .. '|' .. id then
                geo = true
            end
        end
    end
    local ttl = redis.call('TTL', nk)
    local old = redis.call('EXISTS', P .. 'near', P .. 'near:at') > 0
    if geo == young and (not geo or ttl > 0) and not old then
        add(c .. 'in near:D as its age says')
    else
        add(c .. 'in near:D wrong for its age: ' .. tostring(geo)
            .. ', TTL ' .. ttl .. (old and ', near or near:at written'
                                   or ''))
    end
    local s = score(P .. 'pub', id, h.published_at, 'published_at')
    if s then add(c .. 'in pub ' .. s) end
    if redis.call('GEOPOS', P .. 'geo', id)[1] then add(c .. 'in geo') end
    if h.token_hash then
        local tk = P .. 'tok:' .. h.token_hash
        add(c .. 'tok ' .. (redis.call('GET', tk) == id
                            and enc(tk) .. ' names it' or 'absent'))
    end
    if h.phone_hash then
        -- the phone's bucket (ngx_pa_print.h), its fields "<phone>:<print>"
        local dk = P .. 'dup:' .. string.sub(h.phone_hash, 1, 4)
        local prints = redis.call('HGETALL', dk)
        local mine = string.sub(h.phone_hash, 1, 32) .. ':'
        for k = 1, #prints, 2 do
            if prints[k + 1] == id then
                local ok = string.sub(prints[k], 1, #mine) == mine
                local rest = string.gsub(string.sub(prints[k], #mine + 1),
                                         '%x%x+', 'HEX')
                add(c .. 'dup ' .. enc(dk) .. ' '
                    .. (ok and 'phone:' or 'other:') .. rest)
            end
        end
    end
    if h.dp then
        -- a closed report's prints, parked in its hash (lib/prints.lua)
        add(c .. 'dp ' .. (string.gsub(h.dp, '%x%x+', 'HEX')))
    end
end

local cursor = '0'
repeat
    local r = redis.call('SCAN', cursor, 'MATCH', P .. '*', 'COUNT', 1000)
    cursor = r[1]
    for _, key in ipairs(r[2]) do
        local name = string.sub(key, #P + 1)
        local id = string.match(name, '^r:(.+)$')
        if id then
            report(id)
        end
        local t = redis.call('TYPE', key).ok
        name = string.gsub(name, '^(%a+):%d%d%d%d%d%d%d%d$', '%1:D')
        name = string.gsub(name, '^dup:%x%x%x%x$', 'dup:BUCKET')
        name = string.gsub(name, '^(%a+):%x%x%x%x%x%x%x%x+$', '%1:HEX')
        name = string.gsub(name, '^([rh]):.+$', '%1:ID')
        name = string.gsub(name, '^aq:[^:]+:', 'aq:A:')
        add('key ' .. name .. ' ' .. t)
        if string.match(name, '^stats:') or name == 'gauge' then
            for _, f in ipairs(redis.call('HKEYS', key)) do
                add('field ' .. string.match(name, '^%a+') .. ' '
                    .. string.gsub(f, '^[^|]*|', 'A|'))
            end
        end
    end
until cursor == '0'

table.sort(out)
return out
