-- lib/late.lua: the worker's deadline for this call has passed.  A
-- worker answers 503 when a reply does not come in time (pa_redis
-- timeout=) and closes the connection, but the call may still sit in
-- Redis's socket buffer (Redis stopped, swapping, a long fork) and run
-- later: a write the client was told is not kept.  So a writing script
-- takes a deadline in Redis's own clock, milliseconds (the worker reads
-- Redis's TIME and keeps the offset: ngx_pa_rclock.c; half the reply
-- timeout after the oldest call waiting on the connection was sent) and
-- writes nothing once it has passed.  dl nil or "" (a caller without a
-- clock, a bench's replay): no deadline.  A library of the prelude
-- (README.md here): comments on their own lines.
local function call_late(dl)
    if dl == nil or dl == '' then
        return false
    end
    local t = redis.call('TIME')
    return t[1] * 1000 + math.floor(t[2] / 1000) > tonumber(dl)
end
-- the error a late call gets (the worker answers 503: nothing was kept)
local CALL_LATE = 'LATE the call came after its deadline: nothing written'
