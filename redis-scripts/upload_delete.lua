-- upload_delete.lua: a pre-upload given up by its uploader (DELETE
-- /api/v1/media/<handle>: a photo removed from the form), so that it no
-- longer counts against the address's cap; the worker removes its file.
--
-- KEYS[1]  pa:{t}:up:<handle>   the handle (upload_create.lua)
-- KEYS[2]  pa:{t}:upa:<addr>    the caller's address's open handles
--
-- ARGV[1]  owner (keyed hash)
-- ARGV[2]  handle
-- ARGV[3]  "1": the caller came without a token, so it may give up any
--          upload made without one (owner == addr), whatever address it
--          came from then; "0" (or absent): only its own
--
-- Returns 1, or an error: "not_found" (no such handle, or not the
-- caller's), "bound" (it is a report's media now: it stays).
--
-- From another address than the upload's, KEYS[2] does not hold it: its
-- entry in its own address's cap dies with its expiry (upload_create.lua
-- drops dead ones).

local h = redis.call('HMGET', KEYS[1], 'owner', 'report', 'addr')

if not h[1] or (h[1] ~= ARGV[1]
                and not (ARGV[3] == '1' and h[1] == h[3])) then
    return redis.error_reply('not_found')
end

if h[2] and h[2] ~= '' then
    return redis.error_reply('bound')
end

redis.call('DEL', KEYS[1])
redis.call('HDEL', KEYS[2], ARGV[2])

return 1
