// journeys_notices.test.mjs — the right holder's way to a notice, in
// chromium (what happens after it: journeys_decide.test.mjs):
//   right holder: empty notices page → "file one" → refused without a
//     verified right → registers a trademark;
//   reviewer: verifies it from the review page;
//   right holder: files the notice half-filled with Enter (the server's
//     problem+json detail and field errors shown next to the form, the bad
//     fields marked, focus on the first), then properly.
// The seller's listing is made through the API (the listing editor has its
// own journey in rights.test.mjs). Screenshots: $IPRSHIELD_SCREENSHOTS.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, START_MS, run, parseSeed, byTestId, createHarness, listLoaded, testDb } from './lib.mjs';
import { post, sessionOf } from './journeys_lib.mjs';

const MARK = 'VELTRANO';
const TITLE = 'Veltrano suede loafers outlet';

function expectedFailure(url, status) {
  const p = new URL(url).pathname;
  if (p === '/api/v1/me' && status === 401) return true;           // the page load before login
  if (p === '/api/v1/notices' && status === 422) return true;      // the deliberately incomplete notice
  return false;
}

const h = createHarness({ name: 'journeys_notices.test.mjs', watchdogMs: 5 * 60_000, expectedFailure });
const { assertNoProblems, shot, loginAs, logout, openSection } = h;

describe('notice and action journeys of the right holder, reviewer and seller', () => {
  let listingId;
  let workDir;

  before(async () => {
    workDir = h.makeWorkDir('iprs-journeys-n-');
    const db = testDb(workDir);
    const { stdout } = await run(BIN, ['demo', 'seed', '--db', db, '--json'], START_MS);
    h.seeded = parseSeed(stdout);
    await h.startServer(db);
    listingId = `VL-${Date.now()}`;
    await post(h, await sessionOf(h, 'seller'), '/api/v1/listings', {
      id: listingId, title: TITLE, description: 'Brand new, half price', price: '39.00', currency: 'EUR',
      category: 'shoes', images: [], ship_from: 'CN', units_sold: 3 });
    fs.writeFileSync(path.join(workDir, 'cert.pdf'), '%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
    await h.launch(workDir);
  }, { timeout: 3 * START_MS });

  after(async () => { await h.close(); }, { timeout: 40_000 });

  test('right holder: empty state, a refused notice explained, a right registered', { timeout: 45_000 }, async () => {
    const page = await loginAs('rightholder');
    await openSection(page, 'notices');
    await listLoaded(page, 'notices');
    const empty = byTestId(page, 'notices-empty');
    assert.match(await empty.innerText(), /No notices yet/);
    await shot(page, 'journey-rightholder-notices-empty');
    await byTestId(page, 'notices-empty-new').click();
    await byTestId(page, 'notice-new-title').waitFor({ state: 'visible' });

    // No verified right yet: the client check speaks first.
    await byTestId(page, 'notice-name').fill('Vera Brand');
    await byTestId(page, 'notice-name').press('Enter');
    const err = byTestId(page, 'notice-error');
    await err.waitFor({ state: 'visible' });
    assert.match(await err.innerText(), /verified right/i);
    await shot(page, 'journey-rightholder-notice-refused');

    // Register the trademark the notice will cite.
    await openSection(page, 'rights');
    await byTestId(page, 'right-kind').selectOption('trademark');
    await byTestId(page, 'right-mark-text').fill(MARK);
    await byTestId(page, 'right-tm-number').fill('EU-019000777');
    await byTestId(page, 'right-tm-office').fill('euipo');
    await byTestId(page, 'right-nice-classes').fill('25');
    await byTestId(page, 'right-tm-from').fill('2021-01-01');
    await byTestId(page, 'right-tm-to').fill('2031-01-01');
    await byTestId(page, 'right-certificate').setInputFiles(path.join(workDir, 'cert.pdf'));
    await byTestId(page, 'right-submit').click();
    await byTestId(page, 'right-created').waitFor({ state: 'visible' });
    await logout(page);
    assertNoProblems();
  });

  test('reviewer: verifies the right from the review page', { timeout: 30_000 }, async () => {
    const rev = await loginAs('reviewer');
    await openSection(rev, 'review');
    await listLoaded(rev, 'review-rights');
    const card = byTestId(rev, 'review-rights-row').filter({ hasText: MARK });
    await card.getByTestId('right-decision-reason').fill('Register entry EU-019000777 checked');
    await card.getByTestId('right-decision-yes').click();
    await card.getByTestId('right-decision-done').waitFor({ state: 'visible' });
    await shot(rev, 'journey-reviewer-right-verified');
    await logout(rev);
    assertNoProblems();
  });

  test('right holder: files the notice; the server names what is missing first', { timeout: 45_000 }, async () => {
    const page = await loginAs('rightholder', 'rightholder-file');
    await page.goto(`${h.baseURL}/#/notices/new?listing=${encodeURIComponent(listingId)}`);
    await byTestId(page, 'notice-new-title').waitFor({ state: 'visible' });
    await page.waitForFunction(() => document.querySelector('[data-testid="notice-right"] option[value]:not([value=""])'));
    assert.match(await byTestId(page, 'notice-right').locator('option:checked').textContent(), new RegExp(MARK), 'the verified right is offered');
    // Enter in a text field submits; the server lists each missing element.
    await byTestId(page, 'notice-name').fill('Vera Brand');
    await byTestId(page, 'notice-name').press('Enter');
    const err = byTestId(page, 'notice-error');
    await err.waitFor({ state: 'visible' });
    const text = await err.innerText();
    for (const f of ['explanation', 'signature', 'good_faith']) assert.match(text, new RegExp(f), `${f} is named`);
    assert.equal(await page.locator('[data-testid="notice-explanation"][aria-invalid="true"]').count(), 1, 'the explanation is marked');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid')), 'true', 'focus moves to the first bad field');
    await shot(page, 'journey-rightholder-notice-errors');

    await byTestId(page, 'notice-explanation').fill('Counterfeit VELTRANO loafers: wrong sole stamp, sold at a fifth of the price.');
    await byTestId(page, 'notice-urls').fill('https://evidence.example/veltrano/test-buy');
    await byTestId(page, 'notice-good-faith').check();
    await byTestId(page, 'notice-accuracy-ok').check();
    await byTestId(page, 'notice-signature').fill('Vera Brand');
    await byTestId(page, 'notice-signature').press('Enter');
    await byTestId(page, 'notice-created').waitFor({ state: 'visible' });
    assert.equal(await byTestId(page, 'notice-error').count(), 0, 'the error is gone');
    await shot(page, 'journey-rightholder-notice-filed');
    await logout(page);
    assertNoProblems();
  });

});
