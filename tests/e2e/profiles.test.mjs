// profiles.test.mjs — protection profiles over HTTP: the holder writes and
// reads its own profile, an authorised agent manages its principal's,
// platform roles read, everyone else gets 404; bad input (non-UTF-8 text,
// control characters, unknown or non-seller orgs, a PDF as an image, an
// oversized upload, malformed JSON, wrong types) changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STRONG_PASSWORD, assertProblem, startServer, unique } from './lib.mjs';

// A 1x1 PNG, and the start of a PDF: typed by content, whatever the name says.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000' +
  '000d49444154789c63f8cfc0f01f00050001ff89993d1d0000000049454e44ae426082',
  'hex');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n');

/** A multipart/form-data body from [{name, value | data, filename, type}]. */
function multipart(parts) {
  const boundary = `----iprs${Math.random().toString(16).slice(2)}`;
  const chunks = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.type) head += `Content-Type: ${p.type}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.value ?? ''), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

describe('protection profiles', () => {
  let srv;
  const S = {};
  let holder;      // the demo right holder's org
  let other;       // a second right holder {org, session}
  let agent;       // a law firm {org, session}
  let seller;      // the demo seller's org
  let seller2;     // a second seller org
  let platformOrg; // an org that is not a seller

  const url = (org, tail = '') => `/api/v1/profiles/${org}${tail}`;
  const get = (who, org) => srv.request('GET', url(org), { session: who });
  const put = (who, org, tail, json) => srv.request('PUT', url(org, tail), { session: who, json });
  const upload = (who, org, parts) => {
    const m = multipart(parts);
    return srv.request('POST', url(org, '/images'), { session: who, body: m.body, contentType: m.contentType });
  };
  const imageParts = (data, meta, filename = 'logo.png') => [
    { name: 'meta', value: JSON.stringify(meta) },
    { name: 'image', data, filename, type: 'image/png' },
  ];

  async function makeHolder(prefix) {
    const org = await srv.request('POST', '/api/v1/orgs', { session: S.admin, json: { name: unique(prefix), kind: 'rightholder' } });
    assert.equal(org.status, 201, org.text);
    const email = `${unique(prefix)}@example.org`;
    const u = await srv.request('POST', '/api/v1/users', {
      session: S.admin, json: { email, password: STRONG_PASSWORD, role: 'rightholder', org_id: org.body.id },
    });
    assert.equal(u.status, 201, u.text);
    return { org: org.body, session: await srv.login(email, STRONG_PASSWORD) };
  }

  before(async () => {
    srv = await startServer();
    for (const role of ['admin', 'reviewer', 'rightholder', 'seller', 'officer', 'auditor']) S[role] = await srv.loginAs(role);
    holder = S.rightholder.body.org;
    seller = S.seller.body.org;
    platformOrg = S.admin.body.org;
    other = await makeHolder('other-brand-');
    agent = await makeHolder('law-firm-');
    const s2 = await srv.request('POST', '/api/v1/orgs', { session: S.admin, json: { name: unique('shop-'), kind: 'seller' } });
    assert.equal(s2.status, 201, s2.text);
    seller2 = s2.body;
  });
  after(async () => { if (srv) await srv.stop(); });

  test('an empty profile reads as empty lists for its holder', async () => {
    const r = await get(S.rightholder, holder.id);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, {
      org_id: holder.id, terms: [], images: [], prices: [], authorised_sellers: [], updated_at: null,
    });
  });

  test('the holder replaces terms with non-Latin variants and reads them back', async () => {
    const terms = [
      { term: 'Aurora', variants: ['奥罗拉', 'AURORA', 'Аврора'] },
      { term: '  Aurora Sport ', variants: [] },
      { term: '極光' },
    ];
    const w = await put(S.rightholder, holder.id, '/terms', { terms });
    assert.equal(w.status, 204, w.text);
    const r = await get(S.rightholder, holder.id);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.terms, [
      { term: 'Aurora', variants: ['奥罗拉', 'AURORA', 'Аврора'] },
      { term: 'Aurora Sport', variants: [] },
      { term: '極光', variants: [] },
    ]);
    assert.equal(typeof r.body.updated_at, 'string');
    const audit = await srv.request('GET', '/api/v1/audit?limit=20', { session: S.admin });
    assert.ok(audit.body.items.some((e) => e.action === 'profile.terms_set' && e.object === `profile:${holder.id}`), 'the write is audited');
  });

  test('bad terms are refused and change nothing', async () => {
    const before1 = (await get(S.rightholder, holder.id)).body;
    // Not UTF-8: a raw 0xff byte inside a JSON string.
    const raw = Buffer.concat([Buffer.from('{"terms":[{"term":"Au'), Buffer.from([0xff]), Buffer.from('"}]}')]);
    assertProblem(await srv.request('PUT', url(holder.id, '/terms'), { session: S.rightholder, body: raw }), 400, 'malformed', 'non-UTF-8');
    assertProblem(await srv.request('PUT', url(holder.id, '/terms'), { session: S.rightholder, body: '{"terms": [' }), 400, 'malformed', 'truncated JSON');
    const cases = [
      [{ terms: [{ term: 'Au\u0007ra' }] }, 'terms[0].term'],
      [{ terms: [{ term: 'Aurora\u0085' }] }, 'terms[0].term'],
      [{ terms: [{ term: 'Au\nrora' }] }, 'terms[0].term'],
      [{ terms: [{ term: 17 }] }, 'terms[0].term'],
      [{ terms: [{ term: 'A' }, { term: 'A' }] }, 'terms[1].term'],
      [{ terms: [{ term: 'A', variants: 'B' }] }, 'terms[0].variants'],
      [{ terms: [{ term: 'x'.repeat(129) }] }, 'terms[0].term'],
      [{ terms: 'Aurora' }, 'terms'],
      [{ terms: [{ term: 'A', extra: 1 }] }, 'terms[0].extra'],
      [{ words: [] }, 'words'],
    ];
    for (const [json, field] of cases) {
      const r = await put(S.rightholder, holder.id, '/terms', json);
      const p = assertProblem(r, 422, 'invalid', JSON.stringify(json).slice(0, 80));
      assert.ok(p.errors.some((e) => e.field === field), `error for ${field}: ${r.text}`);
    }
    assert.deepEqual((await get(S.rightholder, holder.id)).body, before1, 'nothing changed');
  });

  test('prices: the holder sets minimum prices per category and ISO 4217 currency', async () => {
    const prices = [
      { category: 'handbags', currency: 'EUR', min_minor: 45000 },
      { category: '手袋', currency: 'CNY', min_minor: 320000 },
    ];
    assert.equal((await put(S.rightholder, holder.id, '/prices', { prices })).status, 204);
    assert.deepEqual((await get(S.rightholder, holder.id)).body.prices, prices);
    for (const bad of [
      [{ category: 'x', currency: 'EURO', min_minor: 1 }],
      [{ category: 'x', currency: 'QQQ', min_minor: 1 }],
      [{ category: 'x', currency: 'EUR', min_minor: 0 }],
      [{ category: 'x', currency: 'EUR', min_minor: '10' }],
      [{ category: 'x', currency: 'EUR', min_minor: 1.25 }],
      [{ category: 'x', currency: 'EUR', min_minor: 1 }, { category: 'x', currency: 'EUR', min_minor: 2 }],
    ]) {
      assertProblem(await put(S.rightholder, holder.id, '/prices', { prices: bad }), 422, 'invalid', JSON.stringify(bad));
    }
    assert.deepEqual((await get(S.rightholder, holder.id)).body.prices, prices, 'nothing changed');
  });

  test('authorised sellers must be existing seller organisations', async () => {
    const w = await put(S.rightholder, holder.id, '/authorised-sellers', { seller_org_ids: [seller.id] });
    assert.equal(w.status, 204, w.text);
    assert.deepEqual((await get(S.rightholder, holder.id)).body.authorised_sellers, [{ org_id: seller.id, name: seller.name }]);
    const unknown = await put(S.rightholder, holder.id, '/authorised-sellers', { seller_org_ids: [seller2.id, '01ARZ3NDEKTSV4RRFFQ69G5FAV'] });
    assert.ok(assertProblem(unknown, 422, 'invalid').errors.some((e) => e.field === 'seller_org_ids[1]'));
    const notSeller = await put(S.rightholder, holder.id, '/authorised-sellers', { seller_org_ids: [platformOrg.id] });
    assert.ok(assertProblem(notSeller, 422, 'invalid').errors.some((e) => e.field === 'seller_org_ids[0]'));
    assertProblem(await put(S.rightholder, holder.id, '/authorised-sellers', { seller_org_ids: [42] }), 422, 'invalid');
    assertProblem(await put(S.rightholder, holder.id, '/authorised-sellers', { seller_org_ids: seller.id }), 422, 'invalid');
    assert.deepEqual((await get(S.rightholder, holder.id)).body.authorised_sellers, [{ org_id: seller.id, name: seller.name }], 'nothing changed');
  });

  test('images: a PNG is stored by content, a PDF named .png is 415, and delete removes it', async () => {
    const r = await upload(S.rightholder, holder.id, imageParts(PNG, { kind: 'logo', label: 'Aurora logo' }, 'logo.pdf'));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.mime, 'image/png');
    assert.equal(r.body.kind, 'logo');
    assert.match(r.body.sha256, /^[0-9a-f]{64}$/);
    assertProblem(await upload(S.rightholder, holder.id, imageParts(PNG, { kind: 'logo', label: 'again' })), 409, 'conflict');
    const pdf = await upload(S.rightholder, holder.id, imageParts(PDF, { kind: 'product', label: 'a PDF' }, 'photo.png'));
    assertProblem(pdf, 415, 'unsupported-media-type');
    assert.match(pdf.body.detail, /application\/pdf/);
    assertProblem(await upload(S.rightholder, holder.id, imageParts(PNG, { kind: 'banner', label: 'x' })), 422, 'invalid');
    assertProblem(await upload(S.rightholder, holder.id, [{ name: 'meta', value: '{"kind": "logo",' }, { name: 'image', data: PNG, filename: 'a.png' }]), 400, 'malformed');
    assertProblem(await upload(S.rightholder, holder.id, [{ name: 'meta', value: '{"kind":"logo","label":"x"}' }]), 422, 'invalid');
    // JSON where multipart is expected.
    assertProblem(await srv.request('POST', url(holder.id, '/images'), { session: S.rightholder, json: { kind: 'logo' } }), 415, 'unsupported-media-type');
    let images = (await get(S.rightholder, holder.id)).body.images;
    assert.deepEqual(images.map((i) => i.sha256), [r.body.sha256]);
    // the bytes, typed as stored, for the profile's readers only
    for (const who of [S.rightholder, S.reviewer]) {
      const img = await fetch(`${srv.base}${url(holder.id, `/images/${r.body.sha256}`)}`, { headers: { cookie: who.cookie } });
      assert.equal(img.status, 200);
      assert.equal(img.headers.get('content-type'), 'image/png');
      assert.deepEqual(Buffer.from(await img.arrayBuffer()), PNG);
    }
    for (const who of [other.session, S.seller]) {
      assertProblem(await srv.request('GET', url(holder.id, `/images/${r.body.sha256}`), { session: who }), 404, 'not-found');
    }
    assertProblem(await srv.request('GET', url(holder.id, `/images/${'0'.repeat(64)}`), { session: S.rightholder }), 404, 'not-found');

    assertProblem(await srv.request('DELETE', url(holder.id, `/images/${r.body.sha256}`), { session: other.session }), 404, 'not-found');
    const d = await srv.request('DELETE', url(holder.id, `/images/${r.body.sha256}`), { session: S.rightholder });
    assert.equal(d.status, 204, d.text);
    assertProblem(await srv.request('DELETE', url(holder.id, `/images/${r.body.sha256}`), { session: S.rightholder }), 404, 'not-found');
    images = (await get(S.rightholder, holder.id)).body.images;
    assert.deepEqual(images, []);
  });

  test('an oversized image upload is 413 and stores nothing', async () => {
    const big = Buffer.alloc(11 * 1024 * 1024, 0);
    PNG.copy(big);
    const m = multipart(imageParts(big, { kind: 'product', label: 'huge' }));
    const r = await srv.raw('POST', url(holder.id, '/images'), {
      body: m.body,
      headers: { 'content-type': m.contentType, cookie: S.rightholder.cookie, 'x-csrf-token': S.rightholder.csrf },
    });
    assertProblem(r, 413, 'too-large');
    assert.deepEqual((await get(S.rightholder, holder.id)).body.images, []);
  });

  test("a foreign right holder, a seller, an officer and an auditor get 404 and change nothing", async () => {
    const before1 = (await get(S.rightholder, holder.id)).body;
    for (const who of [other.session, S.seller, S.officer, S.auditor]) {
      const r = await get(who, holder.id);
      assertProblem(r, 404, 'not-found');
      assert.equal(r.text.includes('Aurora'), false, 'nothing of the profile leaks');
      assertProblem(await put(who, holder.id, '/terms', { terms: [] }), 404, 'not-found');
      assertProblem(await put(who, holder.id, '/prices', { prices: [] }), 404, 'not-found');
      assertProblem(await put(who, holder.id, '/authorised-sellers', { seller_org_ids: [] }), 404, 'not-found');
      assertProblem(await upload(who, holder.id, imageParts(PNG, { kind: 'logo', label: 'x' })), 404, 'not-found');
    }
    // Same answer as for an org that does not exist, or one that is no right holder.
    assertProblem(await get(S.admin, '01ARZ3NDEKTSV4RRFFQ69G5FAV'), 404, 'not-found');
    assertProblem(await get(S.admin, seller.id), 404, 'not-found');
    assertProblem(await get(S.seller, seller.id), 404, 'not-found');
    assert.deepEqual((await get(S.rightholder, holder.id)).body, before1, 'nothing changed');
  });

  test('reviewers and admins read any profile; reviewers may not write it, admins may', async () => {
    const r = await get(S.reviewer, holder.id);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.terms[0].term, 'Aurora');
    assertProblem(await put(S.reviewer, holder.id, '/terms', { terms: [] }), 403, 'forbidden');
    assert.equal((await get(S.admin, holder.id)).status, 200);
    const w = await put(S.admin, other.org.id, '/terms', { terms: [{ term: 'Other' }] });
    assert.equal(w.status, 204, w.text);
    assert.deepEqual((await get(other.session, other.org.id)).body.terms, [{ term: 'Other', variants: [] }]);
  });

  test('an authorised agent reads and writes its principal\'s profile, and no other', async () => {
    assertProblem(await get(agent.session, holder.id), 404, 'not-found', 'before authorisation');
    const m = multipart([
      { name: 'meta', value: JSON.stringify({ agent_org_id: agent.org.id, valid_from: '2000-01-01', valid_to: '2999-12-31' }) },
      { name: 'document', data: PDF, filename: 'mandate.pdf', type: 'application/pdf' },
    ]);
    const filed = await srv.request('POST', '/api/v1/agents/authorisations', { session: S.rightholder, body: m.body, contentType: m.contentType });
    assert.equal(filed.status, 201, filed.text);
    const dec = await srv.request('POST', `/api/v1/agents/authorisations/${filed.body.id}/decision`, {
      session: S.reviewer, json: { decision: 'verified', reason: 'signed mandate checked' },
    });
    assert.equal(dec.status, 200, dec.text);

    const r = await get(agent.session, holder.id);
    assert.equal(r.status, 200, r.text);
    const w = await put(agent.session, holder.id, '/terms', { terms: [...r.body.terms, { term: 'Aurora Kids', variants: ['奥罗拉童装'] }] });
    assert.equal(w.status, 204, w.text);
    assert.equal((await get(S.rightholder, holder.id)).body.terms.at(-1).term, 'Aurora Kids');
    assertProblem(await get(agent.session, other.org.id), 404, 'not-found', 'another holder');
    assertProblem(await put(agent.session, other.org.id, '/terms', { terms: [] }), 404, 'not-found');
  });

  test('no session: 401', async () => {
    assertProblem(await srv.request('GET', url(holder.id)), 401, 'unauthenticated');
    assertProblem(await srv.request('PUT', url(holder.id, '/terms'), { json: { terms: [] } }), 401, 'unauthenticated');
  });
});
