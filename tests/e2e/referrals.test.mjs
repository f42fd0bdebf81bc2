// referrals.test.mjs — law-enforcement referrals over HTTP: a reviewer
// refers a seller shipping from Guangdong; the demo officer (Guangdong
// Market Regulation) sees it and works it, an officer of another agency gets
// 404, the seller sees nothing; the evidence archive downloads, lands in the
// audit log and verifies offline with `iprshield evidence verify`; a file
// the officer attaches is listed in the case and held by the next export.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { PDF, STRONG_PASSWORD, assertProblem, listAll, multipart, startServer, unique } from './lib.mjs';

describe('law-enforcement referrals', () => {
  let srv;
  const S = {};
  let shop;       // the referred seller org
  let otherOfficer;
  let referral;

  const get = (who, p) => srv.request('GET', p, { session: who });
  const post = (who, p, json) => srv.request('POST', p, { session: who, json });

  before(async () => {
    srv = await startServer();
    for (const role of ['admin', 'reviewer', 'rightholder', 'seller', 'officer', 'auditor']) S[role] = await srv.loginAs(role);
    // A seller shipping from Guangdong, through the catalog import.
    const ext = unique('e2e-shop-');
    const file = path.join(srv.dir, 'sellers.jsonl');
    await fs.writeFile(file, JSON.stringify({ id: ext, name: 'E2E Shop', ship_from: 'CN-GD', identifiers: { phone: '+8613800000099' } }) + '\n');
    const imp = await srv.cli(['import', 'sellers', file, '--db', srv.db]);
    assert.equal(imp.code, 0, imp.stderr);
    const orgs = await listAll(srv, '/api/v1/orgs', { session: S.admin });
    shop = orgs.find((o) => o.kind === 'seller' && o.name.includes(ext));
    assert.ok(shop, 'the imported seller org exists');
    // An officer of another agency (seeded by demo seed, with an agreement for CN-ZJ).
    const zj = orgs.find((o) => o.name === 'Zhejiang Market Regulation');
    assert.ok(zj, 'demo seed made the Zhejiang agency');
    const email = `${unique('zj')}@example.org`;
    const u = await post(S.admin, '/api/v1/users', { email, password: STRONG_PASSWORD, role: 'officer', org_id: zj.id });
    assert.equal(u.status, 201, u.text);
    otherOfficer = await srv.login(email, STRONG_PASSWORD);
  });
  after(async () => { if (srv) await srv.stop(); });

  test('demo seed has the agencies with their jurisdictions and agreements', async () => {
    const list = await listAll(srv, '/api/v1/agencies', { session: S.reviewer });
    const names = list.map((a) => a.name);
    for (const n of ['Guangdong Market Regulation', 'State Administration for Market Regulation', 'California eCrime Unit', 'Interpol IP Crime Unit']) {
      assert.ok(names.includes(n), `${n} is an agency`);
    }
    const interpol = list.find((a) => a.name === 'Interpol IP Crime Unit');
    assert.equal(interpol.cross_border, true);
    assert.equal(interpol.country, null);
    const gd = await get(S.officer, `/api/v1/agencies/${S.officer.body.org.id}`);
    assert.equal(gd.status, 200, gd.text);
    assert.deepEqual(gd.body.jurisdictions, ['CN-GD']);
    assert.equal(gd.body.mou.from, '2024-01-01');
    assertProblem(await get(S.seller, '/api/v1/agencies'), 403, 'forbidden');
    assertProblem(await srv.request('PUT', `/api/v1/agencies/${gd.body.org_id}`, { session: S.reviewer, json: { country: 'CN', jurisdictions: ['CN-GD'] } }), 403, 'forbidden');
    assertProblem(await srv.request('PUT', `/api/v1/agencies/${gd.body.org_id}`, { session: S.admin, json: { country: 'CN', jurisdictions: ['CN-XX'] } }), 422, 'invalid');
  });

  test('a reviewer refers the seller: routed to Guangdong, the cross-border body waits for approval', async () => {
    assertProblem(await post(S.rightholder, '/api/v1/referrals', { seller_org_id: shop.id, summary: 'x' }), 403, 'forbidden');
    assertProblem(await post(S.reviewer, '/api/v1/referrals', { seller_org_id: shop.id, summary: 'x', tlp: 'PURPLE' }), 422, 'invalid');
    const r = await post(S.reviewer, '/api/v1/referrals', {
      seller_org_id: shop.id, summary: 'replica handbags shipped from Guangzhou', tlp: 'AMBER', buyer_countries: ['US'],
    });
    assert.equal(r.status, 201, r.text);
    referral = r.body;
    assert.equal(referral.status, 'received');
    assert.equal(referral.ship_from, 'CN-GD');
    const primary = referral.recipients.find((x) => x.kind === 'primary');
    assert.equal(primary.agency_org_id, S.officer.body.org.id);
    assert.equal(primary.shared, true);
    const cross = referral.recipients.find((x) => x.kind === 'cross_border');
    assert.equal(cross.name, 'Interpol IP Crime Unit');
    assert.equal(cross.shared, false);
    assert.match(referral.evidence.sha256, /^[0-9a-f]{64}$/);
  });

  test('the officer of the routed agency sees it; another agency 404; the seller nothing', async () => {
    const mine = await get(S.officer, `/api/v1/referrals/${referral.id}`);
    assert.equal(mine.status, 200, mine.text);
    assert.equal(mine.body.id, referral.id);
    const listed = await listAll(srv, '/api/v1/referrals', { session: S.officer });
    assert.ok(listed.some((x) => x.id === referral.id));
    assertProblem(await get(otherOfficer, `/api/v1/referrals/${referral.id}`), 404, 'not-found');
    const theirs = await listAll(srv, '/api/v1/referrals', { session: otherOfficer });
    assert.ok(!theirs.some((x) => x.id === referral.id));
    assertProblem(await get(otherOfficer, `/api/v1/referrals/${referral.id}/evidence`), 404, 'not-found');
    assertProblem(await get(S.seller, `/api/v1/referrals/${referral.id}`), 404, 'not-found');
    assertProblem(await get(S.seller, '/api/v1/referrals'), 403, 'forbidden');
    assertProblem(await get(S.seller, `/api/v1/referrals/${referral.id}/evidence`), 404, 'not-found');
  });

  test('the evidence downloads, is audited, and verifies offline with the CLI', async () => {
    const res = await fetch(`${srv.base}/api/v1/referrals/${referral.id}/evidence`, { headers: { cookie: S.officer.cookie } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/gzip');
    const bytes = Buffer.from(await res.arrayBuffer());
    const file = path.join(srv.dir, 'evidence.tar.gz');
    await fs.writeFile(file, bytes);
    const key = await srv.request('GET', '/api/v1/ledger/key');
    assert.equal(key.status, 200, key.text);
    const ok = await srv.cli(['evidence', 'verify', file, '--key', key.body.verifier_key]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`verified: referral ${referral.id}`));
    // Another key: the signature does not verify (exit 1).
    const other = await srv.cli(['evidence', 'verify', file, '--key', 'someone+01020304+AQ' + 'A'.repeat(42) + '=']);
    assert.notEqual(other.code, 0);
    // Not an archive at all: exit 4.
    const junk = path.join(srv.dir, 'junk.tar.gz');
    await fs.writeFile(junk, 'not an archive');
    const bad = await srv.cli(['evidence', 'verify', junk, '--key', key.body.verifier_key]);
    assert.equal(bad.code, 4, bad.stderr);
    const audit = await get(S.admin, '/api/v1/audit?limit=200');
    assert.equal(audit.status, 200, audit.text);
    assert.ok(audit.body.items.some((e) => e.action === 'evidence.read' && e.object === referral.id && e.actor === S.officer.body.user.id),
      'the download is in the audit log');
  });

  test('the officer works the case; the right holder concerned sees the outcome only when shared', async () => {
    assertProblem(await post(otherOfficer, `/api/v1/referrals/${referral.id}/updates`, { status: 'investigating' }), 404, 'not-found');
    assertProblem(await post(S.officer, `/api/v1/referrals/${referral.id}/updates`, { status: 'sideways' }), 422, 'invalid');
    const u = await post(S.officer, `/api/v1/referrals/${referral.id}/updates`, { status: 'investigating', note: 'test purchase made' });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.body.status, 'investigating');
    assert.equal(u.body.history.length, 1);
    assertProblem(await post(S.officer, `/api/v1/referrals/${referral.id}/updates`, { status: 'received' }), 422, 'invalid');
    // The demo right holder is not concerned by this referral: AMBER keeps it out.
    assertProblem(await get(S.rightholder, `/api/v1/referrals/${referral.id}`), 404, 'not-found');
    const t = await srv.request('PUT', `/api/v1/referrals/${referral.id}/tlp`, { session: S.reviewer, json: { tlp: 'CLEAR', reason: 'transparency' } });
    assert.equal(t.status, 200, t.text);
    const seen = await get(S.rightholder, `/api/v1/referrals/${referral.id}`);
    assert.equal(seen.status, 200, seen.text);
    assert.equal(seen.body.status, 'investigating');
    assertProblem(await get(S.rightholder, `/api/v1/referrals/${referral.id}/evidence`), 404, 'not-found');
    assertProblem(await get(S.seller, `/api/v1/referrals/${referral.id}`), 404, 'not-found');
  });

  test('the officer attaches a file: listed in the case, held by the next evidence export', async () => {
    const upload = (who, parts) => {
      const m = multipart(parts);
      return srv.request('POST', `/api/v1/referrals/${referral.id}/files`, { session: who, body: m.body, contentType: m.contentType });
    };
    const report = [{ name: 'file', value: PDF, filename: 'raid-report.pdf' }, { name: 'note', value: 'signed by the team lead' }];
    assertProblem(await upload(otherOfficer, report), 404, 'not-found');
    assertProblem(await upload(S.seller, report), 404, 'not-found');
    assertProblem(await upload(S.officer, [{ name: 'note', value: 'no file' }]), 422, 'invalid');
    assertProblem(await upload(S.officer, [{ name: 'file', value: 'plain words', filename: 'x.txt' }]), 415, 'unsupported-media-type');
    const before = (await get(S.officer, `/api/v1/referrals/${referral.id}`)).body;
    const r = await upload(S.officer, report);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.files.length, 1);
    assert.equal(r.body.files[0].name, 'raid-report.pdf');
    assert.equal(r.body.files[0].mime, 'application/pdf');
    assert.ok(r.body.history.some((h) => h.note === 'file attached: raid-report.pdf'));
    assert.notEqual(r.body.evidence.sha256, before.evidence.sha256);
    assertProblem(await upload(S.officer, report), 409, 'conflict');
    // The right holder sees the CLEAR case but not its files (evidence).
    const rh = await get(S.rightholder, `/api/v1/referrals/${referral.id}`);
    assert.equal(rh.status, 200, rh.text);
    assert.deepEqual(rh.body.files, []);
    const res = await fetch(`${srv.base}/api/v1/referrals/${referral.id}/evidence`, { headers: { cookie: S.officer.cookie } });
    assert.equal(res.status, 200);
    const file = path.join(srv.dir, 'evidence-with-file.tar.gz');
    await fs.writeFile(file, Buffer.from(await res.arrayBuffer()));
    const key = await srv.request('GET', '/api/v1/ledger/key');
    const ok = await srv.cli(['evidence', 'verify', file, '--key', key.body.verifier_key]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /verified: referral /);
    const { stdout } = await promisify(execFile)('tar', ['-tzf', file]);
    assert.ok(stdout.split('\n').some((p) => /^files\/[0-9a-f]{64}\.pdf$/.test(p)), stdout);
    assert.ok(stdout.split('\n').includes('files.json'), stdout);
  });
});
