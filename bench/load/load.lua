-- load.lua — the traffic of the load benchmark (bench/load/load.mjs,
-- docs/benchmarks.md "Load and soak"), for wrk. LOAD_MIX=healthz: the
-- baseline, GET /healthz only (the cheapest answer: no session, no
-- database). LOAD_MIX=mixed (default): each request is drawn at random by
-- weight:
--   35% GET  /api/v1/listings?limit=20   (reviewer session)
--   20% GET  /api/v1/notices?limit=20    (right holder session)
--   15% POST /api/v1/notices             (right holder; one of the prepared listings)
--   20% POST /api/v1/listings            (seller; a new listing id each time)
--   10% POST /api/v1/auth/login          (the seller's password: a new session)
-- The driver passes sessions and fixtures in the environment:
--   LOAD_COOKIE_REVIEWER, LOAD_COOKIE_RIGHTHOLDER, LOAD_COOKIE_SELLER
--     ("iprs_session=..."), LOAD_CSRF_RIGHTHOLDER, LOAD_CSRF_SELLER,
--   LOAD_RIGHT_ID, LOAD_LISTINGS (comma-separated listing ids),
--   LOAD_SELLER_EMAIL, LOAD_SELLER_PASSWORD.
-- At the end it prints one line "LOADJSON {...}" with the answers counted
-- by status and the latency percentiles, which the driver reads (the
-- driver counts answers per route from the server's /metrics).

local env = os.getenv
local cookie = {
  reviewer = env("LOAD_COOKIE_REVIEWER"),
  rightholder = env("LOAD_COOKIE_RIGHTHOLDER"),
  seller = env("LOAD_COOKIE_SELLER"),
}
local csrf = { rightholder = env("LOAD_CSRF_RIGHTHOLDER"), seller = env("LOAD_CSRF_SELLER") }
local right_id = env("LOAD_RIGHT_ID")
local listings = {}
for id in string.gmatch(env("LOAD_LISTINGS") or "", "[^,]+") do listings[#listings + 1] = id end
local login_body = string.format('{"email":"%s","password":"%s"}',
  env("LOAD_SELLER_EMAIL") or "", env("LOAD_SELLER_PASSWORD") or "")

local threads = {}
tid = 0 -- in a thread: its number, set by setup()

function setup(thread)
  tid = tid + 1
  thread:set("tid", tid)
  threads[#threads + 1] = thread
end

counts = {}   -- status -> n, read by done() through thread:get
local seq = 0
local healthz = env("LOAD_MIX") == "healthz"

local function json_headers(role)
  return {
    ["Content-Type"] = "application/json",
    ["Cookie"] = cookie[role],
    ["X-CSRF-Token"] = csrf[role],
  }
end

function init(args)
  math.randomseed(tonumber(tid or 1) * 7919 + os.time())
end

function request()
  if healthz then
    return wrk.format("GET", "/healthz")
  end
  local r = math.random(100)
  seq = seq + 1
  local req
  if r <= 35 then
    req = wrk.format("GET", "/api/v1/listings?limit=20", { ["Cookie"] = cookie.reviewer })
  elseif r <= 55 then
    req = wrk.format("GET", "/api/v1/notices?limit=20", { ["Cookie"] = cookie.rightholder })
  elseif r <= 70 then
    local l = listings[math.random(#listings)]
    local body = string.format('{"right_id":"%s","kind":"counterfeit","explanation":"load test",'
      .. '"notifier_name":"Load","notifier_email":"load@bench.example","good_faith":true,'
      .. '"accuracy":true,"signature":"Load","listings":["%s"],'
      .. '"evidence_urls":["https://e.example/1"]}', right_id, l)
    req = wrk.format("POST", "/api/v1/notices", json_headers("rightholder"), body)
  elseif r <= 90 then
    local id = string.format("load-%d-%d-%d", tid, seq, math.random(1e9))
    local body = string.format('{"id":"%s","title":"AURORA bag %d","description":"load",'
      .. '"price":"9.90","currency":"EUR","category":"bags","images":[],"ship_from":"CN",'
      .. '"units_sold":1}', id, seq)
    req = wrk.format("POST", "/api/v1/listings", json_headers("seller"), body)
  else
    req = wrk.format("POST", "/api/v1/auth/login", { ["Content-Type"] = "application/json" },
      login_body)
  end
  return req
end

function response(status, headers, body)
  local key = tostring(status)
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c or {}) do total[k] = (total[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do parts[#parts + 1] = string.format('"%s":%d', k, v) end
  table.sort(parts)
  io.write(string.format('LOADJSON {"counts":{%s},"p50_ms":%.2f,"p99_ms":%.2f,"requests":%d,'
    .. '"seconds":%.3f,"socket_errors":%d}\n', table.concat(parts, ","),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests,
    summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
