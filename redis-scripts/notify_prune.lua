-- notify_prune.lua: remove the consumers of one webhook target's group
-- that have nothing pending and have not read for a while.
--
-- Each worker 0 that starts (a node, a reload, a restart) reads under a
-- new consumer name; without this the group keeps every name it ever
-- had.  A consumer with entries pending is left alone: XGROUP
-- DELCONSUMER would drop them, and they wait for XAUTOCLAIM.  Checking
-- and removing in one script, no read can slip in between.  A live node
-- removed by mistake loses nothing: its next XREADGROUP makes it again.
--
-- KEYS[1]  pa:{t}:events                 the stream
--
-- ARGV[1]  consumer group ("notify:<target>"), ARGV[2] the caller's own
--          consumer name (kept), ARGV[3] min idle (ms)
--
-- Returns the number of consumers removed.

local group, me, idle = ARGV[1], ARGV[2], tonumber(ARGV[3])
local removed = 0

for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], group)) do
    local f = {}
    for i = 1, #c, 2 do
        f[c[i]] = c[i + 1]
    end
    if f['name'] ~= me and f['pending'] == 0 and f['idle'] > idle then
        redis.call('XGROUP', 'DELCONSUMER', KEYS[1], group, f['name'])
        removed = removed + 1
    end
end

return removed
