-- get.lua: read one report, in one call.
--
-- The worker decides what the caller may see (visibility, views, opening
-- sealed data); this script only reads, and writes the audit entry of a
-- read of personal data in the same atomic step as the read itself.
--
-- KEYS[1]  pa:{t}:r:<id>    report hash
-- KEYS[2]  pa:{t}:h:<id>    history list (JSON entries)
-- KEYS[3]  pa:{t}:audit     reads of personal data (stream)
--
-- ARGV[1]  mode: "report" or "reporter"
--
-- mode "report": returns {HGETALL, the last 500 history entries}; an
-- empty hash when there is no such report.
--
-- mode "reporter" (the reporter's name, phone, e-mail):
-- ARGV[2]  agency the caller must be assigned to ("" for the IOC)
-- ARGV[3]  "1" when the reporter's consent (share_identity) is required
-- ARGV[4]  actor            ARGV[5]  role
-- ARGV[6]  now (epoch)      ARGV[7]  report id
-- returns {"not_found"}, {"forbidden"} or {"ok", field, sealed value, ...}
-- with the pii_* fields present; "ok" is audited (id, actor, role, at).

local R, H, AUDIT = KEYS[1], KEYS[2], KEYS[3]

if ARGV[1] == 'report' then
    return {redis.call('HGETALL', R), redis.call('LRANGE', H, -500, -1)}
end

local agency, consent = ARGV[2], ARGV[3]
local f = redis.call('HMGET', R, 'id', 'agencies', 'share_identity',
                     'pii_name', 'pii_phone', 'pii_email')

if not f[1] then
    return {'not_found'}
end

if agency ~= '' then
    -- an agency that is not assigned does not see the report at all
    if not f[2] or not string.find(f[2], ',' .. agency .. ',', 1, true) then
        return {'not_found'}
    end

    if consent == '1' and f[3] ~= '1' then
        return {'forbidden'}
    end
end

redis.call('XADD', AUDIT, '*', 'id', ARGV[7], 'actor', ARGV[4],
           'role', ARGV[5], 'at', ARGV[6])

local out = {'ok'}
local names = {'pii_name', 'pii_phone', 'pii_email'}

for k = 1, 3 do
    if f[k + 3] then
        out[#out + 1] = names[k]
        out[#out + 1] = f[k + 3]
    end
end

return out
