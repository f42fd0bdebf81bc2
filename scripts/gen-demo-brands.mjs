#!/usr/bin/env node
// gen-demo-brands.mjs — demo right holders for `iprshield demo seed --brands N`.
//
//   node scripts/gen-demo-brands.mjs --brands N --out DIR [--seed S] [--today YYYY-MM-DD]
//
// Real brands from the npm package simple-icons (its data/simple-icons.json:
// title, slug, hex colour, aliases; its icons/SLUG.svg: the logo). Writes
//   DIR/brands.jsonl          one brand per line (fields below)
//   DIR/logo-K.svg            the brand's icon filled with its colour
//   DIR/certificate-K.pdf     a one-page registration certificate (demo)
// where K is the line number from 1. Each line:
//   {name, slug, hex, svg, source_svg, certificate, variants[],
//    office, registration_number, nice_classes[], valid_from, valid_to}
// svg is the coloured copy that `demo seed` renders to PNG with rsvg-convert;
// source_svg the icon in node_modules. variants are the brand's real aliases
// from simple-icons (localised names such as 爱发电, "also known as" names)
// plus the name without spaces and punctuation when that differs.
//
// Order: widely counterfeited consumer brands first (those of them that
// simple-icons has), then brands with localised names, then the others in a
// shuffled order fixed by --seed (default 42). The first N are taken, so a
// larger N extends a smaller one. Each brand's registration details are drawn
// from a generator seeded by its slug: the same brand always gets the same
// office, number, Nice classes and dates (valid for 10 years from a date
// 1 to 9 years before --today, default today in UTC).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Faker, en } from '@faker-js/faker';

const require = createRequire(import.meta.url);

function usage() {
  console.error('usage: node scripts/gen-demo-brands.mjs --brands N --out DIR [--seed S] [--today YYYY-MM-DD]');
  process.exit(2);
}

function args(argv) {
  const o = { brands: 20, out: null, seed: 42, today: new Date().toISOString().slice(0, 10) };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (v === undefined) usage();
    if (k === '--brands') o.brands = Number(v);
    else if (k === '--out') o.out = v;
    else if (k === '--seed') o.seed = Number(v);
    else if (k === '--today') o.today = v;
    else usage();
    i++;
  }
  const okInt = (n, max) => Number.isInteger(n) && n >= 0 && n <= max;
  if (!o.out || !okInt(o.brands, 100_000) || !okInt(o.seed, 2 ** 31) || !/^\d{4}-\d{2}-\d{2}$/.test(o.today)) usage();
  return o;
}

// Consumer brands often met as counterfeits; only those simple-icons carries are used.
const FEATURED = [
  'nike', 'adidas', 'puma', 'reebok', 'newbalance', 'underarmour', 'thenorthface', 'fila',
  'zara', 'uniqlo', 'hermes', 'apple', 'samsung', 'xiaomi', 'huawei', 'sony', 'playstation',
  'nikon', 'lenovo', 'bose', 'jbl', 'oppo', 'vivo', 'oneplus', 'dji', 'starbucks', 'cocacola',
  'redbull', 'ikea',
];

// Trademark offices (ISO 3166-1 codes and regional offices) with the shape of
// their registration numbers.
const OFFICES = [
  { office: 'EUIPO', number: (f) => `01${f.string.numeric(7)}` },
  { office: 'WIPO', number: (f) => `1${f.string.numeric(6)}` },
  { office: 'US', number: (f) => `${f.number.int({ min: 4, max: 7 })}${f.string.numeric(6)}` },
  { office: 'CN', number: (f) => f.string.numeric({ length: 8, allowLeadingZeros: false }) },
  { office: 'GB', number: (f) => `UK0000${f.string.numeric(7)}` },
  { office: 'JP', number: (f) => `${f.number.int({ min: 5, max: 6 })}${f.string.numeric(6)}` },
  { office: 'DE', number: (f) => `3020${f.number.int({ min: 12, max: 23 })}${f.string.numeric(6)}` },
  { office: 'KR', number: (f) => `40-${f.string.numeric(7)}` },
];
// Nice classes: 25 clothing and footwear most often; 18 leather goods, 28
// toys and sporting goods, 9 electronics, 42 software services, 3
// cosmetics, 14 jewellery and watches.
const CLASSES = [[25], [25], [18, 25], [25, 28], [9], [9, 42], [3, 25], [14, 25]];

function hashSlug(s) {
  let h = 2166136261;
  for (const c of Buffer.from(s, 'utf8')) h = Math.imul(h ^ c, 16777619) >>> 0;
  return h;
}

function addYears(ymd, years) {
  const [y, m, d] = ymd.split('-').map(Number);
  const t = new Date(Date.UTC(y + years, m - 1, d));
  if (t.getUTCMonth() !== m - 1) t.setUTCDate(0); // 29 February -> 28 February
  return t.toISOString().slice(0, 10);
}

// The brand's colour, or a dark grey for white and near-white brands (the
// PNG has a transparent background).
function fill(hex) {
  const n = parseInt(hex, 16);
  const lum = (0.2126 * ((n >> 16) & 255) + 0.7152 * ((n >> 8) & 255) + 0.0722 * (n & 255)) / 255;
  return lum > 0.85 ? '#222222' : `#${hex}`;
}

function variants(icon) {
  const out = [];
  const add = (v) => {
    if (typeof v !== 'string') return;
    const t = v.trim();
    if (t && t !== icon.title && Buffer.byteLength(t) <= 128 && !out.includes(t)) out.push(t);
  };
  const a = icon.aliases ?? {};
  for (const v of Object.values(a.loc ?? {})) add(v);
  for (const v of a.aka ?? []) add(v);
  add(icon.title.replace(/[\s.\-_&'’+]/g, ''));
  return out.slice(0, 8);
}

// PDF text: printable ASCII, with ( ) \ escaped.
function pdfText(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]/g, '?')
    .replace(/[\\()]/g, (c) => `\\${c}`);
}

// A one-page PDF saying what the certificate is for (marked as demo data).
function certificatePdf(b) {
  const lines = [
    ['F2', 18, 'Certificate of Registration (demo)'],
    ['F1', 12, `Trademark: ${b.name}`],
    ['F1', 12, `Office: ${b.office}`],
    ['F1', 12, `Registration number: ${b.registration_number}`],
    ['F1', 12, `Nice classes: ${b.nice_classes.join(', ')}`],
    ['F1', 12, `Valid from ${b.valid_from} to ${b.valid_to}`],
    ['F1', 9, 'Generated by iprshield demo seed. Not an official document.'],
  ];
  let y = 760;
  const content = lines.map(([font, size, text]) => {
    const op = `BT /${font} ${size} Tf 72 ${y} Td (${pdfText(text)}) Tj ET`;
    y -= size * 2;
    return op;
  }).join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R '
      + '/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(pdf));
    pdf += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf);
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) pdf += `${String(off).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return pdf;
}

const o = args(process.argv);
const icons = require('simple-icons/icons.json');
// the icons lie beside data/ (icons/*.svg is exported, package.json is not)
const iconDir = path.join(path.dirname(require.resolve('simple-icons/icons.json')), '..', 'icons');

// The order brands are taken in.
const bySlug = new Map(icons.map((i) => [i.slug, i]));
const featured = FEATURED.map((s) => bySlug.get(s)).filter(Boolean);
const taken = new Set(featured.map((i) => i.slug));
const localised = icons.filter((i) => i.aliases?.loc && !taken.has(i.slug));
for (const i of localised) taken.add(i.slug);
const order = new Faker({ locale: [en], seed: o.seed });
const rest = order.helpers.shuffle(icons.filter((i) => !taken.has(i.slug)));
const chosen = [...featured, ...localised, ...rest].filter((i) => i.title.trim() && Buffer.byteLength(i.title) <= 200)
  .slice(0, o.brands);
if (chosen.length < o.brands) console.error(`gen-demo-brands: simple-icons has ${chosen.length} brands; using all of them`);

mkdirSync(o.out, { recursive: true });
const out = [];
chosen.forEach((icon, k) => {
  const f = new Faker({ locale: [en], seed: hashSlug(icon.slug) });
  const off = f.helpers.arrayElement(OFFICES);
  const validFrom = f.date.between({ from: addYears(o.today, -9), to: addYears(o.today, -1) })
    .toISOString().slice(0, 10);
  const sourceSvg = path.join(iconDir, `${icon.slug}.svg`);
  const svg = readFileSync(sourceSvg, 'utf8').replace('<svg ', `<svg fill="${fill(icon.hex)}" `);
  const b = {
    name: icon.title.trim(),
    slug: icon.slug,
    hex: icon.hex,
    svg: path.resolve(o.out, `logo-${k + 1}.svg`),
    source_svg: sourceSvg,
    certificate: path.resolve(o.out, `certificate-${k + 1}.pdf`),
    variants: variants(icon),
    office: off.office,
    registration_number: off.number(f),
    nice_classes: f.helpers.arrayElement(CLASSES),
    valid_from: validFrom,
    valid_to: addYears(validFrom, 10),
  };
  writeFileSync(b.svg, svg);
  writeFileSync(b.certificate, certificatePdf(b), 'latin1');
  out.push(JSON.stringify(b));
});
writeFileSync(path.join(o.out, 'brands.jsonl'), out.length ? `${out.join('\n')}\n` : '');
