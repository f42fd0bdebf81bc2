// reports.test.mjs — the reporting routes over HTTP against the real server:
// a notice is filed and upheld, and the metrics of the period move by exactly
// that notice for the platform, the right holder who filed it and the seller
// it concerns; an officer sees only referral numbers; the public transparency
// report (JSON and CSV) and the DSA statements-of-reasons export validate
// against their JSON Schemas (docs/schemas, with ajv); bad filters are 422;
// the `iprshield report` command gives the same numbers. Every metric's value
// on a data set with known answers is checked in tests/unit/test_reports.c.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import Ajv from 'ajv';
import { PDF, assertProblem, multipart, startServer, unique } from './lib.mjs';

const SCHEMAS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'schemas');

async function validators() {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  for (const f of ['metrics', 'transparency', 'statement']) {
    ajv.addSchema(JSON.parse(await fs.readFile(path.join(SCHEMAS, `${f}.schema.json`), 'utf8')), `${f}.schema.json`);
  }
  const check = (name) => {
    const v = ajv.getSchema(`${name}.schema.json`);
    return (doc) => assert.ok(v(doc), `${name}: ${ajv.errorsText(v.errors)} in ${JSON.stringify(doc).slice(0, 400)}`);
  };
  return { metrics: check('metrics'), transparency: check('transparency'), statement: check('statement') };
}

describe('reports', () => {
  let srv;
  let V;
  const S = {};
  let noticeId;
  let listingId;
  const from = new Date(Date.now() - 3600_000).toISOString();
  const to = new Date(Date.now() + 3600_000).toISOString();
  const q = `?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const get = (who, p) => srv.request('GET', p, who ? { session: who } : {});
  const metrics = async (who, extra = '') => {
    const r = await get(who, `/api/v1/reports/metrics${q}${extra}`);
    assert.equal(r.status, 200, r.text);
    V.metrics(r.body);
    return r.body;
  };
  const before0 = {};

  before(async () => {
    V = await validators();
    srv = await startServer();
    for (const role of ['admin', 'reviewer', 'rightholder', 'seller', 'officer', 'auditor']) S[role] = await srv.loginAs(role);
    for (const role of ['admin', 'rightholder', 'seller']) before0[role] = await metrics(S[role]);

    // A verified trademark of the right holder, a listing of the seller, a notice, upheld.
    const meta = { kind: 'trademark', mark_text: 'REPORTA', registration_number: `TM-${unique('r')}`, office: 'EUIPO', nice_classes: [25], valid_from: '2020-01-01', valid_to: '2099-12-31' };
    const m = multipart([{ name: 'right', value: JSON.stringify(meta) }, { name: 'certificate', value: PDF, filename: 'c.pdf' }]);
    const reg = await srv.request('POST', '/api/v1/rights', { session: S.rightholder, body: m.body, contentType: m.contentType });
    assert.equal(reg.status, 201, reg.text);
    const ok = await srv.request('POST', `/api/v1/rights/${reg.body.id}/decision`, { session: S.reviewer, json: { decision: 'verified', reason: 'checked' } });
    assert.equal(ok.status, 200, ok.text);
    listingId = unique('RPT').replace(/[^A-Za-z0-9._:-]/g, '');
    const l = await srv.request('POST', '/api/v1/listings', { session: S.seller, json: { id: listingId, title: 'REPORTA bag replica', description: 'cheap', price: '9.90', currency: 'EUR', category: 'bags', images: [], ship_from: 'CN', units_sold: 0 } });
    assert.equal(l.status, 201, l.text);
    const n = await srv.request('POST', '/api/v1/notices', { session: S.rightholder, json: {
      right_id: reg.body.id, kind: 'counterfeit', explanation: 'The listing sells counterfeit REPORTA bags.',
      notifier_name: 'Ada Brand', notifier_email: 'ada@brand.example', good_faith: true, accuracy: true,
      signature: 'Ada Brand', listings: [listingId], evidence_urls: ['https://evidence.example/buy.jpg'],
    } });
    assert.equal(n.status, 201, n.text);
    noticeId = n.body.id;
    const d = await srv.request('POST', `/api/v1/notices/${noticeId}/decision`, { session: S.reviewer, json: { decision: 'uphold', reason: 'test buy confirms counterfeit' } });
    assert.equal(d.status, 200, d.text);
  });
  after(async () => { if (srv) await srv.stop(); });

  test('the metrics move by the notice for the platform, its right holder and its seller', async () => {
    for (const role of ['admin', 'rightholder', 'seller']) {
      const b = before0[role];
      const a = await metrics(S[role]);
      assert.equal(a.notices.received - b.notices.received, 1, role);
      assert.equal(a.notices.by_kind.counterfeit - b.notices.by_kind.counterfeit, 1, role);
      assert.equal(a.actions.takedowns - b.actions.takedowns, 1, role);
      assert.equal(a.removals.notice_driven - b.removals.notice_driven, 1, role);
      assert.equal(a.removals.before_any_sale - b.removals.before_any_sale, 1, role);
      assert.ok(a.notices.time_to_action.items >= 1);
    }
    const admin = await metrics(S.admin);
    assert.deepEqual(admin.scope, { kind: 'all', org_id: null });
    assert.deepEqual(admin.period, { from: admin.period.from, to: admin.period.to });
    const rh = await metrics(S.rightholder);
    assert.deepEqual(rh.scope, { kind: 'rightholder', org_id: S.rightholder.body.org.id });
    assert.ok(rh.alliance.by_member.every((x) => x.org_id === S.rightholder.body.org.id));
    const seller = await metrics(S.seller);
    assert.equal(seller.scope.kind, 'seller');
    for (const k of ['detections', 'referrals', 'alliance', 'misuse']) assert.equal(seller[k], undefined, k);
    const officer = await metrics(S.officer);
    assert.equal(officer.scope.kind, 'agency');
    assert.deepEqual(Object.keys(officer).sort(), ['filters', 'period', 'referrals', 'scope']);
    const auditor = await metrics(S.auditor);
    assert.equal(auditor.notices.received, admin.notices.received);
  });

  test('a brand filter narrows the numbers and a foreign brand gives a right holder nothing', async () => {
    const mine = await metrics(S.admin, '&brand=REPORTA-no-such-term');
    assert.equal(mine.notices.received, 0);
    assert.equal(mine.filters.brand, 'REPORTA-no-such-term');
    const own = await metrics(S.admin, `&brand=${S.rightholder.body.org.id}`);
    const rh = await metrics(S.rightholder);
    assert.equal(own.notices.received, rh.notices.received);
    const cn = await metrics(S.admin, '&jurisdiction=cn');
    assert.equal(cn.filters.jurisdiction, 'CN');
  });

  test('bad filters are 422 problems naming the field', async () => {
    for (const [qs, field] of [['?from=yesterday', 'from'], [`?from=${encodeURIComponent(to)}&to=${encodeURIComponent(from)}`, 'from'], ['?jurisdiction=ZZ-XXX', 'jurisdiction'], [`?brand=${'b'.repeat(201)}`, 'brand']]) {
      const r = await get(S.admin, `/api/v1/reports/metrics${qs}`);
      assertProblem(r, 422, 'invalid');
      assert.ok(r.body.errors.some((e) => e.field === field), r.text);
    }
    assertProblem(await get(null, `/api/v1/reports/transparency${q}&format=xml`), 422, 'invalid');
    assertProblem(await get(S.admin, '/api/v1/reports/statements?to=never'), 422, 'invalid');
    assertProblem(await get(null, `/api/v1/reports/metrics${q}`), 401, 'unauthenticated');
  });

  test('the transparency report is public, validates, and its CSV carries the same numbers', async () => {
    const r = await get(null, `/api/v1/reports/transparency${q}`);
    assert.equal(r.status, 200, r.text);
    V.transparency(r.body);
    const admin = await metrics(S.admin);
    assert.equal(r.body.notices.received, admin.notices.received);
    assert.equal(r.body.scope, undefined);
    assert.equal(r.body.referrals.by_agency, undefined);
    const c = await get(null, `/api/v1/reports/transparency${q}&format=csv`);
    assert.equal(c.status, 200, c.text);
    assert.match(c.headers.get('content-type'), /^text\/csv/);
    assert.match(c.headers.get('content-disposition'), /transparency-report\.csv/);
    const lines = c.text.split('\r\n');
    assert.equal(lines[0], 'section,metric,key,value');
    assert.ok(lines.includes(`notices,received,,${r.body.notices.received}`), c.text.slice(0, 400));
    assert.ok(lines.includes(`actions,takedowns,,${r.body.actions.takedowns}`));
    assert.ok(lines.includes(`notices,by_kind,counterfeit,${r.body.notices.by_kind.counterfeit}`));
  });

  test('the DSA export has the upheld takedown as a valid statement of reasons', async () => {
    const r = await get(S.admin, `/api/v1/reports/statements${q}`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^application\/x-ndjson/);
    const lines = r.text.split('\n').filter((x) => x.length);
    assert.equal(Number(r.headers.get('x-statement-count')), lines.length);
    const all = lines.map((x) => JSON.parse(x));
    all.forEach(V.statement);
    const s = all.find((x) => x.puid === `${noticeId}:${listingId}`);
    assert.ok(s, 'the takedown has its statement');
    assert.deepEqual(s.decision_visibility, ['DECISION_VISIBILITY_CONTENT_REMOVED']);
    assert.equal(s.decision_ground, 'DECISION_GROUND_ILLEGAL_CONTENT');
    assert.deepEqual(s.content_type, ['CONTENT_TYPE_PRODUCT']);
    assert.equal(s.category, 'STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS');
    assert.deepEqual(s.category_specification, ['KEYWORD_TRADEMARK_INFRINGEMENT']);
    assert.equal(s.source_type, 'SOURCE_ARTICLE_16');
    assert.equal(s.automated_decision, 'AUTOMATED_DECISION_NOT_AUTOMATED');
    assert.equal(s.illegal_content_explanation, 'The listing sells counterfeit REPORTA bags.');
    assert.equal(s.application_date, new Date().toISOString().slice(0, 10));
    assertProblem(await get(S.rightholder, `/api/v1/reports/statements${q}`), 403, 'forbidden');
    assertProblem(await get(S.seller, `/api/v1/reports/statements${q}`), 403, 'forbidden');
    const auditor = await get(S.auditor, `/api/v1/reports/statements${q}`);
    assert.equal(auditor.status, 200);
  });

  test('iprshield report gives the operator the same numbers and exports', async () => {
    const admin = await metrics(S.admin);
    const m = await srv.cli(['report', 'metrics', '--from', from, '--to', to, '--db', srv.db]);
    assert.equal(m.code, 0, m.stderr);
    const doc = JSON.parse(m.stdout);
    V.metrics(doc);
    assert.equal(doc.notices.received, admin.notices.received);
    const c = await srv.cli(['report', 'transparency', '--from', from, '--to', to, '--format', 'csv', '--db', srv.db]);
    assert.equal(c.code, 0, c.stderr);
    assert.ok(c.stdout.startsWith('section,metric,key,value\r\n'));
    const st = await srv.cli(['report', 'statements', '--from', from, '--to', to, '--db', srv.db]);
    assert.equal(st.code, 0, st.stderr);
    assert.ok(st.stdout.split('\n').some((x) => x.includes(`"puid":"${noticeId}:${listingId}"`)));
    const bad = await srv.cli(['report', 'metrics', '--from', 'yesterday', '--db', srv.db]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /from/);
    const usage = await srv.cli(['report', 'statements', '--format', 'csv', '--db', srv.db]);
    assert.equal(usage.code, 2);
  });
});
