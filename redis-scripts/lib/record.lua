-- lib/record.lua: a report's hash as its readers know it.  A report
-- stored since issue 12's fields cut keeps no "id" field (its key
-- r:<id> names it: two arguments of every submission, and its bytes);
-- an older one has it.  Every script that hands a report's hash on (to
-- the worker, or to its own rules) reads it through these, so both
-- forms read the same.  A library of the prelude (README.md here):
-- comments on their own lines.
--
-- the id a report key r:<id> names
local function rid(key)
    return string.match(key, '^.-}:r:(.*)$')
end

-- HGETALL of a report key, "id" first among the fields when the record
-- does not hold it (as submit.lua wrote it before); {} when there is no
-- such report
local function record(key)
    local flat = redis.call('HGETALL', key)
    if #flat == 0 then
        return flat
    end
    for k = 1, #flat, 2 do
        if flat[k] == 'id' then
            return flat
        end
    end
    table.insert(flat, 1, rid(key))
    table.insert(flat, 1, 'id')
    return flat
end
