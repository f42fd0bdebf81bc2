// bench_portal.mjs — do list pages and searches stay fast with a large
// catalog? Times GET /api/v1/listings (first page, a page near the end by
// cursor, a seller's own listings), listing searches (a rare word, a common
// word, a common word deep into its ranking) and GET /api/v1/notices?q=
// against the real server over a database of N listings.
//
//   IPRSHIELD_BIN=build-rel/iprshield node bench/bench_portal.mjs [listings=1000000] [repeats=30] [db]
//
// The catalog: `iprshield demo generate` writes 10,000 realistic listings
// (made-up brands, look-alike spellings, Chinese cue phrases); they are
// repeated with new ids (`<id>-<k>`) up to N and loaded with
// `iprshield import listings`. With a db path, a database built by an
// earlier run is reused (built there when it does not exist yet).
//
// Baseline, same run, same server: GET /healthz (no database, no session),
// and GET /api/v1/me (a session lookup and a JSON answer: the cheapest
// authenticated request). Each request is repeated; the median and p90
// (ms) and the ratio of each median to /api/v1/me's are printed. A page
// that stays fast has a small ratio that does not grow with N.
// Not part of ctest (it is not under tests/).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { BIN, cli, login, makeTempDir, startServer } from '../tests/e2e/lib.mjs';

const N = Number(process.argv[2] ?? 1_000_000);
const REPEATS = Number(process.argv[3] ?? 30);
const KEEP = process.argv[4];
const SOURCE_ROWS = Math.min(N, 10_000);

const dir = await makeTempDir('iprs-bench-portal-');
const db = KEEP ? path.resolve(KEEP) : path.join(dir, 'portal.db');
const usersFile = `${db}.users.json`;

function sqlite(sql) {
  return execFileSync('sqlite3', [db, sql], { encoding: 'utf8' }).trim();
}

async function buildCatalog() {
  // the demo users first (demo seed creates the database), then the catalog
  const seeded = await startServer({ dbPath: db });
  fs.writeFileSync(usersFile, JSON.stringify(seeded.users));
  await seeded.stop();
  const gen = path.join(dir, 'gen');
  fs.mkdirSync(gen);
  let r = await cli(['demo', 'generate', '--listings', String(SOURCE_ROWS), '--seed', '8', '--out', gen], { timeoutMs: 1_800_000 });
  assert.equal(r.code, 0, r.stderr);
  const src = fs.readFileSync(path.join(gen, 'LISTINGS.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const file = path.join(dir, 'catalog.jsonl');
  const out = fs.openSync(file, 'w');
  let chunk = [];
  for (let i = 0; i < N; i++) {
    const l = src[i % src.length];
    const k = Math.floor(i / src.length);
    // the demo's images are local file names (for `iprshield scan`), not the URLs a listing holds
    chunk.push(JSON.stringify({ ...l, id: k ? `${l.id}-${k}` : l.id, images: [] }));
    if (chunk.length === 10_000) { fs.writeSync(out, `${chunk.join('\n')}\n`); chunk = []; }
  }
  if (chunk.length) fs.writeSync(out, `${chunk.join('\n')}\n`);
  fs.closeSync(out);
  const t0 = process.hrtime.bigint();
  r = await cli(['import', 'listings', file, '--db', db, '--batch', '20000'], { timeoutMs: 3_600_000 });
  assert.equal(r.code, 0, r.stderr);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.rmSync(file);
  return secs;
}

let importSecs = null;
if (!fs.existsSync(db)) importSecs = await buildCatalog();
// a database built by an older program: its pending migrations, timed
// (0018 rebuilds the listing search index: a cost paid once per database)
const m0 = process.hrtime.bigint();
const migrated = await cli(['db', 'migrate', '--db', db], { timeoutMs: 3_600_000 });
assert.equal(migrated.code, 0, migrated.stderr);
const migrateSecs = Number(process.hrtime.bigint() - m0) / 1e9;
const users = JSON.parse(fs.readFileSync(usersFile, 'utf8'));
const listings = Number(sqlite('SELECT count(*) FROM listings'));
// a cursor near the end: the id 51st from the last (keyset: the page after it)
const lastCursor = sqlite('SELECT id FROM listings ORDER BY id DESC LIMIT 1 OFFSET 50');
// the commonest and a rare title word of the catalog
const common = 'watch';

// two sellers of the catalog, each given a login (once per database), for a
// seller's search of its own listings: the one with the most listings
// matching the common word, and the one with the fewest listings among
// those with a match
const sellerRows = sqlite(
  'WITH m AS (SELECT l.seller_org_id AS s, count(*) AS hits FROM listings_fts f' +
  ' JOIN listing_versions v ON v.vrow = f.rowid JOIN listings l ON l.id = v.listing_id' +
  ` WHERE listings_fts MATCH '${common}' GROUP BY 1),` +
  ' n AS (SELECT seller_org_id AS s, count(*) AS n FROM listings GROUP BY 1)' +
  ' SELECT o.name, n.n, m.hits FROM m JOIN n USING (s) JOIN orgs o ON o.id = m.s' +
  ' ORDER BY m.hits DESC, n.n').split('\n').map((l) => l.split('|'));
const sellers = {
  many: sellerRows[0],
  few: sellerRows.reduce((a, r) => (Number(r[1]) < Number(a[1]) ? r : a)),
};
const sellerPassword = 'bench-seller-password';
const sellerEmail = (k) => `bench-seller-${k}-${common}@example.test`;
for (const [k, [org]] of Object.entries(sellers)) {
  if (sqlite(`SELECT count(*) FROM users WHERE email = '${sellerEmail(k)}'`) === '0') {
    const r = await cli(['user', 'add', '--org', org, '--org-kind', 'seller', '--role', 'seller',
      '--email', sellerEmail(k), '--password-stdin', '--db', db], { stdin: `${sellerPassword}\n` });
    assert.equal(r.code, 0, r.stderr);
  }
}

const srv = await startServer({ dbPath: db, seed: false });
try {
  const S = {};
  for (const role of ['reviewer', 'seller']) S[role] = await login(srv.base, users[role].email, users[role].password);
  for (const k of Object.keys(sellers)) S[k] = await login(srv.base, sellerEmail(k), sellerPassword);
  const time = async (p, session) => {
    const ms = [];
    let items = null;
    for (let i = 0; i < REPEATS; i++) {
      const t0 = process.hrtime.bigint();
      const r = await srv.request('GET', p, { session, timeoutMs: 120_000 });
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
      assert.equal(r.status, 200, `${p}: ${r.text}`);
      items = r.body && r.body.items ? r.body.items.length : null;
    }
    ms.sort((a, b) => a - b);
    return { p50: ms[Math.floor(ms.length / 2)], p90: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.9))], items };
  };
  const cases = [
    ['baseline GET /healthz', '/healthz', null],
    ['baseline GET /api/v1/me', '/api/v1/me', S.reviewer],
    ['listings first page', '/api/v1/listings?limit=50', S.reviewer],
    ['listings last page (cursor)', `/api/v1/listings?limit=50&cursor=${encodeURIComponent(lastCursor)}`, S.reviewer],
    ["listings, a seller's own", '/api/v1/listings?limit=50', S.seller],
    ['search, a word in no listing', '/api/v1/listings?q=zzqxjv&limit=50', S.reviewer],
    [`search "${common}" first page`, `/api/v1/listings?q=${common}&limit=50`, S.reviewer],
    [`search "${common}" page 20`, `/api/v1/listings?q=${common}&limit=50&cursor=o950`, S.reviewer],
    [`search "${common}" page 200 (offset 9950, the last ranked)`, `/api/v1/listings?q=${common}&limit=50&cursor=o9950`, S.reviewer],
    ['search prefix "chrono*"', '/api/v1/listings?q=chrono*&limit=50', S.reviewer],
    ['search two words "watch chrono*"', '/api/v1/listings?q=watch%20chrono*&limit=50', S.reviewer],
    [`search "${common}", a seller's own`, `/api/v1/listings?q=${common}&limit=50`, S.seller],
    ...Object.entries(sellers).flatMap(([k, [, n, hits]]) => [
      [`search "${common}", a seller's own (${n} listings, ${hits} matches)`, `/api/v1/listings?q=${common}&limit=50`, S[k]],
      [`search "${common}" page 2, a seller's own (${n} listings)`, `/api/v1/listings?q=${common}&limit=50&cursor=o50`, S[k]],
      [`search prefix "wat*", a seller's own (${n} listings)`, '/api/v1/listings?q=wat*&limit=50', S[k]],
      [`search "${common} chrono*", a seller's own (${n} listings)`, `/api/v1/listings?q=${common}%20chrono*&limit=50`, S[k]],
      [`metrics, a seller's own (${n} listings)`, '/api/v1/reports/metrics', S[k]],
    ]),
    ['notices first page', '/api/v1/notices?limit=50', S.reviewer],
    ['notices search', '/api/v1/notices?q=counterfeit&limit=50', S.reviewer],
    ['review queue, first page', '/api/v1/notices/queue?limit=50', S.reviewer],
    ['detections, first page', '/api/v1/detections?limit=50', S.reviewer],
    // Every org's metrics over the default period: counts over every
    // verdict of the catalog (one per listing version), computed per request.
    ['metrics, every org', '/api/v1/reports/metrics', S.reviewer],
  ];
  const rows = [];
  for (const [name, p, session] of cases) rows.push({ name, ...(await time(p, session)) });
  const base = rows.find((r) => r.name === 'baseline GET /api/v1/me').p50;
  console.log(JSON.stringify({
    listings, repeats: REPEATS, import_seconds: importSecs === null ? 'reused' : +importSecs.toFixed(1),
    migrate_seconds: +migrateSecs.toFixed(1),
    bin: BIN,
    results: rows.map((r) => ({ case: r.name, items: r.items, p50_ms: +r.p50.toFixed(2), p90_ms: +r.p90.toFixed(2), ratio_to_me: +(r.p50 / base).toFixed(2) })),
  }, null, 2));
} finally {
  await srv.stop();
  if (!KEEP) fs.rmSync(dir, { recursive: true, force: true });
}
