// transparency_cache.test.mjs — the public transparency report is cached by
// the server for transparency_cache_seconds (src/http/respcache.c): two
// identical anonymous requests get the same body and generated_at, a notice
// filed in between stays invisible to that query until the entry expires
// (while a query not cached yet sees it at once), and Cache-Control says how
// long is left. With the setting 0 every request computes the report: the
// write shows at once and nothing may be stored downstream. The cache
// module's hit, expiry and eviction rules are tested with an injected clock
// in tests/unit/test_respcache.c.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { PDF, multipart, startServer, unique, waitFor } from './lib.mjs';

const from = new Date(Date.now() - 3600_000).toISOString();
const to = new Date(Date.now() + 3600_000).toISOString();
const Q = `/api/v1/reports/transparency?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;

/** A server with the cache set to `seconds`, and a function filing one
 * more notice (on a listing of its own) as its right holder. */
async function serverWithNotices(seconds) {
  const srv = await startServer({ env: { IPRSHIELD_TRANSPARENCY_CACHE_SECONDS: String(seconds) } });
  const rh = await srv.loginAs('rightholder');
  const reviewer = await srv.loginAs('reviewer');
  const seller = await srv.loginAs('seller');
  const meta = { kind: 'trademark', mark_text: 'CACHEMARK', registration_number: `TM-${unique('c')}`, office: 'EUIPO', nice_classes: [25], valid_from: '2020-01-01', valid_to: '2099-12-31' };
  const m = multipart([{ name: 'right', value: JSON.stringify(meta) }, { name: 'certificate', value: PDF, filename: 'c.pdf' }]);
  const reg = await srv.request('POST', '/api/v1/rights', { session: rh, body: m.body, contentType: m.contentType });
  assert.equal(reg.status, 201, reg.text);
  const ok = await srv.request('POST', `/api/v1/rights/${reg.body.id}/decision`, { session: reviewer, json: { decision: 'verified', reason: 'checked' } });
  assert.equal(ok.status, 200, ok.text);
  const fileNotice = async () => {
    const listingId = unique('CCH').replace(/[^A-Za-z0-9._:-]/g, '');
    const l = await srv.request('POST', '/api/v1/listings', { session: seller, json: { id: listingId, title: 'CACHEMARK bag replica', description: 'cheap', price: '9.90', currency: 'EUR', category: 'bags', images: [], ship_from: 'CN', units_sold: 0 } });
    assert.equal(l.status, 201, l.text);
    const n = await srv.request('POST', '/api/v1/notices', { session: rh, json: {
      right_id: reg.body.id, kind: 'counterfeit', explanation: 'The listing sells counterfeit CACHEMARK bags.',
      notifier_name: 'Ada Brand', notifier_email: 'ada@brand.example', good_faith: true, accuracy: true,
      signature: 'Ada Brand', listings: [listingId], evidence_urls: ['https://evidence.example/buy.jpg'],
    } });
    assert.equal(n.status, 201, n.text);
  };
  return { srv, fileNotice };
}

/** GET the report anonymously; checks what every answer carries. */
async function report(srv, p = Q) {
  const r = await srv.request('GET', p);
  assert.equal(r.status, 200, r.text);
  const generated = r.headers.get('x-generated-at');
  assert.ok(generated, 'X-Generated-At is sent');
  if (r.body) assert.equal(r.body.generated_at, generated, 'the header and the body agree');
  return { ...r, generated, cacheControl: r.headers.get('cache-control') };
}

/** The max-age of a `public, max-age=N` Cache-Control, asserted in 0..limit. */
function maxAge(cacheControl, limit) {
  const m = /^public, max-age=(\d+)$/.exec(cacheControl ?? '');
  assert.ok(m, `Cache-Control is public with a max-age: ${cacheControl}`);
  const n = Number(m[1]);
  assert.ok(n >= 0 && n <= limit, `max-age ${n} within 0..${limit}`);
  return n;
}

describe('transparency report cache', () => {
  const servers = [];
  after(async () => { for (const s of servers) await s.stop(); });

  test('identical requests share one report and a write stays hidden until the entry expires', async () => {
    const { srv, fileNotice } = await serverWithNotices(600);
    servers.push(srv);
    const first = await report(srv);
    assert.equal(maxAge(first.cacheControl, 600), 600, 'a fresh report may be kept the whole lifetime');
    const second = await report(srv);
    assert.equal(second.generated, first.generated);
    assert.deepEqual(second.body, first.body);
    maxAge(second.cacheControl, 600);

    // The default period (no from/to) is cached too, although it moves with the clock.
    const d1 = await report(srv, '/api/v1/reports/transparency');
    const d2 = await report(srv, '/api/v1/reports/transparency');
    assert.equal(d2.generated, d1.generated);

    await fileNotice();
    const third = await report(srv);
    assert.equal(third.generated, first.generated, 'served from the cache');
    assert.equal(third.body.notices.received, first.body.notices.received, 'the new notice is not visible yet');

    // Another key (the CSV of the same period, never asked before) is computed now and sees it.
    const csv = await report(srv, `${Q}&format=csv`);
    assert.ok(csv.text.split('\r\n').includes(`notices,received,,${first.body.notices.received + 1}`), csv.text.slice(0, 300));
    const csv2 = await report(srv, `${Q}&format=csv`);
    assert.equal(csv2.generated, csv.generated);
    assert.equal(csv2.text, csv.text);

    // Bad filters are refused before the cache is asked.
    const bad = await srv.request('GET', `/api/v1/reports/transparency?from=${encodeURIComponent('1990-01-01T00:00:00Z')}&to=${encodeURIComponent(to)}`);
    assert.equal(bad.status, 422, bad.text);
    assert.ok(bad.body.errors.some((e) => e.field === 'from'), bad.text);
  });

  test('once the entry expires the next request computes the report again and shows the write', async () => {
    const { srv, fileNotice } = await serverWithNotices(1);
    servers.push(srv);
    const first = await report(srv);
    maxAge(first.cacheControl, 1);
    await fileNotice();
    const fresh = await waitFor('the cached report to expire', async () => {
      const r = await report(srv);
      return r.generated !== first.generated ? r : null;
    });
    assert.ok(fresh.generated > first.generated, 'a later generation');
    assert.equal(fresh.body.notices.received, first.body.notices.received + 1);
  });

  test('with transparency_cache_seconds = 0 every request computes the report', async () => {
    const { srv, fileNotice } = await serverWithNotices(0);
    servers.push(srv);
    const first = await report(srv);
    assert.equal(first.cacheControl, 'no-store');
    await fileNotice();
    const second = await report(srv);
    assert.notEqual(second.generated, first.generated);
    assert.equal(second.body.notices.received, first.body.notices.received + 1, 'the write is visible at once');
    assert.equal(second.cacheControl, 'no-store');
  });
});
