// lockout.test.mjs — account lockout after repeated failed logins (issue #10,
// "limits and abuse"), and the slow-client time-out.
//
// A locked login answers 429 with Retry-After and the same problem for an
// email no account has, so the answer does not tell whether an account
// exists (docs/architecture.md, "Login throttling and lockout"). The lock is
// in the database: a restart keeps it; `iprshield user unlock` lifts it.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { assertProblem, cli, listAll, startServer, waitFor } from './lib.mjs';

const LOGIN = '/api/v1/auth/login';
const ENV = { IPRSHIELD_LOGIN_LOCKOUT_FAILURES: '3', IPRSHIELD_LOGIN_LOCKOUT_SECONDS: '600', IPRSHIELD_LOGIN_MAX_FAILURES: '1000' };

describe('login lockout', () => {
  let srv;
  before(async () => { srv = await startServer({ env: ENV }); });
  after(() => srv?.kill());

  const login = (email, password) => srv.request('POST', LOGIN, { json: { email, password } });

  test('three failures lock the account across a restart until an admin unlocks it; unknown emails answer alike', async () => {
    const users = srv.users;
    const u = users.seller;
    for (let i = 0; i < 3; i++) assertProblem(await login(u.email, `wrong-password-${i}`), 401, 'unauthenticated', `failure ${i + 1}`);
    const locked = await login(u.email, u.password);
    assertProblem(locked, 429, 'rate-limited', 'the right password of a locked account');
    const ra = Number(locked.headers.get('retry-after'));
    assert.ok(ra >= 1 && ra <= 600, `Retry-After is the rest of the lock (${ra})`);
    assert.equal(locked.headers.getSetCookie().some((c) => c.startsWith('iprs_session=') && !/max-age=0/i.test(c)), false, 'no session');

    // An email no account has: the same failures, the same answer.
    for (let i = 0; i < 3; i++) assertProblem(await login('nobody-here@example.org', `wrong-password-${i}`), 401, 'unauthenticated');
    const ghost = await login('nobody-here@example.org', 'any-password-at-all');
    assertProblem(ghost, 429, 'rate-limited', 'a locked unknown email');
    assert.deepEqual(Object.keys(ghost.body).sort(), Object.keys(locked.body).sort());
    assert.equal(ghost.body.detail.replace(/\d+/g, 'N'), locked.body.detail.replace(/\d+/g, 'N'));

    // Another account is not affected.
    const other = await login(srv.users.rightholder.email, srv.users.rightholder.password);
    assert.equal(other.status, 200, other.text);

    // The lock survives a restart.
    await srv.stop();
    srv = await startServer({ seed: false, dbPath: srv.db, env: ENV });
    assertProblem(await login(u.email, u.password), 429, 'rate-limited', 'still locked after a restart');

    // An admin lifts it from the command line; both events are audited.
    const bad = await cli(['user', 'unlock', 'nobody-here@example.org', '--db', srv.db]);
    assert.equal(bad.code, 3, `unknown account: ${bad.stderr}`);
    const un = await cli(['user', 'unlock', u.email.toUpperCase(), '--db', srv.db]);
    assert.equal(un.code, 0, un.stderr);
    assert.equal(un.stdout.trim(), 'unlocked');
    const ok = await login(u.email, u.password);
    assert.equal(ok.status, 200, ok.text);
    const again = await cli(['user', 'unlock', u.email, '--db', srv.db]);
    assert.equal(again.stdout.trim(), 'not locked');

    const auditor = await srv.login(users.auditor.email, users.auditor.password);
    const events = await listAll(srv, '/api/v1/audit', { session: auditor });
    const sellerId = ok.body.user.id;
    assert.ok(events.some((e) => e.action === 'auth.lockout' && e.object === `user:${sellerId}`), 'the lockout is audited');
    assert.ok(events.some((e) => e.action === 'user.unlock' && e.object === `user:${sellerId}` && e.detail === 'was locked'), 'the unlock is audited');
    const v = await srv.request('GET', '/api/v1/audit/verify', { session: auditor });
    assert.equal(v.body.intact, true, v.text);
  });
});

describe('slow clients', () => {
  let srv;
  before(async () => { srv = await startServer({ env: { IPRSHIELD_REQUEST_TIMEOUT: '1' } }); });
  after(() => srv?.kill());

  test('a connection that sends half a request and stalls is closed by the server', async () => {
    const sock = net.connect(srv.port, '127.0.0.1');
    let closed = false;
    let answer = '';
    sock.on('data', (d) => { answer += d; });
    sock.on('close', () => { closed = true; });
    sock.on('error', () => { /* a reset also ends it */ });
    await new Promise((res) => sock.once('connect', res));
    sock.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n');
    // No end of the headers, ever: the server must drop the connection
    // (request_timeout = 1 s); waitFor only bounds how long the test waits.
    await waitFor('the server closes the stalled connection', () => closed, 15_000);
    assert.doesNotMatch(answer, /HTTP\/1\.1 200/);
    // and it still serves others
    const h = await srv.request('GET', '/healthz');
    assert.equal(h.status, 200);
  });
});
