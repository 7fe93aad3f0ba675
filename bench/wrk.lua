-- wrk script for bench/run: shapes the request from the environment and prints one parseable summary line.
--
--   BENCH_METHOD          GET (default), POST, ...
--   BENCH_BODY            request body, sent with Content-Type: application/json (empty: no body)
--   BENCH_HEADERS         extra header lines "Name: value", separated by newlines (e.g. an Authorization header)
--   BENCH_DELAY_MS        when set, each connection waits this long between its requests (a light client)
--   BENCH_COUNT_STATUSES  1: also count the 503 answers (login, where 503 server_busy is an answer too)
--
-- No response() callback unless BENCH_COUNT_STATUSES asks for one: defining one makes wrk hand every response
-- to Lua, which costs throughput on both targets and blurs the comparison. wrk counts responses with status >=
-- 400 in errors.status. Latency is measured from a request's first byte written, so a delay is not in it.

local method = os.getenv("BENCH_METHOD")
local body = os.getenv("BENCH_BODY")
local headers = os.getenv("BENCH_HEADERS")
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "")

if method ~= nil and method ~= "" then
    wrk.method = method
end
if body ~= nil and body ~= "" then
    wrk.body = body
    wrk.headers["Content-Type"] = "application/json"
end
if headers ~= nil then
    for line in headers:gmatch("[^\n]+") do
        local name, value = line:match("^%s*([^:]+):%s*(.-)%s*$")
        if name ~= nil then
            wrk.headers[name] = value
        end
    end
end

if delay_ms ~= nil then
    function delay()
        return delay_ms
    end
end

-- Each wrk thread runs its own copy of this script: `busy` is that thread's count, which done() (in the main
-- script) reads from every thread that setup() saw.
local threads = {}
busy = 0
if os.getenv("BENCH_COUNT_STATUSES") == "1" then
    function setup(thread)
        table.insert(threads, thread)
    end

    function response(status)
        if status == 503 then
            busy = busy + 1
        end
    end
end

function done(summary, latency, requests)
    local errors = summary.errors
    local answered_busy = 0
    for _, thread in ipairs(threads) do
        answered_busy = answered_busy + thread:get("busy")
    end
    io.write(string.format(
        "BENCH_RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d connect=%d read=%d write=%d timeout=%d status=%d busy=%d\n",
        summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
        errors.connect, errors.read, errors.write, errors.timeout, errors.status, answered_busy))
end
