// journeys_admin.test.mjs — the admin's and the auditor's daily journeys
// in chromium:
//   admin: adds an organisation with the keyboard only (labels, Tab order,
//     Enter submits, a visible focus ring), is told what is wrong with a bad
//     one next to the form, adds a user to it, the user can log in; then
//     verifies the audit chain and finds the events of what it just did;
//   auditor: reads the audit log page by page ("Load more"), reads the
//     notices and searches them, opens one (read only: no decision form).
// The notice the auditor reads is filed through the API (journeys_lib.mjs).
// Screenshots: $IPRSHIELD_SCREENSHOTS.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { BIN, START_MS, run, parseSeed, byTestId, createHarness, listLoaded, testDb } from './lib.mjs';
import { noticeScene, post, sessionOf } from './journeys_lib.mjs';

const ORG = 'Corvina Textiles';
const EMAIL = 'counsel@corvina.example';
const PASSWORD = 'corvina-initial-password-1';

function expectedFailure(url, status) {
  const p = new URL(url).pathname;
  if (p === '/api/v1/me' && status === 401) return true;       // the page load before login
  if (p === '/api/v1/orgs' && status === 422) return true;     // the deliberately bad organisation
  return false;
}

const h = createHarness({ name: 'journeys_admin.test.mjs', watchdogMs: 5 * 60_000, expectedFailure });
const { assertNoProblems, shot, loginAs, logout, openSection, freshPage } = h;

/** The focused element's test id and whether it draws a focus ring. */
const focused = (page) => page.evaluate(() => {
  const el = document.activeElement;
  const cs = el ? getComputedStyle(el) : null;
  const ring = cs && ((cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || (cs.boxShadow && cs.boxShadow !== 'none'));
  return { testid: el?.getAttribute('data-testid') || null, label: el?.labels?.[0]?.textContent?.trim() || null, ring: !!ring };
});

describe('admin and auditor journeys', () => {
  let noticeId;

  before(async () => {
    const workDir = h.makeWorkDir('iprs-journeys-a-');
    const db = testDb(workDir);
    const { stdout } = await run(BIN, ['demo', 'seed', '--db', db, '--json'], START_MS);
    h.seeded = parseSeed(stdout);
    await h.startServer(db);
    // a notice for the auditor to read, and enough events for two pages of the audit log
    ({ noticeId } = await noticeScene(h, { mark: 'MARENZA', number: 'TM-77001', listing: { id: 'MZ-1', title: 'Marenza diver watch copy' },
      explanation: 'A copy of the Marenza diver.' }));
    const seller = await sessionOf(h, 'seller');
    for (let i = 2; i <= 12; i++) {
      await post(h, seller, '/api/v1/listings', { id: `MZ-${i}`, title: `Plain steel watch ${i}`, description: 'steel', price: '25.00', currency: 'EUR', category: 'watches', images: [], ship_from: 'CN', units_sold: 0 });
    }
    await h.launch(workDir);
  }, { timeout: 3 * START_MS });

  after(async () => { await h.close(); }, { timeout: 40_000 });

  test('admin: adds an organisation by keyboard and a user to it', { timeout: 40_000 }, async () => {
    const page = await loginAs('admin');
    await openSection(page, 'orgs');
    await listLoaded(page, 'orgs');
    // Keyboard only: focus the name, Tab to the kind, Tab to the button.
    await byTestId(page, 'new-org-name').focus();
    let f = await focused(page);
    assert.equal(f.label, 'Name', 'the field is labelled');
    await page.keyboard.press('Enter');                       // empty: refused next to the form
    const err = byTestId(page, 'new-org-error');
    await err.waitFor({ state: 'visible' });
    assert.match(await err.innerText(), /name/i, 'the problem names the field');
    assert.equal(await page.locator('[data-testid="new-org-name"][aria-invalid="true"]').count(), 1);
    await shot(page, 'journey-admin-org-error');
    await byTestId(page, 'new-org-name').focus();
    await page.keyboard.type(ORG);
    await page.keyboard.press('Tab');
    f = await focused(page);
    assert.equal(f.testid, 'new-org-kind', 'Tab goes to the kind');
    await page.keyboard.press('Tab');
    f = await focused(page);
    assert.equal(f.testid, 'new-org-submit', 'then to the button');
    assert.ok(f.ring, 'the focused button shows a focus ring');
    await page.keyboard.press('Enter');
    await byTestId(page, 'new-org-ok').waitFor({ state: 'visible' });
    assert.equal(await byTestId(page, 'new-org-error').count(), 0, 'the error is gone');
    await byTestId(page, 'orgs-row').filter({ hasText: ORG }).waitFor({ state: 'visible' });
    await shot(page, 'journey-admin-org-added');

    await openSection(page, 'users');
    await page.waitForFunction((o) => [...document.querySelectorAll('[data-testid="new-user-org"] option')].some((x) => x.textContent.startsWith(o)), ORG);
    const orgValue = await page.evaluate((o) => [...document.querySelectorAll('[data-testid="new-user-org"] option')].find((x) => x.textContent.startsWith(o)).value, ORG);
    await byTestId(page, 'new-user-org').selectOption(orgValue);
    await byTestId(page, 'new-user-role').selectOption('rightholder');
    await byTestId(page, 'new-user-email').fill(EMAIL);
    await byTestId(page, 'new-user-password').fill(PASSWORD);
    await byTestId(page, 'new-user-password').press('Enter');
    await byTestId(page, 'new-user-created').waitFor({ state: 'visible' });
    await byTestId(page, 'users-row').filter({ hasText: EMAIL }).waitFor({ state: 'visible' });
    await shot(page, 'journey-admin-user-added');
    await logout(page);

    const newbie = await freshPage('new-user');
    await h.login(newbie, { email: EMAIL, password: PASSWORD });
    assert.equal((await byTestId(newbie, 'whoami-role').textContent()).trim().toLowerCase().includes('right'), true);
    await logout(newbie);
    assertNoProblems();
  });

  test('admin: verifies the audit chain and finds its own events', { timeout: 30_000 }, async () => {
    const page = await loginAs('admin', 'admin-audit');
    await openSection(page, 'audit');
    await listLoaded(page, 'audit');
    await byTestId(page, 'audit-verify').click();
    const res = byTestId(page, 'audit-verify-result');
    await res.waitFor({ state: 'visible' });
    assert.match(await res.innerText(), /Chain intact/);
    const table = await byTestId(page, 'audit-table').innerText();
    assert.match(table, /org\.create/, 'the new organisation is in the log');
    assert.match(table, /user\.create/, 'the new user is in the log');
    await shot(page, 'journey-admin-audit-verified');
    await logout(page);
    assertNoProblems();
  });

  test('auditor: reads the audit log page by page and the notices', { timeout: 40_000 }, async () => {
    const page = await loginAs('auditor');
    await openSection(page, 'audit');
    await listLoaded(page, 'audit');
    const rows = byTestId(page, 'audit-row');
    const first = await rows.count();
    assert.equal(first, 50, 'a first page of 50');
    const more = byTestId(page, 'audit-more');
    assert.ok(await more.isVisible(), 'more events than one page');
    await more.click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="audit-row"]').length > n, first);
    const seqs = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.cells[0].textContent)));
    assert.equal(new Set(seqs).size, seqs.length, 'no event shown twice');
    assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), 'newest first across pages');
    await shot(page, 'journey-auditor-audit');

    await openSection(page, 'notices');
    await listLoaded(page, 'notices');
    await byTestId(page, 'notices-q').fill('marenza diver');
    await byTestId(page, 'notices-q').press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="notices-row"]').length === 1);
    await byTestId(page, 'notices-clear').click();
    await listLoaded(page, 'notices');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'notices-q', 'Clear returns focus to the box');
    await byTestId(page, 'notices-row').getByTestId('notice-link').first().click();
    await byTestId(page, 'notice-title').waitFor({ state: 'visible' });
    assert.ok(page.url().endsWith(noticeId), 'the notice opens');
    assert.equal(await byTestId(page, 'notice-uphold').count(), 0, 'an auditor cannot decide');
    await shot(page, 'journey-auditor-notice');
    await logout(page);
    assertNoProblems();
  });
});
