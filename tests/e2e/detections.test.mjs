// detections.test.mjs — server-side proactive detection end to end against
// the real server: a profile change recompiled by the job, a listing scanned
// as it is written (verdict with spans in the reviewer queue), a right
// holder confirming it (the listing comes down through a notice, with the
// statement of reasons and the seller's counter-notice right), a dismissal
// that is remembered across a rescan, the measured precision, and another
// right holder kept out.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { PDF, assertProblem, listAll, multipart, startServer, unique, waitFor, STRONG_PASSWORD } from './lib.mjs';



describe('server-side detection', () => {
  let srv;
  const S = {};
  let holderOrg;
  let otherHolder;
  const brand = `Nimbus${Math.floor(Math.random() * 1e6)}`;

  const listing = async (title) => {
    const id = unique('D').replace(/[^A-Za-z0-9._:-]/g, '');
    const r = await srv.request('POST', '/api/v1/listings', { session: S.seller, json: { id, title, description: 'fast shipping', price: '25.00', currency: 'EUR', category: 'jackets' } });
    assert.equal(r.status, 201, r.text);
    return { id, state: r.body.state };
  };
  const detectionsOf = async (id, session = S.reviewer) => (await listAll(srv, `/api/v1/detections?listing_id=${id}`, { session }));

  before(async () => {
    srv = await startServer();
    for (const role of ['admin', 'reviewer', 'rightholder', 'seller', 'auditor']) S[role] = await srv.loginAs(role);
    holderOrg = S.rightholder.body.org.id;
    // a verified trademark to cite
    const meta = { kind: 'trademark', mark_text: brand.toUpperCase(), registration_number: `TM-${unique('n')}`, office: 'EUIPO', nice_classes: [25], valid_from: '2020-01-01', valid_to: '2099-12-31' };
    const m = multipart([{ name: 'right', value: JSON.stringify(meta) }, { name: 'certificate', value: PDF, filename: 'c.pdf' }]);
    const reg = await srv.request('POST', '/api/v1/rights', { session: S.rightholder, body: m.body, contentType: m.contentType });
    assert.equal(reg.status, 201, reg.text);
    const ok = await srv.request('POST', `/api/v1/rights/${reg.body.id}/decision`, { session: S.reviewer, json: { decision: 'verified', reason: 'checked against the register' } });
    assert.equal(ok.status, 200, ok.text);
    // a second right holder
    const org = await srv.request('POST', '/api/v1/orgs', { session: S.admin, json: { name: unique('other-brand-'), kind: 'rightholder' } });
    assert.equal(org.status, 201, org.text);
    const email = `${unique('o')}@other.example`;
    const u = await srv.request('POST', '/api/v1/users', { session: S.admin, json: { email, password: STRONG_PASSWORD, role: 'rightholder', org_id: org.body.id } });
    assert.equal(u.status, 201, u.text);
    otherHolder = await srv.login(email, STRONG_PASSWORD);
  });
  after(async () => { if (srv) await srv.stop(); });

  test('a profile change is recompiled by the job and new listings are scanned as they are written', async () => {
    const r0 = await srv.request('GET', '/api/v1/detections/rules', { session: S.reviewer });
    assert.equal(r0.status, 200, r0.text);
    const put = await srv.request('PUT', `/api/v1/profiles/${holderOrg}/terms`, { session: S.rightholder, json: { terms: [{ term: brand }] } });
    assert.equal(put.status, 204, put.text);
    const r1 = await waitFor('the job to compile a new rules version', async () => {
      const r = await srv.request('GET', '/api/v1/detections/rules', { session: S.reviewer });
      return r.body.version > r0.body.version && r.body.rescan_finished ? r.body : null;
    });
    assert.equal(r1.reason, 'a protection profile changed');

    const L = await listing(`${brand.toUpperCase()} jacket replica`);
    assert.equal(L.state, 'live');
    const [d] = await detectionsOf(L.id);
    assert.ok(d, 'the listing is in the reviewer queue');
    assert.equal(d.action, 'review');
    assert.equal(d.listing_version, 1);
    assert.equal(d.rules_version, r1.version);
    const b = d.signals.find((s) => s.type === 'brand_term');
    assert.equal(b.field, 'title');
    assert.equal(b.start, 0);
    assert.equal(b.end, brand.length);
    assert.equal(b.org_id, holderOrg);
    assert.ok(d.signals.some((s) => s.type === 'cue_phrase' && s.phrase === 'replica'));
    // the detail shows the judged listing version
    const det = await srv.request('GET', `/api/v1/detections/${d.id}`, { session: S.rightholder });
    assert.equal(det.status, 200, det.text);
    assert.equal(det.body.listing.title, `${brand.toUpperCase()} jacket replica`);
    assert.equal(det.body.rightholders[0].decision, 'open');
    // bad filters, foreign holders, sellers
    assertProblem(await srv.request('GET', '/api/v1/detections?action=maybe', { session: S.reviewer }), 422, 'invalid');
    assertProblem(await srv.request('GET', `/api/v1/detections/${d.id}`, { session: otherHolder }), 404, 'not-found');
    assertProblem(await srv.request('GET', `/api/v1/detections?org_id=${holderOrg}`, { session: otherHolder }), 404, 'not-found');
    assertProblem(await srv.request('POST', `/api/v1/detections/${d.id}/confirm`, { session: otherHolder, json: {} }), 404, 'not-found');
    assertProblem(await srv.request('GET', '/api/v1/detections', { session: S.seller }), 403, 'forbidden');
    assertProblem(await srv.request('POST', '/api/v1/detections/rescan', { session: S.reviewer, json: {} }), 403, 'forbidden');
    assert.equal((await listAll(srv, '/api/v1/detections', { session: otherHolder })).length, 0);
  });

  test('a confirmation takes the listing down with a statement of reasons and the counter-notice right', async () => {
    const L = await listing(`${brand} parka 1:1 copy`);
    const [d] = await detectionsOf(L.id, S.rightholder);
    assert.ok(d, 'the right holder sees the detection on its brand');
    const c = await srv.request('POST', `/api/v1/detections/${d.id}/confirm`, { session: S.rightholder, json: { note: 'test buy confirmed' } });
    assert.equal(c.status, 200, c.text);
    const noticeId = c.body.notice_id;
    const l = await srv.request('GET', `/api/v1/listings/${L.id}`, { session: S.admin });
    assert.equal(l.body.state, 'taken_down');
    const n = await srv.request('GET', `/api/v1/notices/${noticeId}`, { session: S.rightholder });
    assert.equal(n.status, 200, n.text);
    assert.equal(n.body.kind, 'counterfeit');
    assert.match(n.body.explanation, new RegExp(`Proactive detection ${d.id}`));
    // the seller gets the statement of reasons and may answer
    const st = await srv.request('GET', `/api/v1/notices/${noticeId}/statements`, { session: S.seller });
    assert.equal(st.status, 200, st.text);
    const sor = st.body.items[0];
    assert.equal(sor.category, 'STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS');
    assert.deepEqual(sor.decision_visibility, ['DECISION_VISIBILITY_CONTENT_REMOVED']);
    assert.ok(sor.redress.counter_notice.open);
    const inbox = await listAll(srv, '/api/v1/inbox', { session: S.seller });
    assert.ok(inbox.some((m) => m.kind === 'notice.takedown' && m.notice_id === noticeId));
    const cn = await srv.request('POST', `/api/v1/notices/${noticeId}/items/${L.id}/counter-notice`, { session: S.seller, json: { explanation: 'Genuine stock bought from the brand.' } });
    assert.equal(cn.status, 200, cn.text);
    assert.equal(cn.body.state, 'counter_noticed');
    // the decision is recorded once
    const det = await srv.request('GET', `/api/v1/detections/${d.id}`, { session: S.reviewer });
    assert.equal(det.body.status, 'confirmed');
    assert.equal(det.body.rightholders[0].notice_id, noticeId);
    assertProblem(await srv.request('POST', `/api/v1/detections/${d.id}/confirm`, { session: S.rightholder, json: {} }), 409, 'conflict');
  });

  test('a dismissal is remembered across a rescan and both decisions feed the precision', async () => {
    const L = await listing(`${brand} gilet replica`);
    const [d] = await detectionsOf(L.id, S.rightholder);
    assertProblem(await srv.request('POST', `/api/v1/detections/${d.id}/dismiss`, { session: S.rightholder, json: { reason: 'because' } }), 422, 'invalid');
    const x = await srv.request('POST', `/api/v1/detections/${d.id}/dismiss`, { session: S.rightholder, json: { reason: 'authorised_reseller', note: 'our outlet' } });
    assert.equal(x.status, 200, x.text);
    assert.equal((await detectionsOf(L.id, S.rightholder)).length, 0, 'no longer flagged for the holder');
    const rs = await srv.request('POST', '/api/v1/detections/rescan', { session: S.admin, json: { reason: 'e2e rescan' } });
    assert.equal(rs.status, 202, rs.text);
    await waitFor('the rescan to finish', async () => (await srv.request('GET', '/api/v1/detections/rules', { session: S.admin })).body.rescan_finished);
    assert.equal((await detectionsOf(L.id, S.rightholder)).length, 0, 'still not flagged after the rescan');
    const p = await srv.request('GET', '/api/v1/detections/precision', { session: S.rightholder });
    assert.equal(p.status, 200, p.text);
    const mine = p.body.items.find((i) => i.org_id === holderOrg);
    assert.equal(mine.confirmed, 1);
    assert.equal(mine.dismissed, 1);
    assert.equal(mine.precision, 0.5);
    assertProblem(await srv.request('GET', `/api/v1/detections/precision?org_id=${holderOrg}`, { session: otherHolder }), 404, 'not-found');
  });
});
