// litigation.test.mjs — civil litigation files over HTTP: the demo right
// holder's notice against a listing is upheld (takedown, counter-notice,
// reviewer keeps it down); the holder opens a file against the seller; the
// damages come from that listing only (units sold x price, per currency),
// as JSON and CSV; the signed bundle verifies offline with
// `iprshield evidence verify`; other organisations get nothing.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PDF, STRONG_PASSWORD, assertProblem, listAll, multipart, startServer, unique } from './lib.mjs';

describe('litigation files', () => {
  let srv;
  const S = {};
  let otherHolder;
  let file;
  let infringing;

  const get = (who, p) => srv.request('GET', p, { session: who });
  const post = (who, p, json) => srv.request('POST', p, { session: who, json });
  const listing = async (title, price, units) => {
    const id = unique('LIT').replace(/[^A-Za-z0-9._:-]/g, '');
    const r = await post(S.seller, '/api/v1/listings', { id, title, description: 'cheap', price, currency: 'EUR', category: 'bags', images: [], ship_from: 'CN', units_sold: units });
    assert.equal(r.status, 201, r.text);
    return id;
  };

  before(async () => {
    srv = await startServer();
    for (const role of ['admin', 'reviewer', 'rightholder', 'seller', 'officer', 'auditor']) S[role] = await srv.loginAs(role);
    // A verified trademark of the demo right holder.
    const meta = { kind: 'trademark', mark_text: 'AURORA', registration_number: `TM-${unique('lit')}`, office: 'EUIPO', nice_classes: [25], valid_from: '2020-01-01', valid_to: '2099-12-31' };
    const m = multipart([{ name: 'right', value: JSON.stringify(meta) }, { name: 'certificate', value: PDF, filename: 'c.pdf' }]);
    const right = await srv.request('POST', '/api/v1/rights', { session: S.rightholder, body: m.body, contentType: m.contentType });
    assert.equal(right.status, 201, right.text);
    const v = await post(S.reviewer, `/api/v1/rights/${right.body.id}/decision`, { decision: 'verified', reason: 'checked against the register' });
    assert.equal(v.status, 200, v.text);
    // Two listings of the demo seller; a notice against one, upheld for good.
    infringing = await listing('AURORA bag replica', '9.90', 12);
    await listing('Plain tote bag', '4.00', 30);
    const n = await post(S.rightholder, '/api/v1/notices', {
      right_id: right.body.id, kind: 'counterfeit', explanation: 'The listing sells counterfeit AURORA bags.',
      notifier_name: 'Ada Brand', notifier_email: 'ada@brand.example', good_faith: true, accuracy: true,
      signature: 'Ada Brand', listings: [infringing], evidence_urls: ['https://evidence.example/test-buy.jpg'],
    });
    assert.equal(n.status, 201, n.text);
    if (n.body.state === 'under_review') {
      const d = await post(S.reviewer, `/api/v1/notices/${n.body.id}/decision`, { decision: 'uphold', reason: 'test buy confirms counterfeit' });
      assert.equal(d.status, 200, d.text);
    }
    const item = `/api/v1/notices/${n.body.id}/items/${infringing}`;
    const cn = await post(S.seller, `${item}/counter-notice`, { explanation: 'These are genuine bags.', evidence_urls: ['https://evidence.example/invoice.pdf'] });
    assert.equal(cn.status, 200, cn.text);
    const kd = await post(S.reviewer, `${item}/counter-decision`, { decision: 'keep_down', reason: 'the invoice is forged' });
    assert.equal(kd.status, 200, kd.text);
    const items = await listAll(srv, `/api/v1/notices/${n.body.id}/items`, { session: S.admin });
    assert.equal(items.find((i) => i.listing_id === infringing).state, 'upheld');
    // Another right holder.
    const org = await post(S.admin, '/api/v1/orgs', { name: unique('Other Brand '), kind: 'rightholder' });
    assert.equal(org.status, 201, org.text);
    const email = `${unique('other')}@example.org`;
    const u = await post(S.admin, '/api/v1/users', { email, password: STRONG_PASSWORD, role: 'rightholder', org_id: org.body.id });
    assert.equal(u.status, 201, u.text);
    otherHolder = await srv.login(email, STRONG_PASSWORD);
  });
  after(async () => { if (srv) await srv.stop(); });

  test('only right holders open files, with valid input', async () => {
    const seller = S.seller.body.org.id;
    const body = { seller_org_id: seller, title: 'Aurora v. Demo Shop', period_from: '2020-01-01', period_to: '2099-12-31' };
    for (const who of ['seller', 'officer', 'reviewer', 'auditor']) assertProblem(await post(S[who], '/api/v1/litigation', body), 403, 'forbidden');
    assertProblem(await post(S.rightholder, '/api/v1/litigation', { ...body, period_to: '2019-12-31' }), 422, 'invalid');
    assertProblem(await post(S.rightholder, '/api/v1/litigation', { ...body, period_from: '2020-13-01' }), 422, 'invalid');
    assertProblem(await post(S.rightholder, '/api/v1/litigation', { ...body, seller_org_id: S.officer.body.org.id }), 422, 'invalid');
    assertProblem(await post(S.rightholder, '/api/v1/litigation', { ...body, surprise: 1 }), 422, 'invalid');
    // Another holder may not open a file in the demo holder's name.
    assertProblem(await post(otherHolder, '/api/v1/litigation', { ...body, rightholder_org_id: S.rightholder.body.org.id }), 404, 'not-found');
    assert.equal((await listAll(srv, '/api/v1/litigation', { session: S.admin })).length, 0, 'nothing was stored');
  });

  test('the right holder opens a file: the damages of its upheld listing only', async () => {
    const r = await post(S.rightholder, '/api/v1/litigation', {
      seller_org_id: S.seller.body.org.id, title: 'Aurora v. Demo Shop', court: 'Hangzhou Internet Court', period_from: '2020-01-01', period_to: '2099-12-31',
    });
    assert.equal(r.status, 201, r.text);
    file = r.body;
    assert.equal(file.rightholder_org_id, S.rightholder.body.org.id);
    assert.equal(file.listings, 1);
    assert.match(file.evidence.sha256, /^[0-9a-f]{64}$/);
    assert.equal(file.damages.lines.length, 1);
    const line = file.damages.lines[0];
    assert.equal(line.listing_id, infringing);
    assert.equal(line.units, 12);
    assert.equal(line.unit_price, '9.90');
    assert.equal(line.amount, '118.80');
    assert.match(line.basis, /^notice /);
    assert.deepEqual(file.damages.totals, [{ currency: 'EUR', units: 12, amount: '118.80', amount_minor: 11880 }]);
    const csv = await fetch(`${srv.base}/api/v1/litigation/${file.id}/damages?format=csv`, { headers: { cookie: S.rightholder.cookie } });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type'), /^text\/csv/);
    const text = await csv.text();
    assert.equal(text.split('\r\n')[0], 'listing_id,title,basis,currency,unit_price,units,amount');
    assert.ok(text.includes(`${infringing},AURORA bag replica,`) && text.includes(',EUR,9.90,12,118.80\r\n'), text);
    assertProblem(await get(S.rightholder, `/api/v1/litigation/${file.id}/damages?format=xml`), 422, 'invalid');
  });

  test('the bundle verifies offline and is audited', async () => {
    const res = await fetch(`${srv.base}/api/v1/litigation/${file.id}/bundle`, { headers: { cookie: S.rightholder.cookie } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/gzip');
    const archive = path.join(srv.dir, 'litigation.tar.gz');
    await fs.writeFile(archive, Buffer.from(await res.arrayBuffer()));
    const key = await srv.request('GET', '/api/v1/ledger/key');
    assert.equal(key.status, 200, key.text);
    const ok = await srv.cli(['evidence', 'verify', archive, '--key', key.body.verifier_key]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`verified: litigation ${file.id}`));
    const audit = await listAll(srv, '/api/v1/audit', { session: S.admin });
    assert.ok(audit.some((e) => e.action === 'litigation.open' && e.object === file.id));
    assert.ok(audit.some((e) => e.action === 'evidence.read' && e.object === file.id && e.actor === S.rightholder.body.user.id));
  });

  test('the platform reads every file; other organisations get nothing', async () => {
    assert.equal((await get(S.reviewer, `/api/v1/litigation/${file.id}`)).status, 200);
    assert.ok((await listAll(srv, '/api/v1/litigation', { session: S.rightholder })).some((f) => f.id === file.id));
    assert.equal((await listAll(srv, '/api/v1/litigation', { session: otherHolder })).length, 0);
    for (const p of ['', '/bundle', '/damages']) {
      assertProblem(await get(otherHolder, `/api/v1/litigation/${file.id}${p}`), 404, 'not-found');
      assertProblem(await get(S.seller, `/api/v1/litigation/${file.id}${p}`), 404, 'not-found');
      assertProblem(await get(S.officer, `/api/v1/litigation/${file.id}${p}`), 404, 'not-found');
    }
    assertProblem(await get(S.seller, '/api/v1/litigation'), 403, 'forbidden');
    assertProblem(await get(S.rightholder, '/api/v1/litigation/01ARZ3NDEKTSV4RRFFQ69G5FAV'), 404, 'not-found');
  });

  test('the holder records the status and outcome; the platform may not; audited', async () => {
    const status = (who, json) => post(who, `/api/v1/litigation/${file.id}/status`, json);
    assert.equal(file.status, 'open');
    assert.equal(file.outcome, null);
    assertProblem(await status(S.reviewer, { status: 'filed' }), 403, 'forbidden');
    assertProblem(await status(otherHolder, { status: 'filed' }), 404, 'not-found');
    assertProblem(await status(S.seller, { status: 'filed' }), 404, 'not-found');
    assertProblem(await status(S.rightholder, { status: 'won' }), 422, 'invalid');
    assertProblem(await status(S.rightholder, { status: 'settled' }), 422, 'invalid');
    assertProblem(await status(S.rightholder, { status: 'filed', extra: 1 }), 422, 'invalid');
    assertProblem(await status(S.rightholder, { status: 'judgment', outcome: 'won' }), 409, 'conflict');
    let r = await status(S.rightholder, { status: 'filed' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'filed');
    assert.ok(Date.parse(r.body.status_at) > 0);
    r = await status(S.rightholder, { status: 'settled', outcome: 'Settled out of court', amount: '1200', currency: 'EUR' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.outcome, { text: 'Settled out of court', amount: '1200.00', amount_minor: 120000, currency: 'EUR' });
    r = await status(S.rightholder, { status: 'closed' });
    assert.equal(r.status, 200, r.text);
    const again = await get(S.reviewer, `/api/v1/litigation/${file.id}`);
    assert.equal(again.body.status, 'closed');
    assert.equal(again.body.outcome.text, 'Settled out of court');
    assert.ok(again.body.damages, 'the damages are unchanged by a status');
    assertProblem(await status(S.rightholder, { status: 'filed' }), 409, 'conflict');
    const audit = await listAll(srv, '/api/v1/audit', { session: S.admin });
    const moves = audit.filter((e) => e.action === 'litigation.status' && e.object === file.id).map((e) => e.detail);
    assert.deepEqual(moves.sort(), ['filed -> settled', 'open -> filed', 'settled -> closed']);
  });
});
