// rights.test.mjs — the rights registry over HTTP: right-holder onboarding,
// agents and their authorisations, rights with certificates and images
// (typed by content, stored once), every state transition, expiry, who sees
// what, bad input that changes nothing, and the administrators' CLI.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PDF, STRONG_PASSWORD, assertProblem, listAll, multipart, startServer, unique } from './lib.mjs';

// A complete 1x1 PNG and a small PDF: libmagic knows both by their content.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
  '1f15c4890000000a49444154789c63000100000500010d0a2db40000000049454e44ae426082', 'hex');
const TEXT = Buffer.from('only words, no certificate here\n');

const trademark = (extra = {}) => ({
  kind: 'trademark', mark_text: 'AURORA', registration_number: `TM-${unique('n')}`, office: 'CN',
  nice_classes: [25, 18], valid_from: '2020-01-01', valid_to: '2099-12-31', ...extra,
});

describe('rights registry', () => {
  let srv;
  const S = {};
  let holderOrg;

  // POST multipart as a session.
  const upload = (path, session, parts) => {
    const m = multipart(parts);
    return srv.request('POST', path, { session, body: m.body, contentType: m.contentType });
  };
  const registerRight = (session, meta, files = [{ name: 'certificate', value: PDF, filename: 'c.pdf', type: 'application/pdf' }]) =>
    upload('/api/v1/rights', session, [{ name: 'right', value: JSON.stringify(meta) }, ...files]);
  const decide = (session, path, decision, reason = 'checked against the register') =>
    srv.request('POST', path, { session, json: { decision, reason } });
  const countRights = async () => (await listAll(srv, '/api/v1/rights', { session: S.admin })).length;

  // Apply as a new right holder, get approved, log in.
  const onboard = async (label) => {
    const email = `${unique(label.replace(/\W/g, '').toLowerCase())}@example.org`;
    const r = await srv.request('POST', '/api/v1/rightholders/apply', {
      json: { org_name: unique(`${label} `), email, password: STRONG_PASSWORD, country: 'DE' },
    });
    assert.equal(r.status, 201, r.text);
    const d = await decide(S.reviewer, `/api/v1/rightholders/${r.body.org.id}/decision`, 'approved');
    assert.equal(d.status, 200, d.text);
    const session = await srv.login(email, STRONG_PASSWORD);
    return { org: r.body.org, session };
  };

  before(async () => {
    srv = await startServer();
    for (const role of ['admin', 'reviewer', 'rightholder', 'seller', 'auditor']) S[role] = await srv.loginAs(role);
    holderOrg = S.rightholder.body.org;
  });
  after(async () => { if (srv) await srv.stop(); });

  describe('onboarding', () => {
    test('an applicant is pending and cannot register rights until a reviewer approves', async () => {
      const email = `${unique('apply')}@Example.org`;
      const name = unique('Applicant Brand ');
      const r = await srv.request('POST', '/api/v1/rightholders/apply', {
        json: { org_name: name, email, password: STRONG_PASSWORD, website: 'https://brand.example', country: 'CN' },
      });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.org.kind, 'rightholder');
      assert.equal(r.body.user.role, 'rightholder');
      assert.equal(r.body.application.status, 'pending');
      assert.equal(r.body.application.org_name, name, 'the application carries the org name');
      const orgId = r.body.org.id;

      const s = await srv.login(email.toLowerCase(), STRONG_PASSWORD);
      const before1 = await countRights();
      const refused = await registerRight(s, trademark());
      assertProblem(refused, 403, 'forbidden');
      assert.match(refused.body.detail, /approv/);
      assert.equal(await countRights(), before1, 'no right created');

      const own = await listAll(srv, '/api/v1/rightholders', { session: s });
      assert.deepEqual(own.map((a) => [a.org_id, a.org_name]), [[orgId, name]]);
      const pending = await listAll(srv, '/api/v1/rightholders?status=pending', { session: S.reviewer });
      assert.ok(pending.some((a) => a.org_id === orgId));
      assertProblem(await srv.request('GET', '/api/v1/rightholders', { session: S.seller }), 403, 'forbidden');

      assertProblem(await decide(s, `/api/v1/rightholders/${orgId}/decision`, 'approved'), 403, 'forbidden');
      const noReason = await srv.request('POST', `/api/v1/rightholders/${orgId}/decision`, { session: S.reviewer, json: { decision: 'approved' } });
      assertProblem(noReason, 422, 'invalid');
      const ok = await decide(S.reviewer, `/api/v1/rightholders/${orgId}/decision`, 'approved', 'trade register extract checked');
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.status, 'approved');
      assertProblem(await decide(S.reviewer, `/api/v1/rightholders/${orgId}/decision`, 'rejected'), 409, 'conflict');

      const accepted = await registerRight(s, trademark());
      assert.equal(accepted.status, 201, accepted.text);
      assert.equal(accepted.body.org_id, orgId);
    });

    test('a rejected applicant stays unable to register', async () => {
      const email = `${unique('rej')}@example.org`;
      const r = await srv.request('POST', '/api/v1/rightholders/apply', {
        json: { org_name: unique('Dubious '), email, password: STRONG_PASSWORD, country: 'US' },
      });
      assert.equal(r.status, 201, r.text);
      const d = await decide(S.reviewer, `/api/v1/rightholders/${r.body.org.id}/decision`, 'rejected', 'no proof of ownership');
      assert.equal(d.body.status, 'rejected');
      const s = await srv.login(email, STRONG_PASSWORD);
      assertProblem(await registerRight(s, trademark()), 403, 'forbidden');
    });

    test('bad applications are refused with every field named, duplicates with 409', async () => {
      const bad = await srv.request('POST', '/api/v1/rightholders/apply', {
        json: { org_name: '', email: 'nope', password: 'short', website: 'javascript:alert(1)', country: 'ZZ' },
      });
      assertProblem(bad, 422, 'invalid');
      const fields = new Set(bad.body.errors.map((e) => e.field));
      for (const f of ['org_name', 'email', 'password', 'website', 'country']) assert.ok(fields.has(f), `error for ${f}`);
      const extra = await srv.request('POST', '/api/v1/rightholders/apply', {
        json: { org_name: 'x', email: 'x@example.org', password: STRONG_PASSWORD, country: 'CN', role: 'admin' },
      });
      assertProblem(extra, 422, 'invalid');
      const dupName = await srv.request('POST', '/api/v1/rightholders/apply', {
        json: { org_name: holderOrg.name, email: `${unique('d')}@example.org`, password: STRONG_PASSWORD, country: 'CN' },
      });
      assertProblem(dupName, 409, 'conflict');
      const dupEmail = await srv.request('POST', '/api/v1/rightholders/apply', {
        json: { org_name: unique('Fresh '), email: srv.users.seller.email, password: STRONG_PASSWORD, country: 'CN' },
      });
      assertProblem(dupEmail, 409, 'conflict');
    });
  });

  describe('rights', () => {
    test('a trademark goes pending -> verified, with its files typed and downloadable', async () => {
      const r = await registerRight(S.rightholder, trademark(), [
        { name: 'certificate', value: PDF, filename: 'cert.pdf', type: 'application/pdf' },
        { name: 'logo', value: PNG, filename: 'logo.png', type: 'image/png' },
      ]);
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.status, 'pending');
      assert.equal(r.body.status_effective, 'pending');
      assert.deepEqual(r.body.nice_classes, [18, 25]);
      const byRole = Object.fromEntries(r.body.files.map((f) => [f.role, f]));
      assert.equal(byRole.certificate.mime, 'application/pdf');
      assert.equal(byRole.logo.mime, 'image/png');
      assert.equal(byRole.logo.size, PNG.length);

      const file = await fetch(`${srv.base}/api/v1/rights/${r.body.id}/files/${byRole.logo.sha256}`, { headers: { cookie: S.rightholder.cookie } });
      assert.equal(file.status, 200);
      assert.equal(file.headers.get('content-type'), 'image/png');
      assert.match(file.headers.get('content-disposition'), /^attachment/);
      assert.deepEqual(Buffer.from(await file.arrayBuffer()), PNG);

      assertProblem(await decide(S.rightholder, `/api/v1/rights/${r.body.id}/decision`, 'verified'), 403, 'forbidden');
      assertProblem(await decide(S.reviewer, `/api/v1/rights/${r.body.id}/decision`, 'approved'), 422, 'invalid');
      const v = await decide(S.reviewer, `/api/v1/rights/${r.body.id}/decision`, 'verified', 'matches the CNIPA register');
      assert.equal(v.status, 200, v.text);
      assert.equal(v.body.status, 'verified');
      assert.equal(v.body.reason, 'matches the CNIPA register');
      assertProblem(await decide(S.reviewer, `/api/v1/rights/${r.body.id}/decision`, 'rejected'), 409, 'conflict');

      const audit = await listAll(srv, '/api/v1/audit', { session: S.admin });
      const mine = audit.filter((e) => e.object === `right:${r.body.id}`).map((e) => e.action);
      assert.ok(mine.includes('right.register') && mine.includes('right.verify'), `audited: ${mine}`);
    });

    test('a pending right can be rejected with a reason', async () => {
      const r = await registerRight(S.rightholder, trademark());
      const x = await decide(S.reviewer, `/api/v1/rights/${r.body.id}/decision`, 'rejected', 'certificate does not match');
      assert.equal(x.status, 200, x.text);
      assert.equal(x.body.status, 'rejected');
      const got = await srv.request('GET', `/api/v1/rights/${r.body.id}`, { session: S.rightholder });
      assert.equal(got.body.reason, 'certificate does not match');
    });

    test('copyrights and design patents take their own fields and files', async () => {
      const c = await registerRight(S.rightholder, {
        kind: 'copyright', title: 'Spring Catalogue Photos', work_kind: 'photographic',
        evidence_description: 'RAW files with camera metadata', created_on: '2023-03-01',
      }, []);
      assert.equal(c.status, 201, c.text);
      assert.equal(c.body.valid_to, null);
      const noImage = await registerRight(S.rightholder, {
        kind: 'design_patent', patent_number: 'ZL202030123456.7', office: 'CN', title: 'Handbag',
        valid_from: '2020-06-01', valid_to: '2035-06-01',
      });
      assertProblem(noImage, 422, 'invalid');
      assert.ok(noImage.body.errors.some((e) => e.field === 'image'));
      const d = await registerRight(S.rightholder, {
        kind: 'design_patent', patent_number: 'ZL202030123456.7', office: 'EUIPO', title: 'Handbag',
        valid_from: '2020-06-01', valid_to: '2035-06-01',
      }, [
        { name: 'certificate', value: PNG, filename: 'scan.png', type: 'image/png' },
        { name: 'image', value: PNG, filename: 'front.png', type: 'image/png' },
      ]);
      assert.equal(d.status, 201, d.text);
      assert.equal(d.body.office, 'EUIPO');
      assert.equal(new Set(d.body.files.map((f) => f.sha256)).size, 1, 'identical bytes stored once');
    });

    test('an expired right reads as expired at once and filters as such', async () => {
      const r = await registerRight(S.rightholder, trademark({ valid_from: '2005-01-01', valid_to: '2015-01-01' }));
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.status_effective, 'expired');
      const v = await decide(S.reviewer, `/api/v1/rights/${r.body.id}/decision`, 'verified', 'it was valid');
      assert.equal(v.body.status, 'verified');
      assert.equal(v.body.status_effective, 'expired');
      const expired = await listAll(srv, '/api/v1/rights?status=expired', { session: S.reviewer });
      assert.ok(expired.some((x) => x.id === r.body.id));
      const verified = await listAll(srv, '/api/v1/rights?status=verified', { session: S.reviewer });
      assert.equal(verified.some((x) => x.id === r.body.id), false);
    });
  });

  describe('content typing and bad input', () => {
    test('a PNG named certificate.pdf and claimed as application/pdf is recorded as image/png', async () => {
      const r = await registerRight(S.rightholder, trademark(), [
        { name: 'certificate', value: PNG, filename: 'certificate.pdf', type: 'application/pdf' },
      ]);
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.files[0].mime, 'image/png');
    });

    test('a PDF given as a logo is 415 and creates nothing', async () => {
      const before1 = await countRights();
      const r = await registerRight(S.rightholder, trademark(), [
        { name: 'certificate', value: PDF, filename: 'c.pdf', type: 'application/pdf' },
        { name: 'logo', value: PDF, filename: 'logo.png', type: 'image/png' },
      ]);
      assertProblem(r, 415, 'unsupported-media-type');
      assert.match(r.body.detail, /logo.*application\/pdf/);
      const t = await registerRight(S.rightholder, trademark(), [{ name: 'certificate', value: TEXT, filename: 'c.pdf', type: 'application/pdf' }]);
      assertProblem(t, 415, 'unsupported-media-type');
      assert.equal(await countRights(), before1);
    });

    test('an oversized upload is 413', async () => {
      const big = Buffer.alloc(10 * 1024 * 1024 + 4096, 0x41);
      const m = multipart([{ name: 'right', value: JSON.stringify(trademark()) }, { name: 'certificate', value: big, filename: 'big.pdf' }]);
      const before1 = await countRights();
      const r = await srv.raw('POST', '/api/v1/rights', {
        body: m.body,
        headers: { 'content-type': m.contentType, cookie: S.rightholder.cookie, 'x-csrf-token': S.rightholder.csrf },
      });
      assert.equal(r.status, 413, r.text);
      assert.equal(await countRights(), before1);
    });

    test('malformed multipart is 400, a JSON body 415, malformed metadata 400, wrong metadata 422', async () => {
      const before1 = await countRights();
      const garbage = await srv.request('POST', '/api/v1/rights', {
        session: S.rightholder, body: 'this is not multipart at all', contentType: 'multipart/form-data; boundary=zzz',
      });
      assertProblem(garbage, 400, 'malformed');
      const json = await srv.request('POST', '/api/v1/rights', { session: S.rightholder, json: trademark() });
      assertProblem(json, 415, 'unsupported-media-type');
      const broken = await upload('/api/v1/rights', S.rightholder, [{ name: 'right', value: '{"kind": "trademark",' }]);
      assertProblem(broken, 400, 'malformed');
      const wrong = await registerRight(S.rightholder, trademark({ mark_text: 7, office: 'Atlantis', nice_classes: [0, 99], valid_from: '2024-02-30', colour: 'red' }));
      assertProblem(wrong, 422, 'invalid');
      const fields = new Set(wrong.body.errors.map((e) => e.field));
      for (const f of ['mark_text', 'office', 'nice_classes', 'valid_from', 'colour']) assert.ok(fields.has(f), `error for ${f}: ${wrong.text}`);
      const unknownPart = await registerRight(S.rightholder, trademark(), [
        { name: 'certificate', value: PDF, filename: 'c.pdf' }, { name: 'selfie', value: PNG, filename: 's.png' },
      ]);
      assertProblem(unknownPart, 422, 'invalid');
      const missing = await upload('/api/v1/rights', S.rightholder, [{ name: 'certificate', value: PDF, filename: 'c.pdf' }]);
      assertProblem(missing, 422, 'invalid');
      assert.equal(await countRights(), before1, 'nothing was created');
    });
  });

  describe('who sees what', () => {
    test("another organisation's right and its files are 404; sellers may not list", async () => {
      const r = await registerRight(S.rightholder, trademark());
      const other = await onboard('Other Brand');
      const get = await srv.request('GET', `/api/v1/rights/${r.body.id}`, { session: other.session });
      assertProblem(get, 404, 'not-found');
      assert.equal(get.text.includes('AURORA'), false);
      assertProblem(await srv.request('GET', `/api/v1/rights/${r.body.id}/files/${r.body.files[0].sha256}`, { session: other.session }), 404, 'not-found');
      assertProblem(await srv.request('GET', `/api/v1/rights/${r.body.id}`, { session: S.seller }), 404, 'not-found');
      assertProblem(await srv.request('GET', '/api/v1/rights', { session: S.seller }), 403, 'forbidden');
      const theirs = await listAll(srv, '/api/v1/rights', { session: other.session });
      assert.equal(theirs.some((x) => x.id === r.body.id), false);
      const auditor = await srv.request('GET', `/api/v1/rights/${r.body.id}`, { session: S.auditor });
      assert.equal(auditor.status, 200);
      assertProblem(await registerRight(other.session, trademark({ for_org_id: holderOrg.id })), 404, 'not-found');
      assertProblem(await registerRight(S.seller, trademark()), 403, 'forbidden');
      assertProblem(await srv.request('GET', '/api/v1/rights/01ARZ3NDEKTSV4RRFFQ69G5FAV', { session: S.rightholder }), 404, 'not-found');
    });
  });

  describe('agents', () => {
    test('an agent acts for a right holder only with a verified, current authorisation', async () => {
      const law = await onboard('Law Firm');
      const meta = trademark({ for_org_id: holderOrg.id });
      assertProblem(await registerRight(law.session, meta), 404, 'not-found');

      const auth = await upload('/api/v1/agents/authorisations', S.rightholder, [
        { name: 'meta', value: JSON.stringify({ agent_org_id: law.org.id, valid_from: '2020-01-01', valid_to: '2099-12-31' }) },
        { name: 'document', value: PDF, filename: 'poa.pdf', type: 'application/pdf' },
      ]);
      assert.equal(auth.status, 201, auth.text);
      assert.equal(auth.body.status, 'pending');
      assert.equal(auth.body.principal_name, holderOrg.name);
      assert.equal(auth.body.agent_name, law.org.name);
      assertProblem(await registerRight(law.session, meta), 404, 'not-found');

      const seen = await srv.request('GET', `/api/v1/agents/authorisations/${auth.body.id}`, { session: law.session });
      assert.equal(seen.status, 200, seen.text);
      assert.deepEqual([seen.body.principal_name, seen.body.agent_name], [holderOrg.name, law.org.name]);
      assertProblem(await srv.request('GET', `/api/v1/agents/authorisations/${auth.body.id}`, { session: S.seller }), 404, 'not-found');
      const doc = await fetch(`${srv.base}/api/v1/agents/authorisations/${auth.body.id}/document`, { headers: { cookie: S.reviewer.cookie } });
      assert.equal(doc.headers.get('content-type'), 'application/pdf');

      assertProblem(await decide(S.rightholder, `/api/v1/agents/authorisations/${auth.body.id}/decision`, 'verified'), 403, 'forbidden');
      const v = await decide(S.reviewer, `/api/v1/agents/authorisations/${auth.body.id}/decision`, 'verified', 'signed by the managing director');
      assert.equal(v.status, 200, v.text);
      assert.equal(v.body.status, 'verified');

      const filed = await registerRight(law.session, meta);
      assert.equal(filed.status, 201, filed.text);
      assert.equal(filed.body.org_id, holderOrg.id, 'the principal owns the right');
      assert.equal(filed.body.filed_by_org, law.org.id, 'the agent filed it');
      const holderSees = await listAll(srv, '/api/v1/rights', { session: S.rightholder });
      assert.ok(holderSees.some((x) => x.id === filed.body.id));
      const agentSees = await listAll(srv, '/api/v1/rights', { session: law.session });
      assert.ok(agentSees.some((x) => x.id === filed.body.id));

      assertProblem(await srv.request('POST', `/api/v1/agents/authorisations/${auth.body.id}/revoke`, { session: law.session, json: {} }), 404, 'not-found');
      const rv = await srv.request('POST', `/api/v1/agents/authorisations/${auth.body.id}/revoke`, { session: S.rightholder, json: { reason: 'mandate ended' } });
      assert.equal(rv.status, 200, rv.text);
      assert.equal(rv.body.status, 'revoked');
      assertProblem(await srv.request('GET', `/api/v1/rights/${filed.body.id}`, { session: law.session }), 404, 'not-found');
      assertProblem(await registerRight(law.session, meta), 404, 'not-found');
    });

    test('an expired or rejected authorisation does not count, and the document must be a PDF or image', async () => {
      const law = await onboard('Expired Firm');
      const principal = await onboard('Principal');
      const file = (session, from, to, doc = PDF) => upload('/api/v1/agents/authorisations', session, [
        { name: 'meta', value: JSON.stringify({ agent_org_id: law.org.id, valid_from: from, valid_to: to }) },
        { name: 'document', value: doc, filename: 'poa.pdf', type: 'application/pdf' },
      ]);
      assertProblem(await file(principal.session, '2020-01-01', '2099-01-01', TEXT), 415, 'unsupported-media-type');
      const old = await file(principal.session, '2010-01-01', '2011-01-01', PNG);
      assert.equal(old.status, 201, old.text);
      await decide(S.reviewer, `/api/v1/agents/authorisations/${old.body.id}/decision`, 'verified', 'was signed');
      assertProblem(await registerRight(law.session, trademark({ for_org_id: principal.org.id })), 404, 'not-found');
      const rej = await file(S.rightholder, '2020-01-01', '2099-01-01');
      await decide(S.reviewer, `/api/v1/agents/authorisations/${rej.body.id}/decision`, 'rejected', 'unsigned');
      assertProblem(await registerRight(law.session, trademark({ for_org_id: holderOrg.id })), 404, 'not-found');
      const badMeta = await upload('/api/v1/agents/authorisations', principal.session, [
        { name: 'meta', value: JSON.stringify({ agent_org_id: principal.org.id, valid_from: '2020-13-01' }) },
        { name: 'document', value: PDF, filename: 'poa.pdf' },
      ]);
      assertProblem(badMeta, 422, 'invalid');
      const listed = await listAll(srv, '/api/v1/agents/authorisations', { session: law.session });
      assert.ok(listed.every((a) => a.agent_org_id === law.org.id || a.principal_org_id === law.org.id));
    });
  });

  describe('command line', () => {
    test('rights list and rights decide act as the system and are audited', async () => {
      const r = await registerRight(S.rightholder, trademark());
      const help = await srv.cli(['rights', '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /rights list/);
      const list = await srv.cli(['rights', 'list', '--status', 'pending', '--json', '--db', srv.db]);
      assert.equal(list.code, 0, list.stderr);
      const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.ok(rows.some((x) => x.id === r.body.id && x.status_effective === 'pending'));
      const bad = await srv.cli(['rights', 'decide', r.body.id, '--verify', '--db', srv.db]);
      assert.equal(bad.code, 2, 'a reason is required');
      const ok = await srv.cli(['rights', 'decide', r.body.id, '--verify', '--reason', 'checked by ops', '--db', srv.db]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /verified/);
      const again = await srv.cli(['rights', 'decide', r.body.id, '--reject', '--reason', 'x', '--db', srv.db]);
      assert.equal(again.code, 4, again.stderr);
      const got = await srv.request('GET', `/api/v1/rights/${r.body.id}`, { session: S.rightholder });
      assert.equal(got.body.status, 'verified');
      assert.equal(got.body.decided_by, 'system');
    });
  });
});
