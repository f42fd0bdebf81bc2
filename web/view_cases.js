// view_cases.js — "Cases" (docs/api.md §Referrals, §Litigation files):
//   #/cases                    reviewers and admins refer a seller to law
//                              enforcement and list the referrals (and the
//                              litigation files); officers list the cases
//                              routed to their agency; right holders open
//                              litigation files and follow the referral
//                              outcomes shared with them; auditors read.
//   #/cases/referral/<id>      one referral: routing, recipients, history,
//                              outcome, files; reviewers approve sharing,
//                              set the TLP label and route again; officers
//                              move the case forward and attach files.
//   #/cases/litigation/<id>    one litigation file: damages table, bundle
//                              and CSV downloads.
// The server decides who sees what (TLP 2.0); this view only offers the
// actions a role may take.

import { api } from './api.js';
import { h, replace, add, time } from './dom.js';
import {
  pageHeading, errorBox, handledByApp, pagedList, code, statusTag, field, onSubmit, roleIs, isDecider,
  hashParts, facts, fetchAll, shortHash, bytes, busy, FormProblem,
} from './ui.js';

const TLP = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];
const STATUSES = ['received', 'investigating', 'raid', 'prosecuted', 'closed'];
const TLP_HELP = {
  CLEAR: 'every signed-in user but sellers',
  GREEN: 'also active alliance members',
  AMBER: 'also the right holders concerned',
  'AMBER+STRICT': 'also an approved cross-border body',
  RED: 'only the routed agency and platform reviewers',
};

const caseLink = (kind, id, text, testid) => h('a', { href: `#/cases/${kind}/${encodeURIComponent(id)}`, testid }, text);
const tlpTag = (label, testid) => h('span.tag', { testid, title: TLP_HELP[label] || '' }, `TLP:${label}`);

export function renderCases(ctx) {
  const [kind, id] = hashParts();
  if (kind === 'referral' && id) return renderReferral(ctx, id);
  if (kind === 'litigation' && id) return renderLitigation(ctx, id);
  return renderOverview(ctx);
}

/* ----------------------------------------------------------------------- */
/* Overview                                                                */
/* ----------------------------------------------------------------------- */

function renderOverview(ctx) {
  const holder = roleIs(ctx, 'rightholder');
  const officer = roleIs(ctx, 'officer');
  add(ctx.main, pageHeading('Cases', 'cases-title', officer
    ? 'Referrals routed to your agency. Open a case to record its progress and attach files.'
    : holder ? 'Your civil litigation files, and the outcomes of law-enforcement referrals shared with you.'
      : 'Referrals to law-enforcement agencies and right holders’ litigation files.'));
  if (isDecider(ctx)) add(ctx.main, h('article.form-card', h('h2', 'Refer a seller'), referralForm(ctx)));
  if (holder) litigationSection(ctx);
  referralList(ctx, officer ? 'Your agency’s cases' : holder ? 'Referral outcomes shared with you' : 'Referrals');
  if (isDecider(ctx)) litigationList(ctx, 'Litigation files');
}

function referralList(ctx, heading) {
  const holder = roleIs(ctx, 'rightholder');
  const list = pagedList(ctx, {
    name: 'referrals', path: '/api/v1/referrals', caption: heading,
    empty: roleIs(ctx, 'officer') ? 'No referrals have been routed to your agency yet.'
      : holder ? 'No referral outcome has been shared with you.' : 'No referrals yet.',
    columns: [
      { label: 'Case', cell: (r) => caseLink('referral', r.id, r.summary, 'referral-link') },
      { label: 'Seller', cell: (r) => code(r.seller_org_id) },
      { label: 'Ship-from', cell: (r) => r.ship_from || h('span.muted', 'unknown') },
      { label: 'Status', cell: (r) => statusTag(r.status, 'referral-status') },
      { label: 'Outcome', cell: (r) => outcomeText(r.outcome) },
      { label: 'TLP', cell: (r) => tlpTag(r.tlp) },
      { label: 'Updated', cell: (r) => time(r.updated_at) },
    ],
  });
  add(ctx.main, h('h2', heading), list.el);
  list.reload();
}

function outcomeText(o) {
  if (!o || (!o.result && !o.raid_date && !o.arrests && !o.units_seized && !o.value_seized)) return h('span.muted', '—');
  const parts = [];
  if (o.result) parts.push(o.result);
  if (o.raid_date) parts.push(`raid ${o.raid_date}`);
  if (o.arrests) parts.push(`${o.arrests} arrest${o.arrests === 1 ? '' : 's'}`);
  if (o.units_seized) parts.push(`${o.units_seized} units seized`);
  if (o.value_seized) parts.push(`${o.value_seized.amount} ${o.value_seized.currency}`);
  return parts.join(', ');
}

/** Comma- or space-separated words, upper-cased (country codes) or as given. */
function words(text, upper) {
  return text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean).map((s) => (upper ? s.toUpperCase() : s));
}

function referralForm(ctx) {
  const sellers = h('datalist', { id: 'cases-sellers' });
  const seller = h('input', { name: 'seller_org_id', required: true, maxlength: 26, autocomplete: 'off', list: 'cases-sellers', placeholder: '26-character seller organisation id', testid: 'referral-seller' });
  const summary = h('textarea', { name: 'summary', rows: 3, required: true, maxlength: 2000, testid: 'referral-summary' });
  const tlp = h('select', { name: 'tlp', testid: 'referral-tlp' },
    TLP.map((t) => h('option', { value: t, selected: t === 'AMBER' }, `${t} — ${TLP_HELP[t]}`)));
  const buyers = h('input', { name: 'buyer_countries', maxlength: 200, autocomplete: 'off', placeholder: 'e.g. US, DE', testid: 'referral-buyers' });
  const holders = h('input', { name: 'rightholder_org_ids', maxlength: 600, autocomplete: 'off', placeholder: 'organisation ids', testid: 'referral-holders' });
  const network = h('input', { name: 'network', type: 'checkbox', testid: 'referral-network' });
  const save = h('button', { type: 'submit', testid: 'referral-submit' }, 'Create referral');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true, testid: 'referral-form' },
    h('div.grid', field('Seller organisation', seller, 'Pick from the list or paste the id.'), field('Sharing level (TLP 2.0)', tlp)),
    field('Reason', summary, 'What the seller did; shown to the agency with the evidence package.'),
    h('div.grid', field('Buyer countries (optional)', buyers, 'ISO 3166-1 codes; another country than the seller’s makes the case cross-border.'),
      field('Right holders concerned (optional)', holders, 'Organisation ids, comma-separated.')),
    h('label', network, ' Refer the seller’s whole network (linked sellers)'),
    result, save, sellers);
  onSubmit(ctx, form, save, result, async () => {
    if (!seller.value.trim()) throw new FormProblem('Please give the seller organisation.');
    if (!summary.value.trim()) throw new FormProblem('Please give the reason for the referral.');
    const body = { seller_org_id: seller.value.trim(), summary: summary.value.trim(), tlp: tlp.value };
    if (buyers.value.trim()) body.buyer_countries = words(buyers.value, true);
    if (holders.value.trim()) body.rightholder_org_ids = words(holders.value, false);
    if (network.checked) body.network = true;
    const r = await api('POST', '/api/v1/referrals', body);
    location.hash = `#/cases/referral/${encodeURIComponent(r.id)}`;
    return null;
  }, 'referral');
  fetchAll('/api/v1/orgs').then((orgs) => {
    if (ctx.signal.aborted) return;
    replace(sellers, orgs.filter((o) => o.kind === 'seller').map((o) => h('option', { value: o.id }, o.name)));
  }).catch((err) => handledByApp(ctx, err));
  return form;
}

/* ----------------------------------------------------------------------- */
/* One referral                                                            */
/* ----------------------------------------------------------------------- */

function renderReferral(ctx, id) {
  const box = h('div', { testid: 'referral-detail' });
  add(ctx.main, h('p', h('a', { href: '#/cases', testid: 'cases-back' }, '← All cases')),
    pageHeading('Case', 'cases-title'), box);
  loadReferral(ctx, box, id);
}

async function loadReferral(ctx, box, id) {
  replace(box, h('p', { 'aria-busy': 'true' }, 'Loading…'));
  let r;
  try {
    r = await api('GET', `/api/v1/referrals/${encodeURIComponent(id)}`);
  } catch (err) {
    if (!handledByApp(ctx, err)) replace(box, errorBox(err, 'referral-error'));
    return;
  }
  if (ctx.signal.aborted) return;
  showReferral(ctx, box, r);
}

function showReferral(ctx, box, r) {
  const again = (next) => showReferral(ctx, box, next);
  const heading = ctx.main.querySelector('h1');
  if (heading) heading.textContent = `Case: ${r.summary}`;
  const o = r.outcome || {};
  const evidence = roleIs(ctx, 'admin', 'reviewer', 'officer');
  replace(box,
    h('p', statusTag(r.status, 'case-status'), ' ', tlpTag(r.tlp, 'case-tlp')),
    facts([
      ['Seller', code(r.seller_org_id)],
      ['Linked sellers in the case', r.sellers && r.sellers.length > 1 ? String(r.sellers.length) : null],
      ['Ship-from', r.ship_from || 'unknown'],
      ['Buyer countries', r.buyer_countries.length ? r.buyer_countries.join(', ') : null],
      ['Units sold', String(r.units_sold)],
      ['Routing', r.route_note],
      ['Created', time(r.created_at)],
      ['Updated', time(r.updated_at)],
    ], 'case-facts'),
    h('h2', 'Outcome'),
    facts([
      ['Result', o.result ? statusTag(o.result, 'case-result') : 'not yet known'],
      ['Raid date', o.raid_date],
      ['Arrests', String(o.arrests || 0)],
      ['Units seized', String(o.units_seized || 0)],
      ['Value seized', o.value_seized ? `${o.value_seized.amount} ${o.value_seized.currency}` : null],
      ['Fed back', r.fed_back_at ? h('span', time(r.fed_back_at), ' — the seller’s network was banned') : null],
    ], 'case-outcome'),
    h('h2', 'Recipients'),
    recipients(ctx, r, again),
    h('h2', 'History'),
    r.history.length ? h('ol.history', { testid: 'case-history' }, r.history.map((u) => h('li',
      time(u.at), ' ', statusTag(u.status), u.note ? ` — ${u.note}` : ''))) : h('p.muted', { testid: 'case-history-empty' }, 'No updates yet.'),
    files(r),
    evidence ? h('p', h('a', {
      href: `/api/v1/referrals/${encodeURIComponent(r.id)}/evidence`, download: `evidence-${r.id}.tar.gz`,
      role: 'button', class: 'secondary outline', testid: 'case-evidence',
    }, 'Download the evidence archive'), ' ', h('small.muted', 'Signed tar.gz; check it offline with ', code('iprshield evidence verify'), '. SHA-256 ', shortHash(r.evidence.sha256), '.')) : null,
    isDecider(ctx) ? reviewerTools(ctx, r, again) : null,
    roleIs(ctx, 'officer') && r.status !== 'closed' ? officerTools(ctx, r, again) : null);
}

function recipients(ctx, r, again) {
  if (!r.recipients.length) return h('p.muted', { testid: 'case-recipients-none' }, 'Not routed to any agency yet.');
  return h('div.table-scroll', h('table.striped', { testid: 'case-recipients' },
    h('thead', h('tr', ['Agency', 'Role', 'Shared', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', r.recipients.map((x) => h('tr', { testid: 'case-recipient' },
      h('td', x.name), h('td', x.kind.replace(/_/g, ' ')),
      h('td', x.shared ? (x.approved_at ? h('span', 'approved ', time(x.approved_at)) : 'yes') : h('span.muted', 'awaiting approval')),
      h('td', isDecider(ctx) && x.needs_approval && !x.shared ? approveButton(ctx, r, x, again) : null))))));
}

function approveButton(ctx, r, x, again) {
  const btn = h('button.small', { type: 'button', testid: 'case-approve' }, 'Approve sharing');
  btn.addEventListener('click', async () => {
    const reason = await ctx.prompt(`Share this case across the border with ${x.name}? Give the reason (audited).`, 'Approve');
    if (reason === null) return;
    busy(btn, true);
    try {
      again(await api('POST', `/api/v1/referrals/${encodeURIComponent(r.id)}/approvals`, { agency_org_id: x.agency_org_id, reason }));
    } catch (err) {
      if (!handledByApp(ctx, err)) btn.after(errorBox(err, 'case-approve-error'));
      busy(btn, false);
    }
  });
  return btn;
}

function files(r) {
  if (!r.files.length) return null;
  return h('section', h('h2', 'Case files'),
    h('div.table-scroll', h('table.striped', { testid: 'case-files' },
      h('thead', h('tr', ['File', 'Type', 'Size', 'SHA-256', 'Note', 'Added'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', r.files.map((f) => h('tr', { testid: 'case-file' },
        h('td', f.name), h('td', f.mime), h('td.num', bytes(f.size)), h('td', shortHash(f.sha256)),
        h('td', f.note || ''), h('td', time(f.added_at))))))));
}

function reviewerTools(ctx, r, again) {
  const tlp = h('select', { name: 'tlp', testid: 'case-tlp-select' }, TLP.map((t) => h('option', { value: t, selected: t === r.tlp }, `${t} — ${TLP_HELP[t]}`)));
  const reason = h('input', { name: 'reason', required: true, maxlength: 500, autocomplete: 'off', testid: 'case-tlp-reason' });
  const save = h('button', { type: 'submit', testid: 'case-tlp-save' }, 'Set label');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true }, h('div.grid', field('Sharing level', tlp), field('Reason (audited)', reason)), result, save);
  onSubmit(ctx, form, save, result, async () => {
    if (!reason.value.trim()) throw new FormProblem('Please give the reason for the new label.');
    again(await api('PUT', `/api/v1/referrals/${encodeURIComponent(r.id)}/tlp`, { tlp: tlp.value, reason: reason.value.trim() }));
    return null;
  }, 'case-tlp');
  const route = h('button.secondary', { type: 'button', testid: 'case-route' }, 'Route again');
  const routeResult = h('div', { 'aria-live': 'polite' });
  route.addEventListener('click', async () => {
    replace(routeResult);
    busy(route, true);
    try {
      again(await api('POST', `/api/v1/referrals/${encodeURIComponent(r.id)}/route`));
    } catch (err) {
      if (!handledByApp(ctx, err)) replace(routeResult, errorBox(err, 'case-route-error'));
      busy(route, false);
    }
  });
  return h('section', h('h2', 'Sharing and routing'), form,
    h('p', route, ' ', h('small.muted', 'Routes the case again with today’s cooperation agreements.')), routeResult);
}

function officerTools(ctx, r, again) {
  const rank = STATUSES.indexOf(r.status);
  const status = h('select', { name: 'status', testid: 'case-update-status' },
    STATUSES.slice(Math.max(rank, 0)).map((s) => h('option', { value: s, selected: s === STATUSES[rank + 1] }, s)));
  const result = h('select', { name: 'result', testid: 'case-update-result' },
    h('option', { value: '' }, 'not yet known'), h('option', { value: 'confirmed' }, 'confirmed (bans the seller’s network)'),
    h('option', { value: 'unfounded' }, 'unfounded'));
  const o = r.outcome || {};
  const raid = h('input', { name: 'raid_date', type: 'date', value: o.raid_date || '', testid: 'case-update-raid-date' });
  const arrests = h('input', { name: 'arrests', type: 'number', min: 0, step: 1, value: o.arrests || '', testid: 'case-update-arrests' });
  const units = h('input', { name: 'units_seized', type: 'number', min: 0, step: 1, value: o.units_seized || '', testid: 'case-update-units' });
  const value = h('input', { name: 'value_seized', inputmode: 'decimal', maxlength: 32, autocomplete: 'off', placeholder: 'e.g. 12500.00', value: o.value_seized ? o.value_seized.amount : '', testid: 'case-update-value' });
  const currency = h('input', { name: 'currency', maxlength: 3, autocomplete: 'off', placeholder: 'CNY', value: o.value_seized ? o.value_seized.currency : '', testid: 'case-update-currency' });
  const note = h('textarea', { name: 'note', rows: 2, maxlength: 2000, testid: 'case-update-note' });
  const save = h('button', { type: 'submit', testid: 'case-update-save' }, 'Save update');
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true, testid: 'case-update-form' },
    h('div.grid', field('Status', status, 'Cases only move forward; closed is final.'), field('Result', result, 'From the raid on.')),
    h('div.grid', field('Raid date', raid), field('Arrests', arrests), field('Units seized', units)),
    h('div.grid', field('Value seized', value), field('Currency', currency, 'ISO 4217, e.g. CNY')),
    field('Note', note), out, save);
  onSubmit(ctx, form, save, out, async () => {
    const body = { status: status.value };
    if (result.value) body.result = result.value;
    if (raid.value) body.raid_date = raid.value;
    for (const [k, el] of [['arrests', arrests], ['units_seized', units]]) {
      if (el.value === '') continue;
      const n = Number(el.value);
      if (!Number.isInteger(n) || n < 0) throw new FormProblem(`${k.replace('_', ' ')} must be a whole number.`);
      body[k] = n;
    }
    if (value.value.trim()) body.value_seized = value.value.trim();
    if (currency.value.trim()) body.currency = currency.value.trim().toUpperCase();
    if (note.value.trim()) body.note = note.value.trim();
    again(await api('POST', `/api/v1/referrals/${encodeURIComponent(r.id)}/updates`, body));
    return null;
  }, 'case-update');

  const file = h('input', { name: 'file', type: 'file', accept: 'application/pdf,image/jpeg,image/png,image/webp', testid: 'case-file-input' });
  const fileNote = h('input', { name: 'note', maxlength: 500, autocomplete: 'off', testid: 'case-file-note' });
  const upload = h('button', { type: 'submit', testid: 'case-file-upload' }, 'Attach file');
  const upOut = h('div', { 'aria-live': 'polite' });
  const upForm = h('form', { novalidate: true, testid: 'case-file-form' },
    h('div.grid', field('File', file, 'A PDF or an image (JPEG, PNG, WebP); added to the evidence archive.'), field('Note (optional)', fileNote)),
    upOut, upload);
  onSubmit(ctx, upForm, upload, upOut, async () => {
    if (!file.files[0]) throw new FormProblem('Please choose a file.');
    const body = new FormData();
    body.append('file', file.files[0], file.files[0].name);
    if (fileNote.value.trim()) body.append('note', fileNote.value.trim());
    again(await api('POST', `/api/v1/referrals/${encodeURIComponent(r.id)}/files`, body));
    return null;
  }, 'case-file');

  return h('section', h('h2', 'Work the case'),
    h('article.form-card', h('h3', 'Record progress'), form),
    h('article.form-card', h('h3', 'Attach a case file'), upForm));
}

/* ----------------------------------------------------------------------- */
/* Litigation files                                                        */
/* ----------------------------------------------------------------------- */

function litigationList(ctx, heading) {
  const list = pagedList(ctx, {
    name: 'litigation', path: '/api/v1/litigation', caption: heading,
    empty: roleIs(ctx, 'rightholder') ? 'No litigation files yet. Open one above.' : 'No litigation files yet.',
    columns: [
      { label: 'File', cell: (f) => caseLink('litigation', f.id, f.title, 'litigation-link') },
      { label: 'Seller', cell: (f) => code(f.seller_org_id) },
      { label: 'Period', cell: (f) => `${f.period.from} – ${f.period.to}` },
      { label: 'Listings', cell: (f) => String(f.listings), className: 'num' },
      { label: 'Status', cell: (f) => statusTag(f.status, 'litigation-status') },
      { label: 'Court', cell: (f) => f.court || h('span.muted', '—') },
      { label: 'Opened', cell: (f) => time(f.created_at) },
    ],
  });
  add(ctx.main, h('h2', heading), list.el);
  list.reload();
  return list;
}

function litigationSection(ctx) {
  const seller = h('input', { name: 'seller_org_id', required: true, maxlength: 26, autocomplete: 'off', placeholder: '26-character seller organisation id', testid: 'litigation-seller' });
  const title = h('input', { name: 'title', required: true, maxlength: 200, autocomplete: 'off', testid: 'litigation-title' });
  const court = h('input', { name: 'court', maxlength: 200, autocomplete: 'off', testid: 'litigation-court' });
  const from = h('input', { name: 'period_from', type: 'date', required: true, testid: 'litigation-from' });
  const to = h('input', { name: 'period_to', type: 'date', required: true, testid: 'litigation-to' });
  const holder = h('input', { name: 'rightholder_org_id', maxlength: 26, autocomplete: 'off', placeholder: 'your own organisation', testid: 'litigation-holder' });
  const save = h('button', { type: 'submit', testid: 'litigation-submit' }, 'Open litigation file');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true, testid: 'litigation-form' },
    h('div.grid', field('Seller organisation', seller), field('Title', title)),
    h('div.grid', field('Period from', from), field('Period to', to, 'Inclusive; units sold in this period count for damages.')),
    h('div.grid', field('Court (optional)', court), field('For right holder (optional)', holder, 'Agents: the holder that authorised you.')),
    result, save);
  onSubmit(ctx, form, save, result, async () => {
    if (!seller.value.trim() || !title.value.trim() || !from.value || !to.value) {
      throw new FormProblem('Please give the seller, a title and the period.');
    }
    const body = { seller_org_id: seller.value.trim(), title: title.value.trim(), period_from: from.value, period_to: to.value };
    if (court.value.trim()) body.court = court.value.trim();
    if (holder.value.trim()) body.rightholder_org_id = holder.value.trim();
    const f = await api('POST', '/api/v1/litigation', body);
    location.hash = `#/cases/litigation/${encodeURIComponent(f.id)}`;
    return null;
  }, 'litigation');
  add(ctx.main, h('article.form-card', h('h2', 'Open a litigation file'),
    h('p.muted', 'The file collects the seller’s listings you established as infringing (upheld notices, confirmed detections), the damages inputs and a signed evidence bundle.'),
    form));
  litigationList(ctx, 'Your litigation files');
}

// The moves of a litigation file's status (docs/api.md), and which record an outcome.
const LIT_NEXT = { open: ['filed', 'settled', 'closed'], filed: ['settled', 'judgment', 'closed'], settled: ['closed'], judgment: ['closed'], closed: [] };
const LIT_OUTCOME = new Set(['settled', 'judgment']);

function litigationOutcome(o) {
  if (!o) return null;
  return o.amount ? `${o.text} (${o.amount} ${o.currency})` : o.text;
}

/* The holder's form to record the next status of file f; done() reloads. */
function litigationStatusForm(ctx, f, done) {
  const next = LIT_NEXT[f.status] || [];
  if (!roleIs(ctx, 'rightholder') || !next.length) return null;
  const status = h('select', { name: 'status', testid: 'litigation-next' }, next.map((s) => h('option', { value: s }, s)));
  const outcome = h('textarea', { name: 'outcome', rows: 2, maxlength: 2000, testid: 'litigation-outcome' });
  const amount = h('input', { name: 'amount', inputmode: 'decimal', placeholder: '1250.00', autocomplete: 'off', testid: 'litigation-amount' });
  const currency = h('input', { name: 'currency', maxlength: 3, placeholder: 'EUR', class: 'upper', autocomplete: 'off', testid: 'litigation-currency' });
  const save = h('button', { type: 'submit', testid: 'litigation-status-submit' }, 'Record status');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true, testid: 'litigation-status-form' },
    h('div.grid', field('New status', status), field('Amount (optional)', amount, 'Settled or awarded, in major units.'), field('Currency', currency)),
    field('Outcome', outcome, 'Required for a settlement or judgment: what was agreed or decided.'),
    result, save);
  onSubmit(ctx, form, save, result, async () => {
    const body = { status: status.value };
    if (LIT_OUTCOME.has(status.value)) {
      if (!outcome.value.trim()) throw new FormProblem('Please describe the settlement or judgment.');
      body.outcome = outcome.value.trim();
      if (amount.value.trim()) {
        body.amount = amount.value.trim();
        body.currency = currency.value.trim().toUpperCase();
      }
    }
    await api('POST', `/api/v1/litigation/${encodeURIComponent(f.id)}/status`, body);
    done();
    return null;
  }, 'litigation-status');
  return h('article.form-card', h('h2', 'Record the status'), form);
}

function renderLitigation(ctx, id) {
  const box = h('div', { testid: 'litigation-detail' });
  add(ctx.main, h('p', h('a', { href: '#/cases', testid: 'cases-back' }, '← All cases')),
    pageHeading('Litigation file', 'cases-title'), box);
  const load = () => {
  replace(box, h('p', { 'aria-busy': 'true' }, 'Loading…'));
  api('GET', `/api/v1/litigation/${encodeURIComponent(id)}`).then((f) => {
    if (ctx.signal.aborted) return;
    const heading = ctx.main.querySelector('h1');
    if (heading) heading.textContent = `Litigation file: ${f.title}`;
    const d = f.damages || { lines: [], totals: [] };
    const base = `/api/v1/litigation/${encodeURIComponent(f.id)}`;
    replace(box,
      facts([
        ['Seller', code(f.seller_org_id)],
        ['Right holder', code(f.rightholder_org_id)],
        ['Period', `${f.period.from} – ${f.period.to}`],
        ['Court', f.court],
        ['Infringing listings', String(f.listings)],
        ['Opened', time(f.created_at)],
        ['Status', statusTag(f.status, 'litigation-status')],
        ['Outcome', litigationOutcome(f.outcome)],
        ['Bundle SHA-256', shortHash(f.evidence.sha256)],
      ], 'litigation-facts'),
      litigationStatusForm(ctx, f, load),
      h('h2', 'Damages'),
      d.lines.length ? h('div.table-scroll', h('table.striped', { testid: 'damages-table' },
        h('caption', 'Units sold × price over the period, per listing and price'),
        h('thead', h('tr', ['Listing', 'Title', 'Basis', 'Unit price', 'Units', 'Amount'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', d.lines.map((l) => h('tr', { testid: 'damages-row' },
          h('td', code(l.listing_id)), h('td', l.title), h('td', l.basis),
          h('td.num', `${l.unit_price} ${l.currency}`), h('td.num', String(l.units)), h('td.num', `${l.amount} ${l.currency}`)))),
        h('tfoot', d.totals.map((t) => h('tr', { testid: 'damages-total' },
          h('th', { scope: 'row', colspan: 4 }, `Total ${t.currency}`), h('td.num', String(t.units)), h('td.num', `${t.amount} ${t.currency}`))))))
        : h('p.empty', { testid: 'damages-empty' }, 'No units sold by the infringing listings in this period.'),
      h('p',
        h('a', { href: `${base}/bundle`, download: `litigation-${f.id}.tar.gz`, role: 'button', testid: 'litigation-bundle' }, 'Download the evidence bundle'), ' ',
        h('a', { href: `${base}/damages?format=csv`, download: `damages-${f.id}.csv`, role: 'button', class: 'secondary outline', testid: 'litigation-csv' }, 'Damages as CSV')),
      h('p.muted', 'The bundle is a signed tar.gz; check it offline with ', code('iprshield evidence verify'), '.'));
  }).catch((err) => { if (!handledByApp(ctx, err)) replace(box, errorBox(err, 'litigation-error')); });
  };
  load();
}
