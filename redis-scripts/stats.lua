--! uses: count
-- stats.lua: the per-agency counters of a range of days, summed.
--
-- act.lua and sweep.lua count into one hash per local day (fields
-- "<owner>|<name>": dispatched, resolved, on_time, overdue,
-- extension_missed, rating_satisfied, rating_acceptable,
-- rating_unsatisfied; overdue on the day the miss was seen); the worker
-- lists the days of the range (at most 366) and turns the sums into the
-- answer (rates, flags).  O(days x fields of a day).
--
-- KEYS[1]     pa:{t}:gauge       "<agency>|in_progress" -> current count
-- KEYS[2..9]  pairs pa:{t}:q:<state>, pa:{t}:st:<state> of submitted,
--             verified, received, under_review: the reports in the IOC's
--             hands now.  q: is an open state's one index; st: holds the
--             reports of an earlier version until queue.lua merges them
--             into q: (some may be in both: counted once)
-- KEYS[10..9+n]    pa:{t}:stats:<YYYYMMDD>, one per day of the range
-- KEYS[10+n..9+2n] pa:{t}:late:<YYYYMMDD>, the same days' overdue lists
--                  (sets of "<owner>|<report id>", act.lua and sweep.lua)
--
-- Returns {{field, sum, ...}, {field, value, ...}, {member, ...}}: the
-- summed counters, the gauge as it is now ("ioc|in_progress" included),
-- and the overdue list of the range, sorted.  O(days x fields of a day +
-- the misses of the range) and eight ZCARDs (and a ZINTERCARD for an
-- old st: not merged yet).

local D = 10            -- the first day's key
local days = (#KEYS - D + 1) / 2

local sum, order = {}, {}

for k = D, D - 1 + days do
    local flat = redis.call('HGETALL', KEYS[k])
    for n = 1, #flat, 2 do
        local f = flat[n]
        if not sum[f] then
            sum[f] = 0
            order[#order + 1] = f
        end
        sum[f] = sum[f] + (tonumber(flat[n + 1]) or 0)
    end
end

local out = {}
for _, f in ipairs(order) do
    out[#out + 1] = f
    out[#out + 1] = tostring(sum[f])
end

local gauge = redis.call('HGETALL', KEYS[1])
local ioc = 0
for k = 2, D - 1, 2 do
    ioc = ioc + count(KEYS[k], KEYS[k + 1])
end
gauge[#gauge + 1] = 'ioc|in_progress'
gauge[#gauge + 1] = tostring(ioc)

local late, seen = {}, {}
for k = D + days, D - 1 + 2 * days do
    for _, m in ipairs(redis.call('SMEMBERS', KEYS[k])) do
        if not seen[m] then
            seen[m] = true
            late[#late + 1] = m
        end
    end
end
table.sort(late)

return {out, gauge, late}
