// hidden.test.mjs — a suspended or terminated seller's listings are off the
// marketplace over HTTP: a right holder neither lists nor finds them (search
// pages count only what it may see), the seller sees its own marked
// "hidden", reviewers see them marked, a read by id still answers (marked),
// and lifting a ban-evasion suspension puts them back at once. Lapse by
// time is in tests/unit/test_catalog.c (the store judges at a given time).
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertProblem, listAll, startServer, unique } from './lib.mjs';

describe('hidden listings of suspended and terminated sellers', () => {
  let srv;
  const S = {};
  let shop; // the demo seller's org: the one suspended
  const word = `zq${process.pid}hid`; // a search word only this test's listings hold

  const post = (who, id, title) => srv.request('POST', '/api/v1/listings', {
    session: who, json: { id, title, price: '19.00', currency: 'EUR' },
  });
  const search = (who, q, cursor) => srv.request('GET',
    `/api/v1/listings?q=${encodeURIComponent(q)}&limit=1${cursor ? `&cursor=${cursor}` : ''}`, { session: who });
  const ids = (items) => items.map((l) => l.id).sort();
  async function searchAll(who, q) {
    const items = [];
    let cursor = null;
    for (let i = 0; i < 20; i++) {
      const r = await search(who, q, cursor);
      assert.equal(r.status, 200, r.text);
      items.push(...r.body.items);
      cursor = r.body.next_cursor;
      if (!cursor) return items;
    }
    throw new Error('search pagination did not end');
  }
  async function orgNamed(name) {
    const r = await srv.request('GET', '/api/v1/orgs?limit=200', { session: S.admin });
    assert.equal(r.status, 200, r.text);
    const o = r.body.items.find((x) => x.name === name);
    assert.ok(o, `org ${name}`);
    return o.id;
  }
  async function importLines(kind, lines) {
    const file = path.join(srv.dir, `${unique(`${kind}-`)}.jsonl`);
    await fs.writeFile(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const r = await srv.cli(['import', kind, file, '--db', srv.db]);
    assert.equal(r.code, 0, r.stderr);
  }

  before(async () => {
    // one strike suspends, a second terminates
    srv = await startServer({
      env: {
        IPRSHIELD_ENFORCE_WARNING_STRIKES: '0',
        IPRSHIELD_ENFORCE_REMOVAL_STRIKES: '0',
        IPRSHIELD_ENFORCE_RESTRICTION_STRIKES: '0',
        IPRSHIELD_ENFORCE_SUSPENSION_STRIKES: '1',
        IPRSHIELD_ENFORCE_TERMINATION_STRIKES: '2',
      },
    });
    for (const role of ['admin', 'reviewer', 'rightholder', 'seller', 'officer', 'auditor']) S[role] = await srv.loginAs(role);
    shop = S.seller.body.org;
  });
  after(async () => { if (srv) await srv.stop(); });

  test('a suspension hides the listings from right holders, not from the seller and reviewers', async () => {
    // another seller's listing (the seller made by the import) stays visible throughout
    await importLines('listings', [{ id: 'H-OK', seller_id: unique('okshop-'), title: `Plain ${word} bag`, price: '19.00', currency: 'EUR' }]);
    for (const id of ['H-1', 'H-2']) assert.equal((await post(S.seller, id, `Fake ${word} bag ${id}`)).status, 201);
    let seen = await searchAll(S.rightholder, word);
    assert.deepEqual(ids(seen), ['H-1', 'H-2', 'H-OK']);
    assert.ok(seen.every((l) => l.hidden === null), 'nothing hidden yet');

    const r = await srv.request('POST', `/api/v1/sellers/${shop.id}/strikes`, { session: S.reviewer, json: { reason: 'counterfeit bags' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.level, 'suspension');

    // right holder: neither found (one result a page: the cursor counts only visible ones) nor listed
    seen = await searchAll(S.rightholder, word);
    assert.deepEqual(ids(seen), ['H-OK']);
    const all = await listAll(srv, '/api/v1/listings', { session: S.rightholder }, 1);
    assert.ok(!all.some((l) => l.seller_org_id === shop.id), 'a right holder lists none of them');
    assert.ok(all.some((l) => l.id === 'H-OK'));
    // read by id it still answers, marked: notices against it may be filed
    const one = await srv.request('GET', '/api/v1/listings/H-1', { session: S.rightholder });
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.hidden, 'seller_suspended');
    assert.equal(one.body.state, 'live', 'hiding changes no state');

    // the seller: its own, marked; posting refused as before
    const mine = await listAll(srv, '/api/v1/listings', { session: S.seller });
    assert.deepEqual(ids(mine.filter((l) => l.id.startsWith('H-'))), ['H-1', 'H-2']);
    assert.ok(mine.every((l) => l.hidden === 'seller_suspended'), 'every listing of the seller is marked');
    assertProblem(await post(S.seller, 'H-3', `More ${word}`), 403, 'forbidden');
    // reviewers and admins: all, marked
    for (const who of [S.reviewer, S.admin]) {
      seen = await searchAll(who, word);
      assert.deepEqual(ids(seen), ['H-1', 'H-2', 'H-OK']);
      assert.deepEqual(seen.map((l) => [l.id, l.hidden]).sort(), [['H-1', 'seller_suspended'], ['H-2', 'seller_suspended'], ['H-OK', null]]);
    }
    // officers and auditors still read no listings
    assertProblem(await srv.request('GET', '/api/v1/listings', { session: S.officer }), 403, 'forbidden');
    assertProblem(await srv.request('GET', '/api/v1/listings', { session: S.auditor }), 403, 'forbidden');
  });

  test('termination: taken down and hidden, marked as terminated', async () => {
    const r = await srv.request('POST', `/api/v1/sellers/${shop.id}/strikes`, { session: S.reviewer, json: { reason: 'counterfeit again' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.level, 'termination');
    const seen = await searchAll(S.reviewer, word);
    const h1 = seen.find((l) => l.id === 'H-1');
    assert.equal(h1.hidden, 'seller_terminated');
    assert.equal(h1.state, 'taken_down');
    assert.deepEqual(ids(await searchAll(S.rightholder, word)), ['H-OK']);
  });

  test('lifting a ban-evasion suspension shows the listings again at once', async () => {
    const a = unique('hida-'), c = unique('hidc-');
    await importLines('sellers', [{ id: a, name: 'Hid A', identifiers: { phone: '+86 139 0000 0077' } }]);
    const A = await orgNamed(a);
    const ban = await srv.request('POST', `/api/v1/sellers/${A}/network/ban`, { session: S.reviewer, json: { reason: 'counterfeit ring' } });
    assert.equal(ban.status, 200, ban.text);
    // C's listings first, then C's phone: it joins the banned network and is suspended
    await importLines('listings', [{ id: 'H-C1', seller_id: c, title: `Evasive ${word} watch`, price: '5.00', currency: 'EUR' }]);
    assert.ok((await searchAll(S.rightholder, word)).some((l) => l.id === 'H-C1'));
    await importLines('sellers', [{ id: c, name: 'Hid C', identifiers: { phone: '0086 139 0000 0077' } }]);
    const C = await orgNamed(c);
    const rec = await srv.request('GET', `/api/v1/sellers/${C}/enforcement`, { session: S.reviewer });
    assert.equal(rec.body.level, 'suspension', rec.text);
    assert.ok(!(await searchAll(S.rightholder, word)).some((l) => l.id === 'H-C1'), 'hidden while suspended');
    const lift = await srv.request('POST', `/api/v1/penalties/${rec.body.penalty.id}/lift`, { session: S.reviewer, json: { reason: 'verified: not the same person' } });
    assert.equal(lift.status, 200, lift.text);
    const back = (await searchAll(S.rightholder, word)).find((l) => l.id === 'H-C1');
    assert.ok(back, 'visible again');
    assert.equal(back.hidden, null);
  });
});
