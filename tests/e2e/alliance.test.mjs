// alliance.test.mjs — the anti-counterfeiting alliance over HTTP: join,
// suspend, reinstate, leave; reports shared by members and refused to
// non-members, suspended members and sellers; who may read the members, the
// reports and the watch list; bad input changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STRONG_PASSWORD, assertProblem, listAll, startServer, unique } from './lib.mjs';

describe('the anti-counterfeiting alliance', () => {
  let srv;
  const S = {};
  let brandA;   // the demo right holder's org
  let brandB;   // a second right holder {org, session}
  let shop;     // the demo seller's org
  let shop2;    // a second seller org

  const members = (who) => srv.request('GET', '/api/v1/alliance', { session: who });
  const member = (who, org) => srv.request('GET', `/api/v1/alliance/members/${org}`, { session: who });
  const join = (who, json) => srv.request('POST', '/api/v1/alliance/members', { session: who, json: json ?? {} });
  const leave = (who, org) => srv.request('DELETE', `/api/v1/alliance/members/${org}`, { session: who });
  const moderate = (who, org, verb, reason) => srv.request('POST', `/api/v1/alliance/members/${org}/${verb}`, { session: who, json: { reason } });
  const report = (who, json) => srv.request('POST', '/api/v1/alliance/reports', { session: who, json });
  const reports = (who, q = '') => srv.request('GET', `/api/v1/alliance/reports${q}`, { session: who });
  const sellers = (who) => srv.request('GET', '/api/v1/alliance/sellers', { session: who });
  const countReports = async () => (await listAll(srv, '/api/v1/alliance/reports', { session: S.admin })).length;

  before(async () => {
    srv = await startServer();
    for (const role of ['admin', 'reviewer', 'rightholder', 'seller', 'officer', 'auditor']) S[role] = await srv.loginAs(role);
    brandA = S.rightholder.body.org;
    shop = S.seller.body.org;
    const org = await srv.request('POST', '/api/v1/orgs', { session: S.admin, json: { name: unique('brand-b-'), kind: 'rightholder' } });
    assert.equal(org.status, 201, org.text);
    const email = `${unique('b')}@example.org`;
    const u = await srv.request('POST', '/api/v1/users', { session: S.admin, json: { email, password: STRONG_PASSWORD, role: 'rightholder', org_id: org.body.id } });
    assert.equal(u.status, 201, u.text);
    brandB = { org: org.body, session: await srv.login(email, STRONG_PASSWORD) };
    const s2 = await srv.request('POST', '/api/v1/orgs', { session: S.admin, json: { name: unique('shop-'), kind: 'seller' } });
    assert.equal(s2.status, 201, s2.text);
    shop2 = s2.body;
  });
  after(async () => { if (srv) await srv.stop(); });

  test('non-members cannot read or share; sellers cannot join', async () => {
    for (const who of [S.rightholder, S.seller, S.officer]) {
      assertProblem(await members(who), 403, 'forbidden');
      assertProblem(await reports(who), 403, 'forbidden');
      assertProblem(await sellers(who), 403, 'forbidden');
    }
    assertProblem(await report(S.rightholder, { seller_org_id: shop.id, reason: 'fakes' }), 403, 'forbidden');
    assertProblem(await join(S.seller), 403, 'forbidden');
    assertProblem(await join(S.officer), 403, 'forbidden');
    assertProblem(await member(S.rightholder, brandA.id), 404, 'not-found', 'never joined');
    // ... but "me" answers: not a member
    const me = await srv.request('GET', '/api/v1/alliance/me', { session: S.rightholder });
    assert.equal(me.status, 200, me.text);
    assert.deepEqual([me.body.org_id, me.body.member, me.body.status, me.body.joined_at], [brandA.id, false, 'none', null]);
    const sellerMe = await srv.request('GET', '/api/v1/alliance/me', { session: S.seller });
    assert.deepEqual([sellerMe.status, sellerMe.body.member, sellerMe.body.org_id], [200, false, shop.id]);
    assertProblem(await srv.request('GET', '/api/v1/alliance/me'), 401, 'unauthenticated');
    assert.equal(await countReports(), 0);
  });

  test('a right holder joins: active, with a join date; joining again is 409', async () => {
    const r = await join(S.rightholder);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.org_id, brandA.id);
    assert.equal(r.body.status, 'active');
    assert.equal(typeof r.body.joined_at, 'string');
    assert.equal(r.body.reports, 0);
    assertProblem(await join(S.rightholder), 409, 'conflict');
    const own = await member(S.rightholder, brandA.id);
    assert.equal(own.status, 200, own.text);
    assert.equal(own.body.status, 'active');
    const me = await srv.request('GET', '/api/v1/alliance/me', { session: S.rightholder });
    assert.deepEqual([me.status, me.body.member, me.body.status], [200, true, 'active']);
    // Another right holder may not join for it.
    assertProblem(await join(brandB.session, { org_id: brandA.id }), 404, 'not-found');
    const j = await join(brandB.session);
    assert.equal(j.status, 201, j.text);
  });

  test('members share reports; the platform and all active members see them, sellers do not', async () => {
    const r = await report(S.rightholder, {
      seller_org_id: shop.id,
      reason: 'sells counterfeit Aurora handbags',
      evidence_urls: ['https://market.example/item/123'],
      listing_ids: ['L-123', 'ext:991'],
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.member_org_id, brandA.id);
    assert.equal(r.body.seller_name, shop.name);
    assert.deepEqual(r.body.evidence_urls, ['https://market.example/item/123']);
    assert.deepEqual(r.body.listing_ids, ['L-123', 'ext:991']);
    assert.equal('reporter_id' in r.body, false);
    const r2 = await report(brandB.session, { seller_org_id: shop.id, reason: 'fake labels' });
    assert.equal(r2.status, 201, r2.text);
    const r3 = await report(brandB.session, { seller_org_id: shop2.id, reason: 'replica goods' });
    assert.equal(r3.status, 201, r3.text);

    for (const who of [S.admin, S.reviewer, S.auditor, S.rightholder, brandB.session]) {
      const list = await reports(who);
      assert.equal(list.status, 200, list.text);
      assert.equal(list.body.items.length, 3);
    }
    assertProblem(await reports(S.seller), 403, 'forbidden');
    const filtered = await reports(S.reviewer, `?seller_org_id=${shop.id}`);
    assert.deepEqual(filtered.body.items.map((x) => x.id).sort(), [r.body.id, r2.body.id].sort());
    assertProblem(await reports(S.reviewer, '?seller_org_id=nope'), 422, 'invalid');
    // Pagination with an id cursor.
    const page = await reports(S.reviewer, '?limit=2');
    assert.equal(page.body.items.length, 2);
    assert.equal(typeof page.body.next_cursor, 'string');
    const all = await listAll(srv, '/api/v1/alliance/reports', { session: S.reviewer }, 1);
    assert.equal(all.length, 3);

    const watch = await sellers(S.reviewer);
    assert.equal(watch.status, 200, watch.text);
    const w = Object.fromEntries(watch.body.items.map((x) => [x.seller_org_id, x]));
    assert.equal(w[shop.id].reports, 2);
    assert.equal(w[shop.id].members, 2);
    assert.equal(w[shop2.id].reports, 1);
    assert.equal(w[shop2.id].members, 1);

    const m = await members(S.rightholder);
    assert.equal(m.status, 200, m.text);
    const byOrg = Object.fromEntries(m.body.items.map((x) => [x.org_id, x]));
    assert.equal(byOrg[brandA.id].reports, 1);
    assert.equal(byOrg[brandB.org.id].reports, 2);
  });

  test('bad reports are refused with field errors and change nothing', async () => {
    const n = await countReports();
    const cases = [
      [{ seller_org_id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', reason: 'x' }, 'seller_org_id'],
      [{ seller_org_id: brandB.org.id, reason: 'x' }, 'seller_org_id'],
      [{ seller_org_id: 42, reason: 'x' }, 'seller_org_id'],
      [{ seller_org_id: shop.id }, 'reason'],
      [{ seller_org_id: shop.id, reason: 'bad\u0001reason' }, 'reason'],
      [{ seller_org_id: shop.id, reason: 'x', evidence_urls: ['javascript:alert(1)'] }, 'evidence_urls[0]'],
      [{ seller_org_id: shop.id, reason: 'x', evidence_urls: 'https://a.example' }, 'evidence_urls'],
      [{ seller_org_id: shop.id, reason: 'x', evidence_urls: Array(11).fill('https://a.example') }, 'evidence_urls'],
      [{ seller_org_id: shop.id, reason: 'x', listing_ids: ['has space'] }, 'listing_ids[0]'],
      [{ seller_org_id: shop.id, reason: 'x', listing_ids: [7] }, 'listing_ids[0]'],
      [{ seller_org_id: shop.id, reason: 'x', colour: 'red' }, 'colour'],
    ];
    for (const [json, field] of cases) {
      const r = await report(S.rightholder, json);
      const p = assertProblem(r, 422, 'invalid', JSON.stringify(json).slice(0, 80));
      assert.ok(p.errors.some((e) => e.field === field), `error for ${field}: ${r.text}`);
    }
    assertProblem(await srv.request('POST', '/api/v1/alliance/reports', { session: S.rightholder, body: '{"seller_org_id":' }), 400, 'malformed');
    assertProblem(await srv.request('POST', '/api/v1/alliance/reports', { session: S.rightholder, body: '{}', contentType: 'text/plain' }), 415, 'unsupported-media-type');
    assert.equal(await countReports(), n, 'nothing stored');
  });

  test('reviewers suspend with a reason; a suspended member can neither share nor read; reinstated it can', async () => {
    assertProblem(await moderate(S.rightholder, brandB.org.id, 'suspend', 'x'), 403, 'forbidden');
    assertProblem(await moderate(S.auditor, brandB.org.id, 'suspend', 'x'), 403, 'forbidden');
    assertProblem(await moderate(S.reviewer, brandB.org.id, 'suspend', ''), 422, 'invalid');
    assertProblem(await moderate(S.reviewer, brandB.org.id, 'reinstate', 'not suspended'), 409, 'conflict');
    const s = await moderate(S.reviewer, brandB.org.id, 'suspend', 'shared reports outside the alliance');
    assert.equal(s.status, 200, s.text);
    assert.equal(s.body.status, 'suspended');
    assert.equal(s.body.status_reason, 'shared reports outside the alliance');
    assertProblem(await moderate(S.reviewer, brandB.org.id, 'suspend', 'again'), 409, 'conflict');

    const n = await countReports();
    assertProblem(await report(brandB.session, { seller_org_id: shop.id, reason: 'fakes' }), 403, 'forbidden');
    assertProblem(await reports(brandB.session), 403, 'forbidden');
    assertProblem(await members(brandB.session), 403, 'forbidden');
    assertProblem(await sellers(brandB.session), 403, 'forbidden');
    assertProblem(await leave(brandB.session, brandB.org.id), 409, 'conflict');
    assertProblem(await join(brandB.session), 409, 'conflict');
    assert.equal(await countReports(), n, 'nothing stored');
    // Its own membership stays visible to it.
    assert.equal((await member(brandB.session, brandB.org.id)).body.status, 'suspended');

    const r = await moderate(S.admin, brandB.org.id, 'reinstate', 'resolved after review');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'active');
    assert.equal((await reports(brandB.session)).status, 200);
    const ok = await report(brandB.session, { seller_org_id: shop.id, reason: 'still selling fakes' });
    assert.equal(ok.status, 201, ok.text);
  });

  test('a member leaves: it can no longer read or share, its reports stay; it may join again', async () => {
    const n = await countReports();
    const l = await leave(S.rightholder, brandA.id);
    assert.equal(l.status, 200, l.text);
    assert.equal(l.body.status, 'left');
    assertProblem(await leave(S.rightholder, brandA.id), 409, 'conflict');
    assertProblem(await reports(S.rightholder), 403, 'forbidden');
    assertProblem(await report(S.rightholder, { seller_org_id: shop.id, reason: 'x' }), 403, 'forbidden');
    assert.equal(await countReports(), n, 'its reports stay');
    assertProblem(await leave(brandB.session, brandA.id), 404, 'not-found', 'another org');
    const j = await join(S.rightholder);
    assert.equal(j.status, 201, j.text);
    assert.equal(j.body.status, 'active');
  });

  test('every transition is in the audit log', async () => {
    const events = await listAll(srv, '/api/v1/audit', { session: S.admin });
    const actions = new Set(events.filter((e) => e.outcome === 'ok').map((e) => e.action));
    for (const a of ['alliance.join', 'alliance.leave', 'alliance.suspend', 'alliance.reinstate', 'alliance.report']) {
      assert.ok(actions.has(a), `${a} audited`);
    }
    assert.ok(events.some((e) => e.action === 'alliance.share' && e.outcome === 'denied'), 'refusals audited');
  });
});
