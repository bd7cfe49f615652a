-- wrk script: POST /api/v1/reports with a valid JSON report.
--
-- Every request differs (content and phone carry a per-thread counter and a
-- per-run tag), so the duplicate check never fires and nothing can be
-- served from a cache: each request is one new report, one EVALSHA of
-- redis-scripts/submit.lua.
--
--   wrk -t2 -c64 -d10s --latency -s bench/submit.lua http://127.0.0.1:PORT -- TAG
--
-- TAG (digits) must differ between runs against the same Redis (warm-up,
-- measurement), else the second run repeats the first one's reports and
-- gets 409 duplicate.  No response() hook: wrk itself counts non-2xx
-- answers, and a Lua call per response would cost CPU on a shared machine.

local n_thread = 0

function setup(thread)
    thread:set("tid", n_thread)
    n_thread = n_thread + 1
end

function init(args)
    counter = 0
    tag = tonumber(args[1]) or os.time()
    headers = {["Content-Type"] = "application/json"}
end

function request()
    counter = counter + 1
    -- a Vietnamese mobile number, 09 + 8 digits: different for each report
    local phone = string.format("09%08d",
                                (tag * 7919 + tid * 5000000 + counter) % 100000000)
    local body = string.format(
        '{"content":"Ổ gà lớn trên đường Trần Hưng Đạo, gần số nhà %d; '
        .. 'nước đọng, xe máy dễ ngã (bench %d-%d-%d)","title":"Ổ gà",'
        .. '"category":"traffic","lat":22.396,"lng":103.458,'
        .. '"reporter_name":"Nguyễn Văn A","reporter_phone":"%s",'
        .. '"channel":"app"}',
        counter % 500 + 1, tag, tid, counter, phone)
    return wrk.format("POST", "/api/v1/reports", headers, body)
end
