// auth.test.mjs — login per role, the session cookie, uniform failures,
// throttling, logout, CSRF, bearer tokens and `iprshield token create`.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ROLES, assertProblem, startServer } from './lib.mjs';

const ME = '/api/v1/me';

function orgMatches(org, seedOrg) {
  return org.name === seedOrg || org.id === seedOrg;
}

describe('authentication', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { if (srv) await srv.stop(); });

  for (const role of ROLES) {
    test(`login as ${role}; GET /api/v1/me shows role, org and email`, async () => {
      const u = srv.users[role];
      const s = await srv.login(u.email, u.password);
      assert.equal(s.body.user.role, role);
      assert.equal(s.body.user.email, u.email.toLowerCase());
      assert.ok(orgMatches(s.body.org, u.org), `login org ${JSON.stringify(s.body.org)} is ${u.org}`);
      assert.equal(s.body.user.org_id, s.body.org.id);
      assert.deepEqual(Object.keys(s.body).sort(), ['csrf_token', 'org', 'user']);
      assert.deepEqual(Object.keys(s.body.user).sort(), ['created_at', 'email', 'id', 'org_id', 'role'], 'User has exactly the documented members');
      assert.deepEqual(Object.keys(s.body.org).sort(), ['created_at', 'id', 'kind', 'name'], 'Org has exactly the documented members');
      const r = await srv.request('GET', ME, { session: s });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.user.role, role);
      assert.equal(r.body.user.email, u.email.toLowerCase());
      assert.equal(r.body.user.id, s.body.user.id);
      assert.equal(r.body.org.id, s.body.user.org_id);
      assert.ok(orgMatches(r.body.org, u.org));
      assert.equal(r.body.csrf_token, s.csrf, 'me returns the session CSRF token');
      assert.match(r.body.user.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.match(r.body.user.id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    });
  }

  test('the session cookie is HttpOnly, SameSite=Strict, Path=/', async () => {
    const s = await srv.loginAs('reviewer');
    const attrs = s.setCookie.split(';').map((a) => a.trim().toLowerCase());
    assert.ok(attrs.includes('httponly'), s.setCookie);
    assert.ok(attrs.includes('samesite=strict'), s.setCookie);
    assert.ok(attrs.includes('path=/'), s.setCookie);
    assert.ok(s.cookie.length > 'iprs_session='.length + 16, 'the cookie carries a long secret');
  });

  test('wrong password and unknown email: 401 with the same body', async () => {
    const u = srv.users.officer;
    const wrong = await srv.request('POST', '/api/v1/auth/login', { json: { email: u.email, password: `${u.password}-wrong` } });
    const unknown = await srv.request('POST', '/api/v1/auth/login', { json: { email: 'nobody-here@example.org', password: u.password } });
    const a = assertProblem(wrong, 401, 'unauthenticated');
    const b = assertProblem(unknown, 401, 'unauthenticated');
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), 'same members');
    assert.deepEqual({ ...a, instance: undefined }, { ...b, instance: undefined }, 'same answer: existence of the email does not leak');
    assert.equal(wrong.headers.getSetCookie().some((c) => c.startsWith('iprs_session=') && !/max-age=0|expires=thu, 01 jan 1970/i.test(c)), false, 'no session on failure');
  });

  test('logout ends the session: 204, then 401', async () => {
    const s = await srv.loginAs('rightholder');
    assert.equal((await srv.request('GET', ME, { session: s })).status, 200);
    const out = await srv.request('POST', '/api/v1/auth/logout', { session: s });
    assert.equal(out.status, 204, out.text);
    assertProblem(await srv.request('GET', ME, { session: s }), 401, 'unauthenticated');
    assertProblem(await srv.request('POST', '/api/v1/auth/logout', { session: s }), 401, 'unauthenticated');
  });

  test('CSRF: missing or foreign token is 403 csrf; replay after logout is 401', async () => {
    const a = await srv.loginAs('seller');
    const a2 = await srv.loginAs('seller');       // the same user, another session
    const b = await srv.loginAs('auditor');       // another user
    assert.notEqual(a.csrf, a2.csrf, 'each session has its own CSRF token');
    const body = { json: { name: 'csrf-probe' } };
    assertProblem(await srv.request('POST', '/api/v1/tokens', { ...body, session: a, csrf: false }), 403, 'csrf', 'no token');
    assertProblem(await srv.request('POST', '/api/v1/tokens', { ...body, session: a, csrf: b.csrf }), 403, 'csrf', "another user's token");
    assertProblem(await srv.request('POST', '/api/v1/tokens', { ...body, session: a, csrf: a2.csrf }), 403, 'csrf', "another session's token");
    assertProblem(await srv.request('POST', '/api/v1/tokens', { ...body, session: a, csrf: '' }), 403, 'csrf', 'empty token');
    assertProblem(await srv.request('POST', '/api/v1/auth/logout', { session: a, csrf: false }), 403, 'csrf', 'logout needs CSRF too');
    // Nothing was created by the refused requests.
    const list = await srv.request('GET', '/api/v1/tokens', { session: a });
    assert.equal(list.status, 200);
    assert.equal(list.body.items.length, 0, 'no token created');
    // The right token works.
    const ok = await srv.request('POST', '/api/v1/tokens', { ...body, session: a });
    assert.equal(ok.status, 201, ok.text);
    // Replay of a logged-out session's cookie and token.
    assert.equal((await srv.request('POST', '/api/v1/auth/logout', { session: a })).status, 204);
    assertProblem(await srv.request('POST', '/api/v1/tokens', { ...body, session: a }), 401, 'unauthenticated', 'replay after logout');
    // The other session of the same user lives on.
    assert.equal((await srv.request('GET', ME, { session: a2 })).status, 200);
  });

  test('garbage session cookie is 401', async () => {
    assertProblem(await srv.request('GET', ME, { headers: { cookie: 'iprs_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } }), 401, 'unauthenticated');
    assertProblem(await srv.request('GET', ME, { headers: { cookie: 'iprs_session=' } }), 401, 'unauthenticated');
  });

  test('bearer tokens: shown once, work without CSRF, revoked at once', async () => {
    const s = await srv.loginAs('officer');
    const c = await srv.request('POST', '/api/v1/tokens', { session: s, json: { name: 'script' } });
    assert.equal(c.status, 201, c.text);
    const tok = c.body;
    assert.match(tok.token, /^iprs_\S{16,}$/);
    assert.match(tok.id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.equal(tok.name, 'script');
    assert.equal(tok.expires_at, null);
    assert.equal(tok.revoked_at, null);
    assert.deepEqual(Object.keys(tok).sort(), ['created_at', 'expires_at', 'id', 'name', 'revoked_at', 'token']);

    // Never shown again.
    const list = await srv.request('GET', '/api/v1/tokens', { session: s });
    assert.equal(list.status, 200);
    const listed = list.body.items.find((t) => t.id === tok.id);
    assert.ok(listed, 'the token is listed');
    assert.equal('token' in listed, false, 'the list has no secret');
    assert.deepEqual(Object.keys(listed).sort(), ['created_at', 'expires_at', 'id', 'name', 'revoked_at']);
    assert.equal(list.text.includes(tok.token), false, 'the secret appears nowhere in the list');
    assert.equal(list.text.includes(tok.token.slice(5)), false, 'nor its random part');

    // Used as bearer: no CSRF header needed, even for writes.
    const me = await srv.request('GET', ME, { bearer: tok.token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.user.email, srv.users.officer.email.toLowerCase());
    assert.equal(me.body.csrf_token, null, 'no CSRF token for bearer requests');
    const c2 = await srv.request('POST', '/api/v1/tokens', { bearer: tok.token, json: { name: 'second', expires_in_days: 30 } });
    assert.equal(c2.status, 201, c2.text);
    assert.equal(typeof c2.body.expires_at, 'string');
    const days = (Date.parse(c2.body.expires_at) - Date.parse(c2.body.created_at)) / 86_400_000;
    assert.ok(Math.abs(days - 30) < 0.01, `expires 30 days after creation (${days})`);

    // Revoke: 401 at once.
    const del = await srv.request('DELETE', `/api/v1/tokens/${tok.id}`, { session: s });
    assert.equal(del.status, 204, del.text);
    assertProblem(await srv.request('GET', ME, { bearer: tok.token }), 401, 'unauthenticated', 'revoked token');
    const after1 = await srv.request('GET', '/api/v1/tokens', { session: s });
    const revoked = after1.body.items.find((t) => t.id === tok.id);
    if (revoked) assert.equal(typeof revoked.revoked_at, 'string', 'a listed revoked token shows revoked_at');
    // The other token is unaffected.
    assert.equal((await srv.request('GET', ME, { bearer: c2.body.token })).status, 200);
  });

  test('forged or garbage bearer tokens are 401', async () => {
    const s = await srv.loginAs('admin');
    const c = await srv.request('POST', '/api/v1/tokens', { session: s, json: { name: 'to-forge' } });
    assert.equal(c.status, 201, c.text);
    const real = c.body.token;
    const last = real.at(-1);
    const flipped = real.slice(0, -1) + (last === 'A' ? 'B' : 'A');
    const forged = [
      flipped,
      `${real}x`,
      real.slice(0, -1),
      `iprs_${crypto.randomBytes(32).toString('base64url')}`,
      'garbage',
      'iprs_',
      s.cookie.split('=')[1], // a session secret is not a bearer token
    ];
    for (const f of forged) {
      assertProblem(await srv.request('GET', ME, { bearer: f }), 401, 'unauthenticated', `bearer ${f.slice(0, 12)}...`);
    }
    assertProblem(await srv.request('GET', ME, { headers: { authorization: 'Bearer' } }), 401, 'unauthenticated', 'empty bearer');
    assertProblem(await srv.request('GET', ME, { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } }), 401, 'unauthenticated', 'basic auth');
    // The real one still works.
    assert.equal((await srv.request('GET', ME, { bearer: real })).status, 200);
  });

  test('`iprshield token create` on the live database prints a working token', async () => {
    const u = srv.users.seller;
    const r = await srv.cli(['token', 'create', '--email', u.email, '--db', srv.db]);
    assert.equal(r.code, 0, `token create: ${r.stdout} ${r.stderr}`);
    const m = /iprs_[A-Za-z0-9_\-]+/.exec(r.stdout);
    assert.ok(m, `a token on stdout: ${r.stdout}`);
    const me = await srv.request('GET', ME, { bearer: m[0] });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.user.email, u.email.toLowerCase());
    assert.equal(me.body.user.role, 'seller');
    // Unknown email: a non-zero exit and no token.
    const bad = await srv.cli(['token', 'create', '--email', 'nobody-at-all@example.org', '--db', srv.db]);
    assert.notEqual(bad.code, 0);
    assert.doesNotMatch(bad.stdout, /iprs_/);
  });
});

describe('login throttling', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { if (srv) await srv.stop(); });

  test('5 failures, then 429 with Retry-After even with the right password', async () => {
    const u = srv.users.seller;
    for (let i = 0; i < 5; i++) {
      const r = await srv.request('POST', '/api/v1/auth/login', { json: { email: u.email, password: `wrong-password-${i}` } });
      assertProblem(r, 401, 'unauthenticated', `failure ${i + 1}`);
    }
    const r = await srv.request('POST', '/api/v1/auth/login', { json: { email: u.email, password: u.password } });
    assertProblem(r, 429, 'rate-limited', 'right password after 5 failures');
    const ra = r.headers.get('retry-after');
    assert.match(ra ?? '', /^\d+$/, `Retry-After is seconds (${ra})`);
    assert.ok(Number(ra) >= 1 && Number(ra) <= 900, `Retry-After within the window (${ra})`);
    assert.equal(r.headers.getSetCookie().some((c) => c.startsWith('iprs_session=') && !/max-age=0/i.test(c)), false, 'no session');
  });
});

describe('login throttling by address', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { if (srv) await srv.stop(); });

  test('5 failures for different emails from one address, then 429 for anyone', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await srv.request('POST', '/api/v1/auth/login', { json: { email: `nobody-${i}@example.org`, password: 'wrong-password-xyz' } });
      assertProblem(r, 401, 'unauthenticated', `failure ${i + 1}`);
    }
    const a = srv.users.admin;
    const r = await srv.request('POST', '/api/v1/auth/login', { json: { email: a.email, password: a.password } });
    assertProblem(r, 429, 'rate-limited', 'the right password from a throttled address');
    assert.match(r.headers.get('retry-after') ?? '', /^\d+$/);
  });
});

