// view_notices.js — "Notices" and "Inbox": notice and action.
//   #/notices            list (reviewers: the review queue first)
//   #/notices/new        file a notice (right holders; ?listing=ID prefills)
//   #/notices/<id>       one notice: items, decisions, counter-notices,
//                        appeals, statements of reasons
// Sellers also see their strikes here.

import { api } from './api.js';
import { h, replace, add, time } from './dom.js';
import {
  pageHeading, errorBox, handledByApp, pagedList, searchBar, emptyState, code, statusTag, field, onSubmit, roleIs, isDecider,
  hashParts, hashQuery, facts, decisionForm, FormProblem, fetchAll, busy, noImplicitSubmit,
} from './ui.js';
import { rightName } from './view_rights.js';

const KINDS = { counterfeit: 'Counterfeit', trademark_misuse: 'Trademark misuse', copyright: 'Copyright', design: 'Design' };

export function renderNotices(ctx) {
  const [id] = hashParts();
  if (id === 'new' && roleIs(ctx, 'rightholder')) return renderNew(ctx);
  if (id) return renderNotice(ctx, id);
  return renderList(ctx);
}

function noticeColumns() {
  return [
    { label: 'Notice', cell: (n) => h('a', { href: `#/notices/${encodeURIComponent(n.id)}`, testid: 'notice-link' }, KINDS[n.kind] || n.kind) },
    { label: 'Notifier', cell: (n) => n.notifier_name },
    { label: 'Items', cell: (n) => String(n.items_total), className: 'num' },
    { label: 'State', cell: (n) => h('span', statusTag(n.state, 'notice-state'), n.fast_track ? h('small.muted.block', 'fast track') : null) },
    { label: 'Outcome', cell: (n) => (n.outcome ? statusTag(n.outcome) : h('span.muted', '—')) },
    { label: 'Review by', cell: (n) => (n.review_deadline ? h('span', time(n.review_deadline), n.sla_breached ? h('small.bad.block', 'overdue') : null) : h('span.muted', '—')) },
    { label: 'Filed', cell: (n) => time(n.created) },
  ];
}

function renderList(ctx) {
  const holder = roleIs(ctx, 'rightholder');
  const seller = roleIs(ctx, 'seller');
  add(ctx.main, pageHeading('Notices', 'notices-title', seller
    ? 'Notices filed against your listings. You may answer a takedown with a counter-notice while its window is open.'
    : holder ? 'Takedown notices your organisation filed.' : 'Takedown notices and their decisions.'));
  if (holder) {
    add(ctx.main, h('p', h('a', { href: '#/notices/new', role: 'button', testid: 'notice-new' }, 'File a notice')));
    accuracyCard(ctx);
  }
  if (isDecider(ctx)) {
    const queue = pagedList(ctx, {
      name: 'queue', path: '/api/v1/notices/queue', caption: 'Review queue', empty: 'The review queue is empty.',
      columns: [...noticeColumns(), { label: 'Risk', cell: (n) => String(n.risk), className: 'num' }],
    });
    add(ctx.main, h('h2', 'Review queue'), h('p.muted', 'Notices under review, earliest deadline first, then by risk.'), queue.el, h('h2', 'All notices'));
    queue.reload();
  }
  const state = h('select', { name: 'state', testid: 'notices-filter' }, h('option', { value: '' }, 'Any state'),
    ['submitted', 'under_review', 'decided'].map((s) => h('option', { value: s }, s.replace('_', ' '))));
  let list = null;
  const search = searchBar({
    name: 'notices', label: 'Search notices',
    placeholder: 'Words in the explanation, notifier, kind, listing titles or ids; bag* matches a prefix',
    onSearch: () => list.reload(),
  });
  list = pagedList(ctx, {
    name: 'notices', path: '/api/v1/notices', caption: 'Notices',
    params: () => ({ state: state.value, q: search.value() }),
    empty: () => {
      if (search.value() || state.value) return 'No notices match this search.';
      if (seller) return 'No notices against your listings.';
      return holder ? emptyState('No notices yet', { href: '#/notices/new', label: 'file one' }, 'notices-empty-new') : 'No notices yet.';
    },
    columns: noticeColumns(),
  });
  state.addEventListener('change', () => list.reload());
  add(ctx.main, search.el, h('div.filter-bar', field('State', state)), list.el);
  list.reload();
  if (seller) strikes(ctx);
}

function accuracyCard(ctx) {
  const box = h('div', { testid: 'notice-accuracy' });
  add(ctx.main, box);
  api('GET', '/api/v1/notices/accuracy').then((a) => {
    const c = a.counts || {};
    replace(box, h('details.accuracy',
      h('summary', 'Your notice record: ', a.fast_track ? h('strong.ok', 'fast track') : h('span', 'reviewed track'),
        ` · ${c.decided || 0} decided, ${c.upheld || 0} upheld, ${c.reversed || 0} reversed`),
      Array.isArray(a.reasons) && a.reasons.length ? h('ul', a.reasons.map((r) => h('li', r))) : null));
  }).catch((err) => handledByApp(ctx, err));
}

function strikes(ctx) {
  const list = pagedList(ctx, {
    name: 'strikes', path: '/api/v1/strikes', caption: 'Strikes', empty: 'No strikes on your account.',
    columns: [
      { label: 'Listing', cell: (s) => code(s.listing_id) },
      { label: 'Notice', cell: (s) => h('a', { href: `#/notices/${encodeURIComponent(s.notice_id)}` }, 'open') },
      { label: 'Reason', cell: (s) => s.reason },
      { label: 'Given', cell: (s) => time(s.created) },
      { label: 'Expires', cell: (s) => time(s.expires) },
      { label: 'Revoked', cell: (s) => time(s.revoked) },
    ],
  });
  add(ctx.main, h('h2', 'Strikes'), list.el);
  list.reload();
}

/* ----------------------------------------------------------------------- */
/* File a notice                                                           */
/* ----------------------------------------------------------------------- */

function renderNew(ctx) {
  const right = h('select', { name: 'right_id', required: true, testid: 'notice-right' }, h('option', { value: '' }, 'Loading your verified rights…'));
  const kind = h('select', { name: 'kind', testid: 'notice-kind' }, Object.entries(KINDS).map(([v, l]) => h('option', { value: v }, l)));
  const listings = h('textarea', { name: 'listings', rows: 3, required: true, placeholder: 'One listing id per line', testid: 'notice-listings' });
  const csv = h('input', { name: 'listings_csv', type: 'file', accept: '.csv,text/csv', testid: 'notice-csv' });
  const explanation = h('textarea', { name: 'explanation', rows: 4, required: true, maxlength: 4000, testid: 'notice-explanation' });
  const urls = h('textarea', { name: 'evidence_urls', rows: 2, placeholder: 'https://… one per line', testid: 'notice-urls' });
  const files = h('input', { name: 'evidence', type: 'file', multiple: true, testid: 'notice-files' });
  const name = h('input', { name: 'notifier_name', required: true, autocomplete: 'name', testid: 'notice-name' });
  const email = h('input', { name: 'notifier_email', type: 'email', required: true, autocomplete: 'email', value: ctx.me.user.email, testid: 'notice-email' });
  const goodFaith = h('input', { name: 'good_faith', type: 'checkbox', testid: 'notice-good-faith' });
  const accuracy = h('input', { name: 'accuracy', type: 'checkbox', testid: 'notice-accuracy-ok' });
  const signature = h('input', { name: 'signature', required: true, autocomplete: 'off', testid: 'notice-signature' });
  const pre = hashQuery().getAll('listing');
  if (pre.length) listings.value = pre.join('\n');
  const save = h('button', { type: 'submit', testid: 'notice-submit' }, 'Submit notice');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true, testid: 'notice-form' },
    h('div.grid', field('Right infringed', right, 'Only verified, unexpired rights can be cited.'), field('Kind of infringement', kind)),
    h('div.grid', field('Listings', listings, 'Listing ids, as shown on the Listings page.'), field('…or a CSV of listing ids (optional)', csv)),
    field('Explanation', explanation, 'Why these listings infringe the right.'),
    h('div.grid', field('Evidence links', urls), field('Evidence files', files, 'At least one link or file.')),
    h('fieldset', h('legend', 'Notifier'),
      h('div.grid', field('Your name', name), field('Your email', email))),
    h('fieldset', h('legend', 'Declarations'),
      h('label', goodFaith, ' I believe in good faith that the use is not authorised by the right holder, its agent or the law.'),
      h('label', accuracy, ' The information in this notice is accurate, and I am authorised to act for the right holder.'),
      field('Signature (type your full name)', signature)),
    result, save);

  fetchAll('/api/v1/rights', { status: 'verified' }).then((rs) => {
    if (ctx.signal.aborted) return;
    replace(right, rs.length
      ? rs.map((r) => h('option', { value: r.id }, `${rightName(r)} (${r.kind.replace('_', ' ')}${r.registration_number ? `, ${r.registration_number}` : ''})`))
      : h('option', { value: '' }, 'No verified rights — register one first'));
  }).catch((err) => { if (!handledByApp(ctx, err)) replace(right, h('option', { value: '' }, 'Could not load your rights')); });

  onSubmit(ctx, form, save, result, async () => {
    const meta = {
      right_id: right.value, kind: kind.value, explanation: explanation.value.trim(),
      notifier_name: name.value.trim(), notifier_email: email.value.trim(),
      good_faith: goodFaith.checked, accuracy: accuracy.checked, signature: signature.value.trim(),
      listings: listings.value.split(/[\s,]+/).filter(Boolean),
      evidence_urls: urls.value.split(/\s+/).filter(Boolean),
    };
    if (!meta.right_id) throw new FormProblem('Please choose a verified right.');
    let n;
    if (files.files.length || csv.files[0]) {
      const body = new FormData();
      body.append('notice', JSON.stringify(meta));
      for (const f of files.files) body.append('evidence', f, f.name);
      if (csv.files[0]) body.append('listings_csv', csv.files[0], csv.files[0].name);
      n = await api('POST', '/api/v1/notices/upload', body);
    } else {
      n = await api('POST', '/api/v1/notices', meta);
    }
    const merged = (n.merged || []).length;
    return h('div.success', { role: 'status', testid: 'notice-created' },
      h('p', n.merged_all ? 'Every listing was already in an open notice of yours: nothing new was filed.'
        : n.fast_track ? `Filed on the fast track: ${n.taken_down} listing${n.taken_down === 1 ? '' : 's'} taken down at once.`
          : 'Filed. It waits in the review queue.'),
      merged ? h('p', `${merged} listing${merged === 1 ? ' was' : 's were'} merged into open notices.`) : null,
      h('p', h('a', { href: `#/notices/${encodeURIComponent(n.id)}` }, 'Open the notice')));
  }, 'notice');

  add(ctx.main, 
    h('p.back', h('a', { href: '#/notices' }, '← All notices')),
    pageHeading('File a notice', 'notice-new-title', 'Report listings that infringe one of your verified rights.'),
    h('article.form-card', form));
}

/* ----------------------------------------------------------------------- */
/* One notice                                                              */
/* ----------------------------------------------------------------------- */

function renderNotice(ctx, id) {
  const base = `/api/v1/notices/${encodeURIComponent(id)}`;
  const body = h('div', h('p', { 'aria-busy': 'true' }, 'Loading…'));
  add(ctx.main, h('p.back', h('a', { href: '#/notices', testid: 'notices-back' }, '← All notices')), body);
  const again = () => window.dispatchEvent(new HashChangeEvent('hashchange'));

  api('GET', base).then((n) => {
    if (ctx.signal.aborted) return;
    const decider = isDecider(ctx);
    const seller = roleIs(ctx, 'seller');
    const myOrg = ctx.me.org.id;
    const rejectBoxes = new Map();
    const itemActions = (it) => {
      const actions = [];
      if (decider && n.state === 'under_review' && it.state === 'pending') {
        const cb = h('input', { type: 'checkbox', 'aria-label': `Reject listing ${it.listing_id}`, testid: 'item-reject' });
        rejectBoxes.set(it.listing_id, cb);
        actions.push(h('label.inline', cb, ' reject'));
      }
      const itemBase = `${base}/items/${encodeURIComponent(it.listing_id)}`;
      if (seller && it.state === 'taken_down' && !it.counter_notice) actions.push(counterForm(ctx, itemBase, again));
      if (decider && it.state === 'counter_noticed') {
        actions.push(decisionForm(ctx, { path: `${itemBase}/counter-decision`, yes: ['reinstate', 'Reinstate'], no: ['keep_down', 'Keep down'], name: 'counter-decision', done: again, label: 'Decide the counter-notice' }));
      }
      const canAppeal = !it.appeal && ((seller && it.state === 'upheld')
        || (!seller && !decider && n.notifier_org_id === myOrg && (it.state === 'rejected' || it.state === 'reinstated')));
      if (canAppeal) actions.push(appealForm(ctx, itemBase, again));
      if (decider && it.appeal && it.appeal.state === 'open') {
        actions.push(decisionForm(ctx, { path: `${itemBase}/appeal-decision`, yes: ['overturn', 'Overturn'], no: ['confirm', 'Confirm'], name: 'appeal-decision', done: again, label: 'Decide the appeal' }));
      }
      return actions.length ? actions : h('span.muted', '—');
    };
    // The listings of a notice (up to 10,000) page like every other list.
    const items = pagedList(ctx, {
      name: 'items', path: `${base}/items`, caption: 'Listings in this notice', empty: 'No listings of this notice are yours to see.',
      columns: [
        { label: 'Listing', cell: (it) => code(it.listing_id) },
        { label: 'State', cell: (it) => statusTag(it.state, 'item-state') },
        { label: 'Counter-notice', cell: (it) => (it.counter_notice ? h('span', h('small.block', it.counter_notice.explanation), time(it.counter_notice.filed)) : h('span.muted', it.counter_notice_deadline ? ['window until ', time(it.counter_notice_deadline)] : '—')) },
        { label: 'Appeal', cell: (it) => (it.appeal ? h('span', statusTag(`appeal ${it.appeal.state}`), h('small.block', it.appeal.explanation)) : h('span.muted', '—')) },
        { label: 'Reason', cell: (it) => (it.decision_reason ? h('small', it.decision_reason) : h('span.muted', '—')) },
        { label: 'Actions', cell: itemActions, className: 'actions' },
      ],
      onPage: (page) => { if (page.some((it) => it.taken_down)) statementsOnce(); },
    });

    let decide = null;
    if (decider && n.state === 'under_review') {
      const reason = h('input', { name: 'reason', required: true, maxlength: 1000, autocomplete: 'off', testid: 'notice-decision-reason' });
      const result = h('div', { 'aria-live': 'polite' });
      const uphold = h('button', { type: 'submit', value: 'uphold', testid: 'notice-uphold' }, 'Uphold (take down)');
      const reject = h('button.secondary', { type: 'submit', value: 'reject', testid: 'notice-reject' }, 'Reject');
      const partial = h('button.secondary.outline', { type: 'submit', value: 'partial', testid: 'notice-partial' }, 'Partially: reject the ticked items');
      const form = h('form', { novalidate: true }, noImplicitSubmit(), field('Reason (sent to both parties)', reason), result, h('div.button-row', uphold, reject, partial));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const decision = ev.submitter ? ev.submitter.value : 'uphold';
        const body = { decision, reason: reason.value.trim() };
        if (decision === 'partial') body.reject_listings = [...rejectBoxes].filter(([, cb]) => cb.checked).map(([l]) => l);
        replace(result);
        for (const b of [uphold, reject, partial]) busy(b, true);
        try {
          await api('POST', `${base}/decision`, body);
          again();
        } catch (err) {
          if (!handledByApp(ctx, err)) replace(result, errorBox(err, 'notice-decision-error'));
          for (const b of [uphold, reject, partial]) busy(b, false);
        }
      });
      decide = h('article.form-card', h('h2', 'Decide'), form);
    }

    const statements = h('div');
    let statementsAsked = false;
    function statementsOnce() {
      if (statementsAsked) return;
      statementsAsked = true;
      api('GET', `${base}/statements`).then((s) => {
        if (!s.items || !s.items.length) return;
        replace(statements, h('details', h('summary', `Statements of reasons (${s.items.length})`),
          h('pre.json', { tabindex: '0' }, JSON.stringify(s.items, null, 2))));
      }).catch((err) => handledByApp(ctx, err));
    }
    if (n.state === 'decided') statementsOnce();

    replace(body,
      pageHeading(`${KINDS[n.kind] || n.kind} notice`, 'notice-title', `${n.id}`),
      h('p.status-line', 'State: ', statusTag(n.state, 'notice-state'), n.outcome ? [' · outcome: ', statusTag(n.outcome, 'notice-outcome')] : null,
        n.fast_track ? ' · fast track' : null),
      h('div.detail-grid',
        facts([['Notifier', n.notifier_name], ['Email', n.notifier_email], ['On behalf of', n.on_behalf_of ? code(n.on_behalf_of) : null],
          ['Right', n.right_id ? code(n.right_id) : null], ['Filed', time(n.created)], ['Review by', n.review_deadline ? time(n.review_deadline) : null],
          ['Decision', n.decision_reason], ['Decided', n.decided ? time(n.decided) : null]]),
        h('div', h('h3', 'Explanation'), h('p.prewrap', n.explanation),
          h('h3', 'Evidence'), (n.evidence || []).length ? h('ul.compact', n.evidence.map((e) => h('li', e.url
            ? h('a', { href: e.url, rel: 'noopener noreferrer', target: '_blank' }, e.url)
            : h('span', e.name || e.sha256 || JSON.stringify(e))))) : h('p.muted', 'None shown.'))),
      h('h2', 'Listings'),
      items.el,
      decide,
      statements);
    items.reload();
  }).catch((err) => {
    if (ctx.signal.aborted || handledByApp(ctx, err)) return;
    replace(body, pageHeading('Notice', 'notice-title'), errorBox(err, 'notice-error'));
  });
}

function counterForm(ctx, itemBase, done) {
  const text = h('textarea', { name: 'explanation', rows: 3, required: true, maxlength: 4000, 'aria-label': 'Why the takedown is mistaken', testid: 'counter-explanation' });
  const urls = h('input', { name: 'evidence_urls', placeholder: 'evidence links (optional)', 'aria-label': 'Evidence links', testid: 'counter-urls' });
  const save = h('button.small', { type: 'submit', testid: 'counter-submit' }, 'File counter-notice');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form.inline-form', { novalidate: true }, text, urls, result, save);
  onSubmit(ctx, form, save, result, async () => {
    const body = { explanation: text.value.trim() };
    const u = urls.value.split(/\s+/).filter(Boolean);
    if (u.length) body.evidence_urls = u;
    await api('POST', `${itemBase}/counter-notice`, body);
    setTimeout(done, 0);
    return 'Counter-notice filed.';
  }, 'counter');
  return form;
}

function appealForm(ctx, itemBase, done) {
  const text = h('textarea', { name: 'explanation', rows: 2, required: true, maxlength: 4000, 'aria-label': 'Why the decision should change', testid: 'appeal-explanation' });
  const save = h('button.small.secondary', { type: 'submit', testid: 'appeal-submit' }, 'Appeal');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form.inline-form', { novalidate: true }, text, result, save);
  onSubmit(ctx, form, save, result, async () => {
    await api('POST', `${itemBase}/appeal`, { explanation: text.value.trim() });
    setTimeout(done, 0);
    return 'Appeal filed.';
  }, 'appeal');
  return form;
}

/* ----------------------------------------------------------------------- */
/* Inbox                                                                   */
/* ----------------------------------------------------------------------- */

export function renderInbox(ctx) {
  const list = pagedList(ctx, {
    name: 'inbox', path: '/api/v1/inbox', caption: 'Messages, newest first',
    empty: 'No messages. You are told here when a notice about you is filed or decided.',
    columns: [
      { label: 'Subject', cell: (m) => h('strong', m.subject) },
      { label: 'Kind', cell: (m) => h('span.kind', m.kind) },
      { label: 'Notice', cell: (m) => (m.notice_id ? h('a', { href: `#/notices/${encodeURIComponent(m.notice_id)}`, testid: 'inbox-notice' }, 'Open') : h('span.muted', '—')) },
      { label: 'Received', cell: (m) => time(m.created) },
    ],
  });
  add(ctx.main, pageHeading('Inbox', 'inbox-title', 'Messages from the platform about notices, takedowns and decisions.'), list.el);
  list.reload();
}

