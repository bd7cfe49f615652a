-- wrk script: the URL's GET with the headers given after "--".
--
--   wrk -t1 -c32 -d5s -s bench/get.lua URL -- "Authorization: Bearer T" ...
--
-- No response() hook: wrk counts non-2xx answers itself (scale.sh fails a
-- case that had any).

function init(args)
    local headers = {}
    for _, h in ipairs(args) do
        local name, value = string.match(h, '^([^:]+):%s*(.*)$')
        if name then
            headers[name] = value
        end
    end
    req = wrk.format('GET', nil, headers)
end

function request()
    return req
end
