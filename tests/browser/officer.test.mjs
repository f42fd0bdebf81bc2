// officer.test.mjs — the "Cases" section in chromium, from a new referral to
// a closed case (issue 7):
//   reviewer: refers a seller shipping from Guangdong (CN-GD) with buyers in
//     the US, naming the demo right holder as concerned; the case routes to
//     Guangdong Market Regulation (the demo officer's agency) and waits for
//     approval to go to Interpol, which the reviewer gives (reason dialog);
//   officer: finds the case in its list, opens it, moves it received →
//     investigating → raid (date, arrests, units and value seized, result
//     confirmed) → prosecuted → closed, attaching a PDF case file on the way;
//     the evidence archive link answers with the signed tar.gz;
//   right holder: sees the closed case's outcome in its list, opens a
//     litigation file against the seller and downloads the bundle.
// The seller is imported with the CLI before the server starts.
// Screenshots: $IPRSHIELD_SCREENSHOTS.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, START_MS, run, parseSeed, byTestId, createHarness, listLoaded, testDb } from './lib.mjs';
import { sessionOf } from './journeys_lib.mjs';
import { PDF, request } from '../e2e/lib.mjs';

function expectedFailure(url, status) {
  const u = new URL(url);
  if (u.pathname === '/api/v1/me' && status === 401) return true;   // the page load before login
  return /^\/api\/v1\/referrals\/[0-9A-Z]{26}\/updates$/.test(u.pathname) && status === 422; // the value without a currency
}

const h = createHarness({ name: 'officer.test.mjs', watchdogMs: 4 * 60_000, expectedFailure });
const { assertNoProblems, shot, loginAs, openSection } = h;

const SHOP = 'Pearl River Replica Shop';
const SHOP_ID = 'pearl-river';   // its marketplace id, which names its organisation
let shopId;         // the referred seller's org id
let holderOrgId;    // the demo right holder's org id
let referralId;

/** Fetch path in the page (the session's cookie); {status, type, size}. */
const fetchIn = (page, href) => page.evaluate(async (u) => {
  const r = await fetch(u);
  return { status: r.status, type: r.headers.get('content-type'), size: (await r.arrayBuffer()).byteLength };
}, href);

/** Submit the officer's update form and wait for the new status. */
async function update(page, fields, status) {
  await byTestId(page, 'case-update-status').selectOption(status);
  for (const [id, value] of Object.entries(fields)) {
    if (id === 'case-update-result') await byTestId(page, id).selectOption(value);
    else await byTestId(page, id).fill(value);
  }
  await byTestId(page, 'case-update-save').click();
  await page.waitForFunction((s) => document.querySelector('[data-testid="case-status"]')?.textContent === s, status);
}

describe('officer journey: from a new referral to a closed case', () => {
  before(async () => {
    const workDir = h.makeWorkDir('iprs-officer-');
    const db = testDb(workDir);
    const { stdout } = await run(BIN, ['demo', 'seed', '--db', db, '--json'], START_MS);
    h.seeded = parseSeed(stdout);
    const file = path.join(workDir, 'sellers.jsonl');
    fs.writeFileSync(file, `${JSON.stringify({ id: SHOP_ID, name: SHOP, ship_from: 'CN-GD', identifiers: { phone: '+8613800000123' } })}\n`);
    await run(BIN, ['import', 'sellers', file, '--db', db], START_MS);
    await h.startServer(db);
    const admin = await sessionOf(h, 'admin');
    const orgs = await request(h.baseURL, 'GET', '/api/v1/orgs?limit=200', { session: admin });
    assert.equal(orgs.status, 200, orgs.text);
    const shop = orgs.body.items.find((o) => o.kind === 'seller' && o.name === SHOP_ID);
    assert.ok(shop, 'the imported seller has an organisation');
    shopId = shop.id;
    holderOrgId = (await sessionOf(h, 'rightholder')).body.org.id;
    await h.launch(workDir);
  }, { timeout: 3 * START_MS });

  after(async () => { await h.close(); }, { timeout: 40_000 });

  test('reviewer: refers the seller; routed to Guangdong; approves sharing with Interpol', { timeout: 40_000 }, async () => {
    const page = await loginAs('reviewer');
    await openSection(page, 'cases');
    await listLoaded(page, 'referrals');
    // A missing reason is refused next to the form, nothing is sent.
    await byTestId(page, 'referral-seller').fill(shopId);
    await byTestId(page, 'referral-submit').click();
    await byTestId(page, 'referral-error').waitFor({ state: 'visible' });
    assert.match(await byTestId(page, 'referral-error').textContent(), /reason/);
    await byTestId(page, 'referral-summary').fill('Replica handbags shipped from Guangzhou; test buys confirmed counterfeit.');
    await byTestId(page, 'referral-buyers').fill('us');
    await byTestId(page, 'referral-holders').fill(holderOrgId);
    await byTestId(page, 'referral-submit').click();
    await page.waitForURL(/#\/cases\/referral\/[0-9A-Z]{26}$/);
    referralId = /referral\/([0-9A-Z]{26})$/.exec(page.url())[1];
    await byTestId(page, 'case-status').waitFor({ state: 'visible' });
    assert.equal(await byTestId(page, 'case-status').textContent(), 'received');
    assert.equal(await byTestId(page, 'case-tlp').textContent(), 'TLP:AMBER');
    const rows = byTestId(page, 'case-recipient');
    assert.equal(await rows.count(), 2);
    assert.match(await rows.nth(0).textContent(), /Guangdong Market Regulation.*primary.*yes/);
    assert.match(await rows.nth(1).textContent(), /Interpol IP Crime Unit.*cross border.*awaiting approval/);
    await shot(page, 'cases-reviewer-referral');
    // Approve sharing across the border: the reason dialog, then the row says so.
    await byTestId(page, 'case-approve').click();
    await byTestId(page, 'prompt-input').fill('buyers in the US; Interpol asked for the case');
    await byTestId(page, 'prompt-ok').click();
    await page.waitForFunction(() => /approved/.test(document.querySelectorAll('[data-testid="case-recipient"]')[1]?.textContent || ''));
    assert.equal(await byTestId(page, 'case-approve').count(), 0);
    await openSection(page, 'cases');
    await listLoaded(page, 'referrals');
    assert.ok(await byTestId(page, 'referral-link').filter({ hasText: 'Replica handbags' }).count() >= 1);
    await page.close();
    assertNoProblems();
  });

  test('officer: opens the case and works it through to closed with raid data and a file', { timeout: 60_000 }, async () => {
    const page = await loginAs('officer');
    await openSection(page, 'cases');
    await listLoaded(page, 'referrals');
    await shot(page, 'cases-officer-list');
    await byTestId(page, 'referral-link').filter({ hasText: 'Replica handbags' }).click();
    await page.waitForURL(`**/#/cases/referral/${referralId}`);
    await byTestId(page, 'case-status').waitFor({ state: 'visible' });
    assert.equal(await byTestId(page, 'case-history-empty').count(), 1);
    // No approval and no label controls for officers.
    assert.equal(await byTestId(page, 'case-approve').count(), 0);
    assert.equal(await byTestId(page, 'case-tlp-select').count(), 0);
    // The evidence archive answers with the signed tar.gz.
    const ev = await fetchIn(page, await byTestId(page, 'case-evidence').getAttribute('href'));
    assert.equal(ev.status, 200);
    assert.equal(ev.type, 'application/gzip');
    assert.ok(ev.size > 100);

    await update(page, { 'case-update-note': 'test purchase made; warehouse located' }, 'investigating');
    assert.match(await byTestId(page, 'case-history').textContent(), /investigating — test purchase made/);
    // The status list offers only the way forward.
    const options = await byTestId(page, 'case-update-status').locator('option').allTextContents();
    assert.deepEqual(options, ['investigating', 'raid', 'prosecuted', 'closed']);

    // A value without a currency is refused by the server, shown next to the form.
    await byTestId(page, 'case-update-status').selectOption('raid');
    await byTestId(page, 'case-update-value').fill('250000.00');
    await byTestId(page, 'case-update-save').click();
    await byTestId(page, 'case-update-error').waitFor({ state: 'visible' });
    assert.match(await byTestId(page, 'case-update-error').textContent(), /currency/);
    assert.equal(await byTestId(page, 'case-status').textContent(), 'investigating');

    await update(page, {
      'case-update-raid-date': '2026-11-20', 'case-update-arrests': '3', 'case-update-units': '1200',
      'case-update-value': '250000.00', 'case-update-currency': 'cny', 'case-update-result': 'confirmed',
      'case-update-note': 'warehouse raided',
    }, 'raid');
    const outcome = await byTestId(page, 'case-outcome').textContent();
    assert.match(outcome, /confirmed/);
    assert.match(outcome, /2026-11-20/);
    assert.match(outcome, /Arrests3/);
    assert.match(outcome, /Units seized1200/);
    assert.match(outcome, /250000\.00 CNY/);
    assert.match(outcome, /network was banned/);
    await shot(page, 'cases-officer-raid');

    // Attach the raid report (a PDF): listed with its type, named in the history.
    await byTestId(page, 'case-file-input').setInputFiles({ name: 'raid-report.pdf', mimeType: 'application/pdf', buffer: PDF });
    await byTestId(page, 'case-file-note').fill('signed by the team lead');
    await byTestId(page, 'case-file-upload').click();
    await byTestId(page, 'case-file').waitFor({ state: 'visible' });
    assert.match(await byTestId(page, 'case-file').textContent(), /raid-report\.pdf.*application\/pdf.*signed by the team lead/);
    assert.match(await byTestId(page, 'case-history').textContent(), /file attached: raid-report\.pdf/);

    await update(page, { 'case-update-note': 'charges filed' }, 'prosecuted');
    await update(page, { 'case-update-note': 'sentenced; case closed' }, 'closed');
    assert.equal(await byTestId(page, 'case-update-form').count(), 0, 'a closed case takes no more updates');
    assert.equal(await byTestId(page, 'case-history').locator('li').count(), 5);
    await shot(page, 'cases-officer-closed');
    await page.close();
    assertNoProblems();
  });

  test('right holder: sees the outcome shared with it and opens a litigation file', { timeout: 40_000 }, async () => {
    const page = await loginAs('rightholder');
    await openSection(page, 'cases');
    await listLoaded(page, 'referrals');
    const row = byTestId(page, 'referrals-row').filter({ hasText: 'Replica handbags' });
    assert.match(await row.textContent(), /closed.*confirmed, raid 2026-11-20, 3 arrests, 1200 units seized, 250000\.00 CNY/);
    await listLoaded(page, 'litigation');
    await byTestId(page, 'litigation-seller').fill(shopId);
    await byTestId(page, 'litigation-title').fill('Brand v. Pearl River Replica Shop');
    await byTestId(page, 'litigation-from').fill('2026-01-01');
    await byTestId(page, 'litigation-to').fill('2026-11-30');
    await byTestId(page, 'litigation-submit').click();
    await page.waitForURL(/#\/cases\/litigation\/[0-9A-Z]{26}$/);
    await byTestId(page, 'litigation-facts').waitFor({ state: 'visible' });
    assert.match(await byTestId(page, 'litigation-facts').textContent(), /2026-01-01 – 2026-11-30/);
    await byTestId(page, 'damages-empty').waitFor({ state: 'visible' });
    const bundle = await fetchIn(page, await byTestId(page, 'litigation-bundle').getAttribute('href'));
    assert.equal(bundle.status, 200);
    assert.equal(bundle.type, 'application/gzip');
    const csv = await fetchIn(page, await byTestId(page, 'litigation-csv').getAttribute('href'));
    assert.equal(csv.status, 200);
    assert.match(csv.type, /^text\/csv/);
    await shot(page, 'cases-rightholder-litigation');
    await openSection(page, 'cases');
    await listLoaded(page, 'litigation');
    assert.equal(await byTestId(page, 'litigation-link').filter({ hasText: 'Pearl River' }).count(), 1);
    await page.close();
    assertNoProblems();
  });
});
