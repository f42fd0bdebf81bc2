// ledger.test.mjs — the original-work ledger over HTTP and the CLI: register
// a work, fetch receipts, verify them offline with `iprshield ledger verify`
// (no server, no database) and with an independent JavaScript verifier
// (node:crypto Ed25519 + RFC 9162 §2.1.3.2 / §2.1.4.2), access by role, bad
// input that changes nothing, consistency proofs (fetched by the CLI with
// --url, or from a file), prior art by image (mirrored copies found), and a
// crash test that SIGKILLs the server during concurrent registrations.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertProblem, cli, listAll, makeTempDir, startServer } from './lib.mjs';

// ---- an independent verifier ---------------------------------------------------------

const sha256 = (...parts) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest();
const leafHash = (leaf) => sha256(Buffer.from([0]), leaf);
const nodeHash = (l, r) => sha256(Buffer.from([1]), l, r);

function parseVkey(vkey) {
  const [name, keyid, rest] = [vkey.slice(0, vkey.indexOf('+')), vkey.split('+')[1], vkey.split('+').slice(2).join('+')];
  const raw = Buffer.from(rest, 'base64');
  assert.equal(raw[0], 1, 'an Ed25519 key');
  const id = sha256(Buffer.from(name + '\n'), raw).subarray(0, 4).toString('hex');
  assert.equal(id, keyid, 'the key id is SHA-256(name || 0x0A || 0x01 || key)[:4]');
  const key = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.subarray(1).toString('base64url') }, format: 'jwk' });
  return { name, keyid, key };
}

/** Open a checkpoint note; returns {origin, size, root} or throws. */
function openCheckpoint(note, vk) {
  const split = note.lastIndexOf('\n\n');
  const text = note.slice(0, split + 1);
  const sigs = note.slice(split + 2).trimEnd().split('\n');
  // a checkpoint made during a key rotation's overlap carries two signatures
  // of the same name: take the one with this key's id
  const line = sigs.find((l) => l.startsWith(`\u2014 ${vk.name} `)
    && Buffer.from(l.split(' ')[2], 'base64').subarray(0, 4).toString('hex') === vk.keyid);
  assert.ok(line, 'a signature line by the key');
  const blob = Buffer.from(line.split(' ')[2], 'base64');
  assert.equal(blob.subarray(0, 4).toString('hex'), vk.keyid);
  assert.ok(crypto.verify(null, Buffer.from(text, 'utf8'), vk.key, blob.subarray(4)), 'the checkpoint signature verifies');
  const [origin, size, root] = text.split('\n');
  assert.equal(origin, vk.name);
  return { origin, size: Number(size), root: Buffer.from(root, 'base64') };
}

function verifyInclusion(index, size, hash, proof, root) {
  if (index >= size) return false;
  let fn = index; let sn = size - 1; let r = hash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

function verifyConsistency(m, n, oldRoot, newRoot, proof) {
  if (m === n) return proof.length === 0 && oldRoot.equals(newRoot);
  if (m === 0 || m > n || proof.length === 0) return false;
  const path = (m & (m - 1)) === 0 ? [oldRoot, ...proof] : [...proof];
  let fn = m - 1; let sn = n - 1;
  while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
  let fr = path[0]; let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr); sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(oldRoot) && sr.equals(newRoot);
}

function verifyReceiptJs(receipt, vk) {
  const cp = openCheckpoint(receipt.checkpoint, vk);
  assert.equal(receipt.tree_size, cp.size);
  const leaf = Buffer.from(receipt.leaf, 'base64');
  const proof = receipt.inclusion_proof.map((h) => Buffer.from(h, 'base64'));
  assert.ok(verifyInclusion(receipt.leaf_index, receipt.tree_size, leafHash(leaf), proof, cp.root), `leaf ${receipt.leaf_index} is in the tree of ${receipt.tree_size}`);
  return JSON.parse(leaf.toString('utf8'));
}

// ---- helpers ----------------------------------------------------------------------------

/** POST a work as multipart; auth {session} or {bearer}. meta: object or raw string. */
async function postWork(srv, auth, { file = Buffer.from('a work'), meta, omitFile = false, omitMeta = false } = {}) {
  const form = new FormData();
  if (!omitFile) form.append('work', new Blob([file]), 'work.bin');
  if (!omitMeta) form.append('meta', typeof meta === 'string' ? meta : JSON.stringify(meta ?? { title: 'A work' }));
  const headers = {};
  if (auth.session) { headers.cookie = auth.session.cookie; headers['x-csrf-token'] = auth.session.csrf; }
  if (auth.bearer) headers.authorization = `Bearer ${auth.bearer}`;
  const res = await fetch(`${srv.base}/api/v1/ledger/registrations`, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let body; try { body = JSON.parse(text); } catch { body = undefined; }
  return { status: res.status, headers: res.headers, text, body };
}

/** A PNG of a small drawing (mirrored left-right when asked), rendered by
 * rsvg-convert (librsvg2-bin, in scripts/install-deps.sh). */
async function drawing(dir, name, { mirror = false, variant = 0 } = {}) {
  const shapes = variant === 0
    ? '<rect x="8" y="10" width="50" height="30" fill="#c00"/><circle cx="92" cy="84" r="30" fill="#036"/><polygon points="6,122 60,58 72,122" fill="#0a0"/>'
    : '<rect x="0" y="64" width="128" height="64" fill="#222"/><circle cx="30" cy="30" r="22" fill="#fc0"/><rect x="70" y="8" width="12" height="110" fill="#09c"/>';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128"><rect width="128" height="128" fill="#f4f4f4"/>`
    + `<g${mirror ? ' transform="translate(128,0) scale(-1,1)"' : ''}>${shapes}</g></svg>`;
  const src = path.join(dir, `${name}.svg`); const out = path.join(dir, `${name}.png`);
  await fs.writeFile(src, svg);
  execFileSync('rsvg-convert', ['-o', out, src]);
  return out;
}

/** POST an image to the prior-art search. */
async function postPriorArt(srv, session, file, meta) {
  const form = new FormData();
  if (file) form.append('image', new Blob([file]), 'query.png');
  if (meta) form.append('meta', JSON.stringify(meta));
  const res = await fetch(`${srv.base}/api/v1/ledger/prior-art`, {
    method: 'POST', headers: { cookie: session.cookie, 'x-csrf-token': session.csrf }, body: form, signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let body; try { body = JSON.parse(text); } catch { body = undefined; }
  return { status: res.status, headers: res.headers, text, body };
}

async function treeSize(srv) {
  const r = await srv.request('GET', '/api/v1/ledger/checkpoint');
  return r.status === 404 ? 0 : r.body.tree_size;
}

describe('original-work ledger', () => {
  let srv; let vkey; let vk; let dir;
  const S = {};

  before(async () => {
    srv = await startServer();
    dir = await makeTempDir('iprs-ledger-');
    for (const role of ['admin', 'reviewer', 'rightholder', 'seller', 'auditor']) S[role] = await srv.loginAs(role);
    const k = await srv.request('GET', '/api/v1/ledger/key');
    assert.equal(k.status, 200, k.text);
    vkey = k.body.verifier_key;
    vk = parseVkey(vkey);
  });
  after(async () => { if (srv) await srv.stop(); });

  test('the published key is the one the CLI prints, and the empty log has no checkpoint', async () => {
    const r = await cli(['ledger', 'key', '--db', srv.db]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), vkey);
    assert.equal((await srv.request('GET', '/api/v1/ledger/key')).body.origin, vk.name);
    assertProblem(await srv.request('GET', '/api/v1/ledger/checkpoint'), 404, 'not-found');
  });

  test('a right holder registers a work and the receipt verifies offline, by the CLI and independently', async () => {
    const file = Buffer.from('the original artwork bytes');
    const r = await postWork(srv, { session: S.rightholder }, { file, meta: { title: 'Autumn print', created_on: '2024-03-01' } });
    assert.equal(r.status, 201, r.text);
    for (const f of ['leaf', 'leaf_index', 'tree_size', 'inclusion_proof', 'checkpoint']) assert.ok(f in r.body, `receipt has ${f}`);
    const rec = verifyReceiptJs(r.body, vk);
    assert.equal(rec.title, 'Autumn print');
    assert.equal(rec.created_on, '2024-03-01');
    assert.equal(rec.org_id, S.rightholder.body.org.id);
    assert.equal(rec.work_sha256, sha256(file).toString('hex'));
    assert.equal(rec.pdq, null);
    const p = path.join(dir, 'receipt.json');
    await fs.writeFile(p, r.text);
    const v = await cli(['ledger', 'verify', p, '--key', vkey]);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /^verified: leaf \d+ "Autumn print"/);
    // a fresh receipt from the API verifies too
    const g = await srv.request('GET', `/api/v1/ledger/receipts/${r.body.leaf_index}`, { session: S.rightholder });
    assert.equal(g.status, 200, g.text);
    verifyReceiptJs(g.body, vk);
    assert.equal(g.body.leaf, r.body.leaf);
  });

  test('verify names the check a tampered receipt fails', async () => {
    const r = await postWork(srv, { session: S.rightholder }, { meta: { title: 'Tamper target' } });
    assert.equal(r.status, 201, r.text);
    const g = await srv.request('GET', `/api/v1/ledger/receipts/${r.body.leaf_index}`, { session: S.rightholder });
    const base = g.body;
    const cases = [
      ['leaf', { ...base, leaf: Buffer.from('{"not":"a record"}').toString('base64') }],
      ['size', { ...base, tree_size: base.tree_size + 1 }],
      ['size', { ...base, leaf_index: base.tree_size }],
      ['proof', { ...base, inclusion_proof: base.inclusion_proof.slice(0, -1) }],
      ['signature', { ...base, checkpoint: base.checkpoint.replace(/\n(\d+)\n/, (m, n) => `\n${Number(n) + 1}\n`) }],
      ['format', { ...base, checkpoint: undefined }],
    ];
    assert.ok(base.inclusion_proof.length > 0, 'the tree has more than one leaf by now');
    for (const [check, receipt] of cases) {
      const p = path.join(dir, `tampered-${check}.json`);
      await fs.writeFile(p, JSON.stringify(receipt));
      const v = await cli(['ledger', 'verify', p, '--key', vkey]);
      assert.equal(v.code, 1, `${check}: ${v.stdout} ${v.stderr}`);
      assert.match(v.stderr, new RegExp(`FAILED \\(${check}\\)`), v.stderr);
    }
    const p = path.join(dir, 'good.json');
    await fs.writeFile(p, JSON.stringify(base));
    const other = await cli(['ledger', 'key', '--db', path.join(dir, 'other.db')],
      { env: { IPRSHIELD_LEDGER_KEY: path.join(dir, 'other.key') } });
    assert.equal(other.code, 0, other.stderr);
    const wrong = await cli(['ledger', 'verify', p, '--key', other.stdout.trim()]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /FAILED \(key\)/);
    const ok = await cli(['ledger', 'verify', p, '--key', vkey]);
    assert.equal(ok.code, 0, ok.stderr);
  });

  test('receipts are read by the owner and the platform only; the key, checkpoint and proofs are public', async () => {
    const r = await postWork(srv, { session: S.rightholder }, { meta: { title: 'Owned' } });
    assert.equal(r.status, 201, r.text);
    const url = `/api/v1/ledger/receipts/${r.body.leaf_index}`;
    assert.equal((await srv.request('GET', url, { session: S.reviewer })).status, 200);
    assert.equal((await srv.request('GET', url, { session: S.admin })).status, 200);
    assertProblem(await srv.request('GET', url, { session: S.seller }), 404, 'not-found');
    assertProblem(await srv.request('GET', url), 401, 'unauthenticated');
    assertProblem(await srv.request('GET', '/api/v1/ledger/receipts/99999', { session: S.admin }), 404, 'not-found');
    assertProblem(await srv.request('GET', '/api/v1/ledger/receipts/abc', { session: S.admin }), 404, 'not-found');
    assert.equal((await srv.request('GET', '/api/v1/ledger/checkpoint')).status, 200);
    // listings: the holder sees its own, the seller none, the reviewer all
    const mine = await listAll(srv, '/api/v1/ledger/registrations', { session: S.rightholder }, 1);
    assert.ok(mine.length >= 3);
    assert.ok(mine.every((x) => x.org_id === S.rightholder.body.org.id));
    assert.deepEqual(await listAll(srv, '/api/v1/ledger/registrations', { session: S.seller }), []);
    assert.equal((await listAll(srv, '/api/v1/ledger/registrations', { session: S.reviewer })).length, await treeSize(srv));
    assertProblem(await srv.request('GET', '/api/v1/ledger/registrations?cursor=zz', { session: S.reviewer }), 422, 'invalid');
  });

  test('only right holders register, and bad input changes nothing', async () => {
    const before1 = await treeSize(srv);
    for (const role of ['seller', 'reviewer', 'auditor']) {
      const r = await postWork(srv, { session: S[role] }, { meta: { title: 'Not mine' } });
      assert.ok([403, 404].includes(r.status), `${role}: ${r.status} ${r.text}`);
    }
    const r2 = await postWork(srv, { session: S.rightholder }, { meta: { title: 'For another', org_id: S.seller.body.org.id } });
    assert.equal(r2.status, 404, r2.text);
    const bad = [
      [{ omitMeta: true }, 422],
      [{ omitFile: true }, 422],
      [{ meta: '{not json' }, 400],
      [{ meta: '[1]' }, 422],
      [{ meta: { title: 'x', extra: 1 } }, 422],
      [{ meta: { title: '' } }, 422],
      [{ meta: { title: 7 } }, 422],
      [{ meta: { title: 'x', created_on: '2024-13-01' } }, 422],
      [{ meta: { title: 'x', created_on: '2999-01-01' } }, 422],
      [{ meta: { title: 'x'.repeat(201) } }, 422],
      [{ file: Buffer.alloc(0) }, 422],
    ];
    for (const [opts, status] of bad) {
      const r = await postWork(srv, { session: S.rightholder }, opts);
      assert.equal(r.status, status, `${JSON.stringify(opts).slice(0, 80)}: ${r.status} ${r.text}`);
    }
    // JSON to the multipart route
    const j = await srv.request('POST', '/api/v1/ledger/registrations', { session: S.rightholder, json: { title: 'x' } });
    assertProblem(j, 415, 'unsupported-media-type');
    // no CSRF token with a cookie
    const form = new FormData();
    form.append('work', new Blob([Buffer.from('x')]));
    form.append('meta', JSON.stringify({ title: 'x' }));
    const nocsrf = await fetch(`${srv.base}/api/v1/ledger/registrations`, { method: 'POST', headers: { cookie: S.rightholder.cookie }, body: form });
    assert.equal(nocsrf.status, 403);
    assert.equal(await treeSize(srv), before1, 'nothing was appended');
  });

  test('consistency proofs join an old checkpoint to the latest, checked by the CLI', async () => {
    const first = await srv.request('GET', '/api/v1/ledger/checkpoint');
    const r = await postWork(srv, { session: S.rightholder }, { meta: { title: 'Later' } });
    assert.equal(r.status, 201, r.text);
    const latest = await srv.request('GET', '/api/v1/ledger/checkpoint');
    const from = first.body.tree_size; const to = latest.body.tree_size;
    const c = await srv.request('GET', `/api/v1/ledger/consistency?from=${from}&to=${to}`);
    assert.equal(c.status, 200, c.text);
    const old = openCheckpoint(first.body.checkpoint, vk); const neu = openCheckpoint(latest.body.checkpoint, vk);
    assert.ok(verifyConsistency(from, to, old.root, neu.root, c.body.proof.map((h) => Buffer.from(h, 'base64'))));
    const po = path.join(dir, 'old.note'); const pn = path.join(dir, 'new.json'); const pp = path.join(dir, 'proof.json');
    await fs.writeFile(po, first.body.checkpoint);
    await fs.writeFile(pn, r.text); // a receipt holds the new checkpoint
    await fs.writeFile(pp, c.text);
    const ok = await cli(['ledger', 'consistency', po, pn, '--key', vkey, '--proof', pp]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^consistent/);
    const fromStdin = await cli(['ledger', 'consistency', po, pn, '--key', vkey, '--proof', '-'], { stdin: c.text });
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    // --url: the CLI fetches the proof from the server itself, then checks it offline
    const fetched = await cli(['ledger', 'consistency', po, pn, '--key', vkey, '--url', `${srv.base}/`]);
    assert.equal(fetched.code, 0, fetched.stderr);
    assert.match(fetched.stdout, new RegExp(`^consistent: the tree of ${from} leaves is a prefix of the tree of ${to} leaves`));
    const both = await cli(['ledger', 'consistency', po, pn, '--key', vkey, '--url', srv.base, '--proof', pp]);
    assert.equal(both.code, 2);
    const unreachable = await cli(['ledger', 'consistency', po, pn, '--key', vkey, '--url', 'http://127.0.0.1:9']);
    assert.equal(unreachable.code, 5, unreachable.stderr);
    assert.match(unreachable.stderr, /cannot fetch/);
    // a server that never saw the newer checkpoint answers 422: reported, not "consistent"
    const elsewhere = await startServer();
    try {
      const lost = await cli(['ledger', 'consistency', po, pn, '--key', vkey, '--url', elsewhere.base]);
      assert.equal(lost.code, 4, lost.stderr);
      assert.match(lost.stderr, /answered HTTP 422/);
    } finally {
      await elsewhere.stop();
    }
    const swapped = await cli(['ledger', 'consistency', pn, po, '--key', vkey, '--proof', pp]);
    assert.equal(swapped.code, 1);
    assert.match(swapped.stderr, /FAILED \(size\)/);
    await fs.writeFile(pp, JSON.stringify({ proof: c.body.proof.slice(1) }));
    const bad = await cli(['ledger', 'consistency', po, pn, '--key', vkey, '--proof', pp]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /FAILED \(proof\)/);
    for (const q of ['from=0&to=1', `from=2&to=${to + 1}`, 'from=3&to=2', 'from=x&to=1', 'to=1']) {
      assertProblem(await srv.request('GET', `/api/v1/ledger/consistency?${q}`), 422, 'invalid', q);
    }
  });

  test('prior art: an image finds earlier registrations of it, mirrored copies included, in registration order', async () => {
    const orig = await fs.readFile(await drawing(dir, 'orig'));
    const mirrored = await fs.readFile(await drawing(dir, 'mirrored', { mirror: true }));
    const unrelated = await fs.readFile(await drawing(dir, 'unrelated', { variant: 1 }));
    const r = await postWork(srv, { session: S.rightholder }, { file: orig, meta: { title: 'Poster' } });
    assert.equal(r.status, 201, r.text);
    const leaf = JSON.parse(Buffer.from(r.body.leaf, 'base64').toString('utf8'));
    assert.match(leaf.pdq, /^[0-9a-f]{64}$/, 'an image work carries its PDQ hash in the signed leaf');
    const listed = (await listAll(srv, '/api/v1/ledger/registrations', { session: S.rightholder })).find((x) => x.leaf_index === r.body.leaf_index);
    assert.equal(listed.pdq, leaf.pdq);
    assert.equal(listed.agent_org_id, null);

    // anyone signed in may ask (a seller in a dispute too); the mirrored copy is found
    const q = await postPriorArt(srv, S.seller, mirrored, { before: r.body.leaf_index + 1 });
    assert.equal(q.status, 200, q.text);
    assert.match(q.body.pdq, /^[0-9a-f]{64}$/);
    assert.equal(q.body.distance, 31);
    const hit = q.body.items.find((x) => x.leaf_index === r.body.leaf_index);
    assert.ok(hit, q.text);
    assert.equal(hit.title, 'Poster');
    assert.equal(hit.pdq, leaf.pdq);
    assert.notEqual(hit.query_transform, 'original');
    assert.ok(hit.distance <= 31);
    const order = q.body.items.map((x) => x.leaf_index);
    assert.deepEqual(order, [...order].sort((a, b) => a - b), 'in registration order');
    // before: only earlier leaves; an unrelated drawing finds nothing
    assert.deepEqual((await postPriorArt(srv, S.seller, mirrored, { before: r.body.leaf_index })).body.items.filter((x) => x.leaf_index === r.body.leaf_index), []);
    assert.deepEqual((await postPriorArt(srv, S.seller, unrelated)).body.items, []);
    // the CLI answers the same from the database
    const c = await cli(['ledger', 'prior-art', path.join(dir, 'mirrored.png'), '--db', srv.db]);
    assert.equal(c.code, 0, c.stderr);
    assert.ok(JSON.parse(c.stdout).items.some((x) => x.leaf_index === r.body.leaf_index), c.stdout);

    // bad queries: named errors
    assertProblem(await postPriorArt(srv, S.seller, null, { distance: 3 }), 422, 'invalid');
    assertProblem(await postPriorArt(srv, S.seller, Buffer.from('not an image')), 415, 'unsupported-media-type');
    assertProblem(await postPriorArt(srv, S.seller, orig, { distance: 40 }), 422, 'invalid');
    assertProblem(await postPriorArt(srv, S.seller, orig, { colour: 'red' }), 422, 'invalid');
    const anon = await fetch(`${srv.base}/api/v1/ledger/prior-art`, { method: 'POST', body: new FormData() });
    assert.equal(anon.status, 401);
  });

  // Last in this block: it changes the log's key.
  test('key rotation: both keys sign during the overlap, old receipts still verify, every key is published', async () => {
    const early = await postWork(srv, { session: S.rightholder }, { meta: { title: 'Before the rotation' } });
    assert.equal(early.status, 201, early.text);
    const rot = await cli(['ledger', 'rotate-key', '--db', srv.db, '--overlap-days', '2']);
    assert.equal(rot.code, 0, rot.stderr);
    const newKey = rot.stdout.trim();
    assert.notEqual(newKey, vkey);
    const nk = parseVkey(newKey);
    assert.equal(nk.name, vk.name, 'the same log');
    // the running server takes the new key file up without a restart
    const k = await srv.request('GET', '/api/v1/ledger/key');
    assert.equal(k.body.verifier_key, newKey);
    assert.deepEqual(k.body.keys.map((x) => [x.verifier_key, x.current]), [[newKey, true], [vkey, false]]);
    assert.equal(k.body.keys[0].cosigns_until, null);
    assert.ok(Date.parse(k.body.keys[1].cosigns_until) > Date.now() + 36 * 3600 * 1000, k.text);
    const all = await cli(['ledger', 'key', '--all', '--db', srv.db]);
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(all.stdout.trim().split('\n'), [newKey, vkey]);
    const keyFile = path.join(dir, 'all.vkeys');
    await fs.writeFile(keyFile, all.stdout);

    const late = await postWork(srv, { session: S.rightholder }, { meta: { title: 'After the rotation' } });
    assert.equal(late.status, 201, late.text);
    verifyReceiptJs(late.body, vk); // verifiers that know only the old key go on working
    verifyReceiptJs(late.body, nk);
    const pe = path.join(dir, 'early.json'); const pl = path.join(dir, 'late.json');
    await fs.writeFile(pe, early.text);
    await fs.writeFile(pl, late.text);
    for (const key of [vkey, newKey]) {
      const v = await cli(['ledger', 'verify', pl, '--key', key]);
      assert.equal(v.code, 0, v.stderr);
    }
    const lone = await cli(['ledger', 'verify', pe, '--key', newKey]);
    assert.equal(lone.code, 1, 'a checkpoint from before the rotation is not by the new key');
    assert.match(lone.stderr, /FAILED \(key\)/);
    for (const args of [['--key', newKey, '--key', vkey], ['--key', keyFile]]) {
      const v = await cli(['ledger', 'verify', pe, ...args]);
      assert.equal(v.code, 0, v.stderr);
    }
    const c = await cli(['ledger', 'consistency', pe, pl, '--key', keyFile, '--url', srv.base]);
    assert.equal(c.code, 0, c.stderr);
    const bad = await cli(['ledger', 'rotate-key', '--db', srv.db, '--overlap-days', '-1']);
    assert.equal(bad.code, 2);
  });
});

describe('ledger crash recovery', () => {
  test('SIGKILL during concurrent registrations loses no acknowledged receipt and never forks', async () => {
    let srv = await startServer();
    const db = srv.db;
    const holder = srv.users.rightholder;
    const tok = await cli(['token', 'create', '--email', holder.email, '--db', db]);
    assert.equal(tok.code, 0, tok.stderr);
    const bearer = tok.stdout.trim();
    const vkey = (await srv.request('GET', '/api/v1/ledger/key')).body.verifier_key;
    const vk = parseVkey(vkey);
    const acked = [];
    for (let round = 0; round < 3; round++) {
      let stop = false;
      const target = acked.length + 40;
      const worker = async (w) => {
        for (let i = 0; !stop; i++) {
          let r;
          try {
            r = await postWork(srv, { bearer }, { file: Buffer.from(`round ${round} worker ${w} work ${i} ${Math.random()}`), meta: { title: `r${round}w${w}i${i}` } });
          } catch { return; } // the server is gone: unacknowledged
          if (r.status !== 201) return;
          acked.push(r.body);
          if (acked.length >= target) stop = true;
        }
      };
      const workers = Array.from({ length: 6 }, (_, w) => worker(w));
      // kill once the round's target is acknowledged, with requests in flight
      while (acked.length < target) await new Promise((res) => setTimeout(res, 5));
      await srv.crash();
      stop = true;
      await Promise.all(workers);
      srv = await startServer({ seed: false, dbPath: db });
      assert.ok(!srv.logs.some((l) => l.level === 'error' && /ledger/.test(l.msg)), 'the start check passed');
    }
    const latest = (await srv.request('GET', '/api/v1/ledger/checkpoint')).body;
    const head = openCheckpoint(latest.checkpoint, vk);
    const session = await srv.login(holder.email, holder.password);
    const seen = new Set();
    for (const rc of acked) {
      assert.ok(!seen.has(rc.leaf_index), `leaf ${rc.leaf_index} acknowledged once`);
      seen.add(rc.leaf_index);
      verifyReceiptJs(rc, vk);
      // the acknowledged leaf is in the recovered log, unchanged
      const g = await srv.request('GET', `/api/v1/ledger/receipts/${rc.leaf_index}`, { session });
      assert.equal(g.status, 200, g.text);
      assert.equal(g.body.leaf, rc.leaf);
      assert.equal(g.body.tree_size, head.size);
      verifyReceiptJs(g.body, vk);
      // its checkpoint is a prefix of the latest one: no fork
      const old = openCheckpoint(rc.checkpoint, vk);
      const c = await srv.request('GET', `/api/v1/ledger/consistency?from=${old.size}&to=${head.size}`);
      assert.equal(c.status, 200, c.text);
      assert.ok(verifyConsistency(old.size, head.size, old.root, head.root, c.body.proof.map((h) => Buffer.from(h, 'base64'))), `checkpoint ${old.size} is consistent with ${head.size}`);
    }
    assert.ok(acked.length >= 120);
    await srv.stop();
    const check = await cli(['ledger', 'check', '--db', db]);
    assert.equal(check.code, 0, check.stderr);
    // a receipt from before the crashes still verifies with the CLI
    const p = path.join(srv.dir, 'r0.json');
    await fs.writeFile(p, JSON.stringify(acked[0]));
    const v = await cli(['ledger', 'verify', p, '--key', vkey]);
    assert.equal(v.code, 0, v.stderr);
  });
});
