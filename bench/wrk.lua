-- wrk script for bench/run: shapes the request from the environment and prints one parseable summary line.
--
--   BENCH_METHOD   GET (default), POST, ...
--   BENCH_BODY     request body, sent with Content-Type: application/json (empty: no body)
--   BENCH_HEADERS  extra header lines "Name: value", separated by newlines (e.g. an Authorization header)
--
-- No response() callback: defining one makes wrk hand every response to Lua, which costs throughput on
-- both targets and blurs the comparison. wrk counts responses with status >= 400 in errors.status.

local method = os.getenv("BENCH_METHOD")
local body = os.getenv("BENCH_BODY")
local headers = os.getenv("BENCH_HEADERS")

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

function done(summary, latency, requests)
    local errors = summary.errors
    io.write(string.format(
        "BENCH_RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d connect=%d read=%d write=%d timeout=%d status=%d\n",
        summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
        errors.connect, errors.read, errors.write, errors.timeout, errors.status))
end
