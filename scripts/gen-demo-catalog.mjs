#!/usr/bin/env node
// gen-demo-catalog.mjs — demo marketplace data for `iprshield demo seed`.
//
//   node scripts/gen-demo-catalog.mjs --sellers N --listings M --out DIR
//        [--demo-seller ID] [--seed S]
//
// Writes DIR/sellers.jsonl and DIR/listings.jsonl in the formats of
// `iprshield import sellers|listings` (docs/api.md, "Catalog"):
//   - product titles, descriptions, prices and departments from
//     @faker-js/faker's commerce module; seller names, phone numbers, emails,
//     street addresses, IBANs and device ids from faker as well;
//   - ship-from jurisdictions drawn from the real ISO 3166-2 subdivisions of
//     the npm package iso-3166 (mainland China's provinces weighted most,
//     then the US, Germany, Vietnam, India, Turkey, the UK);
//   - every tenth seller shares a phone number or payment account with the
//     seller before it, so seller-network detection has something to find;
//   - with --demo-seller, about one listing in twenty belongs to that seller
//     id (the demo seller organisation) and at least three do.
// Deterministic for a given --seed (default 42).
import { mkdirSync, createWriteStream } from 'node:fs';
import path from 'node:path';
import { faker } from '@faker-js/faker';
import { iso31662 } from 'iso-3166';

function args(argv) {
  const o = { sellers: 50, listings: 500, out: null, demoSeller: null, seed: 42 };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--sellers') { o.sellers = Number(v); i++; }
    else if (k === '--listings') { o.listings = Number(v); i++; }
    else if (k === '--out') { o.out = v; i++; }
    else if (k === '--demo-seller') { o.demoSeller = v; i++; }
    else if (k === '--seed') { o.seed = Number(v); i++; }
    else { usage(); }
  }
  const okInt = (n, max) => Number.isInteger(n) && n >= 0 && n <= max;
  if (!o.out || !okInt(o.sellers, 10_000_000) || !okInt(o.listings, 100_000_000) || !okInt(o.seed, 2 ** 31)) usage();
  if (o.listings > 0 && o.sellers === 0 && !o.demoSeller) usage();
  return o;
}

function usage() {
  console.error('usage: node scripts/gen-demo-catalog.mjs --sellers N --listings M --out DIR [--demo-seller ID] [--seed S]');
  process.exit(2);
}

// Write lines with back-pressure; resolves when the file is closed.
async function writeLines(file, count, make) {
  const out = createWriteStream(file);
  for (let i = 0; i < count; i++) {
    if (!out.write(JSON.stringify(make(i)) + '\n')) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((resolve, reject) => out.end((e) => (e ? reject(e) : resolve())));
}

const o = args(process.argv);
faker.seed(o.seed);
mkdirSync(o.out, { recursive: true });

// Real subdivisions, weighted by country.
const weights = { CN: 10, US: 4, DE: 2, VN: 2, IN: 1, TR: 1, GB: 1 };
const regions = [];
for (const d of iso31662) {
  const country = d.code.split('-')[0];
  if (!weights[country] || d.parent !== country) continue;
  if (country === 'CN' && ['CN-HK', 'CN-MO', 'CN-TW'].includes(d.code)) continue;
  regions.push({ code: d.code, country });
}
const byCountry = Object.groupBy ? Object.groupBy(regions, (r) => r.country) : regions.reduce((a, r) => ((a[r.country] ??= []).push(r), a), {});
const weighted = Object.entries(weights).flatMap(([c, w]) => Array(w).fill(c)).filter((c) => byCountry[c]);
const region = () => faker.helpers.arrayElement(byCountry[faker.helpers.arrayElement(weighted)]).code;

const sellerId = (i) => `demo-seller-${String(i + 1).padStart(6, '0')}`;
const sellerRegion = [];
let prev = null;
await writeLines(path.join(o.out, 'sellers.jsonl'), o.sellers, (i) => {
  const ship = region();
  sellerRegion[i] = ship;
  const ids = {
    phone: faker.phone.number({ style: 'international' }),
    email: faker.internet.email(),
    address: `${faker.location.streetAddress(true)}, ${faker.location.city()}`,
    payment_account: faker.finance.iban(),
    device_id: faker.string.uuid(),
  };
  if (prev && i % 10 === 9) {
    // a linked seller: same phone or same payment account as the one before
    if (faker.datatype.boolean()) ids.phone = prev.phone; else ids.payment_account = prev.payment_account;
  }
  prev = ids;
  return { id: sellerId(i), name: faker.company.name().slice(0, 200), ship_from: ship, identifiers: ids };
});

const currencies = ['USD', 'USD', 'EUR', 'CNY', 'GBP'];
const demoEvery = 20;
await writeLines(path.join(o.out, 'listings.jsonl'), o.listings, (i) => {
  const demo = o.demoSeller && (i < 3 || i % demoEvery === 0 || o.sellers === 0);
  const s = demo ? -1 : faker.number.int({ min: 0, max: o.sellers - 1 });
  return {
    id: `demo-listing-${String(i + 1).padStart(8, '0')}`,
    seller_id: demo ? o.demoSeller : sellerId(s),
    title: faker.commerce.productName(),
    description: faker.commerce.productDescription(),
    price: faker.commerce.price({ min: 1, max: 900 }),
    currency: faker.helpers.arrayElement(currencies),
    category: faker.commerce.department(),
    images: [faker.image.url()],
    ship_from: demo ? 'CN-GD' : (faker.datatype.boolean(0.8) ? sellerRegion[s] : region()),
    units_sold: faker.number.int({ min: 0, max: 5000 }),
  };
});
