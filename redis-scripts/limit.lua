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
--          (or rl:phone:<phone hash>:<address>, rl:o311:<client>)
-- KEYS[2]  (a submission's limit only: a phone's, an Open311 client's)
--          the same key and ":s": the submissions counted (zset:
--          identity -> when, us), a day
--
-- ARGV     one pair per rule: interval (us between two requests),
--          tolerance (burst * interval, us); then, with KEYS[2], the
--          submission's identity (its idempotency key's digest)
--
-- A submission counted once is not counted again for a day: its retry
-- (after a 503, a timeout, a lost answer) is allowed at once, and
-- submit.lua answers it with the report it stored, never a 429 for a
-- report that was kept.  Another submission still spends the bucket.
--
-- Returns {1, 0} (allowed) or {0, <ms until a request is allowed>}.
-- The key expires when every bucket is empty again.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])

local n = math.floor(#ARGV / 2)
local fields, tats = {}, {}
local seen, who = KEYS[2], ARGV[2 * n + 1]
local DAY = 86400000000

if seen then
    redis.call('ZREMRANGEBYSCORE', seen, '-inf', now - DAY)
    if redis.call('ZSCORE', seen, who) then
        return {1, 0}
    end
end

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

if seen then
    redis.call('ZADD', seen, now, who)
    redis.call('PEXPIRE', seen, DAY / 1000)
end

return {1, 0}
