-- bench_notices.lua — the submission phase of bench/bench_notices.mjs for
-- wrk (the default client there; BENCH_NOTICES_CLIENT=node selects the node
-- client). Each request is POST /api/v1/notices citing one listing, and each
-- listing is cited exactly once: the listing ids are NOTICES_PREFIX .. i for
-- i = 1 .. NOTICES_N, split into one contiguous share per wrk thread; a
-- thread hands its share out to its connections in order and sends nothing
-- more once the share is out (request() returns an empty request, the
-- connection stays idle: wrk writes zero bytes and waits).
--
-- The driver passes, in the environment:
--   NOTICES_N              notices to submit (listings 1 .. N)
--   NOTICES_THREADS        wrk's -t (to split the shares)
--   NOTICES_PREFIX         listing id prefix
--   NOTICES_BODY_HEAD, NOTICES_BODY_TAIL
--                          the JSON body before and after the listing id
--                          (the node client's JSON.stringify of the notice,
--                          split at the id, so both clients send the same body)
--   NOTICES_COOKIE, NOTICES_CSRF
--                          the right holder's session cookie and CSRF token
--
-- A thread whose share is answered writes "NOTICESWRK_DONE <tid>" to stderr
-- and stops its event loop (wrk.thread:stop()); the driver sends wrk SIGINT
-- once every thread has said so (wrk's main thread otherwise sleeps for the
-- whole -d). Every answer must be 201 with "fast_track":true; anything else
-- is counted as a failure (and the first failing answer is kept). The window
-- the rate is computed over is measured here (CLOCK_MONOTONIC through
-- LuaJIT's FFI): from the first request a thread builds to the last answer
-- any thread reads, so the driver's reaction time to the DONE lines is not
-- in it. done() prints one line "NOTICESJSON {...}" with the counts, wrk's
-- latency percentiles (µs) and wrk's own CPU time (os.clock(): the whole
-- process, all threads).

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

local env = os.getenv
local N = tonumber(env("NOTICES_N"))
local T = tonumber(env("NOTICES_THREADS"))
local prefix = env("NOTICES_PREFIX")
local head = env("NOTICES_BODY_HEAD")
local tail = env("NOTICES_BODY_TAIL")
local headers = {
  ["Content-Type"] = "application/json",
  ["Cookie"] = env("NOTICES_COOKIE"),
  ["X-CSRF-Token"] = env("NOTICES_CSRF"),
}

local threads = {}
local nthreads = 0

-- Main Lua state: number the threads and give each its share.
function setup(thread)
  local k = nthreads
  nthreads = nthreads + 1
  local per = math.floor(N / T)
  local extra = N % T
  local lo = 1 + k * per + math.min(k, extra)
  local hi = lo + per - 1 + (k < extra and 1 or 0)
  thread:set("tid", k + 1)
  thread:set("lo", lo)
  thread:set("hi", hi)
  threads[#threads + 1] = thread
end

-- Thread state (set by setup through thread:set before init runs).
tid, lo, hi = 0, 1, 0
answered, ok, failed, not_fast = 0, 0, 0, 0
first_fail = ""
t_first, t_last = 0, 0
local next_i
local verify_call

function init(args)
  next_i = lo
  -- wrk calls request() once in its first thread's state before the run,
  -- to check that the script builds a valid request; that call must not
  -- use up a listing.
  verify_call = (tid == 1)
end

local function notice(i)
  return wrk.format("POST", "/api/v1/notices", headers, head .. prefix .. i .. tail)
end

function request()
  if verify_call then
    verify_call = false
    return notice(lo)
  end
  if next_i > hi then
    if hi < lo then finish_if_done() end -- an empty share (N < threads)
    return ""
  end
  if t_first == 0 then t_first = now_us() end
  local i = next_i
  next_i = next_i + 1
  return notice(i)
end

local reported = false
function finish_if_done()
  if not reported and answered == hi - lo + 1 then
    reported = true
    t_last = now_us()
    io.stderr:write(string.format("NOTICESWRK_DONE %d\n", tid))
    io.stderr:flush()
    wrk.thread:stop()
  end
end

function response(status, hdrs, body)
  answered = answered + 1
  if status == 201 and string.find(body, '"fast_track"%s*:%s*true') then
    ok = ok + 1
  else
    failed = failed + 1
    if status == 201 then not_fast = not_fast + 1 end
    if first_fail == "" then first_fail = status .. " " .. string.sub(body, 1, 300) end
  end
  finish_if_done()
end

local function jstr(s)
  return '"' .. string.gsub(s, '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end) .. '"'
end

function done(summary, latency, requests)
  local a, o, f, nf, first, last = 0, 0, 0, 0, nil, 0
  local ff = ""
  local shares = {}
  for _, t in ipairs(threads) do
    a = a + t:get("answered")
    o = o + t:get("ok")
    f = f + t:get("failed")
    nf = nf + t:get("not_fast")
    local tf, tl = t:get("t_first"), t:get("t_last")
    if tf > 0 and (first == nil or tf < first) then first = tf end
    if tl > last then last = tl end
    if ff == "" then ff = t:get("first_fail") end
    shares[#shares + 1] = string.format("[%d,%d]", t:get("lo"), t:get("hi"))
  end
  local e = summary.errors
  io.write(string.format('NOTICESJSON {"answered":%d,"ok":%d,"failed":%d,"not_fast_track":%d,'
    .. '"window_us":%.0f,"wrk_duration_us":%d,"wrk_requests":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,'
    .. '"max_us":%d,"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},'
    .. '"status_errors":%d,"wrk_cpu_s":%.4f,"shares":[%s],"first_failure":%s}\n',
    a, o, f, nf, (first and last > first) and (last - first) or 0, summary.duration,
    summary.requests, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status, os.clock(), table.concat(shares, ","),
    jstr(ff)))
end
