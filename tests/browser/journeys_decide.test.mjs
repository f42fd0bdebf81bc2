// journeys_decide.test.mjs — what follows a notice, in chromium:
//   reviewer: decides it from the review queue (uphold, with a reason);
//   right holder: finds it by searching for the listing's title (an empty
//     search first: the empty state says so) and sees the outcome;
//   seller: finds the notice against its listing by searching for the
//     listing id, files a counter-notice.
// The scene (verified right, listing, notice) is set through the API
// (journeys_lib.mjs); filing it in the portal is journeys_notices.test.mjs.
// Screenshots: $IPRSHIELD_SCREENSHOTS.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { BIN, START_MS, run, parseSeed, byTestId, createHarness, listLoaded, testDb } from './lib.mjs';
import { noticeScene } from './journeys_lib.mjs';

const TITLE = 'Veltrano suede loafers outlet';

function expectedFailure(url, status) {
  return new URL(url).pathname === '/api/v1/me' && status === 401;   // the page load before login
}

const h = createHarness({ name: 'journeys_decide.test.mjs', watchdogMs: 5 * 60_000, expectedFailure });
const { assertNoProblems, shot, loginAs, logout, openSection } = h;

describe('deciding a notice, its outcome and the counter-notice', () => {
  const listingId = `VL-${Date.now()}`;

  before(async () => {
    const workDir = h.makeWorkDir('iprs-journeys-d-');
    const db = testDb(workDir);
    const { stdout } = await run(BIN, ['demo', 'seed', '--db', db, '--json'], START_MS);
    h.seeded = parseSeed(stdout);
    await h.startServer(db);
    await noticeScene(h, { mark: 'VELTRANO', number: 'EU-019000777', listing: { id: listingId, title: TITLE },
      explanation: 'Counterfeit VELTRANO loafers: wrong sole stamp, sold at a fifth of the price.' });
    await h.launch(workDir);
  }, { timeout: 3 * START_MS });

  after(async () => { await h.close(); }, { timeout: 40_000 });

  test('reviewer: decides the notice from the queue', { timeout: 30_000 }, async () => {
    const rev = await loginAs('reviewer', 'reviewer-decide');
    await openSection(rev, 'notices');
    await listLoaded(rev, 'queue');
    await byTestId(rev, 'queue-row').first().getByTestId('notice-link').click();
    await byTestId(rev, 'notice-decision-reason').fill('Sole stamp and price match known counterfeits');
    await byTestId(rev, 'notice-uphold').click();
    await rev.waitForFunction(() => document.querySelector('[data-testid="notice-state"]')?.textContent.trim() === 'decided');
    await shot(rev, 'journey-reviewer-notice-upheld');
    await logout(rev);
    assertNoProblems();
  });

  test('right holder: finds the notice by the listing title and sees the outcome', { timeout: 30_000 }, async () => {
    const page = await loginAs('rightholder', 'rightholder-outcome');
    await openSection(page, 'notices');
    await listLoaded(page, 'notices');
    await byTestId(page, 'notices-q').fill('nothing-like-this');
    await byTestId(page, 'notices-q').press('Enter');
    await byTestId(page, 'notices-empty').filter({ hasText: 'No notices match' }).waitFor({ state: 'visible' });
    await byTestId(page, 'notices-q').fill('suede loaf*');
    await byTestId(page, 'notices-search').click();
    const row = byTestId(page, 'notices-row');
    await row.first().waitFor({ state: 'visible' });
    assert.equal(await row.count(), 1);
    await shot(page, 'journey-rightholder-notices-search');
    await row.getByTestId('notice-link').click();
    await byTestId(page, 'notice-outcome').waitFor({ state: 'visible' });
    assert.equal((await byTestId(page, 'notice-outcome').textContent()).trim(), 'upheld');
    assert.equal((await byTestId(page, 'item-state').first().textContent()).trim(), 'taken down');
    await shot(page, 'journey-rightholder-notice-outcome');
    await logout(page);
    assertNoProblems();
  });

  test('seller: finds the notice against its listing and counters it', { timeout: 30_000 }, async () => {
    const page = await loginAs('seller', 'seller-counter');
    await openSection(page, 'notices');
    await listLoaded(page, 'notices');
    await byTestId(page, 'notices-q').fill(listingId);
    await byTestId(page, 'notices-q').press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="notices-row"]').length === 1);
    await byTestId(page, 'notices-row').getByTestId('notice-link').click();
    await byTestId(page, 'counter-explanation').fill('Bought from the brand\u2019s authorised distributor; invoice attached.');
    await byTestId(page, 'counter-urls').fill('https://seller.example/invoice-2291.pdf');
    await byTestId(page, 'counter-submit').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="item-state"]')?.textContent.trim() === 'counter noticed');
    await shot(page, 'journey-seller-countered');
    await logout(page);
    assertNoProblems();
  });
});
