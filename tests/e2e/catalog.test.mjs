// catalog.test.mjs — the marketplace catalog over HTTP and the CLI: sellers
// create and update their listings (versions), other sellers see 404,
// reviewers and right holders search, officers and auditors are refused,
// JSON Lines import with bad lines among good ones, idempotent re-import,
// identifiers stored only as hashes, and bad input that changes nothing.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROLES, STRONG_PASSWORD, assertProblem, listAll, login, startServer, unique } from './lib.mjs';

const listing = (over = {}) => ({
  title: 'Classic leather wallet',
  description: 'Hand-stitched, ships in two days',
  price: '24.90',
  currency: 'EUR',
  category: 'wallets',
  images: ['https://img.example.test/w1.jpg'],
  ship_from: 'CN-GD',
  units_sold: 3,
  ...over,
});

describe('catalog', () => {
  let srv;
  const S = {};
  let other; // a second seller's session

  before(async () => {
    srv = await startServer();
    for (const role of ROLES) S[role] = await srv.loginAs(role);
    const org = await srv.request('POST', '/api/v1/orgs', { session: S.admin, json: { name: unique('Other Shop '), kind: 'seller' } });
    assert.equal(org.status, 201, org.text);
    const email = `${unique('other')}@shop.test`;
    const u = await srv.request('POST', '/api/v1/users', { session: S.admin, json: { email, password: STRONG_PASSWORD, role: 'seller', org_id: org.body.id } });
    assert.equal(u.status, 201, u.text);
    other = await login(srv.base, email, STRONG_PASSWORD);
  });
  after(async () => { if (srv) await srv.stop(); });

  const all = async () => listAll(srv, '/api/v1/listings', { session: S.admin });
  const get = (id, s = S.reviewer) => srv.request('GET', `/api/v1/listings/${encodeURIComponent(id)}`, { session: s });

  test('a seller creates a listing at version 1 and updates make versions only on new content', async () => {
    const id = unique('L-');
    const c = await srv.request('POST', '/api/v1/listings', { session: S.seller, json: listing({ id }) });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.body.id, id);
    assert.equal(c.body.version, 1);
    assert.equal(c.body.state, 'live');
    assert.equal(c.body.price, '24.90');
    assert.equal(c.body.price_minor, 2490);
    assert.equal(c.body.seller_org_id, S.seller.body.org.id);
    assert.equal(c.body.seller_name, S.seller.body.org.name, 'the seller name beside its id');

    const same = await srv.request('PUT', `/api/v1/listings/${id}`, { session: S.seller, json: listing() });
    assert.equal(same.status, 200, same.text);
    assert.equal(same.body.changed, false);
    assert.equal(same.body.version, 1);

    const upd = await srv.request('PUT', `/api/v1/listings/${id}`, { session: S.seller, json: listing({ price: 19.5 }) });
    assert.equal(upd.status, 200, upd.text);
    assert.equal(upd.body.changed, true);
    assert.equal(upd.body.version, 2);
    assert.equal(upd.body.price, '19.50');

    const g = await get(id);
    assert.equal(g.status, 200, g.text);
    assert.equal(g.body.version_count, 2);
    assert.deepEqual(g.body.versions.map((v) => v.version), [2, 1]);
    assert.equal(g.body.versions[1].price, '24.90');

    // the seller's own list holds it; the id generated when none is given
    const gen = await srv.request('POST', '/api/v1/listings', { session: S.seller, json: listing({ title: 'Generated id' }) });
    assert.equal(gen.status, 201, gen.text);
    assert.match(gen.body.id, /^[0-9A-Z]{26}$/);
    const mine = await listAll(srv, '/api/v1/listings', { session: S.seller });
    assert.ok(mine.some((l) => l.id === id));
    assert.ok(mine.every((l) => l.seller_org_id === S.seller.body.org.id));
  });

  test("another seller can neither read nor change a seller's listing (404) and nothing changes", async () => {
    const id = unique('L-');
    assert.equal((await srv.request('POST', '/api/v1/listings', { session: S.seller, json: listing({ id }) })).status, 201);
    assertProblem(await get(id, other), 404, 'not-found', 'other seller GET');
    assertProblem(await srv.request('PUT', `/api/v1/listings/${id}`, { session: other, json: listing({ title: 'Hijacked' }) }), 404, 'not-found', 'other seller PUT');
    const theirs = await listAll(srv, '/api/v1/listings', { session: other });
    assert.ok(!theirs.some((l) => l.id === id));
    const g = await get(id);
    assert.equal(g.body.title, 'Classic leather wallet');
    assert.equal(g.body.version_count, 1);
    // creating with a taken id is a conflict
    assertProblem(await srv.request('POST', '/api/v1/listings', { session: other, json: listing({ id }) }), 409, 'conflict');
  });

  test('roles: reviewers, admins and right holders read all; officers and auditors are refused; only sellers write', async () => {
    for (const role of ['reviewer', 'admin', 'rightholder']) {
      const r = await srv.request('GET', '/api/v1/listings', { session: S[role] });
      assert.equal(r.status, 200, `${role}: ${r.text}`);
    }
    for (const role of ['officer', 'auditor']) {
      assertProblem(await srv.request('GET', '/api/v1/listings', { session: S[role] }), 403, 'forbidden', role);
      assertProblem(await srv.request('GET', '/api/v1/listings?q=wallet', { session: S[role] }), 403, 'forbidden', role);
    }
    const before1 = (await all()).length;
    for (const role of ['admin', 'reviewer', 'rightholder', 'officer', 'auditor']) {
      assertProblem(await srv.request('POST', '/api/v1/listings', { session: S[role], json: listing() }), 403, 'forbidden', `${role} POST`);
    }
    assert.equal((await all()).length, before1, 'no listing created');
    assertProblem(await srv.request('GET', '/api/v1/listings'), 401, 'unauthenticated');
  });

  test('reviewers search current titles and descriptions, ranked, with FTS syntax treated as words', async () => {
    const a = unique('S-');
    const b = unique('S-');
    await srv.request('POST', '/api/v1/listings', { session: S.seller, json: listing({ id: a, title: 'Zyxoprene diving watch', description: 'steel' }) });
    await srv.request('POST', '/api/v1/listings', { session: S.seller, json: listing({ id: b, title: 'Strap', description: 'fits any zyxoprene watch' }) });
    const r = await srv.request('GET', '/api/v1/listings?q=zyxoprene', { session: S.reviewer });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.items.map((x) => x.id), [a, b]);
    const page = await srv.request('GET', '/api/v1/listings?q=zyxoprene&limit=1', { session: S.rightholder });
    assert.equal(page.body.items.length, 1);
    assert.equal(typeof page.body.next_cursor, 'string');
    const page2 = await srv.request('GET', `/api/v1/listings?q=zyxoprene&limit=1&cursor=${page.body.next_cursor}`, { session: S.rightholder });
    assert.deepEqual(page2.body.items.map((x) => x.id), [b]);
    const prefix = await srv.request('GET', '/api/v1/listings?q=zyxop*', { session: S.reviewer });
    assert.equal(prefix.body.items.length, 2);
    for (const q of ['"', 'NEAR(', 'a OR', 'title:x', '^', '(((', '*', 'zyxoprene"']) {
      const x = await srv.request('GET', `/api/v1/listings?q=${encodeURIComponent(q)}`, { session: S.reviewer });
      assert.ok([200, 422].includes(x.status), `q=${q}: ${x.status} ${x.text}`);
    }
    assertProblem(await srv.request('GET', '/api/v1/listings?q=', { session: S.reviewer }), 422, 'invalid');
    assertProblem(await srv.request('GET', `/api/v1/listings?q=${'x'.repeat(300)}`, { session: S.reviewer }), 422, 'invalid');
    assertProblem(await srv.request('GET', '/api/v1/listings?q=a&cursor=zz', { session: S.reviewer }), 422, 'invalid');
    // a seller's search is limited to its own listings
    const o = await srv.request('GET', '/api/v1/listings?q=zyxoprene', { session: other });
    assert.equal(o.status, 200);
    assert.equal(o.body.items.length, 0);
  });

  test('bad input is refused and changes nothing', async () => {
    const before1 = (await all()).length;
    const post = (opts) => srv.request('POST', '/api/v1/listings', { session: S.seller, ...opts });
    assertProblem(await post({ body: '{"title": ' }), 400, 'malformed');
    assertProblem(await post({ body: 'title=x', contentType: 'application/x-www-form-urlencoded' }), 415, 'unsupported-media-type');
    assertProblem(await post({ json: listing({ price: 'ten' }) }), 422, 'invalid');
    assertProblem(await post({ json: listing({ price: -1 }) }), 422, 'invalid');
    assertProblem(await post({ json: listing({ price: '1.999' }) }), 422, 'invalid');
    assertProblem(await post({ json: listing({ currency: 'EURO' }) }), 422, 'invalid');
    assertProblem(await post({ json: listing({ title: 7 }) }), 422, 'invalid');
    assertProblem(await post({ json: listing({ title: 'x'.repeat(301) }) }), 422, 'invalid');
    assertProblem(await post({ json: listing({ ship_from: 'CN-XX' }) }), 422, 'invalid');
    assertProblem(await post({ json: listing({ images: ['javascript:alert(1)'] }) }), 422, 'invalid');
    assertProblem(await post({ json: listing({ images: 'https://x.test/a.jpg' }) }), 422, 'invalid');
    assertProblem(await post({ json: listing({ id: 'has space' }) }), 422, 'invalid');
    assertProblem(await post({ json: listing({ seller_id: 'S1' }) }), 422, 'invalid');
    assertProblem(await post({ json: listing({ units_sold: 'many' }) }), 422, 'invalid');
    const big = await srv.raw('POST', '/api/v1/listings', {
      headers: { 'content-type': 'application/json', cookie: S.seller.cookie, 'x-csrf-token': S.seller.csrf },
      body: JSON.stringify(listing({ description: 'x'.repeat(1024 * 1024 + 100) })),
    });
    assert.equal(big.status, 413, big.text);
    assertProblem(await get('no-such-listing'), 404, 'not-found');
    assertProblem(await get('bad%20id'), 404, 'not-found');
    assertProblem(await srv.request('PUT', '/api/v1/listings/no-such-listing', { session: S.seller, json: listing() }), 404, 'not-found');
    const id = unique('B-');
    assert.equal((await post({ json: listing({ id }) })).status, 201);
    assertProblem(await srv.request('PUT', `/api/v1/listings/${id}`, { session: S.seller, json: listing({ id: 'other' }) }), 422, 'invalid');
    assertProblem(await srv.request('PUT', `/api/v1/listings/${id}`, { session: S.seller, json: listing({ price: null }) }), 422, 'invalid');
    assert.equal((await get(id)).body.version_count, 1, 'refused updates made no version');
    assert.equal((await all()).length, before1 + 1);
  });

  test('import: a malformed line among good ones is reported with its number; the good ones land; re-import is idempotent', async () => {
    const dir = await fs.mkdtemp(path.join(srv.dir, 'imp-'));
    const file = path.join(dir, 'listings.jsonl');
    const p = unique('IMP');
    const good = (n, over = {}) => JSON.stringify({ id: `${p}-${n}`, seller_id: `${p}-seller`, title: `Imported item ${n}`, description: 'from the feed', price: `${n}.50`, currency: 'USD', category: 'misc', images: [], ship_from: 'US-CA', units_sold: n, ...over });
    const lines = [good(1), good(2), '{"id": "broken", ', good(3), '', '{"id":"x","seller_id":"y","title":"t","price":1,"currency":"USD","colour":"red"}', good(4)];
    await fs.writeFile(file, lines.join('\n') + '\n');
    const r1 = await srv.cli(['import', 'listings', file, '--db', srv.db]);
    assert.equal(r1.code, 4, `exit 4 when lines were rejected: ${r1.stderr}`);
    assert.match(r1.stderr, /line 3: malformed JSON/);
    assert.match(r1.stderr, /line 6: colour: is not a known field/);
    assert.match(r1.stdout, /4 created/);
    assert.match(r1.stdout, /2 rejected/);
    assert.match(r1.stdout, /1 sellers created/);
    for (const n of [1, 2, 3, 4]) {
      const g = await get(`${p}-${n}`);
      assert.equal(g.status, 200, g.text);
      assert.equal(g.body.price, `${n}.50`);
    }
    // the same file again: nothing changes; the errors go to a JSON Lines file
    const errs = path.join(dir, 'errors.jsonl');
    const r2 = await srv.cli(['import', 'listings', file, '--db', srv.db, '--errors', errs]);
    assert.equal(r2.code, 4, r2.stderr);
    assert.match(r2.stdout, /0 created, 0 updated, 4 unchanged, 2 rejected/);
    const reported = (await fs.readFile(errs, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(reported.map((e) => e.line), [3, 6]);
    assert.equal(r2.stderr.includes('line 3'), false, 'with --errors, stderr stays clean');
    // new content for one listing: a new version
    await fs.writeFile(file, [good(1, { price: '0.99' }), good(2)].join('\n'));
    const r3 = await srv.cli(['import', 'listings', file, '--db', srv.db]);
    assert.equal(r3.code, 0, r3.stderr);
    assert.match(r3.stdout, /0 created, 1 updated, 1 unchanged, 0 rejected/);
    const g = await get(`${p}-1`);
    assert.equal(g.body.version_count, 2);
    assert.equal(g.body.price, '0.99');
    // one audit event per batch, not per row
    const audit = await listAll(srv, '/api/v1/audit', { session: S.admin });
    const imports = audit.filter((e) => e.action === 'catalog.import');
    assert.equal(imports.length, 3);
    // piped output has no progress bar
    assert.equal(r1.stderr.includes('\r'), false);
  });

  test('import sellers: identifiers are stored only as keyed hashes; listings of a known seller attach to it', async () => {
    const dir = await fs.mkdtemp(path.join(srv.dir, 'sel-'));
    const file = path.join(dir, 'sellers.jsonl');
    const sid = unique('SEL');
    const email = `${unique('owner')}@Secret-Mail.test`;
    await fs.writeFile(file, [
      JSON.stringify({ id: sid, name: 'Golden Dragon Store', ship_from: 'CN-ZJ', identifiers: { email, phone: '+86 571 8888 1234', address: '88  Wensan Road,\tHangzhou', payment_account: 'ACCT-7731-XYZ', device_id: 'dev-42-secret' } }),
      JSON.stringify({ id: unique('SEL'), name: 'Bad phone', identifiers: { phone: 'not a phone' } }),
      JSON.stringify({ id: unique('SEL'), name: 'Bad region', ship_from: 'Narnia' }),
    ].join('\n'));
    const r = await srv.cli(['import', 'sellers', file, '--db', srv.db]);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stdout, /1 created/);
    assert.match(r.stderr, /line 2: identifiers\.phone/);
    assert.equal(r.stderr.includes('not a phone'), false, 'reasons never quote identifiers');
    const again = await srv.cli(['import', 'sellers', file, '--db', srv.db]);
    assert.match(again.stdout, /0 created, 0 updated, 1 unchanged/);
    // listings of that seller id go to the same seller organisation
    const lf = path.join(dir, 'l.jsonl');
    await fs.writeFile(lf, JSON.stringify({ id: `${sid}-L1`, seller_id: sid, title: 'Silk scarf', price: 12, currency: 'CNY' }) + '\n');
    const ri = await srv.cli(['import', 'listings', lf, '--db', srv.db]);
    assert.equal(ri.code, 0, ri.stderr);
    assert.match(ri.stdout, /0 sellers created/);
    const orgs = await listAll(srv, '/api/v1/orgs', { session: S.admin });
    const org = orgs.find((o) => o.name === sid);
    assert.ok(org, 'the seller org is named after the marketplace id');
    assert.equal(org.kind, 'seller');
    const got = (await get(`${sid}-L1`)).body;
    assert.deepEqual([got.seller_org_id, got.seller_name], [org.id, sid]);
    // no plain identifier anywhere in the database files
    for (const suffix of ['', '-wal']) {
      let bytes;
      try { bytes = await fs.readFile(srv.db + suffix); } catch { continue; }
      for (const secret of [email, email.toLowerCase(), '8657188881234', 'ACCT-7731-XYZ', 'dev-42-secret', 'wensan road']) {
        assert.equal(bytes.includes(Buffer.from(secret)), false, `${secret} is not stored in plain text`);
      }
    }
  });

  test('import: bad command lines and files are usage or I/O errors', async () => {
    assert.equal((await srv.cli(['import', 'listings', '--db', srv.db])).code, 2);
    assert.equal((await srv.cli(['import', 'widgets', 'x.jsonl', '--db', srv.db])).code, 2);
    assert.equal((await srv.cli(['import', 'listings', '/nonexistent/file.jsonl', '--db', srv.db])).code, 5);
    assert.equal((await srv.cli(['import', 'listings', 'x', '--batch', '0', '--db', srv.db])).code, 2);
    const help = await srv.cli(['import', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /iprshield import listings FILE\.jsonl/);
    // a line far over the limit is reported, not held whole
    const file = path.join(srv.dir, 'long.jsonl');
    await fs.writeFile(file, `{"id":"long","title":"${'x'.repeat(100000)}"}\n`);
    const r = await srv.cli(['import', 'listings', file, '--db', srv.db]);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /line 1: line longer than 65536 bytes/);
  });
});
