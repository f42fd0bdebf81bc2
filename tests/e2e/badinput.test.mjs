// badinput.test.mjs — every class of bad input gets the right problem+json
// answer AND changes nothing (counts of users, orgs and tokens are the same,
// and the audit log gains no successful write event).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STRONG_PASSWORD, assertProblem, listAll, startServer, unique } from './lib.mjs';

const MISSING_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV'; // a well-formed id nobody has

/** A unique, plausible email of exactly `bytes` bytes (short local part, long domain). */
function emailOfLength(bytes) {
  let local = unique('m');
  let domain = 'example.org';
  let rem = bytes - local.length - 1 - domain.length;
  while (rem > 0) {
    if (rem === 1) { local += 'z'; break; }
    const n = Math.min(50, rem - 1);
    domain = `${'d'.repeat(n)}.${domain}`;
    rem -= n + 1;
  }
  const email = `${local}@${domain}`;
  assert.equal(Buffer.byteLength(email), bytes);
  return email;
}

describe('bad input', () => {
  let srv;
  let A;           // admin session
  let orgs;        // kind -> an Org of that kind (from the demo data)
  let sellerS;     // seller session

  before(async () => {
    srv = await startServer();
    A = await srv.loginAs('admin');
    sellerS = await srv.loginAs('seller');
    orgs = {
      platform: A.body.org,
      seller: sellerS.body.org,
      rightholder: (await srv.loginAs('rightholder')).body.org,
      agency: (await srv.loginAs('officer')).body.org,
    };
  });
  after(async () => { if (srv) await srv.stop(); });

  async function snapshot() {
    const users = await listAll(srv, '/api/v1/users', { session: A });
    const orgList = await listAll(srv, '/api/v1/orgs', { session: A });
    const tokens = await listAll(srv, '/api/v1/tokens', { session: A });
    const top = await srv.request('GET', '/api/v1/audit?limit=1', { session: A });
    assert.equal(top.status, 200, top.text);
    const seq = top.body.items.length ? top.body.items[0].seq : 0;
    return { users: users.length, orgs: orgList.length, tokens: tokens.length, seq };
  }

  /** Run fn, then assert that nothing changed and no "ok" event was logged. */
  async function unchanged(fn) {
    const before1 = await snapshot();
    await fn();
    const after1 = await snapshot();
    assert.deepEqual({ ...after1, seq: 0 }, { ...before1, seq: 0 }, 'counts of users, orgs and tokens unchanged');
    if (after1.seq > before1.seq) {
      const events = (await listAll(srv, '/api/v1/audit', { session: A })).filter((e) => e.seq > before1.seq);
      const ok = events.filter((e) => e.outcome === 'ok');
      assert.deepEqual(ok, [], 'no successful write in the audit log');
    }
  }

  const post = (p, opts) => srv.request('POST', p, { session: A, ...opts });
  const newUser = (over = {}) => ({ email: `${unique('bi')}@example.org`, password: STRONG_PASSWORD, role: 'seller', org_id: orgs.seller.id, ...over });

  test('malformed JSON: 400 malformed, detail names line and column', async () => {
    await unchanged(async () => {
      const bodies = [
        '{"name": "x", ',
        '{"name": "x" "kind": "seller"}',
        '{name: "x"}',
        '{"name": "x", "kind": "seller"} trailing',
        '',
        '{"name": "x", "kind": "seller",}',
      ];
      for (const b of bodies) {
        const p = assertProblem(await post('/api/v1/orgs', { body: b }), 400, 'malformed', JSON.stringify(b));
        assert.match(p.detail ?? '', /line\s*\d+/i, `detail names the line: ${p.detail}`);
        assert.match(p.detail ?? '', /col(umn)?\s*\d+/i, `detail names the column: ${p.detail}`);
      }
      const p = assertProblem(await post('/api/v1/users', { body: '{\n  "email": "a@b.org",\n  "password": oops\n}' }), 400, 'malformed');
      assert.match(p.detail, /line\s*3\b/i, `error on line 3: ${p.detail}`);
    });
  });

  test('invalid UTF-8 in a JSON string: 400 malformed', async () => {
    await unchanged(async () => {
      for (const bad of [[0xff, 0xfe], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80]]) {
        const body = Buffer.concat([Buffer.from('{"name":"brand'), Buffer.from(bad), Buffer.from('","kind":"seller"}')]);
        assertProblem(await post('/api/v1/orgs', { body }), 400, 'malformed', `bytes ${Buffer.from(bad).toString('hex')}`);
      }
      // A lone surrogate escape is not a character either.
      assertProblem(await post('/api/v1/orgs', { body: '{"name":"a\\ud800b","kind":"seller"}' }), 400, 'malformed', 'lone surrogate');
      // NUL inside a string is refused too (never silently truncated).
      const r = await post('/api/v1/orgs', { body: '{"name":"nul\\u0000name","kind":"seller"}' });
      assert.ok(r.status === 400 || r.status === 422, `NUL in a string: ${r.status} ${r.text}`);
      assertProblem(r, r.status, r.status === 400 ? 'malformed' : 'invalid');
    });
  });

  test('JSON that is not an object: 422 invalid', async () => {
    await unchanged(async () => {
      for (const b of ['[{"name":"x","kind":"seller"}]', '[]', '"x"', '42', 'null', 'true']) {
        assertProblem(await post('/api/v1/orgs', { body: b }), 422, 'invalid', b);
      }
    });
  });

  test('wrong types: 422 with errors[] naming the field', async () => {
    await unchanged(async () => {
      const cases = [
        ['/api/v1/orgs', { name: 42, kind: 'seller' }, 'name'],
        ['/api/v1/orgs', { name: unique('o'), kind: ['seller'] }, 'kind'],
        ['/api/v1/orgs', { name: null, kind: 'seller' }, 'name'],
        ['/api/v1/users', newUser({ password: 123456789012345 }), 'password'],
        ['/api/v1/users', newUser({ email: { a: 1 } }), 'email'],
        ['/api/v1/users', newUser({ org_id: 7 }), 'org_id'],
        ['/api/v1/users', newUser({ role: true }), 'role'],
        ['/api/v1/tokens', { name: 'n', expires_in_days: '30' }, 'expires_in_days'],
        ['/api/v1/tokens', { name: 'n', expires_in_days: 1.5 }, 'expires_in_days'],
        ['/api/v1/tokens', { name: ['n'] }, 'name'],
        ['/api/v1/auth/login', { email: 5, password: 'x' }, 'email'],
      ];
      for (const [p, json, field] of cases) {
        const b = assertProblem(await post(p, { json }), 422, 'invalid', `${p} ${JSON.stringify(json)}`);
        assert.ok(Array.isArray(b.errors), `errors[] present for ${p} ${JSON.stringify(json)}`);
        assert.ok(b.errors.some((e) => e.field === field && typeof e.message === 'string'), `errors names ${field}: ${JSON.stringify(b.errors)}`);
      }
    });
  });

  test('missing fields: 422 naming every one', async () => {
    await unchanged(async () => {
      let b = assertProblem(await post('/api/v1/orgs', { json: { kind: 'seller' } }), 422, 'invalid');
      assert.ok(b.errors.some((e) => e.field === 'name'), JSON.stringify(b.errors));
      b = assertProblem(await post('/api/v1/users', { json: {} }), 422, 'invalid');
      for (const f of ['email', 'password', 'role', 'org_id']) assert.ok(b.errors.some((e) => e.field === f), `${f} in ${JSON.stringify(b.errors)}`);
      b = assertProblem(await post('/api/v1/tokens', { json: {} }), 422, 'invalid');
      assert.ok(b.errors.some((e) => e.field === 'name'), JSON.stringify(b.errors));
      b = assertProblem(await srv.request('POST', '/api/v1/auth/login', { json: { email: 'a@b.org' } }), 422, 'invalid');
      assert.ok(b.errors.some((e) => e.field === 'password'), JSON.stringify(b.errors));
    });
  });

  test('unknown field: 422 naming it', async () => {
    await unchanged(async () => {
      let b = assertProblem(await post('/api/v1/orgs', { json: { name: unique('o'), kind: 'seller', colour: 'red' } }), 422, 'invalid');
      assert.ok(b.errors.some((e) => e.field === 'colour'), JSON.stringify(b.errors));
      b = assertProblem(await post('/api/v1/users', { json: newUser({ is_admin: true }) }), 422, 'invalid');
      assert.ok(b.errors.some((e) => e.field === 'is_admin'), JSON.stringify(b.errors));
      b = assertProblem(await post('/api/v1/tokens', { json: { name: 'n', scope: 'all' } }), 422, 'invalid');
      assert.ok(b.errors.some((e) => e.field === 'scope'), JSON.stringify(b.errors));
    });
  });

  test('bad values and limits: 422', async () => {
    await unchanged(async () => {
      const cases = [
        ['/api/v1/orgs', { name: '', kind: 'seller' }, 'name'],
        ['/api/v1/orgs', { name: 'n'.repeat(201), kind: 'seller' }, 'name'],
        ['/api/v1/orgs', { name: 'é'.repeat(101), kind: 'seller' }, 'name'], // 202 bytes
        ['/api/v1/orgs', { name: unique('o'), kind: 'pirate' }, 'kind'],
        ['/api/v1/orgs', { name: unique('o'), kind: 'Seller' }, 'kind'],
        ['/api/v1/users', newUser({ role: 'superuser' }), 'role'],
        ['/api/v1/users', newUser({ email: 'no-at-sign.example.org' }), 'email'],
        ['/api/v1/users', newUser({ email: 'two@at@example.org' }), 'email'],
        ['/api/v1/users', newUser({ email: emailOfLength(255) }), 'email'], // 255 bytes
        ['/api/v1/users', newUser({ password: 'short-pw-11' }), 'password'],
        ['/api/v1/users', newUser({ password: 'p'.repeat(257) }), 'password'],
        ['/api/v1/tokens', { name: '' }, 'name'],
        ['/api/v1/tokens', { name: 't'.repeat(201) }, 'name'],
        ['/api/v1/tokens', { name: 'n', expires_in_days: 0 }, 'expires_in_days'],
        ['/api/v1/tokens', { name: 'n', expires_in_days: 3651 }, 'expires_in_days'],
        ['/api/v1/tokens', { name: 'n', expires_in_days: -1 }, 'expires_in_days'],
      ];
      for (const [p, json, field] of cases) {
        const b = assertProblem(await post(p, { json }), 422, 'invalid', `${p} ${JSON.stringify(json).slice(0, 80)}`);
        assert.ok(b.errors?.some((e) => e.field === field), `${field} named: ${JSON.stringify(b.errors)}`);
      }
      // An org_id that does not exist.
      const r = await post('/api/v1/users', { json: newUser({ org_id: MISSING_ID }) });
      assert.ok(r.status === 422 || r.status === 404, `unknown org_id: ${r.status} ${r.text}`);
      assertProblem(r, r.status, r.status === 422 ? 'invalid' : 'not-found');
    });
  });

  test('limits are inclusive: 200-byte names, 254-byte emails, 12-byte passwords pass', async () => {
    const name = 'é'.repeat(100); // 200 bytes
    const o = await post('/api/v1/orgs', { json: { name, kind: 'seller' } });
    assert.equal(o.status, 201, o.text);
    assert.equal(o.body.name, name);
    const email = emailOfLength(254);
    const u = await post('/api/v1/users', { json: { email, password: 'twelve-bytes', role: 'seller', org_id: o.body.id } });
    assert.equal(u.status, 201, u.text);
    assert.equal(u.body.email, email);
    assert.equal((await srv.login(email, 'twelve-bytes')).body.user.id, u.body.id);
    const t = await post('/api/v1/tokens', { json: { name: 't'.repeat(200), expires_in_days: 3650 } });
    assert.equal(t.status, 201, t.text);
    const d = await srv.request('DELETE', `/api/v1/tokens/${t.body.id}`, { session: A });
    assert.equal(d.status, 204);
  });

  test('Content-Type application/json; charset=utf-8 is accepted', async () => {
    const r = await post('/api/v1/orgs', {
      body: JSON.stringify({ name: unique('charset-'), kind: 'agency' }),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    assert.equal(r.status, 201, r.text);
  });

  test('oversized body (> 1 MiB): 413 too-large', async () => {
    await unchanged(async () => {
      const big = JSON.stringify({ name: 'n'.repeat(1024 * 1024 + 100), kind: 'seller' });
      const r = await srv.raw('POST', '/api/v1/orgs', {
        body: big,
        headers: { 'content-type': 'application/json', cookie: A.cookie, 'x-csrf-token': A.csrf },
      });
      assertProblem(r, 413, 'too-large');
      // Also without a session (the size check protects unauthenticated routes).
      const big2 = JSON.stringify({ email: 'a@b.org', password: 'p'.repeat(2 * 1024 * 1024) });
      const r2 = await srv.raw('POST', '/api/v1/auth/login', { body: big2, headers: { 'content-type': 'application/json' } });
      assertProblem(r2, 413, 'too-large');
    });
    // The server is still healthy.
    assert.equal((await srv.request('GET', '/healthz')).status, 200);
  });

  test('a declared Content-Length over the limit is refused without reading the body', async () => {
    await unchanged(async () => {
      // Only the headers and a few bytes are sent: the answer must come from
      // the Content-Length alone (bounded by the request timeout of lib.mjs).
      const r = await srv.raw('POST', '/api/v1/orgs', {
        headers: { 'content-type': 'application/json', 'content-length': String(5 * 1024 * 1024), cookie: A.cookie, 'x-csrf-token': A.csrf },
        partialBody: '{"name":"',
        timeoutMs: 10_000,
      });
      assertProblem(r, 413, 'too-large');
    });
  });

  test('wrong content type: 415', async () => {
    await unchanged(async () => {
      const json = JSON.stringify({ name: unique('ct-'), kind: 'seller' });
      for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx']) {
        assertProblem(await post('/api/v1/orgs', { body: json, headers: { 'content-type': ct } }), 415, 'unsupported-media-type', ct);
      }
      // No Content-Type at all on a body.
      const r = await srv.raw('POST', '/api/v1/orgs', { body: json, headers: { cookie: A.cookie, 'x-csrf-token': A.csrf } });
      assertProblem(r, 415, 'unsupported-media-type', 'no content-type');
      // Login too (no session involved).
      assertProblem(await srv.request('POST', '/api/v1/auth/login', {
        body: JSON.stringify({ email: srv.users.admin.email, password: srv.users.admin.password }),
        headers: { 'content-type': 'text/plain' },
      }), 415, 'unsupported-media-type', 'login as text/plain');
    });
  });

  test('unknown ids: 404', async () => {
    await unchanged(async () => {
      for (const p of [`/api/v1/orgs/${MISSING_ID}`, `/api/v1/users/${MISSING_ID}`, '/api/v1/orgs/not-an-id', '/api/v1/users/..%2F..%2Fetc']) {
        assertProblem(await srv.request('GET', p, { session: A }), 404, 'not-found', p);
      }
      assertProblem(await srv.request('DELETE', `/api/v1/tokens/${MISSING_ID}`, { session: A }), 404, 'not-found', 'DELETE missing token');
      assertProblem(await srv.request('DELETE', '/api/v1/tokens/nope', { session: A }), 404, 'not-found', 'DELETE malformed token id');
    });
  });

  test('unknown routes: 404', async () => {
    await unchanged(async () => {
      for (const [m, p] of [['GET', '/api/v1/nothing'], ['POST', '/api/v1/nothing'], ['GET', '/api/v2/me'], ['GET', '/api/v1/orgs/x/y'], ['GET', '/api/v1/me/extra']]) {
        const r = await srv.request(m, p, { session: A, ...(m === 'POST' ? { json: {} } : {}) });
        assertProblem(r, 404, 'not-found', `${m} ${p}`);
      }
    });
  });

  test('wrong method: 405', async () => {
    await unchanged(async () => {
      const cases = [
        ['DELETE', '/api/v1/orgs'], ['PUT', '/api/v1/me'], ['GET', '/api/v1/auth/login'],
        ['POST', '/healthz'], ['PATCH', `/api/v1/users/${A.body.user.id}`], ['DELETE', '/api/v1/users'],
        ['GET', '/api/v1/auth/logout'], ['POST', '/api/v1/audit'], ['PUT', `/api/v1/orgs/${orgs.seller.id}`],
        ['GET', `/api/v1/tokens/${MISSING_ID}`],
      ];
      for (const [m, p] of cases) {
        assertProblem(await srv.request(m, p, { session: A }), 405, 'method-not-allowed', `${m} ${p}`);
      }
    });
  });

  test("another organisation's object: 404 and no data", async () => {
    await unchanged(async () => {
      const r = await srv.request('GET', `/api/v1/orgs/${orgs.rightholder.id}`, { session: sellerS });
      assertProblem(r, 404, 'not-found');
      assert.equal(r.text.includes(orgs.rightholder.name), false);
      assert.equal(r.text.includes('rightholder'), false, 'not even the kind');
    });
  });

  test('bad credentials: 401', async () => {
    await unchanged(async () => {
      assertProblem(await srv.request('GET', '/api/v1/me', { bearer: 'iprs_forged0000000000000000000000000000' }), 401, 'unauthenticated');
      assertProblem(await srv.request('POST', '/api/v1/orgs', { bearer: 'iprs_forged0000000000000000000000000000', json: { name: unique('o'), kind: 'seller' } }), 401, 'unauthenticated');
      assertProblem(await srv.request('POST', '/api/v1/orgs', { headers: { cookie: 'iprs_session=forged', 'x-csrf-token': A.csrf }, json: { name: unique('o'), kind: 'seller' } }), 401, 'unauthenticated');
      assertProblem(await srv.request('POST', '/api/v1/orgs', { json: { name: unique('o'), kind: 'seller' } }), 401, 'unauthenticated', 'no credentials');
      assertProblem(await srv.request('POST', '/api/v1/auth/login', { json: { email: srv.users.auditor.email, password: 'definitely-not-it' } }), 401, 'unauthenticated');
    });
  });

  test('a revoked token: 401', async () => {
    const t = await post('/api/v1/tokens', { json: { name: 'short-lived' } });
    assert.equal(t.status, 201);
    assert.equal((await srv.request('DELETE', `/api/v1/tokens/${t.body.id}`, { session: A })).status, 204);
    await unchanged(async () => {
      assertProblem(await srv.request('POST', '/api/v1/orgs', { bearer: t.body.token, json: { name: unique('o'), kind: 'seller' } }), 401, 'unauthenticated');
      assertProblem(await srv.request('DELETE', `/api/v1/tokens/${t.body.id}`, { bearer: t.body.token }), 401, 'unauthenticated');
    });
  });

  test('CSRF: missing/foreign 403, replay after logout 401', async () => {
    const victim = await srv.loginAs('admin');
    await unchanged(async () => {
      assertProblem(await srv.request('POST', '/api/v1/orgs', { session: victim, csrf: false, json: { name: unique('o'), kind: 'seller' } }), 403, 'csrf');
      assertProblem(await srv.request('POST', '/api/v1/orgs', { session: victim, csrf: sellerS.csrf, json: { name: unique('o'), kind: 'seller' } }), 403, 'csrf');
      assertProblem(await srv.request('DELETE', `/api/v1/tokens/${MISSING_ID}`, { session: victim, csrf: false }), 403, 'csrf');
    });
    assert.equal((await srv.request('POST', '/api/v1/auth/logout', { session: victim })).status, 204);
    await unchanged(async () => {
      assertProblem(await srv.request('POST', '/api/v1/orgs', { session: victim, json: { name: unique('o'), kind: 'seller' } }), 401, 'unauthenticated');
      assertProblem(await srv.request('POST', '/api/v1/users', { session: victim, json: newUser() }), 401, 'unauthenticated');
    });
  });

  test('role that does not fit the org kind: 422', async () => {
    await unchanged(async () => {
      const misfits = [
        ['seller', 'platform'], ['admin', 'seller'], ['reviewer', 'rightholder'], ['auditor', 'agency'],
        ['officer', 'rightholder'], ['rightholder', 'seller'], ['seller', 'agency'], ['officer', 'platform'],
      ];
      for (const [role, kind] of misfits) {
        const b = assertProblem(await post('/api/v1/users', { json: newUser({ role, org_id: orgs[kind].id }) }), 422, 'invalid', `${role} in ${kind}`);
        assert.ok(Array.isArray(b.errors) && b.errors.some((e) => e.field === 'role' || e.field === 'org_id'), JSON.stringify(b.errors));
      }
    });
  });

  test('duplicates: 409 conflict', async () => {
    await unchanged(async () => {
      const email = srv.users.seller.email;
      assertProblem(await post('/api/v1/users', { json: newUser({ email }) }), 409, 'conflict', 'same email');
      assertProblem(await post('/api/v1/users', { json: newUser({ email: email.toUpperCase() }) }), 409, 'conflict', 'same email, other case');
      assertProblem(await post('/api/v1/orgs', { json: { name: orgs.seller.name, kind: 'seller' } }), 409, 'conflict', 'same org name');
    });
  });
});
