// roles.test.mjs — black-box browser test of the portal, one pass per role.
//
// Seeds a fresh database with `iprshield demo seed --json`, starts
// `iprshield serve` on a free loopback port, and drives /usr/bin/chromium
// (headless, fresh profile) through playwright-core: log in as each role,
// check the header and the role-aware navigation, open every section the
// role has and check that it shows data, take screenshots, log out. Also
// checks the wrong-password and throttled (429) login messages, and that the
// whole run produced no console errors, page errors or CSP violations.
//
// Environment (set by ctest):
//   IPRSHIELD_BIN          path of the built server binary
//   IPRSHIELD_TEST_TMP     scratch directory (default: os.tmpdir())
//   IPRSHIELD_SCREENSHOTS  where to save PNGs (default: <scratch>/screenshots)
//
// Every wait is bounded; a watchdog ends the process if anything hangs.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { BIN, WAIT_MS, START_MS, run, parseSeed, byTestId, createHarness, listLoaded, testDb } from './lib.mjs';

const ROLES = ['admin', 'reviewer', 'rightholder', 'seller', 'officer', 'auditor'];
const SECTIONS = ['home', 'review', 'rights', 'profile', 'agents', 'alliance', 'listings', 'notices',
  'inbox', 'enforcement', 'detections', 'ledger', 'orgs', 'users', 'tokens', 'audit', 'reports', 'cases'];
/** What the navigation must offer each role (everything else must be absent). */
const ALLOWED = {
  admin: ['home', 'review', 'rights', 'alliance', 'listings', 'notices', 'enforcement', 'cases', 'detections', 'ledger', 'orgs', 'users', 'tokens', 'audit', 'reports'],
  reviewer: ['home', 'review', 'rights', 'alliance', 'listings', 'notices', 'enforcement', 'cases', 'detections', 'ledger', 'orgs', 'tokens', 'reports'],
  rightholder: ['home', 'rights', 'profile', 'agents', 'alliance', 'listings', 'notices', 'inbox', 'cases', 'detections', 'ledger', 'tokens', 'reports'],
  seller: ['home', 'listings', 'notices', 'inbox', 'enforcement', 'tokens', 'reports'],
  officer: ['home', 'cases', 'tokens', 'reports'],
  auditor: ['home', 'rights', 'alliance', 'notices', 'enforcement', 'cases', 'detections', 'ledger', 'orgs', 'tokens', 'audit', 'reports'],
};

const WATCHDOG_MS = 5 * 60_000;    // the whole file

/* ----------------------------------------------------------------------- */
/* Shared state and helpers                                                */
/* ----------------------------------------------------------------------- */

let workDir;
let baseURL;
let seeded;             // [{role, email, password, org}]
const EXTRA_ORGS = 55;  // more than one page of organisations
const extraOrgs = [];   // their names
const allOrgs = [];     // names of every organisation, as the API lists them

/**
 * Create EXTRA_ORGS organisations through the API as the seeded admin, so
 * that the organisations and audit lists span more than one page (the
 * portal asks for 50 at a time) and "Load more" is exercised.
 */
async function addOrgsForPagination() {
  const admin = seeded.find((x) => x.role === 'admin');
  const login = await fetch(`${baseURL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: admin.email, password: admin.password }),
    signal: AbortSignal.timeout(WAIT_MS),
  });
  assert.equal(login.status, 200, 'admin logs in through the API');
  const { csrf_token: csrf } = await login.json();
  const cookie = (login.headers.get('set-cookie') || '').split(';')[0];
  assert.match(cookie, /^iprs_session=/, 'login sets the session cookie');
  const headers = { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf };
  for (let i = 0; i < EXTRA_ORGS; i++) {
    const name = `Pagination Org ${String(i).padStart(2, '0')}`;
    const res = await fetch(`${baseURL}/api/v1/orgs`, {
      method: 'POST', headers, body: JSON.stringify({ name, kind: 'seller' }), signal: AbortSignal.timeout(WAIT_MS),
    });
    assert.equal(res.status, 201, `POST /api/v1/orgs ${name}: ${await res.text()}`);
    extraOrgs.push(name);
  }
  // Every organisation the API lists (the demo seed also makes agencies and
  // brands): the portal must show exactly these.
  for (let cursor = null; ;) {
    const q = cursor ? `?limit=200&cursor=${encodeURIComponent(cursor)}` : '?limit=200';
    const res = await fetch(`${baseURL}/api/v1/orgs${q}`, { headers, signal: AbortSignal.timeout(WAIT_MS) });
    assert.equal(res.status, 200, 'GET /api/v1/orgs');
    const page = await res.json();
    for (const o of page.items) allOrgs.push(o.name);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  const out = await fetch(`${baseURL}/api/v1/auth/logout`, { method: 'POST', headers, signal: AbortSignal.timeout(WAIT_MS) });
  assert.equal(out.status, 204, 'API logout');
}

/** Responses with these statuses are part of the test plan. */
function expectedFailure(url, status) {
  const p = new URL(url).pathname;
  if (p === '/api/v1/me' && status === 401) return true;                 // page load before login
  if (p === '/api/v1/auth/login' && (status === 401 || status === 429)) return true;  // wrong password, throttle
  // The alliance page asks for the right holder's own membership: 404 until it joins.
  if (/^\/api\/v1\/alliance\/members\/[0-9A-Z]{26}$/.test(p) && status === 404) return true;
  return false;
}

const h = createHarness({ name: 'roles.test.mjs', watchdogMs: WATCHDOG_MS, expectedFailure });
const { assertNoProblems, shot, freshPage, login, openSection } = h;

/** Click "Load more" until the list is complete (bounded). */
async function loadAll(page, name) {
  const more = byTestId(page, `${name}-more`);
  for (let i = 0; i < 50 && await more.isVisible(); i++) {
    const before = await byTestId(page, `${name}-row`).count();
    await more.click();
    await page.waitForFunction(
      ([sel, n]) => document.querySelectorAll(sel).length > n,
      [`[data-testid="${name}-row"]`, before], { timeout: WAIT_MS });
  }
}

/* ----------------------------------------------------------------------- */
/* Setup and teardown                                                      */
/* ----------------------------------------------------------------------- */

describe('portal in chromium, per role', () => {
  before(async () => {
    workDir = h.makeWorkDir('iprs-browser-');
    const db = testDb(workDir);

    const { stdout } = await run(BIN, ['demo', 'seed', '--db', db, '--json'], START_MS);
    seeded = parseSeed(stdout);
    h.seeded = seeded;
    assert.ok(Array.isArray(seeded), 'demo seed prints a JSON array');
    for (const role of ROLES) {
      const e = seeded.find((x) => x.role === role);
      assert.ok(e && e.email && e.password && e.org, `demo seed has a complete entry for ${role}`);
    }

    const addr = await h.startServer(db);
    baseURL = `http://${addr}`;
    await addOrgsForPagination();

    await h.launch(workDir);
  }, { timeout: 3 * START_MS });

  after(async () => {
    await h.close();
  }, { timeout: 40_000 });

  test('a wrong password shows the login error', { timeout: 60_000 }, async () => {
    const admin = seeded.find((x) => x.role === 'admin');
    const page = await freshPage('wrong-password');
    await shot(page, 'login');
    await byTestId(page, 'login-email').fill(admin.email);
    await byTestId(page, 'login-password').fill(`${admin.password}-wrong`);
    await byTestId(page, 'login-submit').click();
    const err = byTestId(page, 'login-error');
    await err.waitFor({ state: 'visible' });
    const text = (await err.textContent()).trim();
    assert.ok(text.length > 0, 'the login error has text');
    assert.equal(await byTestId(page, 'whoami-role').isVisible(), false, 'still logged out');
    await shot(page, 'login-wrong-password');
    await page.close();
    assertNoProblems();
  });

  for (const role of ROLES) {
    test(`${role} logs in, sees their sections and logs out`, { timeout: 90_000 }, async () => {
      const who = seeded.find((x) => x.role === role);
      const page = await freshPage(role);

      // Log in with the keyboard: type, then Enter in the password field.
      await login(page, who);

      // Header.
      assert.equal((await byTestId(page, 'whoami-role').textContent()).trim(), role);
      assert.equal((await byTestId(page, 'whoami-email').textContent()).trim(), who.email);
      assert.equal((await byTestId(page, 'whoami-org').textContent()).trim(), who.org);
      await assertVisible(byTestId(page, 'logout'), 'logout button');

      // Navigation: exactly the allowed entries.
      for (const s of SECTIONS) {
        const n = await byTestId(page, `nav-${s}`).count();
        assert.equal(n, ALLOWED[role].includes(s) ? 1 : 0,
          `${role} ${ALLOWED[role].includes(s) ? 'has' : 'has no'} nav-${s}`);
      }

      // Home page.
      await byTestId(page, 'home-title').waitFor({ state: 'visible' });
      const title = (await byTestId(page, 'home-title').textContent()).trim();
      assert.ok(title.length > 0, 'home title is set');
      const homeLinks = await page.locator('#main a[href^="#/"]').evaluateAll(
        (as) => as.map((a) => a.getAttribute('href').slice(2)));
      for (const target of homeLinks) {
        assert.ok(ALLOWED[role].includes(target), `${role} home links only to its sections (found #/${target})`);
      }
      await shot(page, `${role}-home`);

      // Every allowed section renders data.
      for (const s of ALLOWED[role]) {
        if (s === 'home') continue;
        await openSection(page, s);
        await CHECKS[s](page, role, who);
        await shot(page, `${role}-${s}`);
      }

      // A section outside the role is not rendered even by typing its URL.
      const denied = SECTIONS.find((s) => !ALLOWED[role].includes(s));
      if (denied) {
        await page.evaluate((s) => { location.hash = `#/${s}`; }, denied);
        await byTestId(page, 'notallowed-title').waitFor({ state: 'visible' });
        assert.equal(await byTestId(page, `${denied}-title`).count(), 0);
      }

      // Log out: the login form is back and the session is dead.
      await byTestId(page, 'nav-home').click();
      await byTestId(page, 'home-title').waitFor({ state: 'visible' });
      await byTestId(page, 'logout').click();
      await byTestId(page, 'login-email').waitFor({ state: 'visible' });
      assert.equal(await byTestId(page, 'whoami-role').isVisible(), false, 'header is gone after logout');
      await page.reload({ waitUntil: 'load' });
      await byTestId(page, 'login-email').waitFor({ state: 'visible' });
      assert.equal(await byTestId(page, 'whoami-role').isVisible(), false, 'still logged out after reload');
      await page.close();
      assertNoProblems();
    });
  }

  test('repeated failed logins are throttled with a retry time', { timeout: 60_000 }, async () => {
    // Runs last: the throttle also counts failures per client address.
    const page = await freshPage('throttle');
    const err = byTestId(page, 'login-error');
    let text = '';
    for (let i = 0; i < 10 && !/try again/i.test(text); i++) {
      await byTestId(page, 'login-email').fill('nobody@example.test');
      await byTestId(page, 'login-password').fill(`not-the-password-${i}`);
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
      await byTestId(page, 'login-submit').click();
      await answered;
      await err.waitFor({ state: 'visible' });
      await page.waitForFunction(() => !document.getElementById('login-submit').disabled);
      text = (await err.textContent()).trim();
    }
    assert.match(text, /try again in \d+ seconds?/i);
    await shot(page, 'login-throttled');
    await page.close();
    assertNoProblems();
  });
});

/* ----------------------------------------------------------------------- */
/* Per-section checks                                                      */
/* ----------------------------------------------------------------------- */

async function assertVisible(locator, what) {
  assert.ok(await locator.isVisible(), `${what} is visible`);
}

async function tableText(page, name) {
  await listLoaded(page, name);
  await loadAll(page, name);
  return byTestId(page, `${name}-table`).innerText();
}

/**
 * The module pages (rights, review, ...): once nothing is loading, the page
 * shows no error and each of its lists shows rows or its empty state.
 */
async function pageSettles(page, section) {
  await page.waitForFunction(() => !document.querySelector('#main [aria-busy="true"]'), null, { timeout: WAIT_MS });
  const alerts = await page.locator('#main [role="alert"]').allInnerTexts();
  assert.deepEqual(alerts, [], `${section} shows no error`);
  const lists = await page.locator('#main .paged').count();
  for (let i = 0; i < lists; i++) {
    const paged = page.locator('#main .paged').nth(i);
    const shown = await paged.locator('table, .card-list, p.empty').evaluateAll((els) => els.filter((e) => !e.hidden).length);
    assert.ok(shown > 0, `${section}: list ${i + 1} shows rows or an empty state`);
  }
}

const CHECKS = {
  review: (page) => pageSettles(page, 'review'),
  rights: (page) => pageSettles(page, 'rights'),
  profile: (page) => pageSettles(page, 'profile'),
  agents: (page) => pageSettles(page, 'agents'),
  alliance: (page) => pageSettles(page, 'alliance'),
  listings: (page) => pageSettles(page, 'listings'),
  notices: (page) => pageSettles(page, 'notices'),
  inbox: (page) => pageSettles(page, 'inbox'),
  enforcement: (page) => pageSettles(page, 'enforcement'),
  detections: (page) => pageSettles(page, 'detections'),
  ledger: (page) => pageSettles(page, 'ledger'),
  reports: (page) => pageSettles(page, 'reports'),
  cases: (page) => pageSettles(page, 'cases'),

  async orgs(page, role) {
    const text = await tableText(page, 'orgs');   // clicks "Load more" to the end
    // admin, reviewer and auditor see every organisation, across pages.
    const expected = new Set([...seeded.map((x) => x.org), ...extraOrgs, ...allOrgs]);
    assert.equal(expected.size, allOrgs.length, 'the API lists the seeded and the added organisations');
    for (const org of expected) {
      assert.ok(text.includes(org), `${role} sees organisation ${org}`);
    }
    const names = await byTestId(page, 'orgs-row').locator('td:first-child').allInnerTexts();
    assert.equal(names.length, new Set(names).size, 'no organisation is listed twice across pages');
    assert.equal(names.length, expected.size, 'every organisation is listed once');
    assert.equal(await byTestId(page, 'orgs-more').isVisible(), false, 'no "Load more" after the last page');
  },

  async users(page) {
    let text = await tableText(page, 'users');
    for (const e of seeded) assert.ok(text.includes(e.email), `users table lists ${e.email}`);

    // Add a user through the form (POST with the CSRF header).
    const email = `added-${Date.now()}@example.test`;
    const admin = seeded.find((x) => x.role === 'admin');
    await byTestId(page, 'new-user-email').fill(email);
    await byTestId(page, 'new-user-password').fill('a-long-enough-password-1');
    const org = byTestId(page, 'new-user-org');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="new-user-org"] option[value]:not([value=""])').length > 0);
    await org.selectOption({ label: await org.locator('option').filter({ hasText: admin.org }).first().textContent() });
    await byTestId(page, 'new-user-role').selectOption('reviewer');
    await byTestId(page, 'new-user-submit').click();
    await byTestId(page, 'new-user-created').waitFor({ state: 'visible' });
    await page.waitForFunction((e) => [...document.querySelectorAll('[data-testid="users-row"]')].some((r) => r.textContent.includes(e))
      || document.querySelector('[data-testid="users-more"]:not([hidden])'), email);
    text = await tableText(page, 'users');
    assert.ok(text.includes(email), 'the new user is listed');
  },

  async tokens(page, role) {
    // Without tokens the empty state says so (seeded users normally have none).
    await tableText(page, 'tokens');
    if (await byTestId(page, 'tokens-row').count() === 0) {
      await assertVisible(byTestId(page, 'tokens-empty'), 'tokens empty state');
      assert.match(await byTestId(page, 'tokens-empty').textContent(), /no tokens yet/i);
    }

    const name = `ci-${role}`;
    await byTestId(page, 'token-name').fill(name);
    await byTestId(page, 'token-days').fill('30');
    await byTestId(page, 'token-create').click();
    await byTestId(page, 'token-created').waitFor({ state: 'visible' });
    const secret = await byTestId(page, 'token-secret').inputValue();
    assert.match(secret, /^iprs_\S+$/, 'the secret is shown once');
    await shot(page, `${role}-tokens-created`);
    await byTestId(page, 'tokens-row').first().waitFor({ state: 'visible' });
    const row = byTestId(page, 'tokens-row').filter({ hasText: name });
    await row.waitFor({ state: 'visible' });
    assert.match(await row.innerText(), /Active/);

    // The token works as a bearer token until it is revoked.
    const me = await fetch(`${baseURL}/api/v1/me`, { headers: { Authorization: `Bearer ${secret}` }, signal: AbortSignal.timeout(WAIT_MS) });
    assert.equal(me.status, 200, 'new token authenticates');

    await row.getByTestId('token-revoke').click();
    await byTestId(page, 'confirm-ok').click();
    await byTestId(page, 'token-revoked').waitFor({ state: 'visible' });
    await page.waitForFunction((n) => [...document.querySelectorAll('[data-testid="tokens-row"]')]
      .some((r) => r.textContent.includes(n) && r.textContent.includes('Revoked')), name);
    assert.equal(await byTestId(page, 'token-secret').count(), 0, 'the secret is gone from the page');
    const after = await fetch(`${baseURL}/api/v1/me`, { headers: { Authorization: `Bearer ${secret}` }, signal: AbortSignal.timeout(WAIT_MS) });
    assert.equal(after.status, 401, 'revoked token is refused at once');
  },

  async audit(page) {
    await tableText(page, 'audit');
    const seqs = (await byTestId(page, 'audit-row').locator('td:first-child').allInnerTexts()).map(Number);
    assert.ok(seqs.length > 50, `audit log spans more than one page (${seqs.length} rows)`);
    for (let i = 1; i < seqs.length; i++) {
      assert.ok(seqs[i] < seqs[i - 1], `audit rows are newest first without repeats (seq ${seqs[i - 1]} then ${seqs[i]})`);
    }
    await byTestId(page, 'audit-verify').click();
    const result = byTestId(page, 'audit-verify-result');
    await result.waitFor({ state: 'visible' });
    assert.match(await result.innerText(), /chain intact/i);
  },
};
