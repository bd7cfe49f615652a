-- lib/record.lua: a report's hash as its readers know it.  A report
-- stored since issue 12's fields cut keeps no "id" field (its key
-- r:<id> names it: two arguments of every submission, and its bytes);
-- an older one has it.  Every script that hands a report's hash on (to
-- the worker, or to its own rules) reads it through these, so both
-- forms read the same.  A library of the prelude (README.md here):
-- comments on their own lines.
--
-- A report's "phone_hash" went into "doc" with the same cut: phone_of()
-- and record_phone() read it from either place.
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

-- the reporter's phone hash of a report's fields h (name -> value): a
-- hash field before the fields cut, in "doc" since (a JSON decode: the
-- rare rules only, comments and violations); '' without one
local function phone_of(h)
    if h.phone_hash then
        return h.phone_hash
    end
    local ok, d = pcall(cjson.decode, h.doc or '')
    if ok and type(d) == 'table' and type(d.phone_hash) == 'string' then
        return d.phone_hash
    end
    return ''
end

-- record(key) with "phone_hash" among the fields too (the retention's
-- archive and its cleanup of the phone's duplicate prints)
local function record_phone(key)
    local flat = record(key)
    local h = {}
    for k = 1, #flat, 2 do
        h[flat[k]] = flat[k + 1]
    end
    if #flat > 0 and not h.phone_hash then
        local ph = phone_of(h)
        if ph ~= '' then
            flat[#flat + 1] = 'phone_hash'
            flat[#flat + 1] = ph
        end
    end
    return flat
end
