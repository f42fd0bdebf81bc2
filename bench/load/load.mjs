// load.mjs — load and soak of the real server with wrk (docs/benchmarks.md,
// "Load and soak"). Not part of ctest or CI.
//
//   IPRSHIELD_BIN=build/iprshield node bench/load/load.mjs [--levels 4,16,64] [--seconds 15]
//   IPRSHIELD_BIN=build/iprshield node bench/load/load.mjs --duration 600 [--connections 16]
//
// Starts a server on a fresh demo-seeded database (tests/e2e/lib.mjs
// startServer: request rate limits off), logs in the reviewer, right holder
// and seller, registers and verifies a trademark and creates the listings
// the notices name, then runs wrk with bench/load/load.lua:
//   load mode (default): per concurrency level, the baseline (GET /healthz,
//     LOAD_MIX=healthz) and then the mixed traffic (reads of listings and
//     notices, notice submissions, listing writes, logins), each for
//     --seconds; prints requests/s of both, their ratio, latency p50/p99,
//     the answers by route and status (from the server's /metrics) and the
//     server's RSS after each level.
//   soak mode (--duration SECONDS): the mixed traffic at --connections for
//     that long, sampling the server's VmRSS (/proc/PID/status) every 10 s;
//     prints the samples, the growth of the median RSS from the first to the
//     last third of the samples after the warm-up (60 s), the RSS once the
//     load stopped, and the non-2xx answers and socket errors.
// Exit status 1 when any answer was not 2xx or wrk saw socket errors.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { multipart, PDF, request, startServer, unique } from '../../tests/e2e/lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WARMUP_S = 60;
const SAMPLE_S = 10;
const NOTICE_LISTINGS = 200;

function option(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : dflt;
}
const LEVELS = option('levels', '4,16,64').split(',').map(Number);
const SECONDS = Number(option('seconds', 15));
const DURATION = Number(option('duration', 0));
const SOAK_CONNS = Number(option('connections', 16));
const WRK_THREADS = Number(option('threads', 2));

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** The server's request counters: "METHOD route status" -> n. */
async function counters(srv) {
  const r = await request(srv.base, 'GET', '/metrics');
  const out = {};
  const re = /^iprshield_http_requests_total\{route="([^"]*)",method="([^"]*)",status="([^"]*)"\} (\d+)$/gm;
  for (const m of r.text.matchAll(re)) out[`${m[2]} ${m[1]} ${m[3]}`] = Number(m[4]);
  return out;
}

function delta(after, before) {
  const d = {};
  for (const [k, v] of Object.entries(after)) {
    const n = v - (before[k] ?? 0);
    if (n > 0 && !k.startsWith('GET /metrics')) d[k] = n;
  }
  return d;
}

/** Run wrk; resolves with the LOADJSON summary plus requests/s. */
function wrk(srv, env, conns, seconds) {
  return new Promise((resolve, reject) => {
    const args = ['-t', String(Math.min(WRK_THREADS, conns)), '-c', String(conns), '-d', `${seconds}s`,
      '--timeout', '10s', '-s', path.join(HERE, 'load.lua'), srv.base];
    const child = spawn('wrk', args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', (code) => {
      const m = /^LOADJSON (.*)$/m.exec(out);
      if (code !== 0 || !m) return reject(new Error(`wrk exit ${code}:\n${out}`));
      const s = JSON.parse(m[1]);
      s.rps = +(s.requests / s.seconds).toFixed(1);
      s.non2xx = Object.entries(s.counts).filter(([st]) => !st.startsWith('2')).reduce((a, [, n]) => a + n, 0);
      resolve(s);
    });
  });
}

async function fixtures(srv) {
  const S = {};
  for (const r of ['reviewer', 'rightholder', 'seller']) S[r] = await srv.loginAs(r);
  const meta = { kind: 'trademark', mark_text: 'AURORA', registration_number: `TM-${unique('n')}`, office: 'EUIPO', nice_classes: [25], valid_from: '2020-01-01', valid_to: '2099-12-31' };
  const m = multipart([{ name: 'right', value: JSON.stringify(meta) }, { name: 'certificate', value: PDF, filename: 'c.pdf' }]);
  const right = await request(srv.base, 'POST', '/api/v1/rights', { session: S.rightholder, body: m.body, contentType: m.contentType });
  assert.equal(right.status, 201, right.text);
  const v = await request(srv.base, 'POST', `/api/v1/rights/${right.body.id}/decision`, { session: S.reviewer, json: { decision: 'verified', reason: 'load' } });
  assert.equal(v.status, 200, v.text);
  const listings = [];
  for (let i = 0; i < NOTICE_LISTINGS; i++) {
    const id = `load-n${i}-${unique('l')}`.replace(/[^A-Za-z0-9._:-]/g, '');
    const r = await request(srv.base, 'POST', '/api/v1/listings', { session: S.seller, json: { id, title: 'AURORA bag', description: 'x', price: '9.90', currency: 'EUR', category: 'bags', images: [], ship_from: 'CN', units_sold: 1 } });
    assert.equal(r.status, 201, r.text);
    listings.push(id);
  }
  return {
    LOAD_COOKIE_REVIEWER: S.reviewer.cookie, LOAD_COOKIE_RIGHTHOLDER: S.rightholder.cookie,
    LOAD_COOKIE_SELLER: S.seller.cookie, LOAD_CSRF_RIGHTHOLDER: S.rightholder.csrf,
    LOAD_CSRF_SELLER: S.seller.csrf, LOAD_RIGHT_ID: right.body.id, LOAD_LISTINGS: listings.join(','),
    LOAD_SELLER_EMAIL: srv.users.seller.email, LOAD_SELLER_PASSWORD: srv.users.seller.password,
  };
}

async function loadLevels(srv, env) {
  const rows = [];
  for (const c of LEVELS) {
    const base = await wrk(srv, { ...env, LOAD_MIX: 'healthz' }, c, SECONDS);
    const before = await counters(srv);
    const mixed = await wrk(srv, { ...env, LOAD_MIX: 'mixed' }, c, SECONDS);
    const routes = delta(await counters(srv), before);
    rows.push({
      connections: c,
      baseline_healthz_rps: base.rps, mixed_rps: mixed.rps, ratio_mixed_to_baseline: +(mixed.rps / base.rps).toFixed(3),
      mixed_p50_ms: mixed.p50_ms, mixed_p99_ms: mixed.p99_ms, healthz_p99_ms: base.p99_ms,
      non2xx: base.non2xx + mixed.non2xx, socket_errors: base.socket_errors + mixed.socket_errors,
      server_rss_mib: +(rssKiB(srv.proc.pid) / 1024).toFixed(1), answers: routes,
    });
    console.error(`c=${c}: healthz ${base.rps}/s, mixed ${mixed.rps}/s, non-2xx ${base.non2xx + mixed.non2xx}`);
  }
  return { mode: 'load', seconds_per_run: SECONDS, wrk_threads: WRK_THREADS, levels: rows };
}

async function soak(srv, env) {
  const samples = [];
  const pid = srv.proc.pid;
  const t0 = Date.now();
  samples.push({ t_s: 0, rss_kib: rssKiB(pid) });
  const timer = setInterval(() => {
    samples.push({ t_s: Math.round((Date.now() - t0) / 1000), rss_kib: rssKiB(pid) });
  }, SAMPLE_S * 1000);
  const before = await counters(srv);
  let run;
  try {
    run = await wrk(srv, { ...env, LOAD_MIX: 'mixed' }, SOAK_CONNS, DURATION);
  } finally {
    clearInterval(timer);
  }
  const idle = rssKiB(pid); // after the load, before the server stops
  const routes = delta(await counters(srv), before);
  // under load: the median of the first and of the last third of the
  // samples after the warm-up; growth is last minus first
  const loaded = samples.filter((s) => s.t_s >= WARMUP_S).map((s) => s.rss_kib);
  const third = Math.max(1, Math.floor(loaded.length / 3));
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const first = median(loaded.slice(0, third));
  const last = median(loaded.slice(-third));
  const mib = (k) => +(k / 1024).toFixed(1);
  return {
    mode: 'soak', seconds: DURATION, connections: SOAK_CONNS, requests: run.requests, rps: run.rps,
    p50_ms: run.p50_ms, p99_ms: run.p99_ms, non2xx: run.non2xx, socket_errors: run.socket_errors,
    rss_mib: { start: mib(samples[0].rss_kib), first_third_median: mib(first), last_third_median: mib(last), max: mib(Math.max(...loaded)), idle_after: mib(idle) },
    rss_growth_mib: mib(last - first),
    rss_growth_pct: +((100 * (last - first)) / first).toFixed(1),
    samples, answers: routes,
  };
}

const srv = await startServer();
let result;
try {
  const env = await fixtures(srv);
  result = DURATION > 0 ? await soak(srv, env) : await loadLevels(srv, env);
} finally {
  await srv.stop();
}
console.log(JSON.stringify(result, null, 2));
const bad = result.mode === 'soak' ? result.non2xx + result.socket_errors
  : result.levels.reduce((a, r) => a + r.non2xx + r.socket_errors, 0);
if (bad > 0) {
  console.error(`load: ${bad} answers were not 2xx or failed`);
  process.exitCode = 1;
}
