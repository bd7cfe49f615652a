-- upload_get.lua: the pre-upload handles a request names, read at once
-- (HEAD/GET/PATCH of one handle, a submission binding several).
--
-- Read only: the worker decides (owner, expiry, state); submit.lua binds
-- atomically, so a handle read here may still be refused there.
--
-- KEYS[1..n]  pa:{t}:up:<handle>
--
-- Returns one array per key: its fields and values (HGETALL), empty when
-- the key is gone.

local out = {}

for k = 1, #KEYS do
    out[k] = redis.call('HGETALL', KEYS[k])
end

return out
