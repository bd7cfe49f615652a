-- lib/prints.lua: a report's duplicate prints parked in its record while
-- it is closed (act.lua, sweep.lua; docs/data-model.md, issue 12.4).  A
-- library of the prelude (README.md here): comments on their own lines.
--
-- A print in its phone's bucket dup:<4 hex> (ngx_pa_print.h) names a
-- duplicate only while its report is open: submit.lua gives a closed
-- report's print to the new one.  Kept in the buckets, the prints of ten
-- years of closed reports made every bucket a listpack of ~15 fields at a
-- million reports (~1 at ten thousand) that each submission scanned and
-- grew.  So a report that closes takes its prints out of the bucket into
-- its own hash ("dp": the prints "<c|m>:<32 hex>", space separated; the
-- field is the phone hash's 32 hex, ":" and the print), and one that opens
-- again (reopen, a dispatch from escalated) puts them back with HSETNX: a
-- print the bucket has meanwhile is a newer report's, which had taken it
-- over in the bucket too.  The buckets then hold the open work's prints.
--
-- That newer report may still be open: two open reports of one phone and
-- one text, the bucket naming one.  The other keeps the print in its
-- "dp" (while open: the prints it waits for) and is named in the
-- holder's "dh" ("<id>=<print>", space separated), so the print passes to
-- it when the holder closes, instead of leaving the bucket while an open
-- report still has it (a duplicate accepted).
--
-- The states in which a report's print is no duplicate (submit.lua's)
local PRINT_CLOSED = {resolved = true, rejected = true, cancelled = true,
                      monitoring = true, escalated = true}
-- The bucket of a phone hash: built from the report key's prefix (the
-- same slot: only the stored report names it, as submit.lua's exception)
local function print_bucket(R, phone)
    return string.match(R, '^(.-}:)') .. 'dup:' .. string.sub(phone, 1, 4)
end
-- The print p of report id (key R, hash h) passes to the first of its
-- heirs ("dh") still open and waiting for it (p in its "dp"), with the
-- other heirs of p: returns that heir's id, or nil
local function prints_pass(R, id, h, bucket, field, p)
    if not h.dh then
        return nil
    end
    local prefix = string.match(R, '^(.-}:)')
    local heirs, to = {}, nil
    for x, q in string.gmatch(h.dh, '(%S+)=(%S+)') do
        if q == p and x ~= id then
            heirs[#heirs + 1] = x
        end
    end
    for k = 1, #heirs do
        local XR = prefix .. 'r:' .. heirs[k]
        local x = redis.call('HMGET', XR, 'status', 'dp', 'dh')
        local wait = ' ' .. (x[2] or '') .. ' '
        local at, last = string.find(wait, ' ' .. p .. ' ', 1, true)
        if to == nil and at and x[1] and not PRINT_CLOSED[x[1]] then
            to = heirs[k]
            redis.call('HSET', bucket, field, to)
            wait = string.sub(wait, 1, at) .. string.sub(wait, last + 1)
            local dh = {}
            if x[3] and x[3] ~= '' then
                dh[1] = x[3]
            end
            for j = 1, #heirs do
                if j ~= k then
                    dh[#dh + 1] = heirs[j] .. '=' .. p
                end
            end
            local left = string.match(wait, '^%s*(.-)%s*$')
            if left == '' then
                redis.call('HDEL', XR, 'dp')
            else
                redis.call('HSET', XR, 'dp', left)
            end
            if #dh > 0 then
                redis.call('HSET', XR, 'dh', table.concat(dh, ' '))
            end
        end
    end
    return to
end
-- The prints of report id (key R, hash h as stored) leave its bucket,
-- or pass to an open heir: returns the value of "dp" to set, or nil when
-- it has none there.  Its "dh" goes: its heirs had their turn.
local function prints_park(R, id, h)
    if not h.phone_hash or #h.phone_hash < 32 then
        return nil
    end
    local bucket = print_bucket(R, h.phone_hash)
    local own = string.sub(h.phone_hash, 1, 32) .. ':'
    local f = redis.call('HGETALL', bucket)
    local mine, gone = {}, {}
    for k = 1, #f, 2 do
        if f[k + 1] == id and string.sub(f[k], 1, 33) == own then
            local p = string.sub(f[k], 34)
            mine[#mine + 1] = p
            if not prints_pass(R, id, h, bucket, f[k], p) then
                gone[#gone + 1] = f[k]
            end
        end
    end
    if h.dh then
        redis.call('HDEL', R, 'dh')
    end
    if #mine == 0 then
        return nil
    end
    if #gone > 0 then
        redis.call('HDEL', bucket, unpack(gone))
    end
    if h.dp and h.dp ~= '' then
        mine[#mine + 1] = h.dp
    end
    return table.concat(mine, ' ')
end
-- The parked prints of report id go back to its bucket.  One a newer
-- open report holds stays in "dp", this report its heir; one a closed
-- report still holds (parked by no one: written before lib/prints.lua)
-- is this one's.  Returns what "dp" keeps ('': nothing)
local function prints_unpark(R, id, h)
    if not h.dp or not h.phone_hash then
        return nil
    end
    local prefix = string.match(R, '^(.-}:)')
    local bucket = print_bucket(R, h.phone_hash)
    local own = string.sub(h.phone_hash, 1, 32) .. ':'
    local keep = {}
    for p in string.gmatch(h.dp, '%S+') do
        if redis.call('HSETNX', bucket, own .. p, id) == 0 then
            local other = redis.call('HGET', bucket, own .. p)
            local OR = prefix .. 'r:' .. other
            local x = redis.call('HMGET', OR, 'status', 'dh')
            if other ~= id and x[1] and not PRINT_CLOSED[x[1]] then
                keep[#keep + 1] = p
                local heir = id .. '=' .. p
                local dh = ' ' .. (x[2] or '') .. ' '
                if not string.find(dh, ' ' .. heir .. ' ', 1, true) then
                    redis.call('HSET', OR, 'dh',
                               string.match(dh .. heir, '^%s*(.-)$'))
                end
            elseif other ~= id then
                redis.call('HSET', bucket, own .. p, id)
            end
        end
    end
    return table.concat(keep, ' ')
end
