-- wrk script for `make bench`: request headers from the environment, and one
-- machine-readable summary line at the end.
--   BENCH_HEADERS        any request headers, one "Name: value" a line (the
--                        harness sends Cookie, If-None-Match, Accept-Encoding so)
--   BENCH_COOKIE         Cookie header (the logged-in session), optional
--   BENCH_IF_NONE_MATCH  If-None-Match header (a feed's ETag), optional
wrk.headers["User-Agent"] = "gardenhub-bench"
local cookie = os.getenv("BENCH_COOKIE") or ""
local etag = os.getenv("BENCH_IF_NONE_MATCH") or ""
local extra = os.getenv("BENCH_HEADERS") or ""
if cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
if etag ~= "" then
  wrk.headers["If-None-Match"] = etag
end
for line in extra:gmatch("[^\n]+") do
  local name, value = line:match("^%s*([^:]+):%s*(.-)%s*$")
  if name then
    wrk.headers[name] = value
  end
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "BENCH_JSON {\"requests\": %.0f, \"duration_us\": %.0f, \"bytes\": %.0f, " ..
    "\"p50_us\": %.0f, \"p90_us\": %.0f, \"p99_us\": %.0f, \"max_us\": %.0f, " ..
    "\"connect_errors\": %.0f, \"read_errors\": %.0f, \"write_errors\": %.0f, " ..
    "\"status_errors\": %.0f, \"timeouts\": %.0f}\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, errors.connect, errors.read, errors.write, errors.status,
    errors.timeout))
end
