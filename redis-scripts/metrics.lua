--! uses: count qscore
-- metrics.lua: what GET /metrics reads from Redis at scrape time.
--
-- Read only and O(states + agencies): a ZCARD or two per state, the gauge
-- and today's counters (one field per agency and counter), one ZCOUNT,
-- and the new reports whose first deadline passed since the last sweep
-- (a sweep interval's; at most QREAD read).
-- Nothing is written, so a scrape every few seconds costs the province
-- no more than a few small reads.
--
-- KEYS[1]     pa:{t}:gauge         "<agency>|in_progress" -> current count
-- KEYS[2]     pa:{t}:sweep:last    when the sweeper last ran (sweep.lua)
-- KEYS[3]     pa:{t}:due           open deadlines "<id>|<key>" -> due
-- KEYS[4]     pa:{t}:stats:<YYYYMMDD>  today's counters (local day):
--                                  "<owner>|overdue" among them
-- KEYS[5]     pa:{t}:sweep:qdue    the scores of q:submitted the sweeper
--                                  swept (a new report's first deadline
--                                  is its score there: sweep.lua)
-- KEYS[6..]   pairs, one per state the worker names: the state's index,
--             then its st:.  An open state's index is its work list
--             pa:{t}:q:<state>, and its pa:{t}:st:<state> holds reports of
--             an earlier version until queue.lua merges them (some may be
--             in both: counted once); a closed state's is st: twice
--
-- Keys not in KEYS (read only): pa:{t}:r:<id> of at most QREAD reports
-- q:submitted lists whose score passed since the last sweep (their
-- deadline fields), named from due's hash-tagged prefix: the same slot.
--
-- ARGV[1]     now (epoch seconds): a deadline has passed when now > due
-- ARGV[2]     "1": pa_record_compat on (every deadline is in due), else
--             "0": a new report's first one may be its q:submitted score
--             alone (sweep.lua)
--
-- Returns {{count per state, in KEYS order}, {gauge field, value, ...},
-- last sweep (epoch) or "", passed deadlines the sweeper has not seen
-- yet, {"<owner>", overdue today, ...}}.

local now = tonumber(ARGV[1])

local states, qsub = {}, nil
for k = 6, #KEYS, 2 do
    states[#states + 1] = count(KEYS[k], KEYS[k + 1])
    if string.sub(KEYS[k], -12) == ':q:submitted' then
        qsub = KEYS[k]
    end
end

local gauge = redis.call('HGETALL', KEYS[1])
local last = redis.call('GET', KEYS[2]) or ''
local unswept = redis.call('ZCOUNT', KEYS[3], '-inf', '(' .. now)

-- the passed deadlines of q:submitted's reports that due does not hold,
-- from where the sweeper swept to: a sweep interval's, read (beyond
-- QREAD reports, as a sweeper long stopped leaves them, one each)
local QREAD = 100
local function listed(id)
    local flat = redis.call('HGETALL', string.sub(KEYS[3], 1, -4) .. 'r:'
                            .. id)
    local h, n = {}, 0
    for k = 1, #flat, 2 do
        h[flat[k]] = flat[k + 1]
    end
    for _, key in ipairs(qpassed(h, now)) do
        -- (one due holds too was counted by the ZCOUNT above)
        if not redis.call('ZSCORE', KEYS[3], id .. '|' .. key) then
            n = n + 1
        end
    end
    return n
end

if qsub and ARGV[2] ~= '1' then
    for _, band in ipairs({'0', '2'}) do
        local lo, hi = qcursor(KEYS[5], band, now)
        local ids = redis.call('ZRANGE', qsub, lo, '(' .. hi, 'BYSCORE',
                               'LIMIT', 0, QREAD)
        for _, id in ipairs(ids) do
            unswept = unswept + listed(id)
        end
        if #ids == QREAD then
            unswept = unswept + redis.call('ZCOUNT', qsub, lo, '(' .. hi)
                      - QREAD
        end
    end
end

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
