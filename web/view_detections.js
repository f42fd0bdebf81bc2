// view_detections.js — "Detections" (docs/api.md §Detections). Reviewers,
// admins and auditors see the queue of current verdicts (filter by action
// and decision); a right holder sees the detections on its own brands with
// its measured precision. #/detections/ID opens one verdict: the judged
// listing version with the matched spans highlighted, every signal with its
// explanation, matched images side by side, the right holders' decisions,
// and for the right holder confirm (takedown by notice) and dismiss. Admins
// can recompile the rules and rescan.

import { api } from './api.js';
import { h, replace, add, time } from './dom.js';
import {
  pageHeading, errorBox, handledByApp, code, statusTag, field, onSubmit, roleIs, hashParts, facts,
  pagedList, successBox,
} from './ui.js';

const ACTIONS = [['', 'All but allow'], ['block', 'Block'], ['review', 'Review'], ['monitor', 'Monitor'], ['allow', 'Allow']];
const STATUSES = [['', 'Any decision'], ['open', 'Open'], ['confirmed', 'Confirmed'], ['dismissed', 'Dismissed']];

export function renderDetections(ctx) {
  const [id] = hashParts();
  if (id) {
    add(ctx.main, h('p', h('a', { href: '#/detections' }, '← All detections')));
    const box = h('div', { testid: 'detection-detail' });
    add(ctx.main, box);
    showDetail(ctx, box, id);
    return;
  }
  const holder = roleIs(ctx, 'rightholder');
  add(ctx.main, pageHeading('Detections', 'detections-title', holder
    ? 'Listings the platform flagged on your brands. Confirm one to take the listing down through a notice; dismiss one (e.g. an authorised reseller) and it is not flagged again.'
    : 'Verdicts of the proactive scan, one per listing: score, action and every signal with its explanation.'));
  if (holder) {
    const prec = h('div', { testid: 'detections-precision' });
    add(ctx.main, prec);
    showPrecision(ctx, prec);
  }
  if (roleIs(ctx, 'admin')) add(ctx.main, rescanForm(ctx));
  const action = h('select', { name: 'action', testid: 'detections-action' }, ACTIONS.map(([v, l]) => h('option', { value: v }, l)));
  const status = h('select', { name: 'status', testid: 'detections-status' }, STATUSES.map(([v, l]) => h('option', { value: v }, l)));
  const list = pagedList(ctx, {
    path: '/api/v1/detections',
    params: () => ({ action: action.value || undefined, status: status.value || undefined }),
    name: 'detections',
    caption: 'Detections',
    empty: 'No detections.',
    columns: [
      { label: 'Listing', cell: (d) => h('a', { href: `#/detections/${d.id}`, testid: 'detection-open' }, d.listing_id) },
      { label: 'Version', cell: (d) => String(d.listing_version) },
      { label: 'Action', cell: (d) => statusTag(d.action) },
      { label: 'Score', cell: (d) => d.score.toFixed(3) },
      { label: 'Signals', cell: (d) => [...new Set(d.signals.map((s) => s.type.replace(/_/g, ' ')))].join(', ') || '—' },
      { label: 'Decision', cell: (d) => statusTag(d.status) },
      { label: 'Scanned', cell: (d) => time(d.created_at) },
    ],
  });
  for (const s of [action, status]) s.addEventListener('change', () => list.reload());
  add(ctx.main, h('div.grid', field('Action', action), field('Decision', status)), list.el);
  list.reload();
}

async function showPrecision(ctx, box) {
  try {
    const p = await api('GET', '/api/v1/detections/precision');
    if (ctx.signal.aborted) return;
    const mine = p.items.find((i) => i.org_id === ctx.me.org.id);
    replace(box, facts([
      ['Confirmed', String(mine ? mine.confirmed : 0)],
      ['Dismissed', String(mine ? mine.dismissed : 0)],
      ['Measured precision', mine && mine.precision !== null ? `${(mine.precision * 100).toFixed(1)}%` : 'no decisions yet'],
    ], 'precision-facts'));
  } catch (err) {
    if (!handledByApp(ctx, err)) replace(box, errorBox(err, 'precision-error'));
  }
}

function rescanForm(ctx) {
  const reason = h('input', { name: 'reason', maxlength: 300, autocomplete: 'off', placeholder: 'why (optional)', testid: 'rescan-reason' });
  const btn = h('button.secondary', { type: 'submit', testid: 'rescan' }, 'Recompile rules and rescan');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', field('Rescan every listing', reason), btn, result);
  onSubmit(ctx, form, btn, result, async () => {
    const r = await api('POST', '/api/v1/detections/rescan', reason.value.trim() ? { reason: reason.value.trim() } : {});
    replace(result, successBox(`Rules version ${r.version} compiled; the rescan runs in the background.`, 'rescan-done'));
  }, 'rescan-error');
  return form;
}

/* Spans are UTF-8 byte offsets: mark them in text (nodes). */
function highlight(text, spans) {
  const bytes = new TextEncoder().encode(text);
  const dec = new TextDecoder();
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const out = [];
  let at = 0;
  for (const s of sorted) {
    if (s.start < at) continue;
    out.push(dec.decode(bytes.slice(at, s.start)));
    out.push(h('mark', { title: s.explanation, testid: 'span' }, dec.decode(bytes.slice(s.start, s.end))));
    at = s.end;
  }
  out.push(dec.decode(bytes.slice(at)));
  return out;
}

const imageUrl = (id, sha) => `/api/v1/detections/${encodeURIComponent(id)}/images/${sha}`;

async function showDetail(ctx, box, id) {
  replace(box, h('p', { 'aria-busy': 'true' }, 'Loading…'));
  let d;
  try {
    d = await api('GET', `/api/v1/detections/${encodeURIComponent(id)}`);
  } catch (err) {
    if (!handledByApp(ctx, err)) replace(box, errorBox(err, 'detection-error'));
    return;
  }
  if (ctx.signal.aborted) return;
  const spans = (field) => d.signals.filter((s) => s.field === field);
  const L = d.listing;
  const images = d.signals.filter((s) => s.type === 'image_hash');
  replace(box,
    pageHeading(`Detection on ${d.listing_id}`, 'detection-title'),
    facts([
      ['Action', statusTag(d.action, 'detection-action')],
      ['Score', d.score.toFixed(3)],
      ['Applied', d.applied],
      ['Decision', statusTag(d.status, 'detection-status')],
      ['Listing version', String(d.listing_version)],
      ['Rules version', `${d.rules_version} (checked by ${d.checked_rules_version})`],
      ['Scanned', time(d.created_at)],
    ], 'detection-facts'),
    L ? h('section', { testid: 'detection-listing' },
      h('h2', 'Listing ', code(d.listing_id), ' ', statusTag(L.state)),
      h('p.listing-title', { testid: 'detection-listing-title' }, highlight(L.title, spans('title'))),
      L.description ? h('p', { testid: 'detection-listing-description' }, highlight(L.description, spans('description'))) : null,
      h('p', `${L.price} ${L.currency} · ${L.category || 'no category'}`)) : null,
    h('h2', 'Signals'),
    d.signals.length ? h('table.striped', { testid: 'detection-signals' },
      h('thead', h('tr', h('th', 'Signal'), h('th', 'Right holder'), h('th', 'Explanation'))),
      h('tbody', d.signals.map((s) => h('tr',
        h('td', s.type.replace(/_/g, ' ')), h('td', s.rightholder || '—'), h('td', s.explanation))))) : h('p', 'No signals.'),
    images.length ? h('section', { testid: 'detection-images' }, h('h2', 'Images'),
      images.map((s) => h('div.grid',
        h('figure', h('img', { src: imageUrl(d.id, s.image), alt: 'listing image' }), h('figcaption', 'Listing image')),
        h('figure', h('img', { src: imageUrl(d.id, s.official_image), alt: 'official image' }),
          h('figcaption', `Official image of ${s.rightholder} — distance ${s.distance} (${s.variant})`))))) : null,
    h('h2', 'Right holders'),
    h('ul', { testid: 'detection-rightholders' }, d.rightholders.map((o) => h('li', `${o.name}: `, statusTag(o.decision),
      o.notice_id ? h('span', ' — notice ', h('a', { href: `#/notices/${o.notice_id}` }, code(o.notice_id))) : null,
      o.reason ? ` (${o.reason})` : null))));
  const mine = d.rightholders.find((o) => o.org_id === ctx.me.org.id);
  if (roleIs(ctx, 'rightholder') && mine && mine.decision === 'open' && d.current) {
    add(box, decideForms(ctx, d, () => showDetail(ctx, box, id)));
  }
}

function decideForms(ctx, d, done) {
  const right = h('input', { name: 'right_id', maxlength: 26, autocomplete: 'off', placeholder: 'default: your first verified trademark', testid: 'confirm-right' });
  const note = h('input', { name: 'note', maxlength: 1000, autocomplete: 'off', testid: 'confirm-note' });
  const cbtn = h('button', { type: 'submit', testid: 'confirm' }, 'Confirm and take down');
  const cres = h('div', { 'aria-live': 'polite' });
  const confirm = h('form', h('h3', 'Confirm'), h('p', 'A counterfeit notice is filed for you citing your right, with this detection as evidence; the listing is taken down at once and the seller may file a counter-notice.'),
    field('Right to cite', right), field('Note (optional)', note), cbtn, cres);
  onSubmit(ctx, confirm, cbtn, cres, async () => {
    if (!await ctx.confirm('Take this listing down with a notice in your name?', 'Confirm')) return;
    const json = {};
    if (right.value.trim()) json.right_id = right.value.trim();
    if (note.value.trim()) json.note = note.value.trim();
    await api('POST', `/api/v1/detections/${encodeURIComponent(d.id)}/confirm`, json);
    done();
  }, 'confirm-error');
  const reason = h('select', { name: 'reason', testid: 'dismiss-reason' },
    [['authorised_reseller', 'Authorised reseller'], ['not_infringing', 'Not infringing'], ['other', 'Other']].map(([v, l]) => h('option', { value: v }, l)));
  const dnote = h('input', { name: 'note', maxlength: 1000, autocomplete: 'off', testid: 'dismiss-note' });
  const dbtn = h('button.secondary', { type: 'submit', testid: 'dismiss' }, 'Dismiss');
  const dres = h('div', { 'aria-live': 'polite' });
  const dismiss = h('form', h('h3', 'Dismiss'), h('p', 'Remembered: this listing version is not flagged for your brand again.'),
    field('Why', reason), field('Note (optional)', dnote), dbtn, dres);
  onSubmit(ctx, dismiss, dbtn, dres, async () => {
    const json = { reason: reason.value };
    if (dnote.value.trim()) json.note = dnote.value.trim();
    await api('POST', `/api/v1/detections/${encodeURIComponent(d.id)}/dismiss`, json);
    done();
  }, 'dismiss-error');
  return h('div.grid', { testid: 'detection-decide' }, confirm, dismiss);
}
