// rights.test.mjs — browser journeys through the rights, review, profile,
// alliance, ledger, listings and notices pages.
//
// The harness is lib.mjs (shared with roles.test.mjs): seeds a fresh database with
// `iprshield demo seed --json`, starts `iprshield serve` on a free loopback
// port, drives /usr/bin/chromium (headless, fresh profile) with
// playwright-core, and fails on console errors, page errors, CSP
// violations and unexpected HTTP answers >= 400.
//
// Journeys:
//   1. Anyone applies as a right holder from the login page (first with
//      mistakes: the field errors are listed); a reviewer approves it.
//   2. The right holder registers a trademark with a logo (PNG made here)
//      and a certificate (a tiny PDF written here) and sees it pending; the
//      reviewer verifies it from the review queue with a reason; the right
//      holder sees it verified, with its files.
//   3. The right holder edits the protection profile, joins the alliance
//      and registers a work in the ledger (receipt shown).
//   4. A seller creates and edits a listing; the right holder finds it and
//      files a notice; the reviewer upholds it; the seller sees the takedown,
//      files a counter-notice and finds the messages in the inbox.
//
// Environment: IPRSHIELD_BIN, IPRSHIELD_TEST_TMP, IPRSHIELD_SCREENSHOTS.
// Every wait is bounded; a watchdog ends the process if anything hangs.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, START_MS, run, parseSeed, byTestId, createHarness, listLoaded, testDb } from './lib.mjs';

const WATCHDOG_MS = 8 * 60_000;    // the whole file (four journeys)

/** A 1×1 PNG (red pixel). */
const PNG_1x1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
/** The smallest PDF libmagic calls a PDF. */
const TINY_PDF = '%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n';

const MARK = 'AURORA LUMEN';
const LISTING_TITLE = 'Aurora Lumen tote bag replica';

let workDir;
let certPath;
let seeded;

/* ----------------------------------------------------------------------- */
/* Harness (lib.mjs)                                                       */
/* ----------------------------------------------------------------------- */

/** Failures that are part of the test plan. */
function expectedFailure(url, status) {
  const p = new URL(url).pathname;
  if (p === '/api/v1/me' && status === 401) return true;                          // page load before login
  if (p === '/api/v1/rightholders/apply' && status === 422) return true;          // the deliberate bad application
  if (/^\/api\/v1\/alliance\/members\/[0-9A-Z]{26}$/.test(p) && status === 404) return true;  // not a member yet
  return false;
}

const h = createHarness({
  name: 'rights.test.mjs',
  watchdogMs: WATCHDOG_MS,
  expectedFailure,
  // Blob-URL downloads are cancelled by design in headless mode.
  ignoreFailedRequest: (url) => url.startsWith('blob:'),
});
const { assertNoProblems, shot, freshPage, loginAs, logout, openSection } = h;


/* ----------------------------------------------------------------------- */

describe('rights, review and catalog journeys in chromium', () => {
  before(async () => {
    workDir = h.makeWorkDir('iprs-rights-');
    certPath = path.join(workDir, 'certificate.pdf');
    fs.writeFileSync(certPath, TINY_PDF);
    const db = testDb(workDir);

    const { stdout } = await run(BIN, ['demo', 'seed', '--db', db, '--json'], START_MS);
    seeded = parseSeed(stdout);
    h.seeded = seeded;
    for (const role of ['reviewer', 'rightholder', 'seller']) {
      assert.ok(seeded.find((x) => x.role === role), `demo seed has a ${role}`);
    }
    await h.startServer(db);
    await h.launch(workDir, { acceptDownloads: true });
  }, { timeout: 3 * START_MS });

  after(async () => {
    await h.close();
  }, { timeout: 40_000 });

  test('anyone applies as a right holder; a reviewer approves the application', { timeout: 90_000 }, async () => {
    const page = await freshPage('apply');
    await byTestId(page, 'apply-link').click();
    await byTestId(page, 'apply-title').waitFor({ state: 'visible' });
    // Mistakes first: the server lists every bad field.
    await byTestId(page, 'apply-org').fill('Lumen Optics');
    await byTestId(page, 'apply-country').fill('zz');
    await byTestId(page, 'apply-email').fill('not-an-email');
    await byTestId(page, 'apply-password').fill('short');
    await byTestId(page, 'apply-submit').click();
    const err = byTestId(page, 'apply-error');
    await err.waitFor({ state: 'visible' });
    const text = await err.innerText();
    assert.match(text, /email/i, 'the email error is listed');
    assert.match(text, /password/i, 'the password error is listed');
    assert.match(text, /country/i, 'the country error is listed');
    assert.equal(await page.locator('[data-testid="apply-email"][aria-invalid="true"]').count(), 1, 'the bad email field is marked');
    await shot(page, 'apply-errors');

    await byTestId(page, 'apply-country').fill('FR');
    await byTestId(page, 'apply-email').fill('legal@lumen-optics.example');
    await byTestId(page, 'apply-password').fill('a-long-enough-password-9');
    await byTestId(page, 'apply-submit').click();
    await byTestId(page, 'apply-done').waitFor({ state: 'visible' });
    await shot(page, 'apply-done');
    await byTestId(page, 'apply-signin').click();
    await byTestId(page, 'login-email').waitFor({ state: 'visible' });
    assert.equal(await byTestId(page, 'login-email').inputValue(), 'legal@lumen-optics.example', 'the login form is prefilled');
    await page.close();

    const rev = await loginAs('reviewer');
    await openSection(rev, 'review');
    await listLoaded(rev, 'review-apps');
    const card = byTestId(rev, 'review-apps-row').filter({ hasText: 'Lumen Optics' });
    await card.waitFor({ state: 'visible' });
    // A decision without a reason is refused in the page.
    await card.getByTestId('app-decision-yes').click();
    await card.getByTestId('app-decision-error').waitFor({ state: 'visible' });
    await card.getByTestId('app-decision-reason').fill('Company register entry checked');
    await card.getByTestId('app-decision-yes').click();
    await card.getByTestId('app-decision-done').waitFor({ state: 'visible' });
    await shot(rev, 'reviewer-review-app-approved');
    await logout(rev);
    assertNoProblems();
  });

  test('a right holder registers a trademark; the reviewer verifies it', { timeout: 120_000 }, async () => {
    const page = await loginAs('rightholder');
    await openSection(page, 'rights');
    await listLoaded(page, 'rights');
    await assertVisible(byTestId(page, 'rights-empty'), 'empty state before the first right');
    await byTestId(page, 'right-kind').selectOption('trademark');
    await byTestId(page, 'right-mark-text').fill(MARK);
    await byTestId(page, 'right-tm-number').fill('EU-018123456');
    await byTestId(page, 'right-tm-office').fill('euipo');
    await byTestId(page, 'right-nice-classes').fill('18, 25');
    await byTestId(page, 'right-tm-from').fill('2020-01-01');
    await byTestId(page, 'right-tm-to').fill('2035-12-31');
    await byTestId(page, 'right-logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG_1x1 });
    await byTestId(page, 'right-certificate').setInputFiles(certPath);
    await shot(page, 'rightholder-rights-form');
    await byTestId(page, 'right-submit').click();
    await byTestId(page, 'right-created').waitFor({ state: 'visible' });
    const row = byTestId(page, 'rights-row').filter({ hasText: MARK });
    await row.waitFor({ state: 'visible' });
    assert.equal((await row.getByTestId('right-status').textContent()).trim(), 'pending');
    await shot(page, 'rightholder-rights-pending');

    // The right's page lists both files with download links.
    await row.getByTestId('right-link').click();
    await byTestId(page, 'right-title').waitFor({ state: 'visible' });
    await byTestId(page, 'right-file-certificate').waitFor({ state: 'visible' });
    await byTestId(page, 'right-file-logo').waitFor({ state: 'visible' });
    assert.equal(await byTestId(page, 'right-file-download').count(), 2, 'two download links');
    await page.waitForFunction(() => [...document.querySelectorAll('img.thumb')].every((i) => i.complete && i.naturalWidth > 0));
    const download = page.waitForEvent('download');
    await byTestId(page, 'right-file-certificate').getByTestId('right-file-download').click();
    const file = await download;
    const saved = path.join(workDir, 'downloaded.pdf');
    await file.saveAs(saved);
    assert.equal(fs.readFileSync(saved, 'utf8'), TINY_PDF, 'the certificate downloads byte for byte');
    await shot(page, 'rightholder-right-detail');
    await logout(page);

    // The reviewer verifies it from the queue.
    const rev = await loginAs('reviewer');
    await openSection(rev, 'review');
    await listLoaded(rev, 'review-rights');
    const card = byTestId(rev, 'review-rights-row').filter({ hasText: MARK });
    await card.waitFor({ state: 'visible' });
    await card.getByTestId('right-file-logo').waitFor({ state: 'visible' });
    await card.getByTestId('right-file-certificate').waitFor({ state: 'visible' });
    await shot(rev, 'reviewer-review-queue');
    await card.getByTestId('right-decision-reason').fill('Checked against the EUIPO register');
    await card.getByTestId('right-decision-yes').click();
    await card.getByTestId('right-decision-done').waitFor({ state: 'visible' });
    await byTestId(rev, 'queue-rights-reload').click();
    await byTestId(rev, 'review-rights-empty').waitFor({ state: 'visible' });
    await shot(rev, 'reviewer-review-verified');
    await logout(rev);

    // The right holder sees it verified, with the reason.
    const again = await loginAs('rightholder', 'rightholder-again');
    await openSection(again, 'rights');
    const row2 = byTestId(again, 'rights-row').filter({ hasText: MARK });
    await row2.waitFor({ state: 'visible' });
    assert.equal((await row2.getByTestId('right-status').textContent()).trim(), 'verified');
    await shot(again, 'rightholder-rights-verified');
    await row2.getByTestId('right-link').click();
    await byTestId(again, 'right-decision').waitFor({ state: 'visible' });
    assert.match(await byTestId(again, 'right-decision').innerText(), /Checked against the EUIPO register/);
    await logout(again);
    assertNoProblems();
  });

  test('a right holder edits the profile, joins the alliance and registers a work', { timeout: 120_000 }, async () => {
    const page = await loginAs('rightholder', 'rightholder-tour');
    await openSection(page, 'profile');
    await byTestId(page, 'terms-add').click();
    await byTestId(page, 'terms-term').last().fill('Aurora');
    await byTestId(page, 'terms-variants').last().fill('AUR0RA, 奥罗拉');
    await byTestId(page, 'terms-save').click();
    await byTestId(page, 'terms-ok').waitFor({ state: 'visible' });
    await byTestId(page, 'prices-add').click();
    await byTestId(page, 'prices-category').last().fill('Handbags');
    await byTestId(page, 'prices-currency').last().fill('eur');
    await byTestId(page, 'prices-min').last().fill('120.00');
    await byTestId(page, 'prices-save').click();
    await byTestId(page, 'prices-ok').waitFor({ state: 'visible' });
    await byTestId(page, 'image-file').setInputFiles({ name: 'tote.png', mimeType: 'image/png', buffer: PNG_1x1 });
    await byTestId(page, 'image-label').fill('Classic tote, front');
    await byTestId(page, 'image-upload').click();
    await byTestId(page, 'images-row').filter({ hasText: 'Classic tote, front' }).waitFor({ state: 'visible' });
    await page.reload({ waitUntil: 'load' });
    await byTestId(page, 'profile-title').waitFor({ state: 'visible' });
    await byTestId(page, 'terms-term').first().waitFor({ state: 'visible' });
    assert.equal(await byTestId(page, 'terms-term').first().inputValue(), 'Aurora', 'terms are saved');
    assert.equal(await byTestId(page, 'prices-min').first().inputValue(), '120.00', 'prices are saved');
    await shot(page, 'rightholder-profile-saved');

    await openSection(page, 'alliance');
    await byTestId(page, 'alliance-join').click();
    await byTestId(page, 'alliance-leave').waitFor({ state: 'visible' });
    assert.equal((await byTestId(page, 'alliance-status').textContent()).trim(), 'active');
    await listLoaded(page, 'members');
    assert.match(await byTestId(page, 'members-table').innerText(), /Aurora Fashion Group/);
    await shot(page, 'rightholder-alliance-joined');

    await openSection(page, 'ledger');
    await listLoaded(page, 'ledger');
    await byTestId(page, 'ledger-key-value').waitFor({ state: 'visible' });
    await byTestId(page, 'ledger-work-title').fill('Spring lookbook 2027');
    await byTestId(page, 'ledger-file').setInputFiles({ name: 'lookbook.txt', mimeType: 'text/plain', buffer: Buffer.from('an original work\n') });
    await byTestId(page, 'ledger-submit').click();
    await byTestId(page, 'ledger-receipt-box').waitFor({ state: 'visible' });
    const receipt = JSON.parse(await byTestId(page, 'ledger-receipt-box').locator('pre').textContent());
    assert.equal(typeof receipt.leaf_index, 'number');
    assert.match(receipt.checkpoint, /\n— /, 'the receipt carries a signed checkpoint');
    await byTestId(page, 'ledger-row').filter({ hasText: 'Spring lookbook 2027' }).waitFor({ state: 'visible' });
    await byTestId(page, 'ledger-checkpoint').locator('summary').waitFor({ state: 'visible' });
    await shot(page, 'rightholder-ledger-receipt');
    // prior art: search with a drawing (rendered by rsvg-convert); the text work has no PDQ
    const drawing = execFileSync('rsvg-convert', [], { input: '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96"><rect width="96" height="96" fill="#eee"/><circle cx="60" cy="40" r="25" fill="#036"/><rect x="5" y="60" width="50" height="30" fill="#c00"/></svg>' });
    await byTestId(page, 'prior-image').setInputFiles({ name: 'drawing.png', mimeType: 'image/png', buffer: drawing });
    await byTestId(page, 'prior-submit').click();
    await page.locator('[data-testid="prior-none"], [data-testid="prior-table"]').first().waitFor({ state: 'visible' });
    await logout(page);
    assertNoProblems();
  });

  test('a seller lists; a right holder files a notice; the reviewer upholds; the seller counters', { timeout: 150_000 }, async () => {
    // Seller: create, then edit a listing.
    const seller = await loginAs('seller');
    await openSection(seller, 'listings');
    await listLoaded(seller, 'listings');
    await byTestId(seller, 'listing-title').fill(LISTING_TITLE);
    await byTestId(seller, 'listing-price').fill('19.99');
    await byTestId(seller, 'listing-currency').fill('usd');
    await byTestId(seller, 'listing-category').fill('Handbags');
    await byTestId(seller, 'listing-ship-from').fill('CN-GD');
    await byTestId(seller, 'listing-submit').click();
    await byTestId(seller, 'listing-saved').waitFor({ state: 'visible' });
    const row = byTestId(seller, 'listings-row').filter({ hasText: LISTING_TITLE });
    await row.waitFor({ state: 'visible' });
    await row.getByTestId('listing-edit').click();
    await seller.waitForFunction(() => document.querySelector('[data-testid="listing-price"]').value === '19.99');
    await byTestId(seller, 'listing-price').fill('24.50');
    await byTestId(seller, 'listing-submit').click();
    await byTestId(seller, 'listing-saved').filter({ hasText: 'version 2' }).waitFor({ state: 'visible' });
    await seller.waitForFunction((t) => [...document.querySelectorAll('[data-testid="listings-row"]')]
      .some((r) => r.textContent.includes(t) && r.textContent.includes('24.50')), LISTING_TITLE);
    await shot(seller, 'seller-listings-edited');
    await logout(seller);

    // Right holder: search, file a notice citing the verified right.
    const holder = await loginAs('rightholder', 'rightholder-notice');
    await openSection(holder, 'listings');
    await byTestId(holder, 'listings-q').fill('lumen tote');
    await byTestId(holder, 'listings-search').click();
    const found = byTestId(holder, 'listings-row').filter({ hasText: LISTING_TITLE });
    await found.waitFor({ state: 'visible' });
    await shot(holder, 'rightholder-listings-search');
    await found.getByTestId('listing-notice').click();
    await byTestId(holder, 'notice-new-title').waitFor({ state: 'visible' });
    await holder.waitForFunction(() => document.querySelector('[data-testid="notice-right"] option[value]:not([value=""])'));
    await byTestId(holder, 'notice-kind').selectOption('counterfeit');
    await byTestId(holder, 'notice-explanation').fill('Replica of our registered AURORA LUMEN tote, sold far below the genuine price.');
    await byTestId(holder, 'notice-urls').fill('https://evidence.example/aurora/tote-comparison');
    await byTestId(holder, 'notice-name').fill('Ada Brand');
    await byTestId(holder, 'notice-good-faith').check();
    await byTestId(holder, 'notice-accuracy-ok').check();
    await byTestId(holder, 'notice-signature').fill('Ada Brand');
    await byTestId(holder, 'notice-submit').click();
    await byTestId(holder, 'notice-created').waitFor({ state: 'visible' });
    await shot(holder, 'rightholder-notice-filed');
    await logout(holder);

    // Reviewer: open it from the queue and uphold.
    const rev = await loginAs('reviewer', 'reviewer-notice');
    await openSection(rev, 'notices');
    await listLoaded(rev, 'queue');
    await byTestId(rev, 'queue-row').first().getByTestId('notice-link').click();
    await byTestId(rev, 'notice-title').waitFor({ state: 'visible' });
    await byTestId(rev, 'notice-decision-reason').fill('Listing copies the registered mark');
    await byTestId(rev, 'notice-uphold').click();
    await rev.waitForFunction(() => document.querySelector('[data-testid="notice-state"]')?.textContent.trim() === 'decided');
    assert.equal((await byTestId(rev, 'item-state').first().textContent()).trim(), 'taken down');
    await shot(rev, 'reviewer-notice-decided');
    await logout(rev);

    // Seller: sees the notice and the takedown, counters, reads the inbox.
    const s2 = await loginAs('seller', 'seller-counter');
    await openSection(s2, 'notices');
    await listLoaded(s2, 'notices');
    await listLoaded(s2, 'strikes');
    await byTestId(s2, 'notices-row').first().getByTestId('notice-link').click();
    await byTestId(s2, 'counter-explanation').waitFor({ state: 'visible' });
    await byTestId(s2, 'counter-explanation').fill('These are genuine bags bought from an authorised distributor.');
    await byTestId(s2, 'counter-submit').click();
    await s2.waitForFunction(() => document.querySelector('[data-testid="item-state"]')?.textContent.trim() === 'counter noticed');
    await shot(s2, 'seller-notice-countered');
    await openSection(s2, 'inbox');
    await listLoaded(s2, 'inbox');
    assert.ok(await byTestId(s2, 'inbox-row').count() >= 1, 'the seller has messages');
    await shot(s2, 'seller-inbox');
    await logout(s2);
    assertNoProblems();
  });
});

async function assertVisible(locator, what) {
  assert.ok(await locator.isVisible(), `${what} is visible`);
}
