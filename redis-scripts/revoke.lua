--! uses: late
-- revoke.lua: staff tokens no longer accepted (POST
-- /api/v1/admin/tokens/revoke).  Every node reads the set each second
-- (ngx_pa_revoke.c), so a revocation reaches all of them within seconds.
--
-- KEYS[1]  pa:{t}:revoked   zset: "jti:<jti>" or "sub:<sub>" -> when
--                           revoked (epoch seconds).  A "sub:" entry
--                           refuses that person's tokens issued (iat) at
--                           or before that time; a "jti:" entry one token.
--
-- ARGV[1]  member ("jti:<jti>" or "sub:<sub>")
-- ARGV[2]  now (epoch seconds)
-- ARGV[3]  entries revoked before this time leave the set: every token
--          they could refuse has expired by then (pa_auth_max_ttl)
-- ARGV[4]  the call's deadline (Redis's clock, ms; "" none: lib/late.lua)
--
-- Returns the number of entries the set holds now, or the error LATE
-- (the deadline passed: nothing written, the worker answers 503).

if call_late(ARGV[4]) then
    return redis.error_reply(CALL_LATE)
end

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])

return redis.call('ZCARD', KEYS[1])
