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
-- The states in which a report's print is no duplicate (submit.lua's)
local PRINT_CLOSED = {resolved = true, rejected = true, cancelled = true,
                      monitoring = true, escalated = true}
-- The bucket of a phone hash: built from the report key's prefix (the
-- same slot: only the stored report names it, as submit.lua's exception)
local function print_bucket(R, phone)
    return string.match(R, '^(.-}:)') .. 'dup:' .. string.sub(phone, 1, 4)
end
-- The prints of report id (key R, hash h as stored) leave its bucket:
-- returns the value of "dp" to set, or nil when it has none there
local function prints_park(R, id, h)
    if not h.phone_hash or #h.phone_hash < 32 then
        return nil
    end
    local bucket = print_bucket(R, h.phone_hash)
    local own = string.sub(h.phone_hash, 1, 32) .. ':'
    local f = redis.call('HGETALL', bucket)
    local mine = {}
    for k = 1, #f, 2 do
        if f[k + 1] == id and string.sub(f[k], 1, 33) == own then
            mine[#mine + 1] = f[k]
        end
    end
    if #mine == 0 then
        return nil
    end
    redis.call('HDEL', bucket, unpack(mine))
    for k = 1, #mine do
        mine[k] = string.sub(mine[k], 34)
    end
    if h.dp and h.dp ~= '' then
        mine[#mine + 1] = h.dp
    end
    return table.concat(mine, ' ')
end
-- The parked prints of report id go back to its bucket, unless a newer
-- report holds one; the caller removes "dp"
local function prints_unpark(R, id, h)
    if not h.dp or not h.phone_hash then
        return
    end
    local bucket = print_bucket(R, h.phone_hash)
    local own = string.sub(h.phone_hash, 1, 32) .. ':'
    for p in string.gmatch(h.dp, '%S+') do
        redis.call('HSETNX', bucket, own .. p, id)
    end
end
