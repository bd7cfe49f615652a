-- lib/count.lua: the reports of a state.  An open state's one index is
-- q: (act.lua, submit.lua); its st: holds only the reports an earlier
-- version wrote there, until queue.lua (the IOC's states) or sweep.lua
-- (the agencies', a batch a sweep) merges them into q: (some may be in
-- both: counted once).  A closed state passes its st: twice.  (stats.lua,
-- metrics.lua.)  A library of the prelude (README.md here): comments on
-- their own lines.
local function count(q, st)
    local n = redis.call('ZCARD', q)
    if st ~= q then
        local old = redis.call('ZCARD', st)
        if old > 0 then
            n = n + old - redis.call('ZINTERCARD', 2, q, st)
        end
    end
    return n
end
