// demo.test.mjs — `iprshield demo seed --brands N`: real brands from the npm
// package simple-icons become approved right holders, each with a verified
// trademark whose logo is a PNG rendered by rsvg-convert (typed image/png by
// libmagic) and a protection profile holding the brand name and the logo; a
// second run adds nothing, and bad counts are refused before anything is
// written. Everything is checked over the API of a real server.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { STRONG_PASSWORD, cli, listAll, login, makeTempDir, startServer } from './lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const SEED_TIMEOUT_MS = 180_000; // node + rendering; generous for sanitizer builds
const SEED_ARGS = ['--brands', '5', '--sellers', '3', '--listings', '20', '--json'];
const PNG_SIGNATURE = Buffer.from('89504e470d0a1a0a', 'hex');

/** Run `demo seed` with args on db; returns {users by role, stderr}. */
async function seed(db, args) {
  const r = await cli(['demo', 'seed', '--db', db, ...args], { timeoutMs: SEED_TIMEOUT_MS });
  assert.equal(r.code, 0, `demo seed exit ${r.code}\nstderr: ${r.stderr}`);
  const list = JSON.parse(r.stdout); // --json keeps stdout to the logins alone
  assert.ok(Array.isArray(list), 'demo seed --json prints an array');
  return { users: Object.fromEntries(list.map((u) => [u.role, u])), stderr: r.stderr };
}

describe('demo seed with real brands', () => {
  let dir;
  let db;
  let srv;
  let first;    // the first seed run
  let admin;    // session
  let brands;   // the brand orgs seeded (rightholder orgs but the demo one)

  /** Every org, trademark (with files) and profile of the brand orgs. */
  async function snapshot(session) {
    const orgs = (await listAll(srv, '/api/v1/orgs', { session })).filter((o) => o.kind === 'rightholder');
    const rights = await listAll(srv, '/api/v1/rights', { session });
    const profiles = [];
    for (const o of orgs) {
      const p = await srv.request('GET', `/api/v1/profiles/${o.id}`, { session });
      assert.equal(p.status, 200, `profile of ${o.name}: ${p.text}`);
      profiles.push({ org_id: o.id, terms: p.body.terms, images: p.body.images.map((i) => i.sha256) });
    }
    return { orgs: orgs.map((o) => [o.id, o.name]), rights: rights.map((r) => [r.id, r.status]), profiles };
  }

  before(async () => {
    dir = await makeTempDir('iprs-demo-');
    db = path.join(dir, 'demo.db');
    first = await seed(db, SEED_ARGS);
    srv = await startServer({ dbPath: db, seed: false });
    admin = await login(srv.base, first.users.admin.email, first.users.admin.password);
    const orgs = await listAll(srv, '/api/v1/orgs', { session: admin });
    brands = orgs.filter((o) => o.kind === 'rightholder' && o.name !== first.users.rightholder.org);
  });

  after(async () => {
    if (srv) await srv.stop();
  });

  test('the first run reports five brands created and none failed', () => {
    assert.match(first.stderr, /demo brands: 5 created, 0 completed, 0 unchanged, 0 failed/);
    assert.doesNotMatch(first.stderr, /rsvg-convert not found/, 'rsvg-convert is installed (librsvg2-bin)');
  });

  test('five right-holder organisations named after brands exist besides the demo one', () => {
    assert.equal(brands.length, 5, `brand orgs: ${JSON.stringify(brands.map((o) => o.name))}`);
    assert.equal(new Set(brands.map((o) => o.name)).size, 5, 'five different names');
  });

  test('each brand has one verified, citable trademark for its own name', async () => {
    const today = new Date().toISOString().slice(0, 10);
    for (const o of brands) {
      const list = await listAll(srv, `/api/v1/rights?org_id=${o.id}&kind=trademark`, { session: admin });
      assert.equal(list.length, 1, `${o.name}: one trademark`);
      const tm = list[0];
      assert.equal(tm.mark_text, o.name);
      assert.equal(tm.status, 'verified');
      assert.equal(tm.status_effective, 'verified');
      assert.ok(tm.registration_number.length > 0, `${o.name}: a registration number`);
      assert.match(tm.office, /^([A-Z]{2}|EUIPO|WIPO)$/);
      assert.ok(Array.isArray(tm.nice_classes) && tm.nice_classes.length > 0, `${o.name}: Nice classes`);
      assert.ok(tm.valid_from < today, `${o.name}: valid from a past date (${tm.valid_from})`);
      assert.equal(Number(tm.valid_to.slice(0, 4)) - Number(tm.valid_from.slice(0, 4)), 10, `${o.name}: valid for 10 years`);
      assert.ok(tm.valid_to > today, `${o.name}: still valid (${tm.valid_to})`);
    }
  });

  test('each trademark carries a PNG logo typed image/png and a PDF certificate', async () => {
    for (const o of brands) {
      const [tm] = await listAll(srv, `/api/v1/rights?org_id=${o.id}&kind=trademark`, { session: admin });
      const r = await srv.request('GET', `/api/v1/rights/${tm.id}`, { session: admin });
      assert.equal(r.status, 200, r.text);
      const logos = r.body.files.filter((f) => f.role === 'logo');
      const certs = r.body.files.filter((f) => f.role === 'certificate');
      assert.equal(logos.length, 1, `${o.name}: one logo`);
      assert.equal(logos[0].mime, 'image/png', `${o.name}: the logo is typed image/png by content`);
      assert.equal(certs.length, 1, `${o.name}: one certificate`);
      assert.equal(certs[0].mime, 'application/pdf');
      const png = await fetch(`${srv.base}/api/v1/rights/${tm.id}/files/${logos[0].sha256}`,
        { headers: { cookie: admin.cookie } });
      assert.equal(png.status, 200);
      assert.equal(png.headers.get('content-type'), 'image/png');
      const bytes = Buffer.from(await png.arrayBuffer());
      assert.ok(bytes.subarray(0, 8).equals(PNG_SIGNATURE), `${o.name}: the logo bytes are a PNG`);
      assert.equal(bytes.length, logos[0].size);
    }
  });

  test('each brand profile has the brand name as a term and the trademark logo as an official image', async () => {
    for (const o of brands) {
      const p = await srv.request('GET', `/api/v1/profiles/${o.id}`, { session: admin });
      assert.equal(p.status, 200, p.text);
      const term = p.body.terms.find((t) => t.term === o.name);
      assert.ok(term, `${o.name}: a term for the brand (${JSON.stringify(p.body.terms)})`);
      assert.ok(Array.isArray(term.variants));
      assert.ok(!term.variants.includes(o.name), 'no variant repeats the term');
      const [tm] = await listAll(srv, `/api/v1/rights?org_id=${o.id}&kind=trademark`, { session: admin });
      const full = await srv.request('GET', `/api/v1/rights/${tm.id}`, { session: admin });
      const logo = full.body.files.find((f) => f.role === 'logo');
      const images = p.body.images.filter((i) => i.kind === 'logo');
      assert.equal(images.length, 1, `${o.name}: one logo image`);
      assert.equal(images[0].mime, 'image/png');
      assert.equal(images[0].sha256, logo.sha256, 'the same PNG, stored once');
    }
  });

  test('a bad --brands count is a usage error that changes nothing', async () => {
    const before = await snapshot(admin);
    for (const bad of ['-1', 'abc', '5001', '']) {
      const r = await cli(['demo', 'seed', '--db', db, '--brands', bad], { timeoutMs: SEED_TIMEOUT_MS });
      assert.equal(r.code, 2, `--brands '${bad}': exit ${r.code} ${r.stderr}`);
      assert.match(r.stderr, /--brands must be 0-5000/);
    }
    assert.deepEqual(await snapshot(admin), before);
  });

  test('a second run adds no organisation, right, term or image', async () => {
    const before = await snapshot(admin);
    const again = await seed(db, SEED_ARGS);
    assert.match(again.stderr, /demo brands: 0 created, 0 completed, 5 unchanged, 0 failed/);
    // the second run gave the demo users new passwords: log in again
    const session = await login(srv.base, again.users.admin.email, again.users.admin.password);
    assert.deepEqual(await snapshot(session), before);
  });

  test('demo seed --help documents --brands', async () => {
    const r = await cli(['demo', 'seed', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--brands N/);
    assert.match(r.stdout, /simple-icons/);
  });
});

describe('demo seed with a brand name taken by another kind of organisation', () => {
  test('names that brand, seeds the others and exits 4', async () => {
    const dir = await makeTempDir('iprs-demo-');
    const db = path.join(dir, 'taken.db');
    // the first brand the generator picks, whatever simple-icons' data holds
    const gen = path.join(dir, 'gen');
    execFileSync('node', [path.join(ROOT, 'scripts', 'gen-demo-brands.mjs'), '--brands', '2', '--out', gen]);
    const [firstBrand, secondBrand] = readFileSync(path.join(gen, 'brands.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).name);
    const add = await cli(['user', 'add', '--db', db, '--org', firstBrand, '--org-kind', 'seller', '--role', 'seller',
      '--email', 'seller@taken.test', '--password-stdin'], { stdin: `${STRONG_PASSWORD}\n` });
    assert.equal(add.code, 0, add.stderr);

    const r = await cli(['demo', 'seed', '--db', db, '--brands', '2'], { timeoutMs: SEED_TIMEOUT_MS });
    assert.equal(r.code, 4, `exit ${r.code}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`demo brand '${firstBrand}'`), r.stderr);
    assert.match(r.stderr, /an organisation of kind seller has this name already/);
    assert.match(r.stderr, /demo brands: 1 created, 0 completed, 0 unchanged, 1 failed/);

    const list = await cli(['rights', 'list', '--db', db, '--json']);
    assert.equal(list.code, 0, list.stderr);
    const rights = list.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.deepEqual(rights.map((x) => [x.name, x.status]), [[secondBrand, 'verified']],
      'the seller kept its name and got no right; the other brand is seeded');
  });
});
