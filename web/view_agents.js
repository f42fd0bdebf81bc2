// view_agents.js — "Agents" (right holders): authorise an agent
// organisation with a signed document (multipart), list authorisations as
// principal or as agent, revoke one (docs/api.md §Rights, Agents).

import { api } from './api.js';
import { h, replace, add } from './dom.js';
import { pageHeading, errorBox, handledByApp, pagedList, code, statusTag, field, onSubmit, busy, FormProblem } from './ui.js';

export function renderAgents(ctx) {
  const me = ctx.me.org.id;
  const result = h('div', { 'aria-live': 'polite' });
  const list = pagedList(ctx, {
    name: 'agents', path: '/api/v1/agents/authorisations', caption: 'Agent authorisations',
    empty: 'No authorisations yet. Authorise an agent below to let it register rights and file notices for you.',
    columns: [
      { label: 'Role', cell: (a) => (a.principal_org_id === me ? h('span.kind', 'you authorise') : h('span.kind', 'you act for')) },
      { label: 'Other organisation', cell: (a) => (a.principal_org_id === me
        ? h('span', a.agent_name, h('small.muted.block', code(a.agent_org_id)))
        : h('span', a.principal_name, h('small.muted.block', code(a.principal_org_id)))) },
      { label: 'Valid', cell: (a) => `${a.valid_from} – ${a.valid_to}` },
      { label: 'Status', cell: (a) => h('span', statusTag(a.status, 'agent-status'), a.reason ? h('small.muted.block', a.reason) : null) },
      { label: 'Document', cell: (a) => h('a', { href: `/api/v1/agents/authorisations/${encodeURIComponent(a.id)}/document`, download: `authorisation-${a.id}` }, 'Download') },
      { label: h('span.visually-hidden', 'Actions'), cell: (a, reload) => {
        if (a.principal_org_id !== me || (a.status !== 'verified' && a.status !== 'pending')) return h('span.muted', '—');
        return h('button.secondary.outline.small', {
          type: 'button', testid: 'agent-revoke', 'aria-label': `Revoke the authorisation of ${a.agent_org_id}`,
          onclick: async (ev) => {
            const btn = ev.currentTarget;
            const reason = await ctx.prompt('Revoke this authorisation? The agent loses access to your rights at once. Reason (optional):', 'Revoke', true);
            if (reason === null) return;
            busy(btn, true);
            try {
              await api('POST', `/api/v1/agents/authorisations/${encodeURIComponent(a.id)}/revoke`, reason ? { reason } : {});
              replace(result, h('p.success', { role: 'status', testid: 'agent-revoked' }, 'Authorisation revoked.'));
              reload();
            } catch (err) {
              if (!handledByApp(ctx, err)) replace(result, errorBox(err, 'agent-error'));
              busy(btn, false);
            }
          },
        }, 'Revoke');
      } },
    ],
  });

  const agent = h('input', { name: 'agent_org_id', required: true, maxlength: 26, autocomplete: 'off', placeholder: '26-character id', testid: 'agent-org' });
  const from = h('input', { name: 'valid_from', type: 'date', required: true, testid: 'agent-from' });
  const to = h('input', { name: 'valid_to', type: 'date', required: true, testid: 'agent-to' });
  const doc = h('input', { name: 'document', type: 'file', required: true, accept: 'application/pdf,image/*', testid: 'agent-document' });
  const save = h('button', { type: 'submit', testid: 'agent-submit' }, 'Send for verification');
  const formResult = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true },
    field('Agent organisation id', agent, 'The agent (e.g. your law firm) must itself be an approved right-holder organisation; ask it for its id.'),
    h('div.grid', field('Valid from', from), field('Valid to', to)),
    field('Signed authorisation', doc, 'PDF or image of the signed power of attorney.'),
    formResult, save);
  onSubmit(ctx, form, save, formResult, async () => {
    if (!doc.files[0]) throw new FormProblem('Please attach the signed authorisation document.');
    const body = new FormData();
    body.append('meta', JSON.stringify({ agent_org_id: agent.value.trim(), valid_from: from.value, valid_to: to.value }));
    body.append('document', doc.files[0], doc.files[0].name);
    await api('POST', '/api/v1/agents/authorisations', body);
    form.reset();
    list.reload();
    return 'Sent. A reviewer checks the document; the agent can act for you once it is verified.';
  }, 'agent');

  add(ctx.main, 
    pageHeading('Agents', 'agents-title', 'Agents act for a right holder: they register rights and file notices in its name.'),
    result,
    list.el,
    h('article.form-card', h('h2', 'Authorise an agent'), form));
  list.reload();
}
