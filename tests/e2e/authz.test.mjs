// authz.test.mjs — the authorisation matrix: every API route of the route
// table (`iprshield routes --json`, read from src/http/router.c) × every role
// and anonymous × an object of the caller's own world and a foreign one,
// against the hand-written policy in authz-matrix.json.
//
// A route without a matrix entry fails the test (so a new route cannot
// escape it), and so does an entry that names no route.
//
// Two worlds of fixtures are built through the API: world A holds the demo
// users' organisations (right holder A is a freshly approved applicant, so
// that it has an application), world B a second right holder, seller,
// agency and platform org. Each request names world A's object ("own") or
// world B's ("foreign"); writes send an empty JSON object `{}` or a
// multipart body without the required parts, so that an allowed caller
// passes the access check and then fails validation (or conflicts), and
// nothing much changes.
//
// Expected: denied → 401 for anonymous, 403 or 404 for a role (never 2xx,
// 400, 409, 415 or 422: a handler that validates before it authorises
// tells a stranger that the object exists); allowed → neither 401, 403 nor
// 404, and never 5xx. A denied answer is problem+json and holds no data of
// any fixture (names, titles, e-mails); an allowed answer to a role that
// the matrix limits to its own world holds no data of world B.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';


import { ROLES, STRONG_PASSWORD, TEXTURED_PNG, cli, listAll, multipart, startServer, unique } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const MATRIX_FILE = path.join(here, 'authz-matrix.json');
const CALLERS = [...ROLES, 'anonymous'];
const CONCURRENCY = 8;

const PDF = (tag) => Buffer.from(`%PDF-1.4\n% ${tag}\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`);
// A 1x1 PNG; bytes after IEND make each copy distinct (libmagic and the
// decoder ignore them).
const PNG = (tag) => Buffer.concat([Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
  '1f15c4890000000a49444154789c63000100000500010d0a2db40000000049454e44ae426082', 'hex'), Buffer.from(tag)]);
const WAIT_MS = 20_000;

// ---- the one place that says which fixture a route parameter names ---------
// Key: "<the path segment before the parameter>/{param}", or, where that is
// ambiguous, the whole pattern up to the parameter
// ("/api/v1/detections/{id}/images/{sha256}"), which wins. A route with a
// parameter not listed here fails the coverage test.
const PARAM_KINDS = {
  'orgs/{id}': 'org',
  'users/{id}': 'user',
  'tokens/{id}': 'token',
  'rightholders/{org_id}': 'holder',
  'profiles/{org_id}': 'holder',
  'members/{org_id}': 'holder',
  'authorisations/{id}': 'agentAuth',
  'rights/{id}': 'right',
  'files/{sha256}': 'rightFile',
  'images/{sha256}': 'profileImage',
  '/api/v1/detections/{id}/images/{sha256}': 'detectionImage',
  'detections/{id}': 'detection',
  'penalties/{id}': 'penalty',
  'referrals/{id}': 'referral',
  'listings/{id}': 'listing',
  'notices/{id}': 'notice',
  'items/{listing_id}': 'noticeListing',
  'receipts/{leaf_index}': 'leaf',
  'sellers/{org_id}': 'sellerOrg',
  'agencies/{org_id}': 'agencyOrg',
  'litigation/{id}': 'litigation',
};
// Routes that name their object in the query string or the body rather than
// the path ({kind} is replaced as for a path parameter).
const REQUEST_SHAPES = {
  'GET /api/v1/notices/accuracy': { query: '?org_id={holder}' },
  'GET /api/v1/webhooks/deliveries': { query: '?org_id={org}' },
  'GET /api/v1/ledger/consistency': { query: '?from=1&to=2' },
  'POST /api/v1/alliance/members': { json: { org_id: '{holder}' } },
};
// Routes whose allowed request really changes its object: run one at a time
// after all others, each after its prepare step.
const SEQUENTIAL = {
  'POST /api/v1/auth/logout': { freshSession: true },
  'DELETE /api/v1/alliance/members/{org_id}': { prepare: (W, ids) => W.rejoin(ids.holder) },
};

/** Fixture kinds of a pattern's parameters, in order; unknown ones as null. */
function paramKinds(pattern) {
  const segs = pattern.split('/');
  const out = [];
  for (let i = 1; i < segs.length; i++) {
    if (!/^\{.+\}$/.test(segs[i])) continue;
    const key = `${segs[i - 1]}/${segs[i]}`;
    const full = segs.slice(0, i + 1).join('/');
    out.push({ seg: segs[i], key, kind: PARAM_KINDS[full] ?? PARAM_KINDS[key] ?? null });
  }
  return out;
}

/** Kinds named by {kind} placeholders in a request shape. */
function shapeKinds(shape) {
  const text = JSON.stringify(shape ?? {});
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
}

/** Run fns with at most n at a time; resolves the results in order. */
async function pool(n, fns) {
  const out = new Array(fns.length);
  let next = 0;
  const worker = async () => {
    while (next < fns.length) {
      const i = next++;
      out[i] = await fns[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, fns.length) }, worker));
  return out;
}

// ---- the two worlds ---------------------------------------------------------

async function buildWorld(srv) {
  const S = {};
  for (const role of ['admin', 'reviewer', 'seller', 'officer', 'auditor']) S[role] = await srv.loginAs(role);
  const ok = (r, what, status = [200, 201]) => {
    assert.ok([].concat(status).includes(r.status), `fixture ${what}: ${r.status} ${r.text.slice(0, 400)}`);
    return r.body;
  };
  const post = (p, session, json) => srv.request('POST', p, { session, json });
  const upload = (p, session, parts) => {
    const m = multipart(parts);
    return srv.request('POST', p, { session, body: m.body, contentType: m.contentType });
  };
  const data = { A: [], B: [] };   // strings only the fixture objects hold
  const keep = (side, ...v) => { data[side].push(...v.filter((x) => typeof x === 'string' && x.length >= 6)); return v[0]; };

  // Right holders A and B: applicants approved by a reviewer.
  const applyHolder = async (side) => {
    const email = `${unique(`authz${side.toLowerCase()}`)}@example.org`;
    const name = keep(side, unique(`Authz Holder ${side} `));
    const r = ok(await srv.request('POST', '/api/v1/rightholders/apply', { json: { org_name: name, email, password: STRONG_PASSWORD, country: 'DE' } }), `apply ${side}`, 201);
    keep(side, email);
    ok(await post(`/api/v1/rightholders/${r.org.id}/decision`, S.reviewer, { decision: 'approved', reason: 'authz fixture' }), `approve ${side}`);
    return { org: r.org, user: r.user, email, session: await srv.login(email, STRONG_PASSWORD) };
  };
  const hA = await applyHolder('A');
  const hB = await applyHolder('B');
  S.rightholder = hA.session;

  // Orgs made by the admin: an agent (law firm) named by both worlds'
  // pending authorisations, and world B's seller, agency and platform.
  const mkOrg = async (side, label, kind) => {
    const name = side ? keep(side, unique(label)) : unique(label);
    return ok(await post('/api/v1/orgs', S.admin, { name, kind }), `org ${label}`, 201);
  };
  const agent = await mkOrg(null, 'Authz Agent ', 'rightholder');
  const sellerB = await mkOrg('B', 'Authz Seller B ', 'seller');
  const agencyB = await mkOrg('B', 'Authz Agency B ', 'agency');
  const platformB = await mkOrg('B', 'Authz Platform B ', 'platform');
  const sellerBEmail = keep('B', `${unique('authzsellerb')}@example.org`);
  const sellerBUser = ok(await post('/api/v1/users', S.admin, { email: sellerBEmail, password: STRONG_PASSWORD, role: 'seller', org_id: sellerB.id }), 'seller B user', 201);
  const sBSession = await srv.login(sellerBEmail, STRONG_PASSWORD);
  // agency B's record (the demo agency has one from the seed)
  ok(await srv.request('PUT', `/api/v1/agencies/${agencyB.id}`, { session: S.admin, json: { country: 'DE', cross_border: false, jurisdictions: ['DE'], mou: { ref: unique('MOU-'), from: '2020-01-01' } } }), 'agency B');
  for (const role of ['seller', 'officer']) keep('A', S[role].body.org.name, S[role].body.user.email);

  const holder = { A: hA, B: hB };
  const sellerSession = { A: S.seller, B: sBSession };
  const W = { S, data, holder, agent };
  for (const side of ['A', 'B']) {
    const h = holder[side];
    // a verified trademark with its certificate
    const mark = keep(side, unique(`AUTHZMARK${side}`).toUpperCase().replace(/[^A-Z0-9]/g, ''));
    const meta = { kind: 'trademark', mark_text: mark, registration_number: keep(side, `TM-${unique('authz')}`), office: 'EUIPO', nice_classes: [25], valid_from: '2020-01-01', valid_to: '2099-12-31' };
    const right = ok(await upload('/api/v1/rights', h.session, [{ name: 'right', value: JSON.stringify(meta) }, { name: 'certificate', value: PDF(mark), filename: 'c.pdf' }]), `right ${side}`, 201);
    ok(await post(`/api/v1/rights/${right.id}/decision`, S.reviewer, { decision: 'verified', reason: 'authz fixture' }), `verify right ${side}`);
    const rightFull = ok(await srv.request('GET', `/api/v1/rights/${right.id}`, { session: S.admin }), `get right ${side}`);
    // a pending authorisation of the agent
    const auth = ok(await upload('/api/v1/agents/authorisations', h.session, [
      { name: 'meta', value: JSON.stringify({ agent_org_id: agent.id, valid_from: '2020-01-01', valid_to: '2099-12-31' }) },
      { name: 'document', value: PDF(`poa ${side}`), filename: 'poa.pdf' },
    ]), `agent authorisation ${side}`, 201);
    // a listing of the world's seller, and a notice against it
    const listingId = unique(`authzL${side}`).replace(/[^A-Za-z0-9._:-]/g, '');
    const title = keep(side, unique(`Authz listing ${side} `));
    ok(await post('/api/v1/listings', sellerSession[side], { id: listingId, title, description: keep(side, unique('authz description ')), price: '9.90', currency: 'EUR', category: 'bags', images: [], ship_from: 'CN', units_sold: 1 }), `listing ${side}`, 201);
    const notice = ok(await post('/api/v1/notices', h.session, {
      right_id: right.id, kind: 'counterfeit', explanation: keep(side, unique(`Authz explanation ${side} `)),
      notifier_name: keep(side, unique('Authz Notifier ')), notifier_email: keep(side, `${unique('notifier')}@example.org`),
      good_faith: true, accuracy: true, signature: 'Authz Notifier', listings: [listingId], evidence_urls: ['https://evidence.example/authz.jpg'],
    }), `notice ${side}`, 201);
    // a ledger registration
    const form = new FormData();
    form.append('work', new Blob([Buffer.from(unique('authz work'))]), 'work.bin');
    form.append('meta', JSON.stringify({ title: keep(side, unique(`Authz work ${side} `)) }));
    const lr = await fetch(`${srv.base}/api/v1/ledger/registrations`, { method: 'POST', headers: { cookie: h.session.cookie, 'x-csrf-token': h.session.csrf }, body: form });
    assert.equal(lr.status, 201, `fixture ledger ${side}: ${lr.status}`);
    const leaf = (await lr.json()).leaf_index;
    // alliance membership and a protection profile
    ok(await post('/api/v1/alliance/members', h.session, {}), `join ${side}`, 201);
    const term = keep(side, unique(`AuthzTerm${side}`));
    ok(await srv.request('PUT', `/api/v1/profiles/${h.org.id}/terms`, { session: h.session, json: { terms: [{ term, variants: [] }] } }), `terms ${side}`, [200, 204]);
    // an official image, which the detection's listing below reuses
    const official = ok(await upload(`/api/v1/profiles/${h.org.id}/images`, h.session, [
      { name: 'meta', value: JSON.stringify({ kind: 'product', label: 'authz official' }) },
      { name: 'image', value: TEXTURED_PNG(side === 'A' ? 1 : 3), filename: 'o.png' },
    ]), `official image ${side}`, 201).sha256;
    // a penalty: a strike against the world's seller gives one (a warning)
    const sellerOrgId = side === 'A' ? S.seller.body.org.id : sellerB.id;
    const strike = ok(await post(`/api/v1/sellers/${sellerOrgId}/strikes`, S.admin, { reason: `authz fixture ${side}` }), `strike ${side}`, 201);
    const penalty = strike.penalty?.id ?? strike.penalties?.[0]?.id;
    assert.ok(penalty, `fixture penalty ${side}: ${JSON.stringify(strike)}`);
    W[side] = { right: right.id, rightFile: rightFull.files[0].sha256, agentAuth: auth.id, listing: listingId, notice: notice.id, leaf: String(leaf), term, official, penalty };
  }

  // Referrals: a seller shipping from Guangdong (routed to the demo officer's
  // agency) for world A, one shipping from Berlin (routed to agency B) for
  // world B; each names its world's right holder as concerned.
  const shopExt = { A: unique('authz-shop-a-'), B: unique('authz-shop-b-') };
  const shopsFile = path.join(srv.dir, `${unique('authz-sellers')}.jsonl`);
  await fs.writeFile(shopsFile, ['A', 'B'].map((side) => JSON.stringify({ id: shopExt[side], name: keep(side, `Authz Shop ${shopExt[side]}`), ship_from: side === 'A' ? 'CN-GD' : 'DE-BE' })).join('\n') + '\n');
  const imp = await srv.cli(['import', 'sellers', shopsFile, '--db', srv.db]);
  assert.equal(imp.code, 0, `fixture import sellers: ${imp.stderr}`);
  const orgs = await listAll(srv, '/api/v1/orgs', { session: S.admin });
  for (const side of ['A', 'B']) {
    const shop = orgs.find((o) => o.kind === 'seller' && o.name.includes(shopExt[side]));
    assert.ok(shop, `fixture shop ${side}`);
    const ref = ok(await post('/api/v1/referrals', S.reviewer, { seller_org_id: shop.id, summary: keep(side, unique(`Authz referral ${side} `)), rightholder_org_ids: [holder[side].org.id] }), `referral ${side}`, 201);
    const primary = ref.recipients.find((x) => x.kind === 'primary');
    const agency = side === 'A' ? S.officer.body.org.id : agencyB.id;
    assert.equal(primary?.agency_org_id, agency, `fixture referral ${side} routing: ${JSON.stringify(ref.recipients)} ${ref.route_note}`);
    W[side].referral = ref.id;
  }

  // Litigation files: each world's right holder against its world's seller.
  for (const side of ['A', 'B']) {
    const seller = side === 'A' ? S.seller.body.org.id : sellerB.id;
    const file = ok(await post('/api/v1/litigation', holder[side].session, { seller_org_id: seller, title: keep(side, unique(`Authz case ${side} `)), period_from: '2020-01-01', period_to: '2099-12-31' }), `litigation ${side}`, 201);
    W[side].litigation = file.id;
  }

  // Detections: a listing of the world's seller whose title carries the
  // world's brand term and whose image is its official image; the scan runs
  // when the listing is written (or in the rescan after the job compiles
  // the profile change), so wait for the verdict, bounded.
  for (const side of ['A', 'B']) {
    const id = unique(`authzD${side}`).replace(/[^A-Za-z0-9._:-]/g, '');
    ok(await post('/api/v1/listings', sellerSession[side], { id, title: `${W[side].term} replica bag`, description: 'fast shipping', price: '19.90', currency: 'EUR', category: 'bags', images: [W[side].official] }), `detection listing ${side}`, 201);
    W[side].detectionListing = id;
  }
  for (const side of ['A', 'B']) {
    const until = Date.now() + WAIT_MS;
    for (;;) {
      const items = await listAll(srv, `/api/v1/detections?listing_id=${W[side].detectionListing}`, { session: S.admin });
      const d = items.find((x) => x.signals.some((g) => g.type === 'image_hash' && g.org_id === holder[side].org.id)
        && x.signals.some((g) => g.type === 'brand_term' && g.org_id === holder[side].org.id));
      if (d) { W[side].detection = d.id; break; }
      assert.ok(Date.now() < until, `fixture detection ${side}: no verdict with the brand term and the image (${JSON.stringify(items)})`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }
  for (const side of ['A', 'B']) keep(side, holder[side].org.name);

  const orgOf = (role) => (role === 'rightholder' ? hA.org : S[role].body.org);
  const foreignOrg = { rightholder: hB.org, seller: sellerB, officer: agencyB, admin: platformB, reviewer: platformB, auditor: platformB };
  // kind -> (side 'own'|'foreign', role) -> id (or a promise of one)
  W.resolve = {
    org: (side, role) => (role === 'anonymous' ? holder[side === 'own' ? 'A' : 'B'].org.id : side === 'own' ? orgOf(role).id : foreignOrg[role].id),
    user: (side, role) => (side === 'own' && role !== 'anonymous' ? (role === 'rightholder' ? hA.user.id : S[role].body.user.id) : hB.user.id),
    holder: (side) => holder[side === 'own' ? 'A' : 'B'].org.id,
    sellerOrg: (side) => (side === 'own' ? S.seller.body.org.id : sellerB.id),
    agencyOrg: (side) => (side === 'own' ? S.officer.body.org.id : agencyB.id),
    // a fresh token for each request: revoking is what the route does
    token: async (side, role) => {
      const session = side === 'own' && role !== 'anonymous' ? S[role] : hB.session;
      return ok(await post('/api/v1/tokens', session, { name: unique('authz token') }), 'token', 201).id;
    },
    // a fresh profile image for each request: deleting is what the route does
    profileImage: async (side) => {
      const org = holder[side === 'own' ? 'A' : 'B'].org.id;
      const r = await upload(`/api/v1/profiles/${org}/images`, S.admin, [
        { name: 'meta', value: JSON.stringify({ kind: 'product', label: 'authz' }) },
        { name: 'image', value: PNG(unique('img')), filename: 'i.png' },
      ]);
      return ok(r, 'profile image', 201).sha256;
    },
  };
  for (const k of ['right', 'rightFile', 'agentAuth', 'listing', 'notice', 'leaf', 'detection', 'penalty', 'referral', 'litigation']) W.resolve[k] = (side) => W[side === 'own' ? 'A' : 'B'][k];
  W.resolve.noticeListing = W.resolve.listing;
  W.resolve.detectionImage = (side) => W[side === 'own' ? 'A' : 'B'].official;
  W.rejoin = async (orgId) => {
    const r = await post('/api/v1/alliance/members', S.admin, { org_id: orgId });
    assert.ok([201, 409].includes(r.status), `rejoin ${orgId}: ${r.status} ${r.text}`);
  };
  W.sellerBUser = sellerBUser;
  return W;
}

// ---- one request of the matrix ------------------------------------------------

function verdict(entry, caller, side) {
  if (entry.public) return 'allow';
  if (caller === 'anonymous') return 'deny';
  const v = entry[caller];
  if (v === 'any') return 'allow';
  if (v === 'own') return side === 'own' ? 'allow' : 'deny';
  return 'deny';
}

async function probe(srv, W, route, entry, caller, side) {
  const key = `${route.method} ${route.pattern}`;
  const shape = REQUEST_SHAPES[key] ?? {};
  const seq = SEQUENTIAL[key] ?? {};
  const ids = {};
  let p = route.pattern;
  for (const pk of paramKinds(route.pattern)) {
    ids[pk.kind] = await W.resolve[pk.kind](side, caller);
    p = p.replace(pk.seg, encodeURIComponent(ids[pk.kind]));
  }
  const fill = async (text) => {
    for (const k of shapeKinds(text)) {
      ids[k] ??= await W.resolve[k](side, caller);
      text = text.replaceAll(`{${k}}`, ids[k]);
    }
    return text;
  };
  if (shape.query) p += await fill(shape.query);
  const opts = {};
  if (caller !== 'anonymous') {
    opts.session = !seq.freshSession ? W.S[caller]
      : caller === 'rightholder' ? await srv.login(W.holder.A.email, STRONG_PASSWORD) : await srv.loginAs(caller);
  }
  if (route.method !== 'GET' && route.method !== 'DELETE') {
    if (route.body === 'multipart') {
      const m = multipart([{ name: 'authz', value: 'nothing useful' }]);
      opts.body = m.body;
      opts.contentType = m.contentType;
    } else {
      opts.body = shape.json ? await fill(JSON.stringify(shape.json)) : '{}';
    }
  }
  if (seq.prepare) await seq.prepare(W, ids);
  const r = await srv.request(route.method, p, opts);
  return { key, caller, side, path: p, status: r.status, text: r.text, ct: r.headers.get('content-type') ?? '', expect: verdict(entry, caller, side), limited: entry[caller] === 'own' };
}

/** What is wrong with one answer, or null. */
function judge(W, x) {
  const where = `${x.key} as ${x.caller} (${x.side}: ${x.path}) → ${x.status}`;
  if (x.status >= 500) return `${where}: server error ${x.text.slice(0, 200)}`;
  if (x.expect === 'allow') {
    if ([401, 403, 404].includes(x.status)) return `${where}: allowed by the matrix, refused by the server ${x.text.slice(0, 200)}`;
    if (x.limited) {
      const leak = W.data.B.find((s) => x.text.includes(s));
      if (leak) return `${where}: own-world answer holds foreign data ${JSON.stringify(leak)}`;
    }
    return null;
  }
  const want = x.caller === 'anonymous' ? [401] : [403, 404];
  if (!want.includes(x.status)) return `${where}: denied by the matrix, expected ${want.join(' or ')} ${x.text.slice(0, 200)}`;
  if (!/^application\/problem\+json\b/i.test(x.ct)) return `${where}: denial is not problem+json (${x.ct})`;
  const leak = [...W.data.A, ...W.data.B].find((s) => x.text.includes(s));
  if (leak) return `${where}: denial holds fixture data ${JSON.stringify(leak)}`;
  return null;
}

// ---- the tests ----------------------------------------------------------------

describe('authorisation matrix', () => {
  let srv;
  let W;
  let routes;
  let matrix;

  before(async () => {
    const r = await cli(['routes', '--json']);
    assert.equal(r.code, 0, `iprshield routes --json: ${r.stderr}`);
    routes = JSON.parse(r.stdout);
    matrix = JSON.parse(await fs.readFile(MATRIX_FILE, 'utf8')).routes;
    srv = await startServer();
    W = await buildWorld(srv);
  });
  after(async () => { if (srv) await srv.stop(); });

  test('iprshield routes prints the route table as text and JSON', async () => {
    assert.ok(routes.length > 10, 'a route table');
    for (const x of routes) {
      assert.match(x.method, /^(GET|POST|PUT|DELETE|PATCH)$/);
      assert.match(x.pattern, /^\/\S*$/);
      assert.ok(['public', 'required'].includes(x.auth), x.auth);
      assert.ok(['json', 'multipart'].includes(x.body), x.body);
    }
    const text = await cli(['routes']);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trim().split('\n');
    assert.equal(lines.length, routes.length, 'one line per route');
    assert.deepEqual(lines[0].split(/\s+/), [routes[0].method, routes[0].pattern, routes[0].auth, routes[0].body]);
    assert.equal((await cli(['routes', 'extra'])).code, 2, 'no arguments');
  });

  test('every route has a matrix entry, every entry a route, every parameter a fixture', () => {
    const keys = new Set(routes.map((x) => `${x.method} ${x.pattern}`));
    const problems = [];
    for (const x of routes) {
      const key = `${x.method} ${x.pattern}`;
      const e = matrix[key];
      if (!e) { problems.push(`no matrix entry for route ${key}`); continue; }
      if (Boolean(e.public) !== (x.auth === 'public')) problems.push(`${key}: the matrix says public=${Boolean(e.public)}, the route table auth=${x.auth}`);
      for (const [role, v] of Object.entries(e)) {
        if (role === 'public') continue;
        if (!ROLES.includes(role) || !['any', 'own'].includes(v)) problems.push(`${key}: bad matrix value ${role}: ${JSON.stringify(v)}`);
      }
      for (const pk of paramKinds(x.pattern)) if (!pk.kind) problems.push(`${key}: no fixture kind for ${pk.key} in PARAM_KINDS`);
    }
    for (const key of Object.keys(matrix)) if (!keys.has(key)) problems.push(`matrix entry ${key} names no route`);
    assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
  });

  test('every route × every role × own and foreign object answers as the matrix says', async () => {
    const jobs = [];
    const later = [];
    for (const route of routes) {
      const key = `${route.method} ${route.pattern}`;
      const entry = matrix[key];
      if (!entry || paramKinds(route.pattern).some((pk) => !pk.kind)) continue;   // the test above fails
      const objectLess = paramKinds(route.pattern).length === 0 && shapeKinds(REQUEST_SHAPES[key]).length === 0;
      for (const caller of CALLERS) {
        for (const side of objectLess ? ['own'] : ['own', 'foreign']) {
          (SEQUENTIAL[key] ? later : jobs).push(() => probe(srv, W, route, entry, caller, side));
        }
      }
    }
    const results = [...await pool(CONCURRENCY, jobs), ...await pool(1, later)];
    // A compact summary: per route and caller, own/foreign as Y (let in) or . (refused).
    const cell = (x) => (x ? ([401, 403, 404].includes(x.status) ? '.' : 'Y') : ' ');
    const byKey = new Map();
    for (const x of results) {
      if (!byKey.has(x.key)) byKey.set(x.key, {});
      byKey.get(x.key)[`${x.caller}/${x.side}`] = x;
    }
    const head = CALLERS.map((c) => c.slice(0, 5).padEnd(5)).join(' ');
    const lines = [`${'route'.padEnd(66)} ${head}`];
    for (const [key, m] of byKey) {
      lines.push(`${key.padEnd(66)} ${CALLERS.map((c) => `${cell(m[`${c}/own`])}${cell(m[`${c}/foreign`])}`.padEnd(5)).join(' ')}`);
    }
    console.log(`authorisation matrix (${results.length} requests; Y let in, . refused; own then foreign):\n${lines.join('\n')}`);
    const problems = results.map((x) => judge(W, x)).filter(Boolean);
    assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
  });
});
