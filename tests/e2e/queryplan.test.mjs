// queryplan.test.mjs — list pages must stay fast with a million rows: the
// statements behind the paginated lists and searches (read here from the C
// sources, so the test follows the code) are planned with EXPLAIN QUERY
// PLAN on a freshly migrated database, and each must be driven by an index
// on its filter and cursor (keyset), with no full scan of a table and no
// sort of the whole result (a temporary B-tree) for id-ordered pages.
// Timings with 1M listings: bench/bench_portal.mjs, docs/benchmarks.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { cli, makeTempDir } from './lib.mjs';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/store');

/** The SQL text of `static const char name[]` in file: string literals and
 * the #define'd macros of string literals it is made of, concatenated. */
function sqlOf(file, name) {
  const text = fs.readFileSync(path.join(SRC, file), 'utf8').replace(/\\\n/g, ' ');
  const macros = new Map();
  for (const m of text.matchAll(/^#define\s+(\w+)\s+(.+)$/gm)) macros.set(m[1], m[2]);
  const expand = (expr, depth = 0) => {
    assert.ok(depth < 8, `macro nesting in ${name}`);
    let out = '';
    for (const t of expr.matchAll(/"((?:[^"\\]|\\.)*)"|([A-Z_][A-Z0-9_]*)/g)) {
      if (t[1] !== undefined) out += t[1];
      else if (macros.has(t[2])) out += expand(macros.get(t[2]), depth + 1);
      else assert.fail(`${file}: ${name} uses ${t[2]}, not a string macro`);
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
];

test('every paginated list statement is driven by an index, without a full scan or a full sort', async () => {
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

test('a statement that walks a whole table is caught (the check can fail)', async () => {
  const dir = await makeTempDir();
  const db = path.join(dir, 'plan.db');
  const r = await cli(['demo', 'seed', '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const plan = execFileSync('sqlite3', [db, 'EXPLAIN QUERY PLAN SELECT id FROM listings WHERE (?1 IS NULL OR seller_org_id = ?1) AND id > ?2 ORDER BY updated_ms LIMIT 50'], { encoding: 'utf8' });
  assert.ok(/TEMP B-TREE FOR ORDER BY/.test(plan) || plan.split('\n').some((l) => /\bSCAN\b/.test(l)), plan);
});
