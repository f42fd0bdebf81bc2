// views.js — one render function per portal section. Each takes the app
// context {me, main, signal, fail} and fills `main`. `fail(err)` is the app's
// handler for errors that end the session (401); other errors are shown in
// place.

import { api } from './api.js';
import { h, replace, time } from './dom.js';
import { pageHeading, errorBox, handledByApp, pagedTable, code, shortHash, field, onSubmit, fetchAll, markInvalid } from './ui.js';
import { roleInfo, sectionsFor, SECTION_BLURBS, ROLES, ROLES_BY_ORG_KIND } from './roles.js';

/* ----------------------------------------------------------------------- */
/* Home                                                                    */
/* ----------------------------------------------------------------------- */

export function renderHome(ctx) {
  const { user, org } = ctx.me;
  const info = roleInfo(user.role);
  const sections = sectionsFor(user.role).filter((s) => s.id !== 'home');

  ctx.main.append(
    pageHeading(info.title, 'home-title', `Signed in as ${user.email} · ${org ? org.name : ''}`),
    h('section.role-summary', { 'aria-labelledby': 'role-what' },
      h('h2', { id: 'role-what' }, 'What you do here'),
      h('p', { testid: 'home-summary' }, info.summary),
      info.duties.length ? h('ul', info.duties.map((d) => h('li', d))) : null),
    h('section', { 'aria-labelledby': 'role-sections' },
      h('h2', { id: 'role-sections' }, 'Your sections'),
      h('div.card-grid', sections.map((s) => h('article.section-card',
        h('h3', h('a', { href: `#/${s.id}`, testid: `home-link-${s.id}` }, s.label)),
        h('p', SECTION_BLURBS[s.id] || ''))))),
    info.soon.length ? h('section', { 'aria-labelledby': 'role-soon' },
      h('h2', { id: 'role-soon' }, 'Coming soon'),
      h('p.muted', 'These parts of the platform are being built and will appear here:'),
      h('ul.coming-soon', { testid: 'home-coming-soon' },
        info.soon.map(([name, what]) => h('li', h('strong', name), ' — ', what, ' ', h('mark.soon', 'coming soon'))))) : null);
}

/* ----------------------------------------------------------------------- */
/* Organisations                                                           */
/* ----------------------------------------------------------------------- */

export function renderOrgs(ctx) {
  const table = pagedTable(ctx, {
    name: 'orgs',
    path: '/api/v1/orgs',
    caption: 'Organisations',
    empty: 'No organisations yet.',
    columns: [
      { label: 'Name', cell: (o) => h('strong', o.name) },
      { label: 'Kind', cell: (o) => h('span.kind', o.kind) },
      { label: 'Created', cell: (o) => time(o.created_at) },
      { label: 'Id', cell: (o) => code(o.id), className: 'id-cell' },
    ],
  });
  const add = ctx.me.user.role === 'admin' ? orgForm(ctx, () => table.reload()) : null;
  ctx.main.append(
    pageHeading('Organisations', 'orgs-title', 'Every organisation registered on the platform.'),
    table.el,
    add);
  table.reload();
}

/** The admin's "Add an organisation" form (POST /api/v1/orgs). */
function orgForm(ctx, reload) {
  const name = h('input', { name: 'name', required: true, maxlength: 200, autocomplete: 'organization', testid: 'new-org-name' });
  const kind = h('select', { name: 'kind', required: true, testid: 'new-org-kind' },
    [['rightholder', 'Right holder'], ['seller', 'Seller'], ['agency', 'Law-enforcement agency'], ['platform', 'Platform']]
      .map(([v, l]) => h('option', { value: v }, l)));
  const submit = h('button', { type: 'submit', testid: 'new-org-submit' }, 'Add organisation');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true, testid: 'new-org-form', 'aria-labelledby': 'add-org-title' },
    h('div.grid', field('Name', name), field('Kind', kind, 'Decides which roles its users may have.')),
    result, submit);
  onSubmit(ctx, form, submit, result, async () => {
    const o = await api('POST', '/api/v1/orgs', { name: name.value.trim(), kind: kind.value });
    name.value = '';
    reload();
    return `Added ${o.name} (${o.kind}). Add its users on the Users page.`;
  }, 'new-org');
  return h('article.form-card', h('h2', { id: 'add-org-title' }, 'Add an organisation'), form);
}

/* ----------------------------------------------------------------------- */
/* Users                                                                   */
/* ----------------------------------------------------------------------- */

export function renderUsers(ctx) {
  const orgNames = new Map();
  const orgCell = (u) => {
    const name = orgNames.get(u.org_id);
    return name ? h('span', { title: u.org_id }, name) : code(u.org_id || '—');
  };
  const table = pagedTable(ctx, {
    name: 'users',
    path: '/api/v1/users',
    caption: 'Users',
    empty: 'No users yet.',
    columns: [
      { label: 'Email', cell: (u) => h('span.email', u.email) },
      { label: 'Role', cell: (u) => h('span.role-tag', u.role) },
      { label: 'Organisation', cell: orgCell },
      { label: 'Created', cell: (u) => time(u.created_at) },
    ],
  });

  // --- add-user form ---------------------------------------------------
  const email = h('input', { id: 'nu-email', name: 'email', type: 'email', required: true, maxlength: 254, autocomplete: 'off', testid: 'new-user-email' });
  const password = h('input', { id: 'nu-password', name: 'password', type: 'password', required: true, minlength: 12, maxlength: 256, autocomplete: 'new-password', 'aria-describedby': 'nu-password-help', testid: 'new-user-password' });
  const orgSelect = h('select', { id: 'nu-org', name: 'org_id', required: true, testid: 'new-user-org' },
    h('option', { value: '' }, 'Loading organisations…'));
  const roleSelect = h('select', { id: 'nu-role', name: 'role', required: true, testid: 'new-user-role' });
  const submit = h('button', { type: 'submit', testid: 'new-user-submit' }, 'Add user');
  const result = h('div', { 'aria-live': 'polite' });
  let orgs = [];

  function fillRoles() {
    const org = orgs.find((o) => o.id === orgSelect.value);
    const allowed = org ? (ROLES_BY_ORG_KIND[org.kind] || Object.keys(ROLES)) : Object.keys(ROLES);
    const previous = roleSelect.value;
    replace(roleSelect, allowed.map((r) => h('option', { value: r }, `${ROLES[r] ? ROLES[r].label : r} (${r})`)));
    if (allowed.includes(previous)) roleSelect.value = previous;
  }
  orgSelect.addEventListener('change', fillRoles);

  const form = h('form.add-user', { novalidate: true, testid: 'new-user-form', 'aria-labelledby': 'add-user-title' },
    h('div.grid',
      h('label', { for: 'nu-email' }, 'Email', email),
      h('label', { for: 'nu-password' }, 'Initial password', password,
        h('small', { id: 'nu-password-help' }, '12 to 256 characters. Tell the user to change it.'))),
    h('div.grid',
      h('label', { for: 'nu-org' }, 'Organisation', orgSelect),
      h('label', { for: 'nu-role' }, 'Role', roleSelect,
        h('small', 'Only roles that fit the organisation’s kind are offered.'))),
    result,
    submit);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(result);
    const body = { email: email.value.trim(), password: password.value, role: roleSelect.value, org_id: orgSelect.value };
    const missing = [];
    if (!body.email) missing.push('email');
    if (!body.password) missing.push('password');
    if (!body.org_id) missing.push('organisation');
    if (!body.role) missing.push('role');
    if (missing.length) {
      replace(result, h('p.form-error', { role: 'alert', testid: 'new-user-error' }, `Please fill in: ${missing.join(', ')}.`));
      return;
    }
    submit.setAttribute('aria-busy', 'true');
    submit.disabled = true;
    try {
      const u = await api('POST', '/api/v1/users', body);
      replace(result, h('p.success', { role: 'status', testid: 'new-user-created' }, `Added ${u.email} as ${u.role}.`));
      email.value = '';
      password.value = '';
      table.reload();
    } catch (err) {
      if (handledByApp(ctx, err)) return;
      replace(result, errorBox(err, 'new-user-error'));
      markInvalid(form, err);
    } finally {
      submit.removeAttribute('aria-busy');
      submit.disabled = false;
    }
  });

  ctx.main.append(
    pageHeading('Users', 'users-title', 'Every user account on the platform.'),
    table.el,
    h('article.form-card',
      h('h2', { id: 'add-user-title' }, 'Add a user'),
      form));

  fetchAll('/api/v1/orgs').then((list) => {
    if (ctx.signal.aborted) return;
    orgs = list;
    for (const o of list) orgNames.set(o.id, o.name);
    replace(orgSelect,
      h('option', { value: '', disabled: true, selected: true }, 'Choose an organisation'),
      list.map((o) => h('option', { value: o.id }, `${o.name} (${o.kind})`)));
    fillRoles();
    // Re-render org names once known.
    table.reload();
  }).catch((err) => {
    if (ctx.signal.aborted || handledByApp(ctx, err)) return;
    replace(orgSelect, h('option', { value: '' }, 'Could not load organisations'));
    table.reload();
  });
}

/* ----------------------------------------------------------------------- */
/* API tokens                                                              */
/* ----------------------------------------------------------------------- */

function tokenStatus(t) {
  if (t.revoked_at) return h('span.status.status-revoked', 'Revoked');
  if (t.expires_at && Date.parse(t.expires_at) <= Date.now()) return h('span.status.status-expired', 'Expired');
  return h('span.status.status-active', 'Active');
}

export function renderTokens(ctx) {
  let table;
  const revokeCell = (t) => {
    if (t.revoked_at) return h('span.muted', '—');
    return h('button.secondary.outline.small', {
      type: 'button',
      testid: 'token-revoke',
      'aria-label': `Revoke token ${t.name}`,
      onclick: async (ev) => {
        const btn = ev.currentTarget;
        const ok = await ctx.confirm(`Revoke the token “${t.name}”? Scripts using it stop working at once.`, 'Revoke');
        if (!ok) return;
        btn.setAttribute('aria-busy', 'true');
        btn.disabled = true;
        try {
          await api('DELETE', `/api/v1/tokens/${encodeURIComponent(t.id)}`);
          replace(created, h('p.success', { role: 'status', testid: 'token-revoked' }, `Token “${t.name}” revoked.`));
          table.reload();
        } catch (err) {
          if (handledByApp(ctx, err)) return;
          replace(created, errorBox(err, 'token-error'));
          btn.removeAttribute('aria-busy');
          btn.disabled = false;
        }
      },
    }, 'Revoke');
  };

  table = pagedTable(ctx, {
    name: 'tokens',
    path: '/api/v1/tokens',
    caption: 'Your API tokens',
    empty: 'No tokens yet. Create one below to call the API from scripts.',
    columns: [
      { label: 'Name', cell: (t) => h('strong', t.name) },
      { label: 'Status', cell: tokenStatus },
      { label: 'Created', cell: (t) => time(t.created_at) },
      { label: 'Expires', cell: (t) => (t.expires_at ? time(t.expires_at) : h('span.muted', 'Never')) },
      { label: h('span.visually-hidden', 'Actions'), cell: revokeCell },
    ],
  });

  const name = h('input', { id: 'tok-name', name: 'name', required: true, maxlength: 200, autocomplete: 'off', placeholder: 'e.g. nightly export', testid: 'token-name' });
  const days = h('input', { id: 'tok-days', name: 'expires_in_days', type: 'number', min: 1, max: 3650, inputmode: 'numeric', placeholder: 'never', 'aria-describedby': 'tok-days-help', testid: 'token-days' });
  const submit = h('button', { type: 'submit', testid: 'token-create' }, 'Create token');
  const created = h('div', { 'aria-live': 'polite' });

  const form = h('form.token-form', { novalidate: true, 'aria-labelledby': 'new-token-title' },
    h('div.grid',
      h('label', { for: 'tok-name' }, 'Name', name),
      h('label', { for: 'tok-days' }, 'Expires in (days, optional)', days,
        h('small', { id: 'tok-days-help' }, '1 to 3650. Leave empty for a token that does not expire.'))),
    submit);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(created);
    const body = { name: name.value.trim() };
    if (!body.name) {
      replace(created, h('p.form-error', { role: 'alert', testid: 'token-error' }, 'Please give the token a name.'));
      name.focus();
      return;
    }
    if (days.value !== '') {
      const n = Number(days.value);
      if (!Number.isInteger(n) || n < 1 || n > 3650) {
        replace(created, h('p.form-error', { role: 'alert', testid: 'token-error' }, 'Expiry must be a whole number of days from 1 to 3650.'));
        days.focus();
        return;
      }
      body.expires_in_days = n;
    }
    submit.setAttribute('aria-busy', 'true');
    submit.disabled = true;
    try {
      const t = await api('POST', '/api/v1/tokens', body);
      name.value = '';
      days.value = '';
      replace(created, secretBox(t));
      table.reload();
    } catch (err) {
      if (handledByApp(ctx, err)) return;
      replace(created, errorBox(err, 'token-error'));
    } finally {
      submit.removeAttribute('aria-busy');
      submit.disabled = false;
    }
  });

  ctx.main.append(
    pageHeading('API tokens', 'tokens-title', 'Personal tokens for scripts: send them as “Authorization: Bearer …”.'),
    table.el,
    h('article.form-card',
      h('h2', { id: 'new-token-title' }, 'Create a token'),
      form,
      created));
  table.reload();
}

/** The one-time display of a new token's secret, with a copy button. */
function secretBox(t) {
  const secret = h('input.secret', { id: 'tok-secret', type: 'text', readonly: true, value: t.token || '', testid: 'token-secret', 'aria-describedby': 'tok-secret-hint', spellcheck: 'false' });
  const note = h('small', { 'aria-live': 'polite' });
  const copy = h('button.secondary', {
    type: 'button',
    testid: 'token-copy',
    onclick: async () => {
      secret.select();
      try {
        await navigator.clipboard.writeText(secret.value);
        note.textContent = 'Copied to the clipboard.';
      } catch (e) {
        note.textContent = 'Press Ctrl+C (⌘C on a Mac) to copy the selected token.';
      }
    },
  }, 'Copy');
  return h('div.secret-box', { role: 'status', testid: 'token-created' },
    h('p', h('strong', `Token “${t.name}” created.`)),
    h('p', { id: 'tok-secret-hint' }, 'Copy it now: this is the only time the secret is shown. Store it somewhere safe.'),
    h('label', { for: 'tok-secret' }, 'Token secret'),
    h('div.secret-row', { role: 'group' }, secret, copy),
    note);
}

/* ----------------------------------------------------------------------- */
/* Audit log                                                               */
/* ----------------------------------------------------------------------- */

function detailText(d) {
  if (d === null || d === undefined || d === '') return h('span.muted', '—');
  const s = typeof d === 'string' ? d : JSON.stringify(d);
  return h('span.detail', { title: s }, s.length > 120 ? `${s.slice(0, 117)}…` : s);
}

export function renderAudit(ctx) {
  const table = pagedTable(ctx, {
    name: 'audit',
    path: '/api/v1/audit',
    caption: 'Audit events, newest first',
    empty: 'No audit events yet.',
    columns: [
      { label: 'Seq', cell: (e) => String(e.seq), className: 'num' },
      { label: 'Time (UTC)', cell: (e) => time(e.ts, true) },
      { label: 'Actor', cell: (e) => (e.actor == null ? h('span.muted', '—') : h('span.actor', String(e.actor))) },
      { label: 'Action', cell: (e) => code(String(e.action)) },
      { label: 'Object', cell: (e) => (e.object == null || e.object === '' ? h('span.muted', '—') : h('span.obj', String(e.object))) },
      { label: 'Outcome', cell: (e) => h(`span.outcome.outcome-${String(e.outcome).replace(/[^a-z-]/gi, '')}`, String(e.outcome)) },
      { label: 'Hash', cell: (e) => shortHash(e.hash) },
      { label: 'Detail', cell: (e) => detailText(e.detail) },
    ],
  });

  const verifyResult = h('div', { 'aria-live': 'polite' });
  const verify = h('button', {
    type: 'button',
    testid: 'audit-verify',
    onclick: async () => {
      verify.setAttribute('aria-busy', 'true');
      verify.disabled = true;
      replace(verifyResult);
      try {
        const r = await api('GET', '/api/v1/audit/verify');
        if (r && r.intact) {
          replace(verifyResult, h('p.verify.verify-ok', { role: 'status', testid: 'audit-verify-result' },
            h('strong', 'Chain intact.'), ` All ${r.events} event${r.events === 1 ? '' : 's'} check out.`));
        } else {
          replace(verifyResult, h('p.verify.verify-broken', { role: 'alert', testid: 'audit-verify-result' },
            h('strong', 'Chain broken!'),
            ` ${r ? r.events : '?'} events; first broken at seq ${r ? r.first_broken_seq : '?'}`,
            r && r.reason ? `: ${r.reason}` : '', '.'));
        }
      } catch (err) {
        if (handledByApp(ctx, err)) return;
        replace(verifyResult, errorBox(err, 'audit-verify-result'));
      } finally {
        verify.removeAttribute('aria-busy');
        verify.disabled = false;
      }
    },
  }, 'Verify chain');

  ctx.main.append(
    pageHeading('Audit log', 'audit-title', 'Append-only and hash-chained: every event carries the hash of the one before it.'),
    h('div.verify-bar', verify, verifyResult),
    table.el);
  table.reload();
}

/* ----------------------------------------------------------------------- */

export function renderNotAllowed(ctx, label) {
  ctx.main.append(
    pageHeading('Not available', 'notallowed-title'),
    h('p', label
      ? `Your role does not include the “${label}” section.`
      : 'There is no such page.'),
    h('p', h('a', { href: '#/home' }, 'Back to your home page')));
}
