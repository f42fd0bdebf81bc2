// journeys_lib.mjs — setting the scene for the journeys*.test.mjs files
// through the API (fast), so that each browser journey starts where the
// role's day starts. Not a test file itself.
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { BIN, START_MS, run, parseSeed, byTestId, createHarness, testDb } from './lib.mjs';
import { PDF, login, multipart, request } from '../e2e/lib.mjs';

/** A session of the seeded user of role on the harness's server. */
export function sessionOf(h, role) {
  const u = h.seeded.find((x) => x.role === role);
  return login(h.baseURL, u.email, u.password);
}

/** POST as session; assert the status; the answer's body. */
export async function post(h, session, path, json, status = 201) {
  const r = await request(h.baseURL, 'POST', path, { session, json });
  assert.equal(r.status, status, `${path}: ${r.text}`);
  return r.body;
}

/**
 * The seeded right holder's trademark `mark`, verified by the seeded
 * reviewer; the seeded seller's listing {id, title}; a notice of the right
 * holder against it (state under_review). Returns {rightId, noticeId}.
 */
export async function noticeScene(h, { mark, number, listing, explanation }) {
  const [holder, reviewer, seller] = [await sessionOf(h, 'rightholder'), await sessionOf(h, 'reviewer'), await sessionOf(h, 'seller')];
  const m = multipart([{ name: 'right', value: JSON.stringify({ kind: 'trademark', mark_text: mark, registration_number: number, office: 'EUIPO', nice_classes: [14], valid_from: '2020-01-01', valid_to: '2099-12-31' }) },
    { name: 'certificate', value: PDF, filename: 'c.pdf' }]);
  const right = await request(h.baseURL, 'POST', '/api/v1/rights', { session: holder, body: m.body, contentType: m.contentType });
  assert.equal(right.status, 201, right.text);
  await post(h, reviewer, `/api/v1/rights/${right.body.id}/decision`, { decision: 'verified', reason: 'register checked' }, 200);
  await post(h, seller, '/api/v1/listings', { id: listing.id, title: listing.title, description: 'as pictured', price: '25.00', currency: 'EUR', category: 'accessories', images: [], ship_from: 'CN', units_sold: 0 });
  const n = await post(h, holder, '/api/v1/notices', { right_id: right.body.id, kind: 'counterfeit', explanation, notifier_name: 'Mara Enz', notifier_email: 'mara@brand.example', good_faith: true, accuracy: true, signature: 'Mara Enz', listings: [listing.id], evidence_urls: ['https://evidence.example/test-buy'] });
  return { rightId: right.body.id, noticeId: n.id };
}

/* ---- the accessibility tour (journeys_a11y*.test.mjs) ------------------------ */
function a11yExpectedFailure(url, status) {
  const p = new URL(url).pathname;
  if (p === '/api/v1/me' && status === 401) return true;                                    // before login
  if (/^\/api\/v1\/alliance\/members\/[0-9A-Z]{26}$/.test(p) && status === 404) return true; // not a member yet
  if (p === '/api/v1/ledger/checkpoint' && status === 404) return true;                     // empty ledger
  return false;
}

/** Problems of the current page's main area, as readable strings. */
const pageProblems = (page) => page.evaluate(() => {
  const out = [];
  const visible = (el) => el.offsetParent !== null || el.getClientRects().length > 0;
  const describe = (el) => el.outerHTML.slice(0, 140);
  for (const el of document.querySelectorAll('#main input, #main select, #main textarea, #main button, #main a[href]')) {
    if (!visible(el) || el.type === 'hidden' || el.hidden) continue;
    const labelled = (el.labels && [...el.labels].some((l) => l.textContent.trim()))
      || (el.getAttribute('aria-label') || '').trim() || el.getAttribute('aria-labelledby')
      || ((el.tagName === 'BUTTON' || el.tagName === 'A') && el.textContent.trim())
      || el.getAttribute('title');
    if (!labelled) out.push(`no accessible name: ${describe(el)}`);
    const ti = el.getAttribute('tabindex');
    if (ti !== null && Number(ti) > 0) out.push(`positive tabindex reorders the Tab order: ${describe(el)}`);
    if (ti === '-1' && !el.disabled) out.push(`visible control skipped by Tab: ${describe(el)}`);
  }
  if (document.querySelectorAll('#main h1').length !== 1) out.push(`expected one <h1>, found ${document.querySelectorAll('#main h1').length}`);
  return out;
});

/**
 * Register, in the calling test file, the tour of every section of each of
 * roles (see journeys_a11y.test.mjs for what is checked on each page).
 */
export function a11yTour(file, roles) {
  const h = createHarness({ name: file, watchdogMs: 5 * 60_000, expectedFailure: a11yExpectedFailure });
  describe(`every page of ${roles.join(', ')} is labelled and keyboard-reachable`, () => {
    before(async () => {
      const workDir = h.makeWorkDir('iprs-a11y-');
      const db = testDb(workDir);
      const { stdout } = await run(BIN, ['demo', 'seed', '--db', db, '--json'], START_MS);
      h.seeded = parseSeed(stdout);
      await h.startServer(db);
      await h.launch(workDir);
    }, { timeout: 3 * START_MS });

    after(async () => { await h.close(); }, { timeout: 40_000 });

    for (const role of roles) {
      test(`${role}: every section`, { timeout: 45_000 }, async () => {
        const page = await h.loginAs(role, `a11y-${role}`);
        const sections = await page.locator('[data-testid^="nav-"][data-section]').evaluateAll((as) => as.map((a) => a.dataset.section));
        assert.ok(sections.length >= 2, `${role} has sections`);
        const found = [];
        const start = new URL(page.url()).hash.replace(/^#\//, '');   // no navigation, no focus move
        for (const s of sections) {
          await byTestId(page, `nav-${s}`).click();
          await page.waitForURL(`**/#/${s}`);
          await page.locator('#main h1').first().waitFor({ state: 'visible' });
          // lists and forms fill in after their fetches; settle on no busy marker
          await page.waitForFunction(() => !document.querySelector('#main [aria-busy="true"]'), null, { timeout: 10_000 });
          const focusedIsHeading = await page.evaluate(() => document.activeElement?.tagName === 'H1');
          if (!focusedIsHeading && s !== start) found.push(`[${s}] the heading does not take the focus`);
          for (const p of await pageProblems(page)) found.push(`[${s}] ${p}`);
        }
        await h.shot(page, `a11y-${role}-last-section`);
        assert.deepEqual(found, [], `${role}:\n${found.join('\n')}`);
        await h.logout(page);
        h.assertNoProblems();
      });
    }
  });
}
