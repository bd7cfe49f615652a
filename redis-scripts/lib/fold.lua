-- lib/fold.lua: a closed step's deadline folded into the report's "dc"
-- (act.lua for the steps an action closes, sweep.lua for the status
-- notice and a rejection's open deadlines; docs/data-model.md).  A
-- library of the prelude (README.md here): comments on their own lines.
--
-- The steps closed (dl: and dm: fields) leave their fields for "dc", the
-- entries of steps opened again leave "dc": a closed step costs one
-- entry "<key> <due> <done - due> <met>[o][x]" instead of three to five
-- fields (bench/README.md, "Scale").  R is the report's key, h the stored
-- hash with what this call set: an entry already in dc stays unless a dl:
-- field of its key (a step opened again) replaces it.
local function fold(R, h)
    local kept, del, n = {}, {}, 0
    for e in string.gmatch(h.dc or '', '[^;]+') do
        local key = string.match(e, '^(%S+) ')
        n = n + 1
        if key and not h['dl:' .. key] then
            kept[#kept + 1] = e
        end
    end
    for name, v in pairs(h) do
        local key = string.match(name, '^dl:(.+)$')
        local due = tonumber(v)
        if key and due and h['dm:' .. key] then
            local done = tonumber(h['dd:' .. key]) or due
            kept[#kept + 1] = key .. ' ' .. v .. ' '
                .. string.format('%d', done - due) .. ' '
                .. (h['dm:' .. key] == '1' and '1' or '0')
                .. (h['do:' .. key] == '1' and 'o' or '')
                .. (h['dx:' .. key] == '1' and 'x' or '')
            for _, f in ipairs({'dl:', 'dm:', 'dd:', 'do:', 'dx:', 'xp:',
                                'xt:'}) do
                if h[f .. key] then
                    del[#del + 1] = f .. key
                end
            end
        end
    end
    if #del == 0 and #kept == n then
        return
    end
    if #del > 0 then
        redis.call('HDEL', R, unpack(del))
    end
    if #kept > 0 then
        redis.call('HSET', R, 'dc', table.concat(kept, ';'))
    else
        redis.call('HDEL', R, 'dc')
    end
end
