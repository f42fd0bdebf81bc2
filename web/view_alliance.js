// view_alliance.js — "Alliance" (docs/api.md §Alliance). Right holders
// join or leave, and while active see members, share counterfeit-seller
// reports and read the watch list. Reviewers and admins suspend and
// reinstate members; auditors read.

import { api } from './api.js';
import { h, replace, add, time } from './dom.js';
import {
  pageHeading, errorBox, handledByApp, pagedList, code, statusTag, field, onSubmit, busy, roleIs, isDecider, successBox,
} from './ui.js';

export function renderAlliance(ctx) {
  add(ctx.main, pageHeading('Alliance', 'alliance-title',
    'The anti-counterfeiting alliance: right holders share what they know about counterfeit sellers.'));
  if (roleIs(ctx, 'rightholder')) holderView(ctx);
  else sharedLists(ctx, ctx.main);
}

/* A right holder: membership first; the shared lists only while active. */
function holderView(ctx) {
  const orgId = ctx.me.org.id;
  const box = h('section.membership', { 'aria-labelledby': 'membership-h', testid: 'alliance-membership' },
    h('p', { 'aria-busy': 'true' }, 'Loading…'));
  const rest = h('div');
  add(ctx.main, box, rest);

  async function load() {
    let member = null;
    try {
      const me = await api('GET', '/api/v1/alliance/me'); // status "none": never joined
      member = me.status === 'none' ? null : me;
    } catch (err) {
      if (handledByApp(ctx, err)) return;
      replace(box, errorBox(err, 'alliance-error'));
      return;
    }
    if (ctx.signal.aborted) return;
    const active = member && member.status === 'active';
    const result = h('div', { 'aria-live': 'polite' });
    const act = async (btn, method, path, text) => {
      busy(btn, true);
      try {
        await api(method, path, method === 'POST' ? {} : undefined);
        await load();
        box.querySelector('[aria-live]')?.replaceChildren(successBox(text, 'alliance-ok'));
      } catch (err) {
        if (!handledByApp(ctx, err)) replace(result, errorBox(err, 'alliance-error'));
        busy(btn, false);
      }
    };
    const join = h('button', { type: 'button', testid: 'alliance-join' }, member ? 'Join again' : 'Join the alliance');
    join.addEventListener('click', () => act(join, 'POST', '/api/v1/alliance/members', 'Welcome to the alliance.'));
    const leave = h('button.secondary.outline', { type: 'button', testid: 'alliance-leave' }, 'Leave the alliance');
    leave.addEventListener('click', async () => {
      if (!await ctx.confirm('Leave the alliance? Your reports stay shared; you stop seeing the members’ reports.', 'Leave')) return;
      act(leave, 'DELETE', `/api/v1/alliance/members/${encodeURIComponent(orgId)}`, 'You have left the alliance.');
    });
    let text;
    if (!member) text = 'Your organisation is not a member. Members share reports of counterfeit sellers with each other and with the platform.';
    else if (active) text = `Member since ${new Date(member.joined_at).toISOString().slice(0, 10)}; you have shared ${member.reports} report${member.reports === 1 ? '' : 's'}.`;
    else if (member.status === 'suspended') text = `Your membership is suspended: ${member.status_reason || 'no reason given'}. A reviewer can reinstate it.`;
    else text = 'You left the alliance. You can join again at any time.';
    replace(box,
      h('h2', { id: 'membership-h' }, 'Your membership ', member ? statusTag(member.status, 'alliance-status') : statusTag('not a member', 'alliance-status')),
      h('p', text),
      h('div.button-row', !member || member.status === 'left' ? join : null, active ? leave : null),
      result);
    replace(rest);
    if (active) {
      let lists = null;
      add(rest, reportForm(ctx, () => lists && lists.reports.reload()));
      lists = sharedLists(ctx, rest);
    }
  }
  load();
}

function reportForm(ctx, reload) {
  const seller = h('input', { name: 'seller_org_id', required: true, autocomplete: 'off', maxlength: 26, placeholder: '26-character id', testid: 'report-seller' });
  const reason = h('textarea', { name: 'reason', required: true, rows: 3, maxlength: 1000, testid: 'report-reason' });
  const urls = h('textarea', { name: 'evidence_urls', rows: 2, placeholder: 'https://… (one per line, up to 10)', testid: 'report-urls' });
  const listings = h('input', { name: 'listing_ids', autocomplete: 'off', placeholder: 'ids separated by spaces or commas', testid: 'report-listings' });
  const save = h('button', { type: 'submit', testid: 'report-submit' }, 'Share report');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true },
    h('div.grid', field('Seller organisation id', seller, 'Shown on the seller’s listings.'),
      field('Listings (optional)', listings, 'Listing ids, here or on other marketplaces.')),
    field('Why is this seller counterfeiting?', reason),
    field('Evidence links (optional)', urls),
    result, save);
  onSubmit(ctx, form, save, result, async () => {
    const body = { seller_org_id: seller.value.trim(), reason: reason.value.trim() };
    const u = urls.value.split(/\s+/).filter(Boolean);
    const l = listings.value.split(/[\s,]+/).filter(Boolean);
    if (u.length) body.evidence_urls = u;
    if (l.length) body.listing_ids = l;
    await api('POST', '/api/v1/alliance/reports', body);
    form.reset();
    reload();
    return 'Report shared with the alliance.';
  }, 'report');
  return h('article.form-card', h('h2', 'Share a counterfeit-seller report'), form);
}

/* Members, reports, watch list (platform readers and active members). */
function sharedLists(ctx, into) {
  const decider = isDecider(ctx);
  const memberAction = (m, reload) => {
    if (!decider || (m.status !== 'active' && m.status !== 'suspended')) return h('span.muted', '—');
    const suspend = m.status === 'active';
    return h('button.secondary.outline.small', {
      type: 'button',
      testid: suspend ? 'member-suspend' : 'member-reinstate',
      'aria-label': `${suspend ? 'Suspend' : 'Reinstate'} ${m.name}`,
      onclick: async (ev) => {
        const btn = ev.currentTarget;
        const reason = await ctx.prompt(`${suspend ? 'Suspend' : 'Reinstate'} “${m.name}”? Give the reason (recorded in the audit log).`, suspend ? 'Suspend' : 'Reinstate');
        if (!reason) return;
        busy(btn, true);
        try {
          await api('POST', `/api/v1/alliance/members/${encodeURIComponent(m.org_id)}/${suspend ? 'suspend' : 'reinstate'}`, { reason });
          reload();
        } catch (err) {
          if (!handledByApp(ctx, err)) btn.replaceWith(errorBox(err, 'member-error'));
        }
      },
    }, suspend ? 'Suspend' : 'Reinstate');
  };
  const members = pagedList(ctx, {
    name: 'members', path: '/api/v1/alliance', caption: 'Alliance members',
    empty: 'No members yet.',
    columns: [
      { label: 'Member', cell: (m) => h('strong', { title: m.org_id }, m.name) },
      { label: 'Status', cell: (m) => h('span', statusTag(m.status), m.status_reason ? h('small.muted.block', m.status_reason) : null) },
      { label: 'Joined', cell: (m) => time(m.joined_at) },
      { label: 'Reports', cell: (m) => String(m.reports), className: 'num' },
      ...(decider ? [{ label: h('span.visually-hidden', 'Actions'), cell: memberAction }] : []),
    ],
  });
  const reports = pagedList(ctx, {
    name: 'reports', path: '/api/v1/alliance/reports', caption: 'Shared reports, oldest first',
    empty: 'No reports shared yet.',
    columns: [
      { label: 'Seller', cell: (r) => h('span', h('strong', r.seller_name), h('small.block', code(r.seller_org_id))) },
      { label: 'Reported by', cell: (r) => r.member_name },
      { label: 'Reason', cell: (r) => h('span.detail', r.reason) },
      { label: 'Evidence', cell: (r) => (r.evidence_urls.length || r.listing_ids.length ? h('ul.compact',
        r.evidence_urls.map((u) => h('li', h('a', { href: u, rel: 'noopener noreferrer', target: '_blank' }, u.length > 40 ? `${u.slice(0, 37)}…` : u))),
        r.listing_ids.map((l) => h('li', 'listing ', code(l)))) : h('span.muted', '—')) },
      { label: 'Shared', cell: (r) => time(r.created_at) },
    ],
  });
  const sellers = pagedList(ctx, {
    name: 'watchlist', path: '/api/v1/alliance/sellers', caption: 'Watch list of reported sellers',
    empty: 'No seller has been reported.',
    columns: [
      { label: 'Seller', cell: (s) => h('span', h('strong', s.name), h('small.block', code(s.seller_org_id))) },
      { label: 'Reports', cell: (s) => String(s.reports), className: 'num' },
      { label: 'Members reporting', cell: (s) => String(s.members), className: 'num' },
      { label: 'First', cell: (s) => time(s.first_reported_at) },
      { label: 'Latest', cell: (s) => time(s.last_reported_at) },
    ],
  });
  add(into, 
    h('section', h('h2', 'Members'), members.el),
    h('section', h('h2', 'Watch list'), h('p.muted', 'Sellers reported by members, most reported first.'), sellers.el),
    h('section', h('h2', 'Reports'), reports.el));
  members.reload();
  reports.reload();
  sellers.reload();
  return { members, reports, sellers };
}
