--! uses: qscore day prints
-- scale-gen.lua: loads reports into Redis in the module's data layout
-- (docs/data-model.md), for bench/scale.sh.  Run with EVAL in batches.
--
-- A bench tool, not one of the module's scripts: it writes thousands of
-- keys per call, all under KEYS[1]'s hash-tagged prefix (one slot), and
-- declares only that prefix key.  What it writes is checked against what
-- the module writes (bench/scale-check.sh, at the start of every run): a
-- report here is what the same life through HTTP leaves in Redis, with
-- its own id, times, agency, phone, token and text.
--
-- KEYS[1]  pa:{t}:st:submitted (its prefix "pa:{t}:" names every key
--          written)
--
-- ARGV[1]  first report number of this call within the load (from 1),
--          ARGV[2] how many in this call
-- ARGV[3]  total of this load (its reports are spread evenly in time)
-- ARGV[4]  now (epoch), ARGV[5] span in seconds (10 years)
-- ARGV[6]  agencies, comma separated (who handles what)
-- ARGV[7]  categories, comma separated
-- ARGV[8]  history entries of real reports, a JSON object: action ->
--          entry (its "at", "agency", "agencies" are replaced)
-- ARGV[9]  added to the report number in ids (a second load's are new)
-- ARGV[10] the last this many reports of the load are the open work, one
--          every 3 hours before now (at most 320: 40 days); the first load
--          brings it, the second (0) only history ending 40 days ago, so
--          both sizes have the same open work and the same last 30 days
-- ARGV[11] the seconds a day's key of the duplicate hints stays after the
--          day's end (pa_duplicate_window + 30 days: then it expires)
-- then     field, value pairs of a fresh report as submit.lua stored it
--          (the lean record: hot fields and "doc", ngx_pa_record.h):
--          every generated report has them, with its own id, times,
--          status, phone and token hashes and text (in "doc"); the
--          deadline fields are the generator's
--
-- States, like a province's ten years: the open work (submitted ...
-- in_progress, escalated) is recent; before it 87% resolved (70% of those
-- published, a third rated), 8% rejected, 4% cancelled, 1% monitoring.
-- Each report gets what act.lua writes on the way (LIFE below: the
-- actions, the deadlines closed on time (folded in dc) and opened,
-- agencies, lead,
-- dispatched_at, result, sc:<owner>, rating), its history entries, and
-- every index: st:<state> (closed states), q:<state> and
-- aq:<agency>:<state> (open work, scored in the queue's order:
-- lib/qscore.lua; an open state's one index is q:), q:built, dup:
-- buckets (the open work's prints; a closed report's in its "dp"), due
-- (no tok: key: the token names its report),
-- near:<day> (the days still kept, with their expiry), pub/geo
-- (published), stats:, gauge.

local P = string.match(KEYS[1], '^(.-}:)')
local first, count, total = tonumber(ARGV[1]), tonumber(ARGV[2]),
                            tonumber(ARGV[3])
local now, span = tonumber(ARGV[4]), tonumber(ARGV[5])

local agencies, categories = {}, {}
for a in string.gmatch(ARGV[6], '([^,]+)') do agencies[#agencies + 1] = a end
for c in string.gmatch(ARGV[7], '([^,]+)') do
    categories[#categories + 1] = c
end
local entries = cjson.decode(ARGV[8])
local base = tonumber(ARGV[9])
local open_n = tonumber(ARGV[10])
local keep_near = tonumber(ARGV[11])

local template = {}
for k = 12, #ARGV, 2 do
    if not string.match(ARGV[k], '^d[lmd]:') and ARGV[k] ~= 'dc' then
        template[ARGV[k]] = ARGV[k + 1]
    end
end
local doc = cjson.decode(template.doc)
local content = doc.content

-- a state's life: the actions taken (the k-th closes the k-th step of
-- "closed", on time), the steps left open ("@": the lead's)
local LIFE = {
    submitted = {acts = {}, closed = {}, open = {'verify'}},
    verified = {acts = {'verify'}, closed = {'verify'}, open = {'receive'}},
    received = {acts = {'verify', 'receive'}, closed = {'verify', 'receive'},
                open = {'dispatch'}},
    dispatched = {acts = {'verify', 'receive', 'dispatch'},
                  closed = {'verify', 'receive', 'dispatch'},
                  open = {'accept@', 'resolve@'}},
    in_progress = {acts = {'verify', 'receive', 'dispatch', 'accept'},
                   closed = {'verify', 'receive', 'dispatch', 'accept@'},
                   open = {'resolve@'}},
    escalated = {acts = {'verify', 'receive', 'dispatch', 'accept',
                         'escalate'},
                 closed = {'verify', 'receive', 'dispatch', 'accept@',
                           'resolve@'}, open = {}},
    resolved = {acts = {'verify', 'receive', 'dispatch', 'accept', 'resolve',
                        'publish'},
                closed = {'verify', 'receive', 'dispatch', 'accept@',
                          'resolve@', 'publish'}, open = {}},
    rejected = {acts = {'reject'}, closed = {'verify'}, open = {}},
    cancelled = {acts = {'cancel'}, closed = {'verify'}, open = {}},
    monitoring = {acts = {'verify', 'receive', 'forward_monitoring'},
                  closed = {'verify', 'receive', 'dispatch'}, open = {}},
}
local OPEN = {'submitted', 'verified', 'received', 'dispatched',
              'in_progress', 'escalated'}
-- the work lists' states (queue.lua reads them; q:built names them once
-- read, as a province's first reads leave it)
local LISTED = {'submitted', 'needs_info', 'verified', 'received',
                'coordinating', 'dispatched', 'in_progress',
                'awaiting_approval', 'under_review', 'escalated'}

-- the states whose one index is q: (a name of its own: OPEN above is
-- the list the open work's states are drawn from)
local Q_ONLY = {}
for _, st in ipairs(LISTED) do
    Q_ONLY[st] = st ~= 'escalated'
end

-- local (UTC+7, the bench's province) YYYYMMDD, as the worker names a
-- day (lib/day.lua)
local function day(t)
    return ymd(math.floor((t + 25200) / 86400))
end

-- RFC 3339 on the province's clock, as the history entries have it
local function rfc3339(t)
    local d, s = day(t), (t + 25200) % 86400
    return string.format('%s-%s-%sT%02d:%02d:%02d+07:00', string.sub(d, 1, 4),
                         string.sub(d, 5, 6), string.sub(d, 7, 8),
                         math.floor(s / 3600), math.floor(s / 60) % 60, s % 60)
end

local function stat(t, a, name)
    redis.call('HINCRBY', P .. 'stats:' .. day(t), a .. '|' .. name, 1)
end

local function entry(action, t, agency)
    local e = entries[action]
    e.at = rfc3339(t)
    if e.agency then e.agency = agency end
    if e.agencies then e.agencies = ',' .. agency .. ',' end
    return cjson.encode(e)
end

local built = {}
for _, st in ipairs(LISTED) do
    built[#built + 1] = 'q:' .. st
    built[#built + 1] = 1
    for _, a in ipairs(agencies) do
        built[#built + 1] = 'aq:' .. a .. ':' .. st
        built[#built + 1] = 1
    end
end
redis.call('HSET', P .. 'q:built', unpack(built))

local near_ttl = {}

for li = first, first + count - 1 do
    local recent = li > total - open_n
    local created = now - span + math.floor(span * (li - 0.5) / total)
    if recent then
        created = now - (total - li + 1) * 3 * 3600
    else
        -- history ends before the open work begins, in either load
        created = math.min(created, now - 40 * 86400)
    end
    local i = li + base
    local r = (i * 2654435761) % 4294967296
    local id = string.format('%s-G%07d', string.sub(day(created), 3),
                             i % 10000000)
    local agency = agencies[r % #agencies + 1]
    local cat = categories[math.floor(r / 7) % #categories + 1]
    local p100 = math.floor(r / 97) % 100
    local state

    if recent then
        state = OPEN[p100 % #OPEN + 1]
    elseif p100 < 87 then
        state = 'resolved'
    elseif p100 < 95 then
        state = 'rejected'
    elseif p100 < 99 then
        state = 'cancelled'
    else
        state = 'monitoring'
    end
    local life = LIFE[state]

    -- as long as the module's: the phone's SHA-256 (64 hex), the token's
    -- first 128 bits (32 hex, ngx_pa_auth.h); scale-shape.lua compares
    local phone = redis.sha1hex('phone' .. i) .. string.sub(
                      redis.sha1hex('p' .. i), 1, 24)
    local token = string.sub(redis.sha1hex('token' .. i), 1, 32)
    local text = content .. ' #' .. i

    local f = {}
    for k, v in pairs(template) do
        f[k] = v
    end
    -- (as pa_record_compat off stores it, bench_settings: no "id", the
    -- key names it; "updated_at" only once an action wrote it)
    f.status, f.category = state, cat
    f.created_at = created
    f.phone_hash, f.token_hash = phone, token
    -- the submission's idempotency proof (16 hex, ngx_pa_submit_idem.h),
    -- as pa_record_compat off stores it
    f.ik = string.sub(redis.sha1hex('ik' .. i), 1, 16)
    doc.content = text
    f.doc = cjson.encode(doc)

    -- the actions a day apart (an hour before each step's due: met); the
    -- open work's squeezed between its submission and now
    local n = #life.acts
    local step = 86400
    if recent then
        step = math.min(step, math.floor((now - created) / (n + 1)))
    end
    local function key(s)
        return string.sub(s, -1) == '@' and s .. agency or s
    end
    local h, dc = {}, {}
    local t = created
    for k, a in ipairs(life.acts) do
        t = created + k * step - 3600
        -- closed on time an hour before its due, folded as act.lua folds
        -- it (dc: "<key> <due> <done - due> <met>")
        dc[#dc + 1] = key(life.closed[k]) .. ' ' .. (t + 3600) .. ' -3600 1'
        h[#h + 1] = entry(a, t, agency)
        if a == 'dispatch' then
            f.agencies, f.lead, f.dispatched_at = ',' .. agency .. ',',
                                                  agency, t
            stat(t, agency, 'dispatched')
        elseif a == 'resolve' then
            f.resolved_at = t
            f.result = cjson.encode({agency = agency, salutation = 'Ông',
                summary = 'Đã kiểm tra, xử lý xong: vá ổ gà, hoàn trả mặt'
                          .. ' đường.', media = {}, at = t})
            f['sc:' .. agency] = 'on_time'
            stat(t, agency, 'resolved')
            stat(t, agency, 'on_time')
        elseif a == 'publish' then
            f['sc:ioc'] = 'on_time'
            stat(t, 'ioc', 'on_time')
        elseif a == 'reject' then
            f.reject_reason = entries.reject.reject_reason
        elseif a == 'forward_monitoring' then
            f.monitoring_agency = agency
        end
        f.updated_at = t
    end
    if #dc > 0 then
        f.dc = table.concat(dc, ';')
    end
    -- the steps left open: not yet due (the sweeper would have seen them);
    -- a submitted report's nearest (its first) is its q:submitted score
    -- alone, as the module files it with pa_record_compat off (the
    -- bench's)
    for k, s in ipairs(life.open) do
        s = key(s)
        f['dl:' .. s] = now + 3600 * (1 + i % 48) + (k - 1) * 4 * 86400
        if state ~= 'submitted' or k > 1 then
            redis.call('ZADD', P .. 'due', f['dl:' .. s], id .. '|' .. s)
        end
    end

    if state == 'resolved' then
        if p100 % 10 < 7 then
            f.published, f.published_at = '1', t
            redis.call('ZADD', P .. 'pub', t, id)
            redis.call('GEOADD', P .. 'geo', f.lng, f.lat, id)
        end
        if p100 % 3 == 0 then
            t = t + 3600
            f.rating, f.rated_at, f.updated_at = 'satisfied', t, t
            h[#h + 1] = entry('rate', t, agency)
            stat(t, agency, 'rating_satisfied')
        end
    end

    -- the print (ngx_pa_print.h: 4 hex bucket, fields of 128 bits): in
    -- the phone's bucket while the report is open, in its own hash once
    -- closed (lib/prints.lua)
    local print = 'c:'
        .. string.sub(redis.sha1hex(text) .. redis.sha1hex(id), 1, 32)
    if PRINT_CLOSED[state] then
        f.dp = print
    else
        redis.call('HSET', P .. 'dup:' .. string.sub(phone, 1, 4),
                   string.sub(phone, 1, 32) .. ':' .. print, id)
    end

    local flat = {}
    for k, v in pairs(f) do
        flat[#flat + 1] = k
        flat[#flat + 1] = v
    end
    redis.call('HSET', P .. 'r:' .. id, unpack(flat))
    if #h > 0 then
        redis.call('RPUSH', P .. 'h:' .. id, unpack(h))
    end

    -- an open state's one index is its work list q: (below); st: is a
    -- closed state's (escalated keeps both, as act.lua writes)
    if not Q_ONLY[state] then
        redis.call('ZADD', P .. 'st:' .. state, created, id)
    end
    -- its day's hints key, while the day is kept (submit.lua); the
    -- expiry once per key and call, below
    local day_end = (math.floor((created + 25200) / 86400) + 1) * 86400
                    - 25200
    if day_end + keep_near > now then
        local k = P .. 'near:' .. day(created)
        -- (member "<created_at><ms>|<id>", ngx_pa_duplicate.c: ms "00")
        redis.call('GEOADD', k, f.lng, f.lat, created .. '00|' .. id)
        near_ttl[k] = day_end + keep_near - now
    end
    if recent then
        local score = qscore(f)
        redis.call('ZADD', P .. 'q:' .. state, score, id)
        if f.lead then
            redis.call('ZADD', P .. 'aq:' .. agency .. ':' .. state, score,
                       id)
            redis.call('HINCRBY', P .. 'gauge', agency .. '|in_progress', 1)
        end
    end
end

for k, ttl in pairs(near_ttl) do
    redis.call('EXPIRE', k, ttl)
end

return count
