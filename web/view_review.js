// view_review.js — "Review": the reviewer's queues (reviewer, admin).
// Pending right-holder applications, pending rights (with their files) and
// pending agent authorisations, each with a reason and approve/reject.

import { api } from './api.js';
import { h, replace, add, time } from './dom.js';
import { pageHeading, handledByApp, pagedList, code, statusTag, orgDirectory, decisionForm, facts, errorBox } from './ui.js';
import { rightName, rightFacts, rightFiles, KIND_LABELS } from './view_rights.js';

function decidedNote(name, decision) {
  return h('p.success', { role: 'status', testid: `${name}-done` }, `Decided: ${decision}. It leaves the queue when you reload.`);
}

export function renderReview(ctx) {
  let orgs = null;
  const tabs = [];

  // --- right-holder applications ------------------------------------------
  const apps = pagedList(ctx, {
    name: 'review-apps',
    path: '/api/v1/rightholders',
    params: () => ({ status: 'pending' }),
    limit: 20,
    empty: 'No applications waiting.',
    card: (a) => {
      const holder = h('div.card-decision');
      holder.append(decisionForm(ctx, {
        path: `/api/v1/rightholders/${encodeURIComponent(a.org_id)}/decision`,
        yes: ['approved', 'Approve'], no: ['rejected', 'Reject'], name: 'app-decision',
        done: (_, d) => replace(holder, decidedNote('app-decision', d)),
      }));
      return h('article.review-card',
        h('header', h('strong', a.org_name || a.org_id), ' ', statusTag(a.status)),
        facts([['Contact', a.email], ['Country', a.country], ['Website', a.website], ['Applied', time(a.created_at)], ['Org id', code(a.org_id)]]),
        holder);
    },
  });

  // --- rights (each card loads the right with its files) ------------------
  const rights = pagedList(ctx, {
    name: 'review-rights',
    path: '/api/v1/rights',
    params: () => ({ status: 'pending' }),
    limit: 20,
    empty: 'No rights waiting for verification.',
    card: (r) => {
      const files = h('div', h('p.muted', { 'aria-busy': 'true' }, 'Loading files…'));
      api('GET', `/api/v1/rights/${encodeURIComponent(r.id)}`)
        .then((full) => replace(files, rightFiles(full)))
        .catch((err) => { if (!handledByApp(ctx, err)) replace(files, errorBox(err)); });
      const holder = h('div.card-decision');
      holder.append(decisionForm(ctx, {
        path: `/api/v1/rights/${encodeURIComponent(r.id)}/decision`,
        yes: ['verified', 'Verify'], no: ['rejected', 'Reject'], name: 'right-decision',
        done: (_, d) => replace(holder, decidedNote('right-decision', d)),
      }));
      return h('article.review-card', { 'data-right-id': r.id },
        h('header', h('a', { href: `#/rights/${encodeURIComponent(r.id)}` }, h('strong', rightName(r))),
          ' ', h('span.kind', KIND_LABELS[r.kind] || r.kind), ' ', statusTag(r.status_effective)),
        h('div.detail-grid', rightFacts(r, orgs), files),
        holder);
    },
  });

  // --- agent authorisations ------------------------------------------------
  const agents = pagedList(ctx, {
    name: 'review-agents',
    path: '/api/v1/agents/authorisations',
    params: () => ({ status: 'pending' }),
    limit: 20,
    empty: 'No agent authorisations waiting.',
    card: (a) => {
      const holder = h('div.card-decision');
      holder.append(decisionForm(ctx, {
        path: `/api/v1/agents/authorisations/${encodeURIComponent(a.id)}/decision`,
        yes: ['verified', 'Verify'], no: ['rejected', 'Reject'], name: 'agent-decision',
        done: (_, d) => replace(holder, decidedNote('agent-decision', d)),
      }));
      return h('article.review-card',
        h('header', h('strong', a.agent_name || a.agent_org_id), ' acts for ',
          h('strong', a.principal_name || a.principal_org_id), ' ', statusTag(a.status)),
        facts([['Valid', `${a.valid_from} – ${a.valid_to}`], ['Filed', time(a.created_at)],
          ['Signed document', h('a', { href: `/api/v1/agents/authorisations/${encodeURIComponent(a.id)}/document`, download: `authorisation-${a.id}`, testid: 'agent-document' }, 'Download')]]),
        holder);
    },
  });

  const sections = [
    ['apps', 'Right-holder applications', 'New organisations that applied to join as right holders.', apps],
    ['rights', 'Rights to verify', 'Check the certificate and logos against the office’s register before verifying.', rights],
    ['agents', 'Agent authorisations', 'Check the signed document: principal, agent and period must match.', agents],
  ];
  add(ctx.main, 
    pageHeading('Review', 'review-title', 'Everything waiting for a decision. Every decision needs a reason and is audited.'),
    h('nav.jump', { 'aria-label': 'Queues' }, h('ul', sections.map(([id, label]) => h('li', h('a', { href: '#/review', 'data-jump': `q-${id}` }, label))))),
    ...sections.map(([id, label, sub, list]) => h('section.queue', { id: `q-${id}`, 'aria-labelledby': `q-${id}-h`, testid: `queue-${id}` },
      h('div.queue-head',
        h('h2', { id: `q-${id}-h` }, label),
        h('button.secondary.outline.small', { type: 'button', onclick: () => list.reload(), testid: `queue-${id}-reload` }, 'Reload')),
      h('p.muted', sub),
      list.el)));
  // In-page jumps without touching the route.
  for (const a of ctx.main.querySelectorAll('[data-jump]')) {
    a.addEventListener('click', (ev) => {
      ev.preventDefault();
      const target = document.getElementById(a.dataset.jump);
      target.scrollIntoView();
      target.querySelector('h2').setAttribute('tabindex', '-1');
      target.querySelector('h2').focus({ preventScroll: true });
    });
  }
  tabs.push(apps, rights, agents);

  orgDirectory(ctx).then((d) => {
    orgs = d;
    if (!ctx.signal.aborted) for (const t of tabs) t.reload();
  }).catch((err) => handledByApp(ctx, err));
}
