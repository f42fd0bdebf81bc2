// reports.test.mjs — the Reports dashboard in chromium:
//   admin: opens Reports and sees every organisation's numbers with the
//     upheld notice counted, the charts drawn by Chart.js (canvas), the
//     transparency report table with JSON and CSV downloads that answer, the
//     DSA export link; filters by a brand nobody has and gets the empty
//     states; a bad period (to before from) is refused with the server's
//     message;
//   right holder: opens Reports and sees only its own numbers (no DSA
//     export, its own alliance row only).
// The notice is filed and upheld through the API (journeys_lib.mjs).
// Screenshots: $IPRSHIELD_SCREENSHOTS.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { BIN, START_MS, run, parseSeed, byTestId, createHarness, testDb } from './lib.mjs';
import { noticeScene, post, sessionOf } from './journeys_lib.mjs';

function expectedFailure(url, status) {
  const u = new URL(url);
  if (u.pathname === '/api/v1/me' && status === 401) return true;            // the page load before login
  if (u.pathname === '/api/v1/reports/metrics' && status === 422) return true; // the deliberately bad period
  if (u.pathname === '/api/v1/reports/transparency' && status === 422) return true;
  return false;
}

const h = createHarness({ name: 'reports.test.mjs', watchdogMs: 5 * 60_000, expectedFailure });
const { assertNoProblems, shot, loginAs, openSection } = h;

describe('reports dashboards', () => {
  before(async () => {
    const workDir = h.makeWorkDir('iprs-reports-');
    const db = testDb(workDir);
    const { stdout } = await run(BIN, ['demo', 'seed', '--db', db, '--json'], START_MS);
    h.seeded = parseSeed(stdout);
    await h.startServer(db);
    const { noticeId } = await noticeScene(h, { mark: 'VELLURA', number: 'TM-88001', listing: { id: 'VL-1', title: 'Vellura handbag copy' },
      explanation: 'A copy of the Vellura handbag.' });
    await post(h, await sessionOf(h, 'reviewer'), `/api/v1/notices/${noticeId}/decision`, { decision: 'uphold', reason: 'test buy' }, 200);
    await h.launch(workDir);
  }, { timeout: 3 * START_MS });

  after(async () => { await h.close(); }, { timeout: 40_000 });

  test('admin: the platform dashboard with charts, the transparency report and the DSA export', { timeout: 60_000 }, async () => {
    const page = await loginAs('admin');
    await openSection(page, 'reports');
    const notices = byTestId(page, 'reports-notices');
    await notices.waitFor({ state: 'visible' });
    assert.match(await byTestId(page, 'reports-scope').textContent(), /Every organisation/);
    const received = Number((await notices.locator('dd').first().textContent()).trim());
    assert.ok(received >= 1, `received ${received}`);
    // Chart.js loaded from the embedded UMD build and drew the charts.
    assert.equal(await page.evaluate(() => typeof window.Chart), 'function');
    await byTestId(page, 'chart-notices-kind').locator('canvas').waitFor({ state: 'visible' });
    assert.ok(await page.evaluate(() => window.Chart.getChart(document.querySelector('[data-testid="chart-notices-kind"] canvas')) !== undefined));
    assert.match(await byTestId(page, 'chart-notices-kind').textContent(), /counterfeit: [1-9]/);
    await byTestId(page, 'chart-removals').waitFor({ state: 'visible' });
    await byTestId(page, 'reports-statements').waitFor({ state: 'visible' });
    // The transparency report: a table of every number, and downloads that answer.
    const tr = byTestId(page, 'reports-transparency-table');
    await byTestId(page, 'reports-transparency-details').locator('summary').click();
    await tr.waitFor({ state: 'visible' });
    assert.ok(await tr.locator('tbody tr').count() > 20);
    const csvHref = await byTestId(page, 'reports-transparency-csv').getAttribute('href');
    assert.match(csvHref, /format=csv/);
    const csv = await page.evaluate(async (href) => { const r = await fetch(href); return { status: r.status, type: r.headers.get('content-type'), text: await r.text() }; }, csvHref);
    assert.equal(csv.status, 200);
    assert.match(csv.type, /^text\/csv/);
    assert.ok(csv.text.startsWith('section,metric,key,value\r\n'));
    const sor = await page.evaluate(async (href) => { const r = await fetch(href); return { status: r.status, text: await r.text() }; },
      await byTestId(page, 'reports-statements').getAttribute('href'));
    assert.equal(sor.status, 200);
    assert.ok(sor.text.includes('"puid"'));
    await shot(page, 'reports-admin');

    // A brand nobody has: the numbers drop to zero and the charts give way to empty states.
    await byTestId(page, 'reports-brand').fill('no-such-brand');
    await byTestId(page, 'reports-brand').press('Enter');
    await page.waitForFunction(() => /Nothing in this period/.test(document.querySelector('[data-testid="chart-notices-kind"]')?.textContent || ''));
    assert.equal((await notices.locator('dd').first().textContent()).trim(), '0');
    assert.match(page.url(), /brand=no-such-brand/);
    await shot(page, 'reports-admin-empty');

    // A period that ends before it starts: the server's message next to the dashboard.
    await byTestId(page, 'reports-brand').fill('');
    await byTestId(page, 'reports-from').fill('2026-03-01');
    await byTestId(page, 'reports-to').fill('2026-02-01');
    await byTestId(page, 'reports-apply').click();
    await byTestId(page, 'reports-error').waitFor({ state: 'visible' });
    assert.match(await byTestId(page, 'reports-error').textContent(), /before/);
    await shot(page, 'reports-admin-bad-period');
    await page.close();
    assertNoProblems();
  });

  test('right holder: only its own numbers', { timeout: 40_000 }, async () => {
    const page = await loginAs('rightholder');
    await openSection(page, 'reports');
    await byTestId(page, 'reports-notices').waitFor({ state: 'visible' });
    assert.match(await byTestId(page, 'reports-scope').textContent(), /Only your organisation/);
    assert.equal(await byTestId(page, 'reports-statements').count(), 0, 'no DSA export for right holders');
    const received = Number((await byTestId(page, 'reports-notices').locator('dd').first().textContent()).trim());
    assert.ok(received >= 1, 'its own notice is counted');
    const rows = byTestId(page, 'reports-alliance-members').locator('tbody tr');
    const n = await rows.count();
    assert.ok(n <= 1, `at most its own alliance row, got ${n}`);
    await byTestId(page, 'chart-notices-kind').locator('canvas').waitFor({ state: 'visible' });
    await shot(page, 'reports-rightholder');
    await page.close();
    assertNoProblems();
  });
});
