-- scale-gen.lua: loads reports into Redis in the module's data layout
-- (docs/data-model.md), for bench/scale.sh.  Run with EVAL in batches.
--
-- A bench tool, not one of the module's scripts: it writes thousands of
-- keys per call, all under KEYS[1]'s hash-tagged prefix (one slot), and
-- declares only that prefix key.
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
-- ARGV[8]  a history entry of a real submission (JSON)
-- ARGV[9]  added to the report number in ids (a second load's are new)
-- ARGV[10] the last this many reports of the load are the open work, one
--          every 3 hours before now (at most 320: 40 days); the first load
--          brings it, the second (0) only history ending 40 days ago, so
--          both sizes have the same open work and the same last 30 days
-- then     field, value pairs of a real report as submit.lua stored it:
--          every generated report has its fields, with its own id, times,
--          status, phone and token hashes and text (in its "doc" when the
--          template has one: the lean layout, ngx_pa_doc.h, whose first
--          history entry, the submission's, is implied by the record)
--
-- States, like a province's ten years: the open work (submitted ...
-- in_progress, escalated) is recent; before it 87% resolved (70% of those
-- published), 8% rejected, 4% cancelled, 1% monitoring (an escalated
-- report gets its direction back as a dispatch: none stays for years).
-- Each report gets what act.lua would have written on the way: agencies,
-- lead, deadlines (dl: open, dc closed), result, rating, history entries,
-- and the indexes (st:, dup: buckets, pub, geo, aq:, due, near, stats:).

local P = string.match(KEYS[1], '^(.-}:)')
local first, count, total = tonumber(ARGV[1]), tonumber(ARGV[2]),
                            tonumber(ARGV[3])
local now, span = tonumber(ARGV[4]), tonumber(ARGV[5])

local agencies, categories = {}, {}
for a in string.gmatch(ARGV[6], '([^,]+)') do agencies[#agencies + 1] = a end
for c in string.gmatch(ARGV[7], '([^,]+)') do
    categories[#categories + 1] = c
end
local entry = cjson.decode(ARGV[8])
local base = tonumber(ARGV[9])
local open_n = tonumber(ARGV[10])

local template = {}
for k = 11, #ARGV, 2 do
    template[ARGV[k]] = ARGV[k + 1]
end
local doc = template.doc and cjson.decode(template.doc)
local content = doc and doc.content or template.content

local OPEN = {'submitted', 'verified', 'received', 'dispatched',
              'in_progress', 'escalated'}
local STEPS = {'verify', 'receive', 'dispatch', 'accept@', 'resolve@',
               'publish'}

local function hist(id, list)
    local h = {}
    for _, a in ipairs(list) do
        -- a lean record implies the submission's entry
        if not (doc and a == 'submit') then
            entry.action = a
            h[#h + 1] = cjson.encode(entry)
        end
    end
    if #h > 0 then
        redis.call('RPUSH', P .. 'h:' .. id, unpack(h))
    end
end

local function day(t)
    -- local (UTC+7) YYYYMMDD, civil from days (H. Hinnant)
    local z = math.floor((t + 25200) / 86400) + 719468
    local era = math.floor(z / 146097)
    local doe = z - era * 146097
    local yoe = math.floor((doe - math.floor(doe / 1460)
                            + math.floor(doe / 36524)
                            - math.floor(doe / 146096)) / 365)
    local y = yoe + era * 400
    local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
    local mp = math.floor((5 * doy + 2) / 153)
    local d = doy - math.floor((153 * mp + 2) / 5) + 1
    local m = mp < 10 and mp + 3 or mp - 9
    if m <= 2 then y = y + 1 end
    return string.format('%04d%02d%02d', y, m, d)
end

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

    local phone = redis.sha1hex('phone' .. i) .. string.sub(
                      redis.sha1hex('p' .. i), 1, 24)
    local token = redis.sha1hex('token' .. i) .. string.sub(
                      redis.sha1hex('t' .. i), 1, 24)
    local text = content .. ' #' .. i

    local f = {}
    for k, v in pairs(template) do
        f[k] = v
    end
    f.id, f.status, f.category = id, state, cat
    f.created_at, f.updated_at = created, created
    f.phone_hash, f.token_hash = phone, token
    if doc then
        doc.content = text
        f.doc = cjson.encode(doc)
    else
        f.content, f.content_original = text, text
    end

    local lead = ''
    local steps = 0
    if state == 'resolved' or state == 'escalated' or state == 'monitoring'
        or state == 'dispatched' or state == 'in_progress' then
        lead = agency
        f.agencies, f.lead = ',' .. agency .. ',', agency
        steps = (state == 'dispatched' and 3) or (state == 'in_progress' and 4)
                or 6
    elseif state == 'rejected' then
        f.reject_reason = 'not_in_scope'
        steps = 1
    elseif state == 'verified' then
        steps = 1
    elseif state == 'received' then
        steps = 2
    end

    -- the deadlines passed on the way, met, folded into "dc" as act.lua
    -- folds them (ngx_pa_closed.h); the next one open
    local t = created
    local closed = {}
    for s = 1, math.min(steps + (recent and 1 or 0), #STEPS) do
        local key = STEPS[s]
        if string.sub(key, -1) == '@' then
            key = key .. (lead ~= '' and lead or agency)
        end
        t = t + 86400
        if s <= steps then
            closed[#closed + 1] = key .. ' ' .. t .. ' -3600 1'
        else
            f['dl:' .. key] = t
            redis.call('ZADD', P .. 'due', t, id .. '|' .. key)
        end
    end
    if #closed > 0 then
        f.dc = table.concat(closed, ';')
    end
    if steps > 0 and not recent then
        f.updated_at = t
    end

    local actions = {'submit'}
    if state == 'resolved' then
        f.resolved_at = t - 7200
        f.result = cjson.encode({agency = agency, salutation = 'Ông',
            summary = 'Đã kiểm tra, xử lý xong: vá ổ gà, hoàn trả mặt đường.',
            media = {}, at = t - 7200})
        local pub = p100 % 10 < 7
        f.published = pub and '1' or '0'
        if pub then
            f.published_at = t
            redis.call('ZADD', P .. 'pub', t, id)
            redis.call('GEOADD', P .. 'geo', f.lng, f.lat, id)
        end
        if p100 % 3 == 0 then
            f.rating = 'satisfied'
        end
        actions = {'submit', 'verify', 'receive', 'dispatch', 'accept',
                   'resolve', 'publish'}
        redis.call('HINCRBY', P .. 'stats:' .. day(f.resolved_at),
                   agency .. '|resolved', 1)
        redis.call('HINCRBY', P .. 'stats:' .. day(f.resolved_at),
                   agency .. '|on_time', 1)
    elseif state == 'rejected' or state == 'cancelled' then
        actions = {'submit', state == 'rejected' and 'reject' or 'cancel'}
    elseif state == 'dispatched' or state == 'in_progress'
        or state == 'escalated' or state == 'monitoring' then
        actions = {'submit', 'verify', 'receive', 'dispatch'}
    end
    if lead ~= '' then
        redis.call('HINCRBY', P .. 'stats:' .. day(created + 3 * 86400),
                   agency .. '|dispatched', 1)
    end

    local flat = {}
    for k, v in pairs(f) do
        flat[#flat + 1] = k
        flat[#flat + 1] = v
    end
    redis.call('HSET', P .. 'r:' .. id, unpack(flat))
    hist(id, actions)

    redis.call('ZADD', P .. 'st:' .. state, created, id)
    -- the token names its report (no tok:); the prints in the phone's
    -- bucket (ngx_pa_print.h)
    redis.call('HSET', P .. 'dup:' .. string.sub(phone, 1, 4),
               string.sub(phone, 1, 32) .. ':c:'
               .. string.sub(redis.sha1hex(text) .. redis.sha1hex(id), 1, 32),
               id)
    if recent then
        redis.call('GEOADD', P .. 'near', f.lng, f.lat, id)
        redis.call('ZADD', P .. 'near:at', created, id)
        if lead ~= '' then
            redis.call('ZADD', P .. 'aq:' .. agency .. ':' .. state, created,
                       id)
            redis.call('HINCRBY', P .. 'gauge', agency .. '|in_progress', 1)
        end
    end
end

return count
