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
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { BIN, cli, makeTempDir, startServer, testDbUrl } from '../tests/e2e/lib.mjs';

const N = Number(process.argv[2] ?? 50_000);
const WORKERS = (process.argv[3] ?? '1,2,4').split(',').map(Number);
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

async function status(db) {
  const r = await cli(['scan-worker', '--status', '--db', db, '--log-level', 'error']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rate = (n, ms) => (n / (ms / 1000));

async function inline(dir, file) {
  const db = freshDb(dir, 'inline');
  assert.equal((await cli(['db', 'migrate', '--db', db, '--log-level', 'error'])).code, 0);
  const t0 = Date.now();
  const r = await cli(['import', 'listings', file, '--db', db, '--log-level', 'error'], { timeoutMs: 3_600_000 });
  assert.equal(r.code, 0, r.stderr);
  return Date.now() - t0;
}

async function queued(dir, file, k) {
  const port = await freePort();
  const nats = spawn(NATS, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', path.join(dir, `js${k}`)],
    { stdio: 'ignore' });
  const url = `nats://127.0.0.1:${port}`;
  const db = freshDb(dir, `queued${k}`);
  assert.equal((await cli(['db', 'migrate', '--db', db, '--log-level', 'error'])).code, 0);
  const srv = await startServer({ seed: false, dbPath: db, env: { IPRSHIELD_NATS_URL: url } });
  const workers = Array.from({ length: k }, (_, i) => spawn(BIN, ['scan-worker', '--db', db, '--nats', url,
    '--name', `b${i}`, '--log-level', 'error'], { stdio: 'ignore' }));
  const t0 = Date.now();
  const r = await cli(['import', 'listings', file, '--db', db, '--log-level', 'error'],
    { env: { IPRSHIELD_NATS_URL: url }, timeoutMs: 3_600_000 });
  assert.equal(r.code, 0, r.stderr);
  const importMs = Date.now() - t0;
  for (;;) {
    const s = await status(db);
    if (s.missing === 0 && s.outbox === 0) break;
    await sleep(200);
  }
  const ms = Date.now() - t0;
  const end = await status(db);
  assert.equal(end.duplicates, 0);
  for (const w of workers) w.kill('SIGTERM');
  await srv.stop();
  nats.kill('SIGTERM');
  return { ms, importMs };
}

const dir = await makeTempDir('iprs-bench-scanq-');
const file = path.join(dir, 'listings.jsonl');
await listings(file);
const base = await inline(dir, file);
console.log(`listings: ${N}; database: ${process.env.IPRSHIELD_TEST_PG ? 'PostgreSQL' : 'SQLite'}`);
console.log(`baseline  in-process batch scan (import, scan inside the write): ${rate(N, base).toFixed(0)} events/s`);
let one = null;
for (const k of WORKERS) {
  const q = await queued(dir, file, k);
  if (k === 1) one = q.ms;
  console.log(`queued    ${k} worker(s): ${rate(N, q.ms).toFixed(0)} events/s ` +
    `(ratio ${(base / q.ms).toFixed(2)} of the baseline; import alone ${rate(N, q.importMs).toFixed(0)} rows/s)`);
}
if (one !== null) {
  console.log(`per-event overhead of the queue (1 worker): ${(((one - base) / N) * 1000).toFixed(1)} µs`);
}
