-- orphan_refs.lua: one page of the media every report references, for the
-- orphan sweep of the media store (ngx_pa_orphan.c).  Read only.
--
-- The sweep marks every blob a report names, then removes from the store
-- the blobs older than the grace period that none names.  SCAN, not an
-- index's pages: a report present during the whole walk is returned at
-- least once whatever is added or removed meanwhile (an index read by
-- offset would skip one when another leaves it, and its blobs would go).
-- A report stored after the walk began has blobs newer than its start:
-- the sweep keeps those anyway.
--
-- KEYS[1]  pa:{t}:all: only its hash-tagged prefix "pa:{t}:" is used
--
-- ARGV[1]  SCAN cursor ("0" to begin)
-- ARGV[2]  SCAN COUNT
--
-- Keys not in KEYS (the exception): the pa:{t}:r:<id> hashes SCAN finds;
-- nobody can name them before.  Their fields media and result are read.
--
-- Returns {next cursor ("0": the walk is over), media, result, ...}, ""
-- for a field the report does not have.

local prefix = string.match(KEYS[1], '^(.-}:)')
local page = redis.call('SCAN', ARGV[1], 'MATCH', prefix .. 'r:*',
                        'COUNT', tonumber(ARGV[2]), 'TYPE', 'hash')

local out = {page[1]}
for _, key in ipairs(page[2]) do
    local v = redis.call('HMGET', key, 'media', 'result')
    out[#out + 1] = v[1] or ''
    out[#out + 1] = v[2] or ''
end

return out
