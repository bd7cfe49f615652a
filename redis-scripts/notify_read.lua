-- notify_read.lua: the next new entry of the events stream for one
-- webhook target's consumer group (XREADGROUP ">"), and the entries the
-- group lost: trimmed from the stream (MAXLEN) before any node read them.
--
-- A group that lags by more than the stream holds (a target down for
-- days, removed from the configuration and added again) would otherwise
-- skip those events without a word: XREADGROUP simply goes on from the
-- oldest entry left.  A gap can only be stepped over by reading the
-- stream's first entry; then Redis 7's counters tell how many entries
-- before it the group never read (entries-read counts the group's own
-- reads, entries-added every entry ever added).  The group's counter is
-- then moved past them, so they are counted once.
--
-- Polls that find nothing cost one XREADGROUP; a read that is not of the
-- stream's first entry one XRANGE more.  A group whose counter Redis
-- does not know (it never read) reports no loss.
--
-- KEYS[1]  pa:{t}:events                 the stream
--
-- ARGV[1]  consumer group ("notify:<target>"), ARGV[2] consumer name
--
-- Returns {lost, XREADGROUP's answer (nil: nothing new)}.

local group = ARGV[1]

local r = redis.call('XREADGROUP', 'GROUP', group, ARGV[2], 'COUNT', 1,
                     'STREAMS', KEYS[1], '>')
if not r then
    return {0, r}
end

local id = r[1][2][1][1]
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
if not first or first[1] ~= id then
    return {0, r}
end

-- the group's read counter and lag, now that it has read the first entry
local read, lag
for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
    local f = {}
    for i = 1, #g, 2 do
        f[g[i]] = g[i + 1]
    end
    if f['name'] == group then
        read, lag = f['entries-read'], f['lag']
        break
    end
end

local lost = 0
if type(read) == 'number' and type(lag) == 'number' then
    -- every entry left after this one is unread; the rest of the lag is
    -- what was added and trimmed before the group got to it
    lost = lag - (redis.call('XLEN', KEYS[1]) - 1)
    if lost > 0 then
        redis.call('XGROUP', 'SETID', KEYS[1], group, id,
                   'ENTRIESREAD', read + lost)
    else
        lost = 0
    end
end

return {lost, r}
