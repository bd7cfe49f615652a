-- metrics.lua: what GET /metrics reads from Redis at scrape time.
--
-- Read only and O(states + agencies): one ZCARD per state, the gauge
-- and today's counters (one field per agency and counter), one ZCOUNT.
-- Nothing is written, so a scrape every few seconds costs the province
-- no more than a few small reads.
--
-- KEYS[1]     pa:{t}:gauge         "<agency>|in_progress" -> current count
-- KEYS[2]     pa:{t}:sweep:last    when the sweeper last ran (sweep.lua)
-- KEYS[3]     pa:{t}:due           open deadlines "<id>|<key>" -> due
-- KEYS[4]     pa:{t}:stats:<YYYYMMDD>  today's counters (local day):
--                                  "<owner>|overdue" among them
-- KEYS[5..]   pa:{t}:st:<state>    one per state the worker names
--
-- ARGV[1]     now (epoch seconds): a deadline has passed when now > due
--
-- Returns {{count per st: key, in KEYS order}, {gauge field, value, ...},
-- last sweep (epoch) or "", passed deadlines the sweeper has not seen
-- yet, {"<owner>", overdue today, ...}}.

local now = tonumber(ARGV[1])

local states = {}
for k = 5, #KEYS do
    states[#states + 1] = redis.call('ZCARD', KEYS[k])
end

local gauge = redis.call('HGETALL', KEYS[1])
local last = redis.call('GET', KEYS[2]) or ''
local unswept = redis.call('ZCOUNT', KEYS[3], '-inf', '(' .. now)

local overdue = {}
local flat = redis.call('HGETALL', KEYS[4])
for n = 1, #flat, 2 do
    local owner = string.match(flat[n], '^(.+)|overdue$')
    if owner then
        overdue[#overdue + 1] = owner
        overdue[#overdue + 1] = flat[n + 1]
    end
end

return {states, gauge, last, unswept, overdue}
