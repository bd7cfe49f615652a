-- wrk script: a flood of POST /api/v1/reports from one address, for the
-- limit instance of bench/run.sh (pa_limit addr rate=1r/m, shared memory).
--
-- One fixed, valid report: wrk builds the request once and sends it as is
-- (no request() hook, no Lua per request), as a flood would.  The limiter
-- answers 429 before the body is read; were a request let through, it
-- would be stored (201) or refused as a duplicate (409), and run.sh would
-- see a 2xx answer or Redis commands.
--
--   wrk -t2 -c64 -d10s --latency -s bench/limited.lua http://127.0.0.1:PORT/api/v1/reports

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"content":"Ổ gà lớn trên đường Trần Hưng Đạo, gần số nhà 12; '
    .. 'nước đọng, xe máy dễ ngã (bench flood)","title":"Ổ gà",'
    .. '"category":"traffic","lat":22.396,"lng":103.458,'
    .. '"reporter_name":"Nguyễn Văn A","reporter_phone":"0912345670",'
    .. '"channel":"app"}'
