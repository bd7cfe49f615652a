-- upload_set.lua: bytes appended to a resumable pre-upload (PATCH
-- /api/v1/media/<handle>), and the handle completed with its media's
-- fields when the last byte came.
--
-- The worker wrote the bytes at ARGV[2] first; the offset moves only if
-- it still is ARGV[2] (two PATCHes racing at one offset: one wins, the
-- other is told the offset again).
--
-- KEYS[1]  pa:{t}:up:<handle>   the handle (upload_create.lua)
--
-- ARGV[1]  owner (keyed hash)
-- ARGV[2]  the offset the bytes were written at
-- ARGV[3]  the new offset
-- then     field, value pairs set with it (state complete, the media's)
--
-- Returns 1, or an error: "not_found" (no such handle, or not the
-- caller's), "offset <current>" (moved meanwhile), "complete".

local h = redis.call('HMGET', KEYS[1], 'owner', 'offset', 'state')

if h[1] ~= ARGV[1] then
    return redis.error_reply('not_found')
end

if h[3] ~= 'partial' then
    return redis.error_reply('complete')
end

if h[2] ~= ARGV[2] then
    return redis.error_reply('offset ' .. tostring(h[2]))
end

redis.call('HSET', KEYS[1], 'offset', ARGV[3], unpack(ARGV, 4))

return 1
