-- limit.lua: the cluster-wide edge rate limit of one client address (GCRA).
--
-- Every nginx node of the province counts against the same buckets: one
-- key per address, one field per rule holding the rule's theoretical
-- arrival time (TAT, microseconds on this Redis server's clock, so the
-- nodes' clocks do not matter).  A rule allows 1 + burst requests at once,
-- then one per interval.  A request is counted only when every rule allows
-- it; a refused request changes nothing.  O(rules): at most 8.
--
-- KEYS[1]  pa:{t}:rl:addr:<address>   hash "<interval>:<tolerance>" -> TAT
--
-- ARGV     one pair per rule: interval (us between two requests),
--          tolerance (burst * interval, us)
--
-- Returns {1, 0} (allowed) or {0, <ms until a request is allowed>}.
-- The key expires when every bucket is empty again.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])

local n = #ARGV / 2
local fields, tats = {}, {}

for i = 1, n do
    fields[i] = ARGV[2 * i - 1] .. ':' .. ARGV[2 * i]
end

local stored = redis.call('HMGET', KEYS[1], unpack(fields))
local wait = 0

for i = 1, n do
    -- a missing field (false) is an empty bucket
    local tat = tonumber(stored[i]) or now
    if tat < now then
        tat = now
    end

    local w = tat - now - tonumber(ARGV[2 * i])
    if w > wait then
        wait = w
    end

    tats[i] = tat + tonumber(ARGV[2 * i - 1])
end

if wait > 0 then
    return {0, math.ceil(wait / 1000)}
end

local args, ttl = {}, 0

for i = 1, n do
    -- %.0f: tostring() would keep only 14 digits of a 16-digit TAT
    args[2 * i - 1] = fields[i]
    args[2 * i] = string.format('%.0f', tats[i])

    if tats[i] - now > ttl then
        ttl = tats[i] - now
    end
end

redis.call('HSET', KEYS[1], unpack(args))
redis.call('PEXPIRE', KEYS[1], math.ceil(ttl / 1000))

return {1, 0}
