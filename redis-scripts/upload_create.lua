-- upload_create.lua: a media pre-upload handle is opened (POST /api/v1/media).
--
-- A handle is a random 128-bit name the uploader alone learns; it is tied
-- to its owner (a keyed hash of the signed-in reporter, else of the
-- client's address) and counted against the uploading address's cap of
-- open handles and bytes, so a pre-upload is no free storage service.
-- The address's list is bounded by the cap: the loop is O(cap).
--
-- KEYS[1]  pa:{t}:up:<handle>   the handle (hash): owner, addr, length,
--                               offset, state (partial | complete),
--                               created, expires, report (once bound) and,
--                               complete, the media's fields (sha, type,
--                               size, flags, t, toff, lat, lng, sw)
-- KEYS[2]  pa:{t}:upa:<addr>    the address's open handles (hash):
--                               handle -> "<expires> <length>"
--
-- ARGV[1]  handle
-- ARGV[2]  now (epoch seconds)
-- ARGV[3]  expires (epoch seconds): unbound after it, the handle is dead
-- ARGV[4]  seconds the key is kept (past expires: "expired", not unknown)
-- ARGV[5]  max open handles of an address, ARGV[6] max bytes of them
-- ARGV[7]  length (bytes announced, or the whole file's size)
-- then     field, value pairs of the handle (owner, addr, state, ...)
--
-- Returns 1, or an error "upload_limit" (the address is at its cap).

local now = tonumber(ARGV[2])
local length = tonumber(ARGV[7])
local open = redis.call('HGETALL', KEYS[2])
local n, bytes = 0, 0

for k = 1, #open, 2 do
    local exp, len = string.match(open[k + 1], '^(%d+) (%d+)$')
    if exp == nil or tonumber(exp) <= now then
        redis.call('HDEL', KEYS[2], open[k])
    else
        n = n + 1
        bytes = bytes + tonumber(len)
    end
end

if n + 1 > tonumber(ARGV[5]) or bytes + length > tonumber(ARGV[6]) then
    return redis.error_reply('upload_limit')
end

redis.call('HSET', KEYS[1], 'created', ARGV[2], 'expires', ARGV[3],
           'length', ARGV[7], unpack(ARGV, 8))
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3] .. ' ' .. ARGV[7])
redis.call('EXPIRE', KEYS[2], ARGV[4])

return 1
