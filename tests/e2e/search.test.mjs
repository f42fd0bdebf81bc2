// search.test.mjs — full-text search over notices (GET /api/v1/notices?q=,
// index notices_fts of migration 0015) and listings (?q=): what is
// indexed, paging through matches, scopes per role, and hostile FTS5 syntax
// that must be a 200 or a 422, never a 500.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { PDF, assertProblem, listAll, multipart, startServer, unique, STRONG_PASSWORD } from './lib.mjs';

describe('search over notices and listings', () => {
  let srv;
  const S = {};
  let right;
  const ids = {};

  const listing = async (title) => {
    const id = unique('L').replace(/[^A-Za-z0-9._:-]/g, '');
    const r = await srv.request('POST', '/api/v1/listings', { session: S.seller, json: { id, title, description: 'plain text', price: '19.90', currency: 'EUR', category: 'bags', images: [], ship_from: 'CN', units_sold: 0 } });
    assert.equal(r.status, 201, r.text);
    return id;
  };
  const file = async (listings, over) => {
    const r = await srv.request('POST', '/api/v1/notices', { session: S.rightholder, json: {
      right_id: right, kind: 'counterfeit', explanation: 'Counterfeit goods.', notifier_name: 'Ada Quillfeather',
      notifier_email: 'ada@brand.example', good_faith: true, accuracy: true, signature: 'Ada Quillfeather',
      listings, evidence_urls: ['https://evidence.example/buy.jpg'], ...over,
    } });
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  };
  const search = (q, session = S.reviewer, extra = '') =>
    srv.request('GET', `/api/v1/notices?q=${encodeURIComponent(q)}${extra}`, { session });
  const found = async (q, session) => {
    const r = await search(q, session);
    assert.equal(r.status, 200, `q=${q}: ${r.text}`);
    return r.body.items.map((n) => n.id).sort();
  };

  before(async () => {
    srv = await startServer();
    for (const role of ['admin', 'reviewer', 'rightholder', 'seller', 'auditor']) S[role] = await srv.loginAs(role);
    const meta = { kind: 'trademark', mark_text: 'NIMBARO', registration_number: `TM-${unique('n')}`, office: 'EUIPO', nice_classes: [18], valid_from: '2020-01-01', valid_to: '2099-12-31' };
    const m = multipart([{ name: 'right', value: JSON.stringify(meta) }, { name: 'certificate', value: PDF, filename: 'c.pdf' }]);
    const reg = await srv.request('POST', '/api/v1/rights', { session: S.rightholder, body: m.body, contentType: m.contentType });
    assert.equal(reg.status, 201, reg.text);
    right = reg.body.id;
    const ok = await srv.request('POST', `/api/v1/rights/${right}/decision`, { session: S.reviewer, json: { decision: 'verified', reason: 'register checked' } });
    assert.equal(ok.status, 200, ok.text);
    ids.l1 = await listing('Zorblax handbag deluxe');
    ids.l2 = await listing('Quintessa wristwatch');
    ids.a = await file([ids.l1], { explanation: 'Stitching and hardware differ from the genuine article.' });
    ids.b = await file([ids.l2], { kind: 'trademark_misuse', explanation: 'The logo is used to sell unrelated goods.', on_behalf_of: 'Wexmoor Holdings' });
  });
  after(async () => { await srv?.stop(); });

  test('notices are found by explanation, kind, notifier, listing title and listing id', async () => {
    assert.deepEqual(await found('stitching'), [ids.a]);
    assert.deepEqual(await found('zorblax'), [ids.a], 'title of the cited listing');
    assert.deepEqual(await found('quintessa'), [ids.b]);
    assert.deepEqual(await found('misuse'), [ids.b], 'kind');
    assert.deepEqual(await found('wexmoor'), [ids.b], 'on behalf of');
    assert.deepEqual(await found(ids.l1), [ids.a], 'listing id');
    assert.deepEqual(await found('zorb*'), [ids.a], 'prefix');
    assert.deepEqual(await found('quillfeather'), [ids.a, ids.b].sort(), 'notifier name');
    assert.deepEqual(await found('stitching quintessa'), [], 'all words must match');
    assert.deepEqual(await found('nothingmatchesthis'), []);
    // combined with the state filter
    const st = await search('quillfeather', S.reviewer, '&state=decided');
    assert.equal(st.status, 200, st.text);
    assert.deepEqual(st.body.items, []);
  });

  test('matches page by cursor without repeats', async () => {
    const p1 = await search('quillfeather', S.reviewer, '&limit=1');
    assert.equal(p1.status, 200, p1.text);
    assert.equal(p1.body.items.length, 1);
    assert.ok(p1.body.next_cursor, 'a second page exists');
    const p2 = await search('quillfeather', S.reviewer, `&limit=1&cursor=${p1.body.next_cursor}`);
    assert.equal(p2.status, 200, p2.text);
    assert.equal(p2.body.items.length, 1);
    assert.notEqual(p2.body.items[0].id, p1.body.items[0].id);
    assert.equal(p2.body.next_cursor, null);
    const all = await listAll(srv, '/api/v1/notices?q=quillfeather', { session: S.auditor }, 1);
    assert.deepEqual(all.map((n) => n.id).sort(), [ids.a, ids.b].sort());
  });

  test('each role searches only the notices it may read', async () => {
    assert.deepEqual(await found('quillfeather', S.rightholder), [ids.a, ids.b].sort());
    assert.deepEqual(await found('zorblax', S.seller), [ids.a], 'the seller of the cited listing');
    const org = await srv.request('POST', '/api/v1/orgs', { session: S.admin, json: { name: unique('Other Brand '), kind: 'rightholder' } });
    assert.equal(org.status, 201, org.text);
    const email = `${unique('other')}@brand.example`.toLowerCase();
    const u = await srv.request('POST', '/api/v1/users', { session: S.admin, json: { email, password: STRONG_PASSWORD, role: 'rightholder', org_id: org.body.id } });
    assert.equal(u.status, 201, u.text);
    const other = await srv.login(email, STRONG_PASSWORD);
    assert.deepEqual(await found('quillfeather', other), []);
  });

  test('FTS5 syntax in a query is taken as words: never a server error', async () => {
    const hostile = ['"', '""', '"unbalanced', '*', '**', 'a*b', 'NEAR(zorblax stitching)', 'zorblax NEAR stitching',
      '(', ')', '((zorblax', 'zorblax)', 'AND', 'OR', 'NOT zorblax', 'zorblax OR', '-zorblax', '^zorblax',
      'kind:counterfeit', '{kind}: x', 'zorblax + stitching', "'; DROP TABLE notices; --", '\u00e9\u00e8', '\u{1F600}'];
    for (const q of hostile) {
      for (const p of ['/api/v1/notices', '/api/v1/listings']) {
        const r = await srv.request('GET', `${p}?q=${encodeURIComponent(q)}`, { session: S.reviewer });
        assert.ok([200, 422].includes(r.status), `${p}?q=${q}: ${r.status} ${r.text}`);
        if (r.status === 422) assertProblem(r, 422, 'invalid');
      }
    }
    // an operator word is only a word: NEAR finds nothing here, a quoted phrase finds its words
    assert.deepEqual(await found('NEAR(zorblax'), []);
    assert.deepEqual(await found('"zorblax"'), [ids.a]);
    assert.deepEqual(await found('(zorblax)'), [ids.a], 'parentheses are punctuation, not grouping');
    assert.deepEqual(await found('zorblax OR quintessa'), [], 'OR is a word that must match too, not an operator');
  });

  test('unusable queries are a 422 naming q, and listings search still works', async () => {
    for (const q of ['', '   ', 'x'.repeat(300), Array.from({ length: 17 }, (_, i) => `w${i}`).join(' '), 'a\u0001b']) {
      const r = await search(q);
      assertProblem(r, 422, 'invalid', `q=${JSON.stringify(q)}`);
      assert.ok(r.body.errors.some((e) => e.field === 'q'), r.text);
    }
    assertProblem(await search('zorblax', S.reviewer, '&cursor=zz'), 422, 'invalid');
    const l = await srv.request('GET', '/api/v1/listings?q=zorblax', { session: S.reviewer });
    assert.equal(l.status, 200, l.text);
    assert.deepEqual(l.body.items.map((x) => x.id), [ids.l1]);
  });
});
