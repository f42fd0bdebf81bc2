// scan.test.mjs — `iprshield scan` (the batch mode of issue 5) and
// `iprshield hash pdq`, end to end through the real binary: verdict lines in
// the documented format, every listing answered, bad lines answered with an
// error verdict while the scan goes on, bad profiles refused, and image
// hashing with error lines for corrupt files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { cli, makeTempDir } from './lib.mjs';

const PROFILES = {
  profiles: [
    {
      rightholder: 'Gucci SpA',
      terms: ['Gucci', '古驰'],
      reference_prices: [{ category: 'bags', currency: 'USD', min: 300 }],
      authorized_sellers: ['s1'],
    },
    { rightholder: 'Apple Inc', terms: ['Apple'] },
  ],
};

const LISTINGS = [
  { id: 'L1', seller_id: 's9', title: 'G.u.c.c.i bag 1:1 replica', price: 25, currency: 'USD', category: 'bags', images: [] },
  { id: 'L2', seller_id: 's1', title: 'Gucci Marmont', price: 1500, currency: 'USD', category: 'bags' },
  { id: 'L3', seller_id: 's3', title: 'pineapple sample', description: 'go to bed' },
  { id: 'L4', seller_id: 's3', title: '正品古驰包包', description: 'Ａｐｐｌｅ charger' },
];

async function setup(listingLines) {
  const dir = await makeTempDir('iprs-scan-');
  const profiles = path.join(dir, 'profiles.json');
  const listings = path.join(dir, 'listings.jsonl');
  const out = path.join(dir, 'verdicts.jsonl');
  await fs.writeFile(profiles, JSON.stringify(PROFILES));
  await fs.writeFile(listings, listingLines.join('\n') + '\n');
  return { dir, profiles, listings, out };
}

async function verdicts(file) {
  const text = await fs.readFile(file, 'utf8');
  return text.trim().split('\n').map((l) => JSON.parse(l));
}

test('scan writes one verdict per listing with explained signals', async () => {
  const f = await setup(LISTINGS.map((l) => JSON.stringify(l)));
  const r = await cli(['scan', '--profiles', f.profiles, '--listings', f.listings, '--out', f.out]);
  assert.equal(r.code, 0, r.stderr);
  const v = await verdicts(f.out);
  assert.deepEqual(v.map((x) => x.id), ['L1', 'L2', 'L3', 'L4']);
  const [l1, l2, l3, l4] = v;
  assert.equal(l1.action, 'block');
  assert.ok(l1.score >= 0.85 && l1.score <= 1);
  const brand = l1.signals.find((s) => s.type === 'brand_term');
  assert.deepEqual(
    { rightholder: brand.rightholder, term: brand.term, field: brand.field, start: brand.start, end: brand.end },
    { rightholder: 'Gucci SpA', term: 'Gucci', field: 'title', start: 0, end: 9 });
  for (const t of ['cue_phrase', 'unauthorised_seller', 'price_below_reference'])
    assert.ok(l1.signals.some((s) => s.type === t), `L1 lacks ${t}`);
  assert.equal(l2.action, 'allow', 'an authorised seller may name its brand');
  assert.deepEqual(l2.signals, []);
  assert.deepEqual(l3.signals, [], 'brand letters inside words or across words are no match');
  const l4brands = l4.signals.filter((s) => s.type === 'brand_term').map((s) => `${s.rightholder}/${s.field}`);
  assert.deepEqual(l4brands.sort(), ['Apple Inc/description', 'Gucci SpA/title']);
  const cjk = l4.signals.find((s) => s.term === '古驰');
  assert.equal(Buffer.from('正品古驰包包').subarray(cjk.start, cjk.end).toString(), '古驰');
});

test('scan answers a bad line with an error verdict and goes on', async () => {
  const lines = [
    JSON.stringify(LISTINGS[0]),
    '{not json',
    JSON.stringify({ id: 'L9' }),
    JSON.stringify({ id: 'L10', title: 'Apple', price: 'cheap' }),
    '',
    'x'.repeat(70 * 1024),
    JSON.stringify(LISTINGS[2]),
  ];
  const f = await setup(lines);
  const r = await cli(['scan', '--profiles', f.profiles, '--listings', f.listings, '--out', f.out]);
  assert.equal(r.code, 4, 'some lines were bad');
  const v = await verdicts(f.out);
  assert.equal(v.length, 6);
  assert.equal(v[0].id, 'L1');
  assert.equal(v[1].line, 2);
  assert.match(v[1].error, /malformed JSON/);
  assert.deepEqual([v[2].line, v[2].id], [3, 'L9']);
  assert.match(v[2].error, /title/);
  assert.match(v[3].error, /price/);
  assert.equal(v[4].line, 6);
  assert.match(v[4].error, /longer than/);
  assert.equal(v[5].id, 'L3');
});

test('scan reads standard input and writes standard output', async () => {
  const f = await setup([]);
  const r = await cli(['scan', '--profiles', f.profiles, '--listings', '-'],
    { stdin: JSON.stringify(LISTINGS[3]) + '\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout.trim()).id, 'L4');
  assert.equal(r.stderr.includes('\r'), false, 'no progress bar when not a terminal');
});

test('scan refuses bad profiles and usage errors without writing verdicts', async () => {
  const f = await setup([JSON.stringify(LISTINGS[0])]);
  await fs.writeFile(f.profiles, JSON.stringify({ profiles: [{ rightholder: 'X', terms: ['--'] }] }));
  let r = await cli(['scan', '--profiles', f.profiles, '--listings', f.listings, '--out', f.out]);
  assert.equal(r.code, 4);
  assert.match(r.stderr, /no letters or digits/);
  await assert.rejects(fs.access(f.out));
  await fs.writeFile(f.profiles, '{"profiles": [');
  r = await cli(['scan', '--profiles', f.profiles, '--listings', f.listings]);
  assert.equal(r.code, 4);
  r = await cli(['scan', '--listings', f.listings]);
  assert.equal(r.code, 2);
  r = await cli(['scan', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /PROFILES\.json/);
});

// A minimal PNG writer (8-bit RGB, no filtering) for test images.
const CRC = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function crc32(buf) {
  let c = -1;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(w, h, pixel) {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) raw.set(pixel(x, y), y * (w * 3 + 1) + 1 + x * 3);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
// Smooth, with no mirror symmetry (a symmetric picture has no stable
// mirrored hash: its odd-frequency coefficients are all near zero).
const pattern = (x, y) => [
  Math.round(127 + 120 * Math.sin(x / 9) * Math.cos(y / 13)),
  (x < 50 && y > 40) || ((x + 3 * y) >> 5) % 3 === 0 ? 200 : 40,
  Math.round(127 + 100 * Math.cos((x + 2 * y) / 17))];

test('hash pdq prints one line per file and an error line for a corrupt one', async () => {
  const dir = await makeTempDir('iprs-hash-');
  const a = path.join(dir, 'a.png'), bad = path.join(dir, 'bad.png'), b = path.join(dir, 'mirror.png');
  const img = png(160, 120, pattern);
  await fs.writeFile(a, img);
  await fs.writeFile(bad, img.subarray(0, img.length >> 1));
  await fs.writeFile(b, png(160, 120, (x, y) => pattern(159 - x, y)));
  const r = await cli(['hash', 'pdq', a, bad, path.join(dir, 'missing.png'), b]);
  assert.equal(r.code, 4);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 2);
  const [ha, qa, fa] = lines[0].split(' ');
  assert.match(ha, /^[0-9a-f]{64}$/);
  assert.ok(Number(qa) >= 0 && Number(qa) <= 100);
  assert.equal(fa, a);
  const errs = r.stderr.trim().split('\n');
  assert.equal(errs.length, 2);
  assert.ok(errs[0].startsWith('error ') && errs[0].endsWith(bad));
  assert.ok(errs[1].endsWith(path.join(dir, 'missing.png')));

  // the mirror image matches the original through a dihedral variant
  const d = await cli(['hash', 'pdq', '--dihedral', a]);
  const variants = d.stdout.trim().split('\n').slice(1).map((l) => l.split(' ')[0]);
  const hb = lines[1].split(' ')[0];
  const dist = (x, y) => [...x].reduce((n, c, i) => n + [...(parseInt(c, 16) ^ parseInt(y[i], 16)).toString(2)].filter((z) => z === '1').length, 0);
  assert.ok(dist(ha, hb) > 31, 'the mirror image is far from the original as it is');
  assert.ok(Math.min(...variants.map((v) => dist(v, hb))) <= 31, 'and near one of its variants');
});

test('scan matches listing images against profile image hashes', async () => {
  const dir = await makeTempDir('iprs-scanimg-');
  const img = png(160, 120, pattern);
  await fs.writeFile(path.join(dir, 'logo.png'), img);
  await fs.writeFile(path.join(dir, 'copy.png'), png(160, 120, (x, y) => pattern(159 - x, y)));
  const [h, quality] = (await cli(['hash', 'pdq', path.join(dir, 'logo.png')])).stdout.split(' ');
  assert.ok(Number(quality) >= 50);
  const profiles = path.join(dir, 'p.json'), listings = path.join(dir, 'l.jsonl');
  await fs.writeFile(profiles, JSON.stringify({ profiles: [{ rightholder: 'Logo Co', terms: ['Logoco'], image_hashes: [h] }] }));
  await fs.writeFile(listings, JSON.stringify({ id: 'I1', title: 'nice bag', images: ['copy.png', 'https://x/y.jpg'] }) + '\n');
  const r = await cli(['scan', '--profiles', profiles, '--listings', listings, '--images', dir]);
  assert.equal(r.code, 0, r.stderr);
  const v = JSON.parse(r.stdout.trim());
  const sig = v.signals.find((x) => x.type === 'image_hash');
  assert.ok(sig, JSON.stringify(v));
  assert.equal(sig.rightholder, 'Logo Co');
  assert.equal(sig.image, 'copy.png');
  assert.equal(sig.variant, 'flip_horizontal');
  assert.ok(sig.distance <= 31);
  assert.equal(v.action, 'review', 'an official image reused by an unknown listing is reviewed');
});

// The batch scan answers plain lines on a fast path (no jansson DOM) and
// everything else on the general path: both must give the same verdicts, so
// lines at the edge of JSON go through the scan with their expected answers.
test('scan gives the same answers on lines at the edge of JSON', async () => {
  const lines = [
    '{"id":"E1","title":"caf\\u00e9 bag \\n line","description":null,"price":0}',
    '{"id":"E2","title":"G\\u0075cci\\u0020bag"}',
    '{"id":"E3","title":"ok","title":"x"}',
    '{"id":"E4","title":"ok","k\\u0061":1,"ka":2}',
    '{"id":"E5","title":"bad \\ud800 surrogate"}',
    '{"id":"E6","title":"nul \\u0000 x"}',
    '{"id":"E7","title":"ok","price":12345678901234567890}',
    '{"id":"E8","title":"ok","price":01}',
    '{"id":"E9","title":"ok"} trailing',
    ' {"id":"E10" , "title" : "emoji \\ud83d\\ude00 \\"q\\" \\\\ \\/", "x":{"a":[1,{"b":null}]}} ',
    '{"id":"E11","title":"ok","price":-1}',
    '{"id":"E12","title":"ok","price":1e3,"images":[]}',
    '{"id":"E13","title":"ok","images":[""]}',
  ];
  const f = await setup(lines);
  const r = await cli(['scan', '--profiles', f.profiles, '--listings', f.listings, '--out', f.out]);
  assert.equal(r.code, 4);
  const v = await verdicts(f.out);
  const allow = (id) => ({ id, score: 0, action: 'allow', signals: [] });
  assert.deepEqual(v[0], allow('E1'));
  assert.equal(v[1].signals[0].rightholder, 'Gucci SpA');
  assert.deepEqual([v[1].signals[0].start, v[1].signals[0].end], [0, 5], 'offsets into the decoded title');
  for (const k of [2, 3, 4, 5, 6, 7, 8]) assert.match(v[k].error, /malformed JSON/, `line ${k + 1}`);
  assert.deepEqual(v[9], allow('E10'));
  assert.match(v[10].error, /price/);
  assert.deepEqual(v[11], allow('E12'));
  assert.match(v[12].error, /images/);
});
