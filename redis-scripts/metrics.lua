--! uses: count
-- metrics.lua: what GET /metrics reads from Redis at scrape time.
--
-- Read only and O(states + agencies): a ZCARD or two per state, the gauge
-- and today's counters (one field per agency and counter), one ZCOUNT.
-- Nothing is written, so a scrape every few seconds costs the province
-- no more than a few small reads.
--
-- KEYS[1]     pa:{t}:gauge         "<agency>|in_progress" -> current count
-- KEYS[2]     pa:{t}:sweep:last    when the sweeper last ran (sweep.lua)
-- KEYS[3]     pa:{t}:due           open deadlines "<id>|<key>" -> due
-- KEYS[4]     pa:{t}:stats:<YYYYMMDD>  today's counters (local day):
--                                  "<owner>|overdue" among them
-- KEYS[5..]   pairs, one per state the worker names: the state's index,
--             then its st:.  An open state's index is its work list
--             pa:{t}:q:<state>, and its pa:{t}:st:<state> holds reports of
--             an earlier version until queue.lua merges them (some may be
--             in both: counted once); a closed state's is st: twice
--
-- ARGV[1]     now (epoch seconds): a deadline has passed when now > due
--
-- Returns {{count per state, in KEYS order}, {gauge field, value, ...},
-- last sweep (epoch) or "", passed deadlines the sweeper has not seen
-- yet, {"<owner>", overdue today, ...}}.

local now = tonumber(ARGV[1])

local states = {}
for k = 5, #KEYS, 2 do
    states[#states + 1] = count(KEYS[k], KEYS[k + 1])
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
