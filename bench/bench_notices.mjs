// bench_notices.mjs — fast-track notices per second through the real server.
//
//   IPRSHIELD_BIN=build/iprshield node bench/bench_notices.mjs [notices] [connections] [threads]
//
// threads: the server's `threads`, the requests it serves at once, each on
// a database connection of its own (default: the server's own default, 32;
// every client connection has a thread of its own, src/http/server.c).
//
// Environment:
//   BENCH_NOTICES_CLIENT=wrk (default) | node — the client of the submission
//     phase. wrk (Debian's wrk 4.1 with bench/bench_notices.lua) is the
//     lighter one: ≈ 0.1 ms of CPU per notice against node's ≈ 0.4 ms, on
//     the same cores as the server (docs/benchmarks.md, "stop 19, notices
//     helper"). Both send the same requests (same headers: cookie,
//     x-csrf-token, content-type; same JSON body) over `connections`
//     keep-alive connections, each listing cited exactly once.
//   BENCH_NOTICES_WRK_THREADS (default 2, at most `connections`): wrk's -t;
//     the listings are split into one contiguous share per wrk thread.
//   BENCH_NOTICES_KEEP_WAL=<file.db>: see below.
//
// Starts a server on a fresh database (demo seed; its log goes to a file,
// not through node, see startBenchServer), registers and verifies a
// trademark, qualifies the right holder for the fast track (one reviewed and
// upheld notice, with IPRSHIELD_FASTTRACK_MIN_DECIDED=1), creates one listing
// per notice (with node, always), then submits fast-track notices over
// keep-alive connections.
// A 201 answer means the notice, its item and the takedown are committed and
// on stable storage (WAL, group commit: the answer waits for an fdatasync of
// the WAL that started after the commit, see docs/internals/store.md): each
// acknowledged notice is durable, so the submit latency is the
// submit-to-takedown latency. Every answer must be 201 with fast_track true:
// the others are counted and printed ("failures"), and the bench exits 1.
//
// Durability check: after the submissions the server is killed (SIGKILL),
// and the sqlite3 shell counts, in the database file the server left, the
// bench's listings whose notice item is taken down: at least every
// acknowledged notice must be there, or the bench exits 1 ("durability").
//
// It also prints the group transactions of the submission phase (groups
// per second, requests per group, the largest group, and the database pages
// the groups wrote to the WAL per notice) from the server's /metrics
// (iprshield_store_group*): null for a build without them. With them, how
// busy the one writer was (writer_busy: its share of the wall time),
// its wall and CPU time per notice (writer_ms_per_notice,
// writer_cpu_ms_per_notice: the CPU figure is the steadiest to compare
// builds by, docs/internals/store.md), and the commit barriers' fdatasyncs
// per second and their mean time (syncs_per_s, sync_ms).
//
// Besides the rate and the latency (wrk: its own latency percentiles; node:
// per request, measured in node) it prints, for the submission phase only,
// the server's CPU (user + system, /proc/<pid>/stat) and the client's CPU
// per notice (wrk: the wrk process's CPU, os.clock() at its end; node:
// process.cpuUsage; "driver" = node's own CPU while wrk runs, after
// spawning it), and the
// server's read/write system calls and bytes per notice (/proc/<pid>/io):
// the client runs on the same cores as the server, and SQLite's page I/O is
// where the server's time goes (docs/benchmarks.md, "Notice and action").
//
// Baseline, same run, same disk: the raw durable SQLite insert rate — one
// row per autocommit transaction with journal_mode=WAL and synchronous=FULL
// (the sqlite3 shell). Not part of ctest (it is not under tests/).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { BIN, login, makeTempDir, seedDemo, unique } from '../tests/e2e/lib.mjs';

const N = Number(process.argv[2] ?? 2000);
const CONNS = Number(process.argv[3] ?? 8);
const THREADS = process.argv[4];
const CLIENT = process.env.BENCH_NOTICES_CLIENT ?? 'wrk';
if (CLIENT !== 'wrk' && CLIENT !== 'node') throw new Error(`BENCH_NOTICES_CLIENT: wrk or node, not ${CLIENT}`);
const WRK_THREADS = Math.max(1, Math.min(CONNS, Number(process.env.BENCH_NOTICES_WRK_THREADS ?? 2)));
const HERE = path.dirname(fileURLToPath(import.meta.url));
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

const agent = new http.Agent({ keepAlive: true, maxSockets: CONNS });

function call(srv, method, p, session, body, contentType = 'application/json') {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const headers = session.cookie ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {};
    if (data) { headers['content-type'] = contentType; headers['content-length'] = data.length; }
    const req = http.request({ host: '127.0.0.1', port: srv.port, method, path: p, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const json = /json/.test(res.headers['content-type'] ?? '');
        resolve({ status: res.statusCode, body: text && json ? JSON.parse(text) : undefined, text });
      });
    });
    req.on('error', reject);
    if (data) req.end(data); else req.end();
  });
}

async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) { const i = next++; await fn(items[i], i); }
  }));
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// CPU seconds (user + system) the server process has used so far, from
// /proc/<pid>/stat (fields 14 and 15, in clock ticks of 1/100 s on Linux).
function serverCpu(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / 100;
}

// I/O the server has done so far, from /proc/<pid>/io: bytes and calls of
// read and write system calls: SQLite's pread/pwrite and the HTTP socket's.
function serverIo(pid) {
  const io = {};
  for (const line of fs.readFileSync(`/proc/${pid}/io`, 'utf8').split('\n')) {
    const m = /^(\w+): (\d+)$/.exec(line);
    if (m) io[m[1]] = Number(m[2]);
  }
  return io;
}

// The group-transaction counters of the server's /metrics
// (iprshield_store_group*, store.h store_group_stats); null for a build
// without them.
async function groupStats(srv) {
  const r = await call(srv, 'GET', '/metrics', {});
  const get = (name) => {
    const m = new RegExp(`^${name} ([0-9.]+)$`, "m").exec(r.text);
    return m ? Number(m[1]) : null;
  };
  return { groups: get('iprshield_store_groups_total'), requests: get('iprshield_store_group_requests_total'), largest: get('iprshield_store_group_largest'), pages: get('iprshield_store_group_pages_total'), busy: get('iprshield_store_group_busy_seconds_total'), cpu: get('iprshield_store_group_cpu_seconds_total'), syncs: get('iprshield_store_syncs_total'), sync_s: get('iprshield_store_sync_seconds_total') };
}

function sqliteBaseline(dir, rows) {
  const db = path.join(dir, 'baseline.db');
  let sql = 'PRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\nCREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);\n';
  for (let i = 0; i < rows; i++) sql += `INSERT INTO t (v) VALUES ('row ${i} of the durable insert baseline');\n`;
  const t0 = process.hrtime.bigint();
  execFileSync('sqlite3', [db], { input: sql });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return rows / s;
}

// The submission phase with wrk (bench/bench_notices.lua): resolves with
// the script's NOTICESJSON summary. Each wrk thread says on stderr when its
// share is answered; once all have, wrk gets SIGINT (its main thread
// otherwise sleeps for the whole -d, a bound that only matters if answers
// go missing).
function submitWithWrk(srv, session, rightId, prefix) {
  const body = JSON.stringify(notice(rightId, '@LISTING@'));
  const [head, tail] = body.split('@LISTING@');
  const env = {
    ...process.env, NOTICES_N: String(N), NOTICES_THREADS: String(WRK_THREADS), NOTICES_PREFIX: prefix,
    NOTICES_BODY_HEAD: head, NOTICES_BODY_TAIL: tail, NOTICES_COOKIE: session.cookie, NOTICES_CSRF: session.csrf,
  };
  const args = ['-t', String(WRK_THREADS), '-c', String(CONNS), '-d', `${Math.max(60, Math.ceil(N / 20))}s`,
    '--timeout', '30s', '-s', path.join(HERE, 'bench_notices.lua'), srv.base];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    // node's CPU while wrk runs, from here: spawn() itself (a fork of the
    // node process, ≈ 0.1-0.2 s) happens before wrk's first request
    const driver0 = process.cpuUsage();
    let out = '';
    let err = '';
    let doneThreads = 0;
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => {
      err += d;
      const n = (err.match(/^NOTICESWRK_DONE \d+$/gm) ?? []).length;
      if (n > doneThreads) {
        doneThreads = n;
        if (doneThreads === WRK_THREADS) child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const m = /^NOTICESJSON (.*)$/m.exec(out);
      if (!m) { reject(new Error(`wrk ${args.join(' ')}: exit ${code} ${signal}, no summary\n${out}\n${err}`)); return; }
      const d = process.cpuUsage(driver0);
      resolve({ ...JSON.parse(m[1]), driver_cpu_s: (d.user + d.system) / 1e6 });
    });
  });
}

function notice(rightId, listing) {
  return { right_id: rightId, kind: 'counterfeit', explanation: 'counterfeit', notifier_name: 'Bench', notifier_email: 'b@bench.example', good_faith: true, accuracy: true, signature: 'Bench', listings: [listing], evidence_urls: ['https://e.example/1'] };
}

// The bench's listings (ids `${prefix}1` .. `${prefix}${N}`) whose notice
// item is taken down, counted by the sqlite3 shell in the database file a
// killed server left (the shell replays the WAL).
function takenDownOnDisk(db, prefix) {
  const sql = `SELECT count(*) FROM notice_items WHERE listing_id LIKE '${prefix}%' AND listing_id <> '${prefix}0' AND state = 'taken_down';`;
  return Number(execFileSync('sqlite3', [db, sql], { encoding: 'utf8' }).trim());
}

// The bench's server: as tests/e2e/lib.mjs startServer (demo seed, request
// rate limits off, the caller's IPRSHIELD_* variables not passed on), but
// its stderr — a log line per request — goes to a file instead of a pipe
// into node: reading that pipe cost node ≈ 0.1 ms of CPU per notice, on
// the cores the server runs on. The port comes from the "listening" line.
async function startBenchServer(dir, db, extraEnv) {
  const users = await seedDemo(db);
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('IPRSHIELD_')) env[k] = v;
  const logPath = path.join(dir, 'server.log');
  const fd = fs.openSync(logPath, 'w');
  const proc = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0'], {
    env: { ...env, IPRSHIELD_RATE_ADDRESS: '0', IPRSHIELD_RATE_USER: '0', ...extraEnv },
    stdio: ['ignore', 'ignore', fd],
  });
  fs.closeSync(fd);
  let exited = null;
  const exit = new Promise((resolve) => proc.once('exit', (code, signal) => { exited = { code, signal }; resolve(exited); }));
  let port = 0;
  for (let waited = 0; !port; waited += 20) {
    for (const line of fs.readFileSync(logPath, 'utf8').split('\n')) {
      let o;
      try { o = JSON.parse(line); } catch { continue; }
      const m = o.msg === 'listening' && typeof o.addr === 'string' ? /:(\d+)$/.exec(o.addr) : null;
      if (m && Number(m[1]) > 0) port = Number(m[1]);
    }
    if (port) break;
    if (exited || waited > 10_000) {
      proc.kill('SIGKILL');
      throw new Error(`server did not start: ${fs.readFileSync(logPath, 'utf8').slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const base = `http://127.0.0.1:${port}`;
  return {
    proc, port, base,
    loginAs: (role) => login(base, users[role].email, users[role].password),
    /** SIGKILL, wait for the process to go. */
    async crash() { if (!exited) proc.kill('SIGKILL'); await exit; },
    /** SIGTERM (unless gone), wait; exit 0 expected. */
    async stop() {
      if (!exited) proc.kill('SIGTERM');
      const x = await exit;
      if (x.signal === null && x.code !== 0) throw new Error(`server exit code ${x.code}: ${fs.readFileSync(logPath, 'utf8').slice(-2000)}`);
    },
  };
}

// BENCH_NOTICES_KEEP_WAL=<file.db>: the server's database is that file, and
// the server is killed (SIGKILL) right after the submissions, so that the
// write-ahead log keeps the last transactions' frames for
// bench/notice_pages.py (pages per B-tree per notice); nothing is printed.
const KEEP_WAL = process.env.BENCH_NOTICES_KEEP_WAL;
const dir = await makeTempDir('iprs-bench-');
const DB = KEEP_WAL ?? path.join(dir, 'bench.db');
const srv = await startBenchServer(dir, DB, { IPRSHIELD_FASTTRACK_MIN_DECIDED: '1', ...(THREADS ? { IPRSHIELD_THREADS: THREADS } : {}) });
let exitCode = 0;
try {
  const S = {};
  for (const r of ['reviewer', 'rightholder', 'seller']) S[r] = await srv.loginAs(r);
  const boundary = `----b${unique('b')}`;
  const meta = { kind: 'trademark', mark_text: 'AURORA', registration_number: `TM-${unique('n')}`, office: 'EUIPO', nice_classes: [25], valid_from: '2020-01-01', valid_to: '2099-12-31' };
  const mp = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="right"\r\n\r\n${JSON.stringify(meta)}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="certificate"; filename="c.pdf"\r\n\r\n`), PDF,
    Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const right = await call(srv, 'POST', '/api/v1/rights', S.rightholder, mp, `multipart/form-data; boundary=${boundary}`);
  assert.equal(right.status, 201, right.text);
  await call(srv, 'POST', `/api/v1/rights/${right.body.id}/decision`, S.reviewer, { decision: 'verified', reason: 'bench' });
  // Listing i is `${prefix}${i}`: listing 0 is the reviewed notice's, 1..N
  // the submissions' (the wrk script builds the ids the same way).
  const prefix = `bench-${unique('r')}-`.replace(/[^A-Za-z0-9._:-]/g, '');
  const ids = Array.from({ length: N + 1 }, (_, i) => `${prefix}${i}`);
  await pool(ids, CONNS, async (id) => {
    const r = await call(srv, 'POST', '/api/v1/listings', S.seller, { id, title: 'AURORA bag', description: 'x', price: '9.90', currency: 'EUR', category: 'bags', images: [], ship_from: 'CN', units_sold: 1 });
    assert.equal(r.status, 201, r.text);
  });
  const first = await call(srv, 'POST', '/api/v1/notices', S.rightholder, notice(right.body.id, ids[0]));
  await call(srv, 'POST', `/api/v1/notices/${first.body.id}/decision`, S.reviewer, { decision: 'uphold', reason: 'bench' });

  const g0 = await groupStats(srv);
  const cpu0 = serverCpu(srv.proc.pid);
  const io0 = serverIo(srv.proc.pid);
  const client0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let secs; let latency; let clientSecs; let driverSecs = null; let acked; let failures;
  if (CLIENT === 'wrk') {
    const w = await submitWithWrk(srv, S.rightholder, right.body.id, prefix);
    secs = w.window_us / 1e6;
    latency = { p50: w.p50_us / 1000, p90: w.p90_us / 1000, p99: w.p99_us / 1000, p999: w.p999_us / 1000, max: w.max_us / 1000 };
    clientSecs = w.wrk_cpu_s;
    driverSecs = w.driver_cpu_s;
    acked = w.ok;
    const sock = Object.values(w.socket_errors).reduce((a, b) => a + b, 0);
    failures = { count: N - w.ok, not_answered: N - w.answered, not_fast_track: w.not_fast_track, socket_errors: w.socket_errors, first: w.first_failure || null, wrk_shares: w.shares };
    if (sock > 0 && failures.count === 0) failures.count = sock;
  } else {
    const lat = [];
    let ok = 0; let firstFailure = null;
    await pool(ids.slice(1), CONNS, async (id) => {
      const s = process.hrtime.bigint();
      let r;
      try { r = await call(srv, 'POST', '/api/v1/notices', S.rightholder, notice(right.body.id, id)); } catch (e) { r = { status: 0, text: String(e) }; }
      lat.push(Number(process.hrtime.bigint() - s) / 1e6);
      if (r.status === 201 && r.body?.fast_track === true) ok++;
      else firstFailure ??= `${r.status} ${r.text.slice(0, 300)}`;
    });
    secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(client0);
    clientSecs = (c.user + c.system) / 1e6;
    lat.sort((a, b) => a - b);
    latency = { p50: pct(lat, 50), p90: pct(lat, 90), p99: pct(lat, 99), p999: pct(lat, 99.9), max: lat[lat.length - 1] };
    acked = ok;
    failures = { count: N - ok, first: firstFailure };
  }
  const serverSecs = serverCpu(srv.proc.pid) - cpu0;
  const io1 = serverIo(srv.proc.pid);
  if (KEEP_WAL) {
    await srv.crash();
    process.exit(0);
  }
  const perNotice = (k) => +((io1[k] - io0[k]) / N).toFixed(1);
  const g1 = await groupStats(srv);
  const groups = g0.groups === null ? null : {
    groups_per_s: +((g1.groups - g0.groups) / secs).toFixed(1),
    requests_per_group: +((g1.requests - g0.requests) / Math.max(1, g1.groups - g0.groups)).toFixed(2),
    largest: g1.largest,
    wal_pages_per_notice: g0.pages === null ? null : +((g1.pages - g0.pages) / Math.max(1, g1.requests - g0.requests)).toFixed(2),
    writer_busy: g0.busy === null ? null : +((g1.busy - g0.busy) / secs).toFixed(3),
    writer_ms_per_notice: g0.busy === null ? null : +((1000 * (g1.busy - g0.busy)) / Math.max(1, g1.requests - g0.requests)).toFixed(3),
    writer_cpu_ms_per_notice: g0.cpu === null ? null : +((1000 * (g1.cpu - g0.cpu)) / Math.max(1, g1.requests - g0.requests)).toFixed(3),
    syncs_per_s: g0.syncs === null ? null : +((g1.syncs - g0.syncs) / secs).toFixed(1),
    sync_ms: g0.syncs === null ? null : +((1000 * (g1.sync_s - g0.sync_s)) / Math.max(1, g1.syncs - g0.syncs)).toFixed(3),
  };
  await srv.crash();
  const onDisk = takenDownOnDisk(DB, prefix);
  const durability = { acknowledged: acked, taken_down_on_disk_after_kill9: onDisk, ok: onDisk >= acked };
  const rate = N / secs;
  const base = sqliteBaseline(dir, Math.min(N, 2000));
  console.log(JSON.stringify({
    client: CLIENT, ...(CLIENT === 'wrk' ? { wrk_threads: WRK_THREADS } : {}),
    notices: N, connections: CONNS, threads: THREADS ? Number(THREADS) : 'default', seconds: +secs.toFixed(3),
    fast_track_notices_per_s: +rate.toFixed(1),
    submit_to_takedown_ms: { p50: +latency.p50.toFixed(2), p90: +latency.p90.toFixed(2), p99: +latency.p99.toFixed(2), 'p99.9': +latency.p999.toFixed(2), max: +latency.max.toFixed(2) },
    failures,
    durability,
    server_io_per_notice: { read_calls: perNotice('syscr'), read_bytes: perNotice('rchar'), write_calls: perNotice('syscw'), write_bytes: perNotice('wchar') },
    group_transactions: groups,
    cpu_ms_per_notice: {
      server: +((serverSecs * 1000) / N).toFixed(3), client: +((clientSecs * 1000) / N).toFixed(3),
      ...(driverSecs === null ? {} : { driver: +((driverSecs * 1000) / N).toFixed(3) }),
    },
    baseline_sqlite_durable_inserts_per_s: +base.toFixed(1),
    ratio_notices_to_baseline: +(rate / base).toFixed(3),
  }, null, 2));
  if (failures.count > 0 || !durability.ok) exitCode = 1;
} finally {
  agent.destroy();
  await srv.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exitCode = exitCode;
