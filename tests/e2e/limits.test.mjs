// limits.test.mjs — request rate limits per client address and per user
// (429 with Retry-After, problem+json), and what the server never logs:
// passwords, session secrets, bearer tokens, CSRF tokens, e-mail addresses.
//
// The limits are set tiny (1 request a second) so that a refusal is certain
// however slow the machine: every loop below sends until the first 429 and
// only bounds how many it sends, never how long it takes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertProblem, startServer } from './lib.mjs';

const ME = '/api/v1/me';
const MAX_TRIES = 60;

/** Send until the first 429; return {admitted, refused} (refused null when none came). */
async function untilRefused(send) {
  let admitted = 0;
  for (let i = 0; i < MAX_TRIES; i++) {
    const r = await send();
    if (r.status === 429) return { admitted, refused: r };
    assert.equal(r.status, 200, r.text);
    admitted++;
  }
  return { admitted, refused: null };
}

function assertRetryAfter(r) {
  assertProblem(r, 429, 'rate-limited');
  const ra = r.headers.get('retry-after');
  assert.match(ra ?? '', /^[1-9][0-9]*$/, 'Retry-After is a positive number of seconds');
}

describe('rate limit per client address', () => {
  let srv;
  before(async () => {
    srv = await startServer({
      env: { IPRSHIELD_RATE_ADDRESS: '1', IPRSHIELD_RATE_ADDRESS_BURST: '3' },
    });
  });
  after(async () => { if (srv) await srv.stop(); });

  test('an address past its burst gets 429 with Retry-After; the refusal is counted and logged', async () => {
    const { admitted, refused } = await untilRefused(() => srv.request('GET', '/healthz'));
    assert.ok(refused, `no 429 in ${MAX_TRIES} requests at 1 request/s`);
    assert.ok(admitted >= 3, `the whole burst of 3 was admitted first (got ${admitted})`);
    assertRetryAfter(refused);
    assert.ok(srv.logs.some((l) => l.status === 429 || l.status === '429'), 'the 429 is in the request log');
  });
});

describe('rate limit per signed-in user', () => {
  let srv;
  before(async () => {
    srv = await startServer({
      env: { IPRSHIELD_RATE_USER: '1', IPRSHIELD_RATE_USER_BURST: '2' },
    });
  });
  after(async () => { if (srv) await srv.stop(); });

  test('one user past its burst is refused; another user and anonymous routes are not', async () => {
    const reviewer = await srv.loginAs('reviewer');
    const auditor = await srv.loginAs('auditor');
    const { refused } = await untilRefused(() => srv.request('GET', ME, { session: reviewer }));
    assert.ok(refused, `no 429 in ${MAX_TRIES} requests at 1 request/s`);
    assertRetryAfter(refused);
    // a fresh user has its own whole burst
    const other = await srv.request('GET', ME, { session: auditor });
    assert.equal(other.status, 200, other.text);
    // the address itself is not limited here
    assert.equal((await srv.request('GET', '/healthz')).status, 200);
  });
});

describe('secrets and personal data stay out of the logs', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { if (srv) await srv.stop(); });

  test('after logins, failed logins, token use and writes the log holds no secret', async () => {
    const u = srv.users.reviewer;
    const s = await srv.login(u.email, u.password);
    await srv.request('POST', '/api/v1/auth/login', { json: { email: u.email, password: 'not-the-password-x1' } });
    const tok = await srv.request('POST', '/api/v1/tokens', { session: s, json: { name: 'log-check' } });
    assert.equal(tok.status, 201, tok.text);
    assert.equal((await srv.request('GET', ME, { bearer: tok.body.token })).status, 200);
    await srv.request('GET', `${ME}?email=${encodeURIComponent(u.email)}`, { bearer: tok.body.token });
    const cookieSecret = s.cookie.slice(s.cookie.indexOf('=') + 1);
    const text = srv.stderr;
    for (const [what, secret] of [
      ['password', u.password],
      ['failed password', 'not-the-password-x1'],
      ['session cookie', cookieSecret],
      ['CSRF token', s.csrf],
      ['bearer token', tok.body.token],
      ['e-mail address', u.email],
    ]) {
      assert.ok(secret && secret.length > 8, `${what} is a real value`);
      assert.equal(text.includes(secret), false, `the log must not contain the ${what}`);
    }
  });
});
