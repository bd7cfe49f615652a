-- notify_read.lua: the next new entry of the events stream for one
-- webhook target's consumer group (XREADGROUP ">"), and the entries the
-- group lost: trimmed from the stream (MAXLEN) before any node read them.
--
-- A group that lags by more than the stream holds (a target down for
-- days, removed from the configuration and added again) would otherwise
-- skip those events without a word: XREADGROUP simply goes on from the
-- oldest entry left.  They are counted here, before the read that would
-- step over them, once: the group's read counter is then set to what the
-- stream lost, so the next read finds no gap.
--
-- The count needs Redis 7's entries-read; a group that has never read
-- (its counter unknown) reports no loss.
--
-- KEYS[1]  pa:{t}:events                 the stream
--
-- ARGV[1]  consumer group ("notify:<target>"), ARGV[2] consumer name
--
-- Returns {lost, XREADGROUP's answer (nil: nothing new)}.

local group = ARGV[1]
local lost = 0

-- the group's place: last-delivered-id, entries-read, lag
local last, read, lag
for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
    local f = {}
    for i = 1, #g, 2 do
        f[g[i]] = g[i + 1]
    end
    if f['name'] == group then
        last, read, lag = f['last-delivered-id'], f['entries-read'], f['lag']
        break
    end
end

local function before(a, b)
    local ams, aseq = string.match(a, '^(%d+)-(%d+)$')
    local bms, bseq = string.match(b, '^(%d+)-(%d+)$')
    ams, bms = tonumber(ams), tonumber(bms)
    return ams < bms or (ams == bms and tonumber(aseq) < tonumber(bseq))
end

if last and type(read) == 'number' and type(lag) == 'number' and lag > 0 then
    local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]

    -- every entry left is newer than the group's place: what it has not
    -- read and the stream no longer holds was trimmed away unread
    if first and before(last, first[1]) then
        local len = redis.call('XLEN', KEYS[1])
        if lag > len then
            lost = lag - len
            redis.call('XGROUP', 'SETID', KEYS[1], group, last,
                       'ENTRIESREAD', read + lost)
        end
    end
end

local r = redis.call('XREADGROUP', 'GROUP', group, ARGV[2], 'COUNT', 1,
                     'STREAMS', KEYS[1], '>')
return {lost, r}
