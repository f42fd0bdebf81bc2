// access.test.mjs — who may do what: the role matrix, organisation scoping,
// other organisations' objects as 404, token ownership, cursor pagination.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROLES, STRONG_PASSWORD, assertProblem, listAll, startServer, unique } from './lib.mjs';

describe('access control', () => {
  let srv;
  const S = {};        // role -> session
  const orgOf = {};    // role -> Org
  const userOf = {};   // role -> User

  before(async () => {
    srv = await startServer();
    for (const role of ROLES) {
      S[role] = await srv.loginAs(role);
      orgOf[role] = S[role].body.org;
      userOf[role] = S[role].body.user;
    }
  });
  after(async () => { if (srv) await srv.stop(); });

  const countOrgs = async () => (await listAll(srv, '/api/v1/orgs', { session: S.admin })).length;

  for (const role of ROLES) {
    test(`${role}: the route matrix`, async () => {
      const s = S[role];
      assert.equal((await srv.request('GET', '/api/v1/me', { session: s })).status, 200);

      const users = await srv.request('GET', '/api/v1/users', { session: s });
      if (role === 'admin') assert.equal(users.status, 200, users.text);
      else assertProblem(users, 403, 'forbidden', `${role} GET /api/v1/users`);

      const before1 = await countOrgs();
      const name = unique(`org-by-${role}-`);
      const org = await srv.request('POST', '/api/v1/orgs', { session: s, json: { name, kind: 'seller' } });
      if (role === 'admin') {
        assert.equal(org.status, 201, org.text);
        assert.equal(org.body.name, name);
        assert.equal(org.body.kind, 'seller');
        assert.equal(await countOrgs(), before1 + 1);
      } else {
        assertProblem(org, 403, 'forbidden', `${role} POST /api/v1/orgs`);
        assert.equal(await countOrgs(), before1, 'no org created');
      }

      const audit = await srv.request('GET', '/api/v1/audit', { session: s });
      if (role === 'admin' || role === 'auditor') assert.equal(audit.status, 200, audit.text);
      else assertProblem(audit, 403, 'forbidden', `${role} GET /api/v1/audit`);

      const verify = await srv.request('GET', '/api/v1/audit/verify', { session: s });
      if (role === 'admin' || role === 'auditor') assert.equal(verify.status, 200, verify.text);
      else assertProblem(verify, 403, 'forbidden', `${role} GET /api/v1/audit/verify`);

      const newUser = await srv.request('POST', '/api/v1/users', {
        session: s,
        json: { email: `${unique('u')}@example.org`, password: STRONG_PASSWORD, role: 'seller', org_id: orgOf.seller.id },
      });
      if (role === 'admin') assert.equal(newUser.status, 201, newUser.text);
      else assertProblem(newUser, 403, 'forbidden', `${role} POST /api/v1/users`);
    });
  }

  test('orgs list: platform roles see all, others only their own', async () => {
    for (const role of ROLES) {
      const items = await listAll(srv, '/api/v1/orgs', { session: S[role] });
      if (['admin', 'reviewer', 'auditor'].includes(role)) {
        const ids = new Set(items.map((o) => o.id));
        for (const other of ROLES) assert.ok(ids.has(orgOf[other].id), `${role} sees ${other}'s org`);
      } else {
        assert.deepEqual(items.map((o) => o.id), [orgOf[role].id], `${role} sees only its own org`);
      }
    }
  });

  test("another org's object is 404 and shows nothing of it", async () => {
    const target = orgOf.rightholder;
    const r = await srv.request('GET', `/api/v1/orgs/${target.id}`, { session: S.seller });
    assertProblem(r, 404, 'not-found');
    assert.equal(r.text.includes(target.name), false, 'no org name in the answer');
    // Indistinguishable from a missing id.
    const missing = await srv.request('GET', '/api/v1/orgs/00000000000000000000000000', { session: S.seller });
    assertProblem(missing, 404, 'not-found');
    assert.equal(r.body.title, missing.body.title);
    // Own org and platform readers.
    const own = await srv.request('GET', `/api/v1/orgs/${orgOf.seller.id}`, { session: S.seller });
    assert.equal(own.status, 200);
    assert.deepEqual(own.body, orgOf.seller);
    for (const role of ['admin', 'reviewer', 'auditor']) {
      const ok = await srv.request('GET', `/api/v1/orgs/${target.id}`, { session: S[role] });
      assert.equal(ok.status, 200, `${role} reads any org`);
      assert.equal(ok.body.name, target.name);
    }
    for (const role of ['officer', 'rightholder']) {
      const other = role === 'officer' ? orgOf.seller : orgOf.officer;
      assertProblem(await srv.request('GET', `/api/v1/orgs/${other.id}`, { session: S[role] }), 404, 'not-found');
    }
  });

  test("another user's record is 404 for non-admins", async () => {
    for (const role of ROLES.filter((r) => r !== 'admin')) {
      const other = userOf[role === 'seller' ? 'rightholder' : 'seller'];
      const r = await srv.request('GET', `/api/v1/users/${other.id}`, { session: S[role] });
      assertProblem(r, 404, 'not-found', `${role} GET another user`);
      assert.equal(r.text.includes(other.email), false, 'no email in the answer');
      const self = await srv.request('GET', `/api/v1/users/${userOf[role].id}`, { session: S[role] });
      assert.equal(self.status, 200, `${role} reads itself`);
      assert.equal(self.body.email, userOf[role].email);
    }
    const any = await srv.request('GET', `/api/v1/users/${userOf.seller.id}`, { session: S.admin });
    assert.equal(any.status, 200);
    assert.equal(any.body.id, userOf.seller.id);
  });

  test("DELETE another user's token: 404, and the token still works; admin may revoke any", async () => {
    const c = await srv.request('POST', '/api/v1/tokens', { session: S.rightholder, json: { name: 'mine' } });
    assert.equal(c.status, 201, c.text);
    for (const role of ['seller', 'reviewer', 'auditor', 'officer']) {
      const d = await srv.request('DELETE', `/api/v1/tokens/${c.body.id}`, { session: S[role] });
      assertProblem(d, 404, 'not-found', `${role} deletes another user's token`);
    }
    assert.equal((await srv.request('GET', '/api/v1/me', { bearer: c.body.token })).status, 200, 'the token still works');
    // Nobody else sees it in their list.
    const sl = await srv.request('GET', '/api/v1/tokens', { session: S.seller });
    assert.equal(sl.body.items.some((t) => t.id === c.body.id), false);
    // Admin: any.
    assert.equal((await srv.request('DELETE', `/api/v1/tokens/${c.body.id}`, { session: S.admin })).status, 204);
    assertProblem(await srv.request('GET', '/api/v1/me', { bearer: c.body.token }), 401, 'unauthenticated');
  });

  describe('cursor pagination', () => {
    before(async () => {
      // Enough items for several pages of two.
      for (let i = 0; i < 5; i++) {
        const o = await srv.request('POST', '/api/v1/orgs', { session: S.admin, json: { name: unique('page-org-'), kind: 'rightholder' } });
        assert.equal(o.status, 201, o.text);
        const u = await srv.request('POST', '/api/v1/users', {
          session: S.admin,
          json: { email: `${unique('page-user-')}@example.org`, password: STRONG_PASSWORD, role: 'rightholder', org_id: o.body.id },
        });
        assert.equal(u.status, 201, u.text);
      }
    });

    for (const p of ['/api/v1/users', '/api/v1/orgs']) {
      test(`${p}: pages of 2 give every item exactly once`, async () => {
        const all = await listAll(srv, p, { session: S.admin }, 200);
        assert.ok(all.length >= 9, `${p} has at least 9 items (${all.length})`);
        const seen = new Map();
        let cursor = null;
        let pages = 0;
        for (;;) {
          const url = `${p}?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
          const r = await srv.request('GET', url, { session: S.admin });
          assert.equal(r.status, 200, `${url}: ${r.text}`);
          assert.ok(r.body.items.length <= 2, 'at most limit items');
          pages++;
          for (const it of r.body.items) seen.set(it.id, (seen.get(it.id) ?? 0) + 1);
          assert.ok('next_cursor' in r.body, 'next_cursor present');
          cursor = r.body.next_cursor;
          if (cursor === null) break;
          assert.equal(r.body.items.length, 2, 'a page with a next page is full');
          assert.ok(pages < 100, 'pagination ends');
        }
        const need = Math.max(1, Math.ceil(all.length / 2));
        assert.ok(pages === need || (all.length % 2 === 0 && pages === need + 1), `${pages} pages for ${all.length} items`);
        for (const [id, n] of seen) assert.equal(n, 1, `${id} seen once`);
        assert.deepEqual([...seen.keys()].sort(), all.map((x) => x.id).sort(), 'every item');
        // Default limit (50) holds them all here.
        const d = await srv.request('GET', p, { session: S.admin });
        assert.equal(d.status, 200);
        assert.equal(d.body.items.length, Math.min(50, all.length));
      });

      test(`${p}: bad cursor and out-of-range limit are refused`, async () => {
        for (const c of ['garbage', 'AAAA', '!!!', '%00', 'x'.repeat(600)]) {
          const r = await srv.request('GET', `${p}?cursor=${c}`, { session: S.admin });
          assertProblem(r, r.status === 400 ? 400 : 422, r.status === 400 ? 'malformed' : 'invalid', `cursor ${c.slice(0, 10)}`);
        }
        for (const l of ['0', '1000', '-1', '201', 'abc', '', '1.5']) {
          assertProblem(await srv.request('GET', `${p}?limit=${l}`, { session: S.admin }), 422, 'invalid', `limit=${l}`);
        }
        assert.equal((await srv.request('GET', `${p}?limit=200`, { session: S.admin })).status, 200);
        assert.equal((await srv.request('GET', `${p}?limit=1`, { session: S.admin })).status, 200);
      });
    }
  });
});
