// bench_scanq.mjs — distributed scanning throughput (issue 9, src/scanq).
//
//   IPRSHIELD_BIN=build-release/iprshield node bench/bench_scanq.mjs [listings] [workers,...]
//   (IPRSHIELD_TEST_PG=postgres://... : every run on PostgreSQL, a schema each)
//
// Baseline, same run, same disk: the in-process batch scan — `iprshield
// import listings` without NATS, which scans every listing version inside
// the import's own transactions (detections_listing_written). Then, for
// each worker count (default 1,2,4), on a fresh database and a fresh
// single-node nats-server with JetStream: the same import with
// IPRSHIELD_NATS_URL set (the versions go to the outbox), the server's
// publisher moving them to the work queue, and that many `scan-worker`s
// judging them; the time runs from the start of the import until `scan-worker
// --status` reports no version without a verdict. Reported: events per
// second, the ratio to the baseline, and the per-event overhead of the
// queue (1/rate_queued - 1/rate_inline with one worker). Not part of ctest.
//
// Third argument, the rows to run: "e2e" (above), "drain", or "both" (the
// default). A drain row measures the workers alone: the import runs with
// the server's publisher and no worker, the bench waits until the outbox is
// empty (every event is in the stream), stops the server, then starts k
// workers and times them from the first verdicts until no version lacks a
// verdict (their start — process, NATS, the rules compile — is printed
// apart; the probe's CPU covers all of it).
//
// SCANQ_PROBE=1 adds, per row, the CPU seconds of each kind of process
// (/proc: the workers, the import, the server, nats-server, node, the
// status polls, and on PostgreSQL each client's backends by application
// name, the cluster's other processes and its ended backends) and the
// PostgreSQL wait events sampled every 100 ms (pg_stat_activity; advisory =
// the schema's write, listing and audit locks).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { BIN, cli, makeTempDir, startServer, testDbUrl } from '../tests/e2e/lib.mjs';

const N = Number(process.argv[2] ?? 50_000);
const WORKERS = (process.argv[3] ?? '1,2,4').split(',').map(Number);
const MODE = process.argv[4] ?? 'both';
assert.ok(['e2e', 'drain', 'both'].includes(MODE), 'mode: e2e, drain or both');
const PROBE = process.env.SCANQ_PROBE === '1';
const NATS = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find(
  (p) => spawnSync(p, ['--version']).status === 0);
assert.ok(NATS, 'nats-server is installed (scripts/install-deps.sh)');
const CUES = ['', ' replica', ' 1:1 mirror quality', '', ' original quality', ''];

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// The database of one run: a file in dir, or with IPRSHIELD_TEST_PG set (a
// PostgreSQL URL, e.g. of scripts/pg-test-cluster.sh) a fresh schema there.
const freshDb = (dir, name) => (process.env.IPRSHIELD_TEST_PG ? testDbUrl(dir) : path.join(dir, `${name}.db`));

async function listings(file) {
  const lines = [];
  for (let i = 0; i < N; i++) {
    lines.push(JSON.stringify({
      id: `B${String(i).padStart(8, '0')}`, seller_id: `bs${i % 1999}`,
      title: `leather tote bag ${i % 100}${CUES[i % CUES.length]}`,
      description: 'soft everyday bag with two handles and an inner pocket',
      price: 15 + (i % 200), currency: 'EUR', category: 'bags',
    }));
  }
  await fs.writeFile(file, lines.join('\n') + '\n');
}

// ---- the probe (SCANQ_PROBE=1) ----------------------------------------------------------------
const HZ = 100; // clock ticks of /proc/<pid>/stat (USER_HZ)
const PG_PORT = process.env.IPRSHIELD_TEST_PG ? new URL(process.env.IPRSHIELD_TEST_PG).port : '';
async function procStat(pid) {
  try {
    const t = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    const f = t.slice(t.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
    return { ppid: Number(f[1]), user: Number(f[11]), sys: Number(f[12]), cuser: Number(f[13]), csys: Number(f[14]) };
  } catch { return null; }
}
const cmdlines = new Map();
async function cmdline(pid) {
  if (!cmdlines.has(pid)) {
    try { cmdlines.set(pid, (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')); }
    catch { cmdlines.set(pid, null); }
  }
  return cmdlines.get(pid);
}

// The children of pid (its main thread's: node and the postmaster fork there).
async function children(pid) {
  if (!pid) return [];
  try {
    return (await fs.readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).split(' ').filter(Boolean).map(Number);
  } catch { return []; }
}

// One row's probe: every 100 ms, the CPU of each process of interest (the
// last sample of a process that ends is kept) and, on PostgreSQL, the
// sessions' states and wait events.
class Probe {
  constructor() {
    this.seen = new Map(); // pid -> {kind, first, last}
    this.waits = new Map(); // "app state wait" -> samples
    this.samples = 0;
    this.apps = new Map(); // backend pid -> application name
    this.postmaster = 0;
  }
  async start() {
    if (!PROBE) return;
    const self = await procStat(process.pid);
    this.nodeFirst = self;
    for (const e of PG_PORT ? await fs.readdir('/proc') : []) {
      const argv = /^\d+$/.test(e) && await cmdline(Number(e));
      if (argv && path.basename(argv[0]) === 'postgres' && argv.includes(PG_PORT)) this.postmaster = Number(e);
    }
    if (this.postmaster) {
      const st = await procStat(this.postmaster);
      this.seen.set(this.postmaster, { kind: 'postmaster', first: st, last: st, fresh: false });
    }
    if (process.env.IPRSHIELD_TEST_PG) {
      this.psql = spawn('psql', ['-X', '-A', '-t', '-q', '-F', '|', process.env.IPRSHIELD_TEST_PG],
        { env: { ...process.env, PGAPPNAME: 'probe' }, stdio: ['pipe', 'pipe', 'ignore'] });
      this.psql.stdout.setEncoding('utf8');
      let buf = '';
      this.psql.stdout.on('data', (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) { this.onRow(buf.slice(0, i)); buf = buf.slice(i + 1); }
      });
      this.psql.stdin.write('SELECT pg_backend_pid();\n');
    }
    this.timer = setInterval(() => { this.tick(); }, 100);
    await this.tick();
  }
  onRow(line) {
    const f = line.split('|');
    if (f.length === 1 && /^\d+$/.test(f[0])) {
      this.psqlBackend = Number(f[0]);
      return;
    }
    if (f.length < 5) return;
    const [pid, app, state, wtype, wev] = f;
    this.apps.set(Number(pid), app || 'other');
    const k = `${app || 'other'}|${state}|${wtype ? `${wtype}:${wev}` : 'CPU (no wait)'}`;
    this.waits.set(k, (this.waits.get(k) ?? 0) + 1);
  }
  async tick() {
    if (this.busy) return;
    this.busy = true;
    this.samples++;
    if (this.psql) {
      this.psql.stdin.write("SELECT pid, application_name, state, wait_event_type, wait_event FROM pg_stat_activity" +
        " WHERE backend_type = 'client backend' AND application_name <> 'probe';\n");
    }
    for (const pid of [...await children(process.pid), ...await children(this.postmaster)]) {
      let rec = this.seen.get(pid);
      if (!rec) {
        const argv = await cmdline(pid);
        const st = argv && await procStat(pid);
        const kind = st && this.kind(pid, argv, st);
        if (!kind) continue;
        rec = { kind, first: st, last: st, fresh: this.samples > 1 };
        this.seen.set(pid, rec);
        continue;
      }
      const st = await procStat(pid);
      if (st) rec.last = st;
    }
    if (this.postmaster) {
      const st = await procStat(this.postmaster);
      if (st) this.seen.get(this.postmaster).last = st;
    }
    this.busy = false;
  }
  // Only this bench's processes: its children, and the cluster of
  // IPRSHIELD_TEST_PG (the postmaster listening on its port, its children).
  kind(pid, argv, st) {
    const a0 = path.basename(argv[0] ?? '');
    if (st.ppid === this.postmaster && this.postmaster) return 'pg';
    if (st.ppid !== process.pid) return null;
    if (argv[0] === BIN || a0 === path.basename(BIN)) {
      if (argv[1] === 'scan-worker') return argv.includes('--status') ? 'status poll' : 'worker';
      if (argv[1] === 'serve') return 'server';
      if (argv[1] === 'import') return 'import';
      return `iprshield ${argv[1]}`;
    }
    if (a0 === 'nats-server') return 'nats-server';
    return null;
  }
  async stop() {
    if (!PROBE) return null;
    clearInterval(this.timer);
    while (this.busy) await sleep(10);
    await this.tick();
    this.psql?.stdin.end();
    const cpu = new Map();
    const add = (k, u, s) => { const c = cpu.get(k) ?? { user: 0, sys: 0 }; c.user += u; c.sys += s; cpu.set(k, c); };
    let endedBackends = { user: 0, sys: 0 };
    for (const [pid, r] of this.seen) {
      const base = r.fresh ? { user: 0, sys: 0 } : r.first; // began during the row: all of it
      let kind = r.kind;
      if (kind === 'pg') {
        if (pid === this.psqlBackend) continue;
        const app = this.apps.get(pid);
        const cl = (cmdlines.get(pid) ?? [''])[0];
        kind = app ? `pg backend: ${app}` : `pg: ${cl.replace(/^postgres: /, '').split(' ')[0]}`;
        if (!app && !r.fresh && r.last === r.first) continue;
      }
      if (kind === 'postmaster') {
        endedBackends = { user: r.last.cuser - r.first.cuser, sys: r.last.csys - r.first.csys };
        add('postmaster', r.last.user - r.first.user, r.last.sys - r.first.sys);
        continue;
      }
      add(kind, r.last.user - base.user, r.last.sys - base.sys);
    }
    // the postmaster's children that ended (their last 100 ms sample is
    // already counted above; the rest is the short-lived backends, e.g.
    // of the status polls, and autovacuum workers)
    let sampledEnded = { user: 0, sys: 0 };
    for (const [pid, r] of this.seen) {
      if (r.kind === 'pg' && pid !== this.psqlBackend && !(await procStat(pid))) {
        sampledEnded.user += r.last.user - (r.fresh ? 0 : r.first.user);
        sampledEnded.sys += r.last.sys - (r.fresh ? 0 : r.first.sys);
      }
    }
    if (this.postmaster) {
      add('pg: ended backends not sampled', Math.max(0, endedBackends.user - sampledEnded.user),
        Math.max(0, endedBackends.sys - sampledEnded.sys));
    }
    const self = await procStat(process.pid);
    add('node (bench + probe)', self.user - this.nodeFirst.user, self.sys - this.nodeFirst.sys);
    const rows = [...cpu].map(([k, c]) => [k, c.user / HZ, c.sys / HZ]).sort((a, b) => (b[1] + b[2]) - (a[1] + a[2]));
    return { rows, waits: [...this.waits].sort((a, b) => b[1] - a[1]), samples: this.samples };
  }
}

function printProbe(label, p, ms) {
  if (!p) return;
  const total = p.rows.reduce((t, r) => t + r[1] + r[2], 0);
  console.log(`  probe ${label}: wall ${(ms / 1000).toFixed(2)} s; CPU ${total.toFixed(2)} s of ` +
    `${(2 * ms / 1000).toFixed(2)} core-s (${((100 * total) / (2 * ms / 1000)).toFixed(0)}% of 2 cores)`);
  console.log('  | process | user s | sys s | CPU s / 1000 events |');
  for (const [k, u, s] of p.rows) {
    console.log(`  | ${k} | ${u.toFixed(2)} | ${s.toFixed(2)} | ${(((u + s) * 1000) / N).toFixed(3)} |`);
  }
  if (p.waits.length) {
    console.log(`  wait samples (every 100 ms, ${p.samples} samples): application|state|wait`);
    for (const [k, n] of p.waits.slice(0, 14)) console.log(`    ${n}\t${k}`);
  }
}

async function status(db) {
  const r = await cli(['scan-worker', '--status', '--db', db, '--log-level', 'error'],
    { env: { PGAPPNAME: 'status poll' } });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rate = (n, ms) => (n / (ms / 1000));

async function inline(dir, file) {
  const db = freshDb(dir, 'inline');
  assert.equal((await cli(['db', 'migrate', '--db', db, '--log-level', 'error'])).code, 0);
  const probe = new Probe();
  await probe.start();
  const t0 = Date.now();
  const r = await cli(['import', 'listings', file, '--db', db, '--log-level', 'error'],
    { timeoutMs: 3_600_000, env: { PGAPPNAME: 'import' } });
  assert.equal(r.code, 0, r.stderr);
  const ms = Date.now() - t0;
  return { ms, probe: await probe.stop() };
}

const spawnWorkers = (k, db, url) => Array.from({ length: k }, (_, i) => spawn(BIN, ['scan-worker', '--db', db,
  '--nats', url, '--name', `b${i}`, '--log-level', 'error'], { stdio: 'ignore', env: { ...process.env, PGAPPNAME: 'worker' } }));

// Each `scan-worker --status` is a process, a connection and a count over
// every listing version and verdict (~25 ms of CPU at 20,000 events on
// PostgreSQL): polled every 200 ms it took a third of the run's CPU
// (docs/benchmarks.md, 2026-11-30), so every POLL_MS; the end is known to
// within that.
const POLL_MS = 500;
async function drained(db) {
  for (;;) {
    const s = await status(db);
    if (s.missing === 0 && s.outbox === 0) return;
    await sleep(POLL_MS);
  }
}

async function stopAll(workers) {
  await Promise.all(workers.map((w) => new Promise((resolve) => {
    if (w.exitCode !== null || w.signalCode !== null) return resolve();
    w.on('exit', resolve);
    w.kill('SIGTERM');
  })));
}

// A row's fresh nats-server, migrated database and server (the publisher).
async function natsAndServer(dir, name) {
  const port = await freePort();
  const nats = spawn(NATS, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', path.join(dir, `js-${name}`)],
    { stdio: 'ignore' });
  const url = `nats://127.0.0.1:${port}`;
  const db = freshDb(dir, name);
  assert.equal((await cli(['db', 'migrate', '--db', db, '--log-level', 'error'])).code, 0);
  const srv = await startServer({ seed: false, dbPath: db, env: { IPRSHIELD_NATS_URL: url, PGAPPNAME: 'server' } });
  return { nats, url, db, srv };
}

// The workers alone: the stream holds every event before they start.
async function drain(dir, file, k) {
  const { nats, url, db, srv } = await natsAndServer(dir, `drain${k}`);
  const r = await cli(['import', 'listings', file, '--db', db, '--log-level', 'error'],
    { env: { IPRSHIELD_NATS_URL: url, PGAPPNAME: 'import' }, timeoutMs: 3_600_000 });
  assert.equal(r.code, 0, r.stderr);
  for (;;) {
    const s = await status(db);
    assert.equal(s.missing, N, 'no verdict before the workers start');
    if (s.outbox === 0) break;
    await sleep(POLL_MS);
  }
  await srv.stop();
  const probe = new Probe();
  await probe.start();
  const t0 = Date.now();
  const workers = spawnWorkers(k, db, url);
  // a worker's start (process, NATS, the rules compile) is not scanning:
  // the rate counts from the first verdicts seen to the end
  let t1, left;
  for (;;) {
    const s = await status(db);
    if (s.missing < N) { t1 = Date.now(); left = s.missing; break; }
    await sleep(50);
  }
  await drained(db);
  const end = Date.now();
  const ms = (end - t1) * (N / left); // N events at the rate of the last `left`
  const startMs = t1 - t0;
  await stopAll(workers);
  const p = await probe.stop();
  const after = await status(db);
  assert.equal(after.duplicates, 0);
  nats.kill('SIGTERM');
  return { ms, startMs, wallMs: end - t0, probe: p };
}

async function queued(dir, file, k) {
  const { nats, url, db, srv } = await natsAndServer(dir, `queued${k}`);
  const probe = new Probe();
  await probe.start();
  const workers = spawnWorkers(k, db, url);
  const t0 = Date.now();
  const r = await cli(['import', 'listings', file, '--db', db, '--log-level', 'error'],
    { env: { IPRSHIELD_NATS_URL: url, PGAPPNAME: 'import' }, timeoutMs: 3_600_000 });
  assert.equal(r.code, 0, r.stderr);
  const importMs = Date.now() - t0;
  await drained(db);
  const ms = Date.now() - t0;
  await stopAll(workers);
  const p = await probe.stop();
  const end = await status(db);
  assert.equal(end.duplicates, 0);
  await srv.stop();
  nats.kill('SIGTERM');
  return { ms, importMs, probe: p };
}

const dir = await makeTempDir('iprs-bench-scanq-');
const file = path.join(dir, 'listings.jsonl');
await listings(file);
const b = await inline(dir, file);
const base = b.ms;
console.log(`listings: ${N}; database: ${process.env.IPRSHIELD_TEST_PG ? 'PostgreSQL' : 'SQLite'}`);
console.log(`baseline  in-process batch scan (import, scan inside the write): ${rate(N, base).toFixed(0)} events/s`);
printProbe('baseline', b.probe, base);
let one = null;
if (MODE !== 'drain') {
  for (const k of WORKERS) {
    const q = await queued(dir, file, k);
    if (k === 1) one = q.ms;
    console.log(`queued    ${k} worker(s): ${rate(N, q.ms).toFixed(0)} events/s ` +
      `(ratio ${(base / q.ms).toFixed(2)} of the baseline; import alone ${rate(N, q.importMs).toFixed(0)} rows/s)`);
    printProbe(`queued ${k}`, q.probe, q.ms);
  }
  if (one !== null) {
    console.log(`per-event overhead of the queue (1 worker): ${(((one - base) / N) * 1000).toFixed(1)} µs`);
  }
}
if (MODE !== 'e2e') {
  let first = null;
  for (const k of WORKERS) {
    const d = await drain(dir, file, k);
    first ??= { k, ms: d.ms };
    console.log(`drain     ${k} worker(s) alone, stream loaded: ${rate(N, d.ms).toFixed(0)} events/s ` +
      `(ratio ${(base / d.ms).toFixed(2)} of the baseline; ${(first.ms / d.ms).toFixed(2)} of ${first.k} worker(s); ` +
      `start to the first verdicts ${(d.startMs / 1000).toFixed(2)} s, not counted)`);
    printProbe(`drain ${k}`, d.probe, d.wallMs);
  }
}
