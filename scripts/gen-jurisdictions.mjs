#!/usr/bin/env node
// gen-jurisdictions.mjs — write the jurisdiction table that iprshield embeds
// (src/geo/geo.h) from the ISO 3166-1 and ISO 3166-2 lists of the npm package
// iso-3166 (wooorm/iso-3166).
//
//   node scripts/gen-jurisdictions.mjs OUT.tsv
//
// One line per code, sorted by code (byte order, as the C side bsearches):
//   CODE <TAB> NAME <TAB> COUNTRY
// Countries are ISO 3166-1 alpha-2 codes (COUNTRY = the code itself);
// subdivisions are ISO 3166-2 codes such as CN-GD or US-CA, whose COUNTRY is
// the alpha-2 prefix (a subdivision whose parent is another subdivision,
// e.g. AZ-BAB in AZ-NX, still names its country). Tabs and line breaks in
// names are replaced by spaces.
import { writeFileSync, renameSync } from 'node:fs';
import { iso31661, iso31662 } from 'iso-3166';

const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/gen-jurisdictions.mjs OUT.tsv');
  process.exit(2);
}

const clean = (s) => String(s).replace(/[\t\r\n]+/g, ' ').trim();
const rows = new Map();
for (const c of iso31661) rows.set(c.alpha2, [c.alpha2, clean(c.name), c.alpha2]);
for (const d of iso31662) {
  const country = d.code.split('-')[0];
  if (!rows.has(country)) continue; // only subdivisions of assigned countries
  rows.set(d.code, [d.code, clean(d.name), country]);
}
const codes = [...rows.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const text = codes.map((k) => rows.get(k).join('\t')).join('\n') + '\n';
writeFileSync(out + '.tmp', text);
renameSync(out + '.tmp', out);
