// enforce.test.mjs — strikes, penalties and seller networks over HTTP:
// escalation through every level with the thresholds from the configuration,
// a restricted seller refused, termination taking every listing down, a
// seller reading only its own record, a network ban, and ban evasion through
// a shared phone caught the moment the new seller is imported.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { STRONG_PASSWORD, assertProblem, startServer, unique } from './lib.mjs';

describe('enforcement', () => {
  let srv;
  const S = {};
  let shop;   // the demo seller's org
  let shop2;  // a second seller {org, session}

  const record = (who, org) => srv.request('GET', `/api/v1/sellers/${org}/enforcement`, { session: who });
  const strike = (who, org, json) => srv.request('POST', `/api/v1/sellers/${org}/strikes`, { session: who, json });
  const network = (who, org) => srv.request('GET', `/api/v1/sellers/${org}/network`, { session: who });
  const ban = (who, org, json) => srv.request('POST', `/api/v1/sellers/${org}/network/ban`, { session: who, json });
  const post = (who, id) => srv.request('POST', '/api/v1/listings', {
    session: who, json: { id, title: `Leather bag ${id}`, price: '49.00', currency: 'EUR', units_sold: 4 },
  });

  async function importSellers(lines) {
    const file = path.join(srv.dir, `${unique('sellers-')}.jsonl`);
    await fs.writeFile(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const r = await srv.cli(['import', 'sellers', file, '--db', srv.db]);
    assert.equal(r.code, 0, r.stderr);
  }
  async function orgNamed(name) {
    const r = await srv.request('GET', '/api/v1/orgs?limit=200', { session: S.admin });
    assert.equal(r.status, 200, r.text);
    const o = r.body.items.find((x) => x.name === name);
    assert.ok(o, `org ${name}`);
    return o.id;
  }

  before(async () => {
    srv = await startServer({
      env: {
        IPRSHIELD_ENFORCE_WARNING_STRIKES: '1',
        IPRSHIELD_ENFORCE_REMOVAL_STRIKES: '2',
        IPRSHIELD_ENFORCE_RESTRICTION_STRIKES: '3',
        IPRSHIELD_ENFORCE_SUSPENSION_STRIKES: '4',
        IPRSHIELD_ENFORCE_TERMINATION_STRIKES: '5',
      },
    });
    for (const role of ['admin', 'reviewer', 'rightholder', 'seller', 'officer', 'auditor']) S[role] = await srv.loginAs(role);
    shop = S.seller.body.org;
    const o = await srv.request('POST', '/api/v1/orgs', { session: S.admin, json: { name: unique('shop-'), kind: 'seller' } });
    assert.equal(o.status, 201, o.text);
    const email = `${unique('s')}@example.org`;
    const u = await srv.request('POST', '/api/v1/users', { session: S.admin, json: { email, password: STRONG_PASSWORD, role: 'seller', org_id: o.body.id } });
    assert.equal(u.status, 201, u.text);
    shop2 = { org: o.body, session: await srv.login(email, STRONG_PASSWORD) };
  });
  after(async () => { if (srv) await srv.stop(); });

  test('who may read and add strikes; bad input changes nothing', async () => {
    const mine = await record(S.seller, shop.id);
    assert.equal(mine.status, 200, mine.text);
    assert.equal(mine.body.level, 'none');
    assert.deepEqual(mine.body.thresholds, { warning: 1, listing_removal: 2, posting_restriction: 3, suspension: 4, termination: 5 });
    assertProblem(await record(shop2.session, shop.id), 404, 'not-found', 'another seller');
    assertProblem(await record(S.rightholder, shop.id), 404, 'not-found', 'a right holder');
    assert.equal((await record(S.reviewer, shop.id)).status, 200);
    assert.equal((await record(S.auditor, shop.id)).status, 200);
    assertProblem(await strike(S.seller, shop.id, { reason: 'x' }), 403, 'forbidden');
    assertProblem(await strike(S.reviewer, shop.id, {}), 422, 'invalid');
    assertProblem(await strike(S.reviewer, shop.id, { reason: 'x', extra: 1 }), 422, 'invalid');
    assertProblem(await strike(S.reviewer, shop.id, { reason: 'x', listing_id: 'no-such' }), 422, 'invalid');
    assertProblem(await strike(S.reviewer, S.rightholder.body.org.id, { reason: 'x' }), 404, 'not-found');
    assertProblem(await network(S.seller, shop.id), 403, 'forbidden');
    assert.equal((await record(S.seller, shop.id)).body.strikes.length, 0);
  });

  test('escalation: warning, removal, restriction (posting refused), suspension, termination', async () => {
    for (const id of ['E-1', 'E-2', 'E-3']) assert.equal((await post(S.seller, id)).status, 201);
    const levels = [];
    for (let i = 0; i < 5; i++) {
      const r = await strike(S.reviewer, shop.id, { reason: `counterfeit bag ${i + 1}`, listing_id: i === 1 ? 'E-1' : undefined });
      assert.equal(r.status, 201, r.text);
      assert.match(r.body.strike_id, /^[0-9A-Z]{26}$/);
      levels.push(r.body.level);
      if (i === 1) assert.equal((await srv.request('GET', '/api/v1/listings/E-1', { session: S.seller })).body.state, 'taken_down');
      if (i === 2) {
        const refused = await post(S.seller, 'E-4');
        assertProblem(refused, 403, 'forbidden');
        assert.match(refused.body.detail, /posting_restriction/);
        assert.equal((await post(shop2.session, unique('O-'))).status, 201, 'another seller still posts');
      }
    }
    assert.deepEqual(levels, ['warning', 'listing_removal', 'posting_restriction', 'suspension', 'termination']);
    for (const id of ['E-1', 'E-2', 'E-3']) {
      const l = await srv.request('GET', `/api/v1/listings/${id}`, { session: S.reviewer });
      assert.equal(l.body.state, 'taken_down', id);
    }
    const mine = await record(S.seller, shop.id);
    assert.equal(mine.body.level, 'termination');
    assert.equal(mine.body.active_strikes, 5);
    assert.equal(mine.body.strikes[0].reason.startsWith('counterfeit bag'), true);
    assert.ok(Date.parse(mine.body.strikes[0].expires) > Date.now());
    assert.equal(mine.body.penalties.length, 5);
    assert.equal(mine.body.penalties.filter((p) => p.in_force).length, 1);
    const audit = await srv.request('GET', '/api/v1/audit?limit=200', { session: S.admin });
    assert.ok(audit.body.items.some((e) => e.action === 'enforce.penalty'));
  });

  test('a banned network: every member terminated, a new seller with its phone flagged at once', async () => {
    const a = unique('neta-'), b = unique('netb-'), c = unique('netc-');
    await importSellers([
      { id: a, name: 'Net A', identifiers: { phone: '+86 138 0000 0042', email: 'a@fake.test' } },
      { id: b, name: 'Net B', identifiers: { email: 'A@fake.test' } },
    ]);
    const A = await orgNamed(a), B = await orgNamed(b);
    const view = await network(S.reviewer, A);
    assert.equal(view.status, 200, view.text);
    assert.equal(view.body.members.length, 2);
    assert.equal(view.body.shared_identifiers.email.length, 1);
    assert.equal(view.body.shared_identifiers.email[0].hash_prefix.length, 12);
    assert.ok(!view.text.includes('fake.test'), 'no plain identifiers');
    assertProblem(await ban(S.reviewer, A, {}), 422, 'invalid');
    assertProblem(await ban(S.seller, A, { reason: 'x' }), 403, 'forbidden');
    const banned = await ban(S.reviewer, A, { reason: 'counterfeit ring confirmed by raid' });
    assert.equal(banned.status, 200, banned.text);
    assert.equal(banned.body.banned, true);
    assert.deepEqual(banned.body.members.map((m) => m.level), ['termination', 'termination']);
    assert.equal((await record(S.reviewer, B)).body.level, 'termination');

    await importSellers([{ id: c, name: 'Net C', identifiers: { phone: '0086 138 0000 0042' } }]);
    const C = await orgNamed(c);
    const rec = await record(S.reviewer, C);
    assert.equal(rec.body.level, 'suspension');
    assert.equal(rec.body.evasion_flags.length, 1);
    assert.equal(rec.body.evasion_flags[0].kinds, 'phone');
    const flags = await srv.request('GET', `/api/v1/evasion-flags?seller=${C}`, { session: S.reviewer });
    assert.equal(flags.status, 200, flags.text);
    assert.equal(flags.body.items.length, 1);
    assertProblem(await srv.request('GET', '/api/v1/evasion-flags', { session: S.seller }), 403, 'forbidden');
    // lifting: a reviewer may lift the evasion suspension, never a termination
    const lift = await srv.request('POST', `/api/v1/penalties/${rec.body.penalty.id}/lift`, { session: S.reviewer, json: { reason: 'verified: a shared family phone' } });
    assert.equal(lift.status, 200, lift.text);
    assert.equal((await record(S.reviewer, C)).body.level, 'none');
    const term = (await record(S.reviewer, A)).body.penalty.id;
    assertProblem(await srv.request('POST', `/api/v1/penalties/${term}/lift`, { session: S.reviewer, json: { reason: 'no' } }), 409, 'conflict');
  });
});
