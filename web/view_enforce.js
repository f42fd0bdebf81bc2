// view_enforce.js — "Enforcement" (docs/api.md §Enforcement). A seller sees
// its own strikes (why, when they expire), its penalty level and history.
// Reviewers and admins open any seller (#/enforcement/ORG_ID): its record,
// a strike form, its network (members, shared identifiers by kind as hash
// prefixes, strikes and sales) and the network ban; auditors read.

import { api } from './api.js';
import { h, replace, add, time } from './dom.js';
import {
  pageHeading, errorBox, handledByApp, code, statusTag, field, onSubmit, roleIs, isDecider, hashParts, facts,
} from './ui.js';

export function renderEnforcement(ctx) {
  add(ctx.main, pageHeading('Enforcement', 'enforcement-title',
    'Strikes, penalties and seller networks. A strike counts while it is active; the number of active strikes sets the penalty level.'));
  if (roleIs(ctx, 'seller')) {
    const box = h('div', { testid: 'enforce-record' });
    add(ctx.main, box);
    showRecord(ctx, box, ctx.me.org.id);
    return;
  }
  const input = h('input', { name: 'seller', required: true, maxlength: 26, autocomplete: 'off', placeholder: '26-character seller organisation id', testid: 'enforce-seller' });
  const go = h('button', { type: 'submit', testid: 'enforce-open' }, 'Open');
  const form = h('form', { role: 'search' }, field('Seller organisation', input), go);
  const box = h('div', { testid: 'enforce-record' });
  add(ctx.main, form, box);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = `#/enforcement/${encodeURIComponent(input.value.trim())}`;
  });
  const [org] = hashParts();
  if (org) {
    input.value = org;
    showRecord(ctx, box, org);
  }
}

async function showRecord(ctx, box, org) {
  replace(box, h('p', { 'aria-busy': 'true' }, 'Loading…'));
  let rec;
  try {
    rec = await api('GET', `/api/v1/sellers/${encodeURIComponent(org)}/enforcement`);
  } catch (err) {
    if (!handledByApp(ctx, err)) replace(box, errorBox(err, 'enforce-error'));
    return;
  }
  if (ctx.signal.aborted) return;
  const p = rec.penalty;
  const t = rec.thresholds;
  replace(box,
    h('h2', 'Penalty level ', statusTag(rec.level, 'enforce-level')),
    facts([
      ['Active strikes', String(rec.active_strikes)],
      ['Current penalty', p ? `${p.level.replace(/_/g, ' ')} since ${time(p.from)}${p.until ? `, until ${time(p.until)} unless strikes are added` : ''}` : 'none'],
      ['Why', p ? p.reason : null],
      ['Levels start at', `warning ${t.warning}, listing removal ${t.listing_removal}, posting restriction ${t.posting_restriction}, suspension ${t.suspension}, termination ${t.termination} active strikes (0: not used)`],
    ], 'enforce-facts'),
    h('h3', 'Strikes'),
    rec.strikes.length ? h('table', { testid: 'enforce-strikes' },
      h('thead', h('tr', h('th', 'Added'), h('th', 'Why'), h('th', 'Source'), h('th', 'Listing'), h('th', 'Expires'), h('th', 'State'))),
      h('tbody', rec.strikes.map((s) => h('tr',
        h('td', time(s.created)), h('td', s.reason), h('td', s.source_kind),
        h('td', s.listing_id ? code(s.listing_id) : '—'), h('td', time(s.expires)),
        h('td', statusTag(s.revoked ? 'revoked' : s.active ? 'active' : 'expired')))))) : h('p', 'No strikes.'),
    h('h3', 'Penalty history'),
    rec.penalties.length ? h('table', { testid: 'enforce-penalties' },
      h('thead', h('tr', h('th', 'Level'), h('th', 'From'), h('th', 'Ended'), h('th', 'Why'))),
      h('tbody', rec.penalties.map((x) => h('tr',
        h('td', statusTag(x.level)), h('td', time(x.from)), h('td', x.ended ? `${time(x.ended)} (${x.ended_reason})` : 'in force'),
        h('td', x.reason))))) : h('p', 'None.'),
    rec.evasion_flags.length ? h('div', h('h3', 'Ban-evasion flags'),
      h('ul', rec.evasion_flags.map((f) => h('li', `${time(f.created)}: ${f.reason}`)))) : null);
  if (isDecider(ctx)) {
    add(box, strikeForm(ctx, org, () => showRecord(ctx, box, org)));
    const net = h('section', { testid: 'enforce-network' });
    add(box, net);
    showNetwork(ctx, net, org);
  }
}

function strikeForm(ctx, org, done) {
  const reason = h('input', { name: 'reason', required: true, maxlength: 300, autocomplete: 'off', testid: 'strike-reason' });
  const listing = h('input', { name: 'listing_id', maxlength: 64, autocomplete: 'off', testid: 'strike-listing' });
  const btn = h('button', { type: 'submit', testid: 'strike-add' }, 'Add strike');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', h('h3', 'Add a strike'), field('Reason (shown to the seller)', reason),
    field('Listing (optional)', listing), btn, result);
  onSubmit(ctx, form, btn, result, async () => {
    const json = { reason: reason.value };
    if (listing.value.trim()) json.listing_id = listing.value.trim();
    await api('POST', `/api/v1/sellers/${encodeURIComponent(org)}/strikes`, json);
    done();
  }, 'strike-error');
  return form;
}

async function showNetwork(ctx, box, org) {
  let n;
  try {
    n = await api('GET', `/api/v1/sellers/${encodeURIComponent(org)}/network`);
  } catch (err) {
    if (!handledByApp(ctx, err)) replace(box, errorBox(err, 'network-error'));
    return;
  }
  if (ctx.signal.aborted) return;
  const kinds = Object.keys(n.shared_identifiers);
  const reason = h('input', { name: 'reason', required: true, maxlength: 300, autocomplete: 'off', testid: 'ban-reason' });
  const btn = h('button.secondary', { type: 'submit', testid: 'network-ban' }, 'Ban the network');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', field('Why ban every member', reason), btn, result);
  onSubmit(ctx, form, btn, result, async () => {
    if (!await ctx.confirm(`Terminate all ${n.members.length} member(s) and take all their listings down?`, 'Ban')) return;
    await api('POST', `/api/v1/sellers/${encodeURIComponent(org)}/network/ban`, { reason: reason.value });
    showNetwork(ctx, box, org);
  }, 'ban-error');
  replace(box,
    h('h2', 'Network ', n.banned ? statusTag('banned', 'network-banned') : null),
    n.banned ? h('p', `Banned ${time(n.banned_at)}: ${n.ban_reason}`) : null,
    h('table', { testid: 'network-members' },
      h('thead', h('tr', h('th', 'Seller'), h('th', 'Level'), h('th', 'Active strikes'), h('th', 'Listings'), h('th', 'Units sold'))),
      h('tbody', n.members.map((m) => h('tr',
        h('td', h('a', { href: `#/enforcement/${m.seller_org_id}` }, m.name || m.seller_org_id), m.evasion_flagged ? statusTag('evasion') : null),
        h('td', statusTag(m.level)), h('td', String(m.active_strikes)), h('td', String(m.listings)), h('td', String(m.units_sold)))))),
    h('h3', 'Shared identifiers'),
    kinds.length ? h('ul', { testid: 'network-shared' }, kinds.map((k) => h('li', `${k.replace(/_/g, ' ')}: `,
      n.shared_identifiers[k].map((s) => h('span', code(s.hash_prefix, 'hash prefix'), ` (${s.sellers} sellers) `))))) : h('p', 'None: this seller shares no identifier.'),
    n.banned && n.ban_kind === 'banned' ? null : form);
}
