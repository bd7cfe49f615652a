-- wrk script: POST /api/v1/reports as multipart/form-data with a photo,
-- for the photo-ingestion case of bench/run.sh.
--
--   wrk -t2 -c64 -d10s --latency -s bench/photo.lua \
--       http://127.0.0.1:PORT/api/v1/reports -- TAG PHOTO.jpg
--
-- The form: content, title, category, lat, lng, reporter_name, channel,
-- reporter_phone, and PHOTO as the file part "media".  Every request
-- stores a new report with a new photo:
--   - the duplicate prints ("c:" of the content, "m:" of the photo's
--     SHA-256) count per phone, so the phone carries a per-thread counter
--     and TAG;
--   - PHOTO's EXIF ImageUniqueID must be 32 zeros (bench/run.sh writes it
--     with exiftool): each request puts TAG, thread and counter there, so
--     each photo has its own SHA-256 and its own file in the store, as
--     the photos of real reports do.
-- TAG (digits) must differ between runs against the same Redis (warm-up,
-- measurement), else the second run repeats the first one's phones and
-- gets 409 duplicate.
--
-- The request is built once in init(); request() only formats the phone
-- and the id (fixed lengths, so Content-Length does not change) and joins
-- five strings: one copy of the photo per request, no other Lua work.  No
-- response() hook: wrk itself counts non-2xx answers.

local n_thread = 0

function setup(thread)
    thread:set("tid", n_thread)
    n_thread = n_thread + 1
end

local BOUNDARY = "----ngx-pa-bench-7d1f3a9c"
local UID = string.rep("0", 32)

local function field(name, value)
    return "--" .. BOUNDARY .. "\r\n"
        .. 'Content-Disposition: form-data; name="' .. name .. '"\r\n\r\n'
        .. value .. "\r\n"
end

function init(args)
    counter = 0
    tag = tonumber(args[1]) or os.time()

    local f = assert(io.open(args[2] or "", "rb"), "usage: -- TAG PHOTO.jpg")
    local photo = f:read("*a")
    f:close()

    local form = field("content", "Cây đổ chắn ngang đường Trần Hưng Đạo "
                       .. "sau mưa to, xe máy không qua được (bench photo)")
        .. field("title", "Cây đổ")
        .. field("category", "traffic")
        .. field("lat", "22.391")
        .. field("lng", "103.451")
        .. field("reporter_name", "Nguyễn Văn A")
        .. field("channel", "app")
        .. "--" .. BOUNDARY .. "\r\n"
        .. 'Content-Disposition: form-data; name="reporter_phone"\r\n\r\n'

    -- the EXIF comes first in the file: the first 32 zeros are its id
    local at = photo:find(UID, 1, true)
    assert(at, "no ImageUniqueID of 32 zeros in " .. args[2])

    middle = "\r\n--" .. BOUNDARY .. "\r\n"
        .. 'Content-Disposition: form-data; name="media"; '
        .. 'filename="20260124_083015.jpg"\r\n'
        .. "Content-Type: image/jpeg\r\n\r\n"
        .. photo:sub(1, at - 1)
    suffix = photo:sub(at + #UID) .. "\r\n--" .. BOUNDARY .. "--\r\n"

    -- wrk.format writes the request line, Host and Content-Length; the
    -- body ends with the placeholder phone, middle, id and suffix
    local req = wrk.format("POST", "/api/v1/reports",
        {["Content-Type"] = "multipart/form-data; boundary=" .. BOUNDARY},
        form .. "0900000000" .. middle .. UID .. suffix)
    prefix = req:sub(1, #req - #suffix - #UID - #middle - 10)
end

function request()
    counter = counter + 1
    return prefix
        -- a Vietnamese mobile number, 09 + 8 digits: new for each report
        .. string.format("09%08d",
                         (tag * 7919 + tid * 5000000 + counter) % 100000000)
        .. middle
        .. string.format("%012d%04d%016d", tag, tid, counter)
        .. suffix
end
