// queryplan.test.mjs — list pages must stay fast with a million rows: the
// statements behind the paginated lists and searches (read here from the C
// sources, so the test follows the code) are planned with EXPLAIN QUERY
// PLAN on a freshly migrated database, and each must be driven by an index
// on its filter and cursor (keyset), with no full scan of a table and no
// sort of the whole result (a temporary B-tree) for id-ordered pages.
// On PostgreSQL (pg/e2e/queryplan) the twin statements of pg_<domain>.c
// get their own check, below.
// Timings with 1M listings: bench/bench_portal.mjs, docs/benchmarks.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { cli, makeTempDir, onPostgres, testDbUrl } from './lib.mjs';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/store');

/** The SQL text of `static const char name[]` in file: string literals and
 * the #define'd macros of string literals it is made of, concatenated;
 * function-like macros (pg_catalog.c's ROW_COLS("$4")) have their
 * parameters replaced by the arguments' text. */
function sqlOf(file, name) {
  const text = fs.readFileSync(path.join(SRC, file), 'utf8').replace(/\\\n/g, ' ');
  const macros = new Map();
  for (const m of text.matchAll(/^#define\s+(\w+)(?:\(([^)]*)\))?\s+(.+)$/gm)) {
    macros.set(m[1], { params: m[2] === undefined ? null : m[2].split(',').map((p) => p.trim()), body: m[3] });
  }
  const expand = (expr, depth = 0, args = new Map()) => {
    assert.ok(depth < 8, `macro nesting in ${name}`);
    let out = '';
    for (const t of expr.matchAll(/"((?:[^"\\]|\\.)*)"|([A-Za-z_]\w*)(?:\s*\(([^()]*)\))?/g)) {
      if (t[1] !== undefined) out += t[1];
      else if (args.has(t[2])) out += args.get(t[2]);
      else if (macros.has(t[2])) {
        const m = macros.get(t[2]);
        const bound = new Map();
        if (m.params) {
          assert.ok(t[3] !== undefined, `${file}: ${t[2]} takes arguments`);
          const given = t[3].split(',').map((a) => expand(a, depth + 1, args));
          m.params.forEach((p, i) => bound.set(p, given[i]));
        }
        out += expand(m.body, depth + 1, bound);
      } else assert.fail(`${file}: ${name} uses ${t[2]}, not a string macro`);
    }
    return out;
  };
  const m = new RegExp(`static const char ${name}\\[\\]\\s*=([^;]*);`).exec(text);
  assert.ok(m, `${file} defines ${name}`);
  return expand(m[1]);
}

const CASES = [
  // [file, statement, index that must drive it]
  ['sqlite_catalog.c', 'q_listing_list', /SEARCH l USING PRIMARY KEY \(id>\?\)/],
  ['sqlite_catalog.c', 'q_listing_list_seller', /SEARCH l USING INDEX listings_seller \(seller_org_id=\? AND id>\?\)/],
  ['sqlite_catalog.c', 'q_listing_search', /SCAN f VIRTUAL TABLE/],
  // the bounded ranking: the FTS5 index walked newest first (idxNum 192 =
  // ORDER BY rowid DESC, no sort) up to SEARCH_RANKED hits, then those ranked
  ['sqlite_catalog.c', 'q_listing_search_all', /SCAN listings_fts VIRTUAL TABLE INDEX 192:/],
  // one hit's row, with its seller's hiding penalty (0017 penalties_hiding)
  ['sqlite_catalog.c', 'q_listing_search_row', /SEARCH v USING INTEGER PRIMARY KEY \(rowid=\?\)/],
  ['sqlite_catalog.c', 'q_seller_hidden', /SEARCH p USING INDEX penalties_hiding \(seller_org_id=\?/],
  ['sqlite_notices.c', 'q_notice_list', /SEARCH n USING INDEX sqlite_autoindex_notices_1 \(id>\?\)/],
  ['sqlite_notices.c', 'q_notice_list_notifier', /SEARCH n USING INDEX notices_notifier \(notifier_org_id=\? AND id>\?\)/],
  ['sqlite_notices.c', 'q_notice_list_seller', /SEARCH i USING COVERING INDEX notice_items_seller \(seller_org_id=\? AND notice_id>\?\)/],
  ['sqlite_notices.c', 'q_notice_search', /SCAN f VIRTUAL TABLE/],
  ['sqlite_notices.c', 'q_queue_list', /SEARCH notices USING INDEX notices_queue/],
  // the SLA job's due notices: the queue index (partial since 0029) in
  // deadline order
  ['sqlite_notices.c', 'q_sla_due', /SEARCH notices USING INDEX notices_queue/],
  // the detections lists (0026): the default view through the partial index
  // of flagged current verdicts, an org's through its own rows, an action's
  // through the queue index; each keyset page in id order (no sort)
  ['sqlite_detections.c', 'q_verdict_list_flagged', /SEARCH d USING INDEX detection_verdicts_flagged \(id<\?\)/],
  ['sqlite_detections.c', 'q_verdict_list_org', /SEARCH o USING COVERING INDEX detection_verdict_orgs_org \(org_id=\? AND verdict_id<\?\)/],
  // a flagged action's through the partial queue index (0034), the allow
  // action's newest first along the primary key
  ['sqlite_detections.c', 'q_verdict_list_action', /SEARCH d USING INDEX detection_verdicts_queue \(action=\? AND id<\?\)/],
  ['sqlite_detections.c', 'q_verdict_list_allowed', /SEARCH d USING INDEX sqlite_autoindex_detection_verdicts_1 \(id<\?\)/],
];

const SQLITE_ONLY = onPostgres && 'SQLite plans (the PostgreSQL check is its own test)';

test('every paginated list statement is driven by an index, without a full scan or a full sort', { skip: SQLITE_ONLY }, async () => {
  const dir = await makeTempDir();
  const db = path.join(dir, 'plan.db');
  const r = await cli(['demo', 'seed', '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  for (const [file, name, driver] of CASES) {
    const sql = sqlOf(file, name);
    const plan = execFileSync('sqlite3', [db, `EXPLAIN QUERY PLAN ${sql}`], { encoding: 'utf8' });
    assert.match(plan, driver, `${name} is driven by the index:\n${sql}\n${plan}`);
    // "SCAN x" of a real table (not the FTS5 virtual table) reads all of it
    // (a materialized subquery's few rows, "MATERIALIZE r" then "SCAN r", are not a table;
    // nor a co-routine's, "CO-ROUTINE (subquery-1)" then "SCAN (subquery-1)")
    const made = [...plan.matchAll(/(?:MATERIALIZE|CO-ROUTINE) (\S+)/g)].map((m) => m[1]);
    const scans = plan.split('\n').filter((l) => /\bSCAN\b/.test(l) && !/VIRTUAL TABLE/.test(l)
      && !made.some((r) => l.trim().endsWith(`SCAN ${r}`)));
    assert.deepEqual(scans, [], `${name} scans a table:\n${plan}`);
    // a seller's penalties that hide its listings (0017) are looked up in
    // penalties_hiding, never by walking the seller's whole penalty history
    if (/penalties p/.test(sql)) assert.match(plan, /SEARCH p USING INDEX penalties_hiding/, `${name} hidden lookup:\n${plan}`);
    // a keyset page in id order must come out of the index in order
    if (!/search/.test(name)) assert.doesNotMatch(plan, /TEMP B-TREE FOR ORDER BY/, `${name} sorts:\n${plan}`);
  }
});

test('a statement that walks a whole table is caught (the check can fail)', { skip: SQLITE_ONLY }, async () => {
  const dir = await makeTempDir();
  const db = path.join(dir, 'plan.db');
  const r = await cli(['demo', 'seed', '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const plan = execFileSync('sqlite3', [db, 'EXPLAIN QUERY PLAN SELECT id FROM listings WHERE (?1 IS NULL OR seller_org_id = ?1) AND id > ?2 ORDER BY updated_ms LIMIT 50'], { encoding: 'utf8' });
  assert.ok(/TEMP B-TREE FOR ORDER BY/.test(plan) || plan.split('\n').some((l) => /\bSCAN\b/.test(l)), plan);
});

// ---- PostgreSQL ---------------------------------------------------------------------
//
// The same statements of pg_catalog.c and pg_notices.c, planned by the
// server on a demo-seeded schema. A demo database is small enough that the
// planner rightly prefers reading a table whole, so the check asks what an
// index CAN do: with enable_seqscan off (a sequential scan then costs so
// much that any usable index wins) and the generic plan a prepared
// statement gets (plan_cache_mode force_generic_plan: the plan for any
// parameter values, as the store's prepared statements run), every table is
// reached through an index, the named one drives the statement, and an
// id-ordered page comes out of its index in order (no Sort). A statement no
// index serves still shows its Seq Scan, which fails the check (the last
// test shows it can).
const PG_CASES = [
  // [file, statement, the index that must be used (its name matches)]
  ['pg_catalog.c', 'q_listing_list', /^listings_pkey$/],
  ['pg_catalog.c', 'q_listing_list_seller', /^listings_seller$/],
  ['pg_catalog.c', 'q_listing_search', /^listings_fts_seller$/], // 0019: a seller's own rows
  // the bounded ranking: the newest matches, found through the GIN index
  // (then a top-N sort) or by walking the primary key newest first (as
  // SQLite's FTS5 index is walked), whichever the planner finds cheaper
  ['pg_catalog.c', 'q_listing_search_all', /^listings_fts_(doc|pkey)$/],
  ['pg_catalog.c', 'q_listing_search_row', /^listing_versions_pkey$/],
  ['pg_catalog.c', 'q_seller_hidden', /^penalties_hiding$/],
  ['pg_notices.c', 'q_notice_list', /^notices_pkey$/],
  ['pg_notices.c', 'q_notice_list_notifier', /^notices_notifier$/],
  ['pg_notices.c', 'q_notice_list_seller', /^notice_items_seller$/],
  ['pg_notices.c', 'q_notice_search', /^notice_search_fts$/],
  ['pg_notices.c', 'q_queue_list', /^notices_queue$/],
  ['pg_notices.c', 'q_sla_due', /^notices_queue$/],
  ['pg_detections.c', 'q_verdict_list_flagged', /^detection_verdicts_flagged$/],
  ['pg_detections.c', 'q_verdict_list_org', /^detection_verdict_orgs_org$/],
  ['pg_detections.c', 'q_verdict_list_action', /^detection_verdicts_queue$/],
  ['pg_detections.c', 'q_verdict_list_allowed', /^detection_verdicts_pkey$/],
];

/** The generic plan of sql on the PostgreSQL database url, with sequential
 * scans disabled, and sorts unless sort (a ranked search must sort): its nodes, depth first, as {type, index, relation}. */
function pgPlan(url, sql, { sort = false } = {}) {
  const n = Math.max(0, ...[...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  const out = execFileSync('psql', [url, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1',
    '-c', 'SET enable_seqscan = off', '-c', `SET enable_sort = ${sort ? 'on' : 'off'}`,
    '-c', 'SET plan_cache_mode = force_generic_plan',
    '-c', `PREPARE p AS ${sql}`,
    '-c', `EXPLAIN (FORMAT JSON, COSTS OFF) EXECUTE p(${Array(n).fill('NULL').join(', ')})`],
  { encoding: 'utf8' });
  const nodes = [];
  const walk = (p) => {
    nodes.push({ type: p['Node Type'], index: p['Index Name'], relation: p['Relation Name'] });
    for (const c of p.Plans ?? []) walk(c);
  };
  walk(JSON.parse(out.slice(out.indexOf('[')))[0].Plan);
  return nodes;
}

const showPlan = (nodes) => nodes.map((x) => `${x.type}${x.index ? ` using ${x.index}` : ''}${x.relation ? ` on ${x.relation}` : ''}`).join('\n');
const PG_ONLY = !onPostgres && 'PostgreSQL only: runs as pg/e2e/queryplan';

async function pgSeeded() {
  const dir = await makeTempDir();
  const url = testDbUrl(dir);
  const r = await cli(['demo', 'seed', '--db', url, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return url;
}

test('on PostgreSQL every paginated list statement can be driven by an index, without a full scan or a full sort', { skip: PG_ONLY }, async () => {
  const url = await pgSeeded();
  for (const [file, name, index] of PG_CASES) {
    const sql = sqlOf(file, name);
    const search = /search/.test(name);
    const nodes = pgPlan(url, sql, { sort: search });
    const plan = showPlan(nodes);
    assert.ok(nodes.some((x) => index.test(x.index ?? '')), `${name} uses ${index}:\n${sql}\n${plan}`);
    assert.deepEqual(nodes.filter((x) => x.type === 'Seq Scan').map((x) => x.relation), [],
      `${name} scans a table:\n${plan}`);
    if (!search) assert.ok(!nodes.some((x) => x.type === 'Sort'), `${name} sorts:\n${plan}`);
  }
});

test('on PostgreSQL a statement no index serves is caught (the check can fail)', { skip: PG_ONLY }, async () => {
  const url = await pgSeeded();
  const nodes = pgPlan(url, 'SELECT id FROM listings WHERE ($1::text IS NULL OR seller_org_id = $1) AND id > $2 ORDER BY updated_ms LIMIT 50');
  assert.ok(nodes.some((x) => x.type === 'Seq Scan' || x.type === 'Sort'), showPlan(nodes));
});
