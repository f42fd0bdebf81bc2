// view_rights.js — "Rights": the rights registry (docs/api.md §Rights).
// Right holders list their rights and register new ones (multipart with a
// certificate, logos or design images); platform readers browse all rights
// with filters; #/rights/<id> shows one right with its files, and lets a
// reviewer decide a pending one.

import { api } from './api.js';
import { h, replace, add, time } from './dom.js';
import {
  pageHeading, errorBox, handledByApp, pagedList, code, dash, statusTag, bytes, field,
  onSubmit, hashParts, orgDirectory, isPlatform, isDecider, roleIs, decisionForm, facts, FormProblem, fetchAll,
} from './ui.js';

export const KIND_LABELS = { trademark: 'Trademark', copyright: 'Copyright', design_patent: 'Design patent' };
const WORK_KINDS = ['literary', 'artistic', 'photographic', 'software', 'audiovisual', 'musical', 'design', 'other'];

/** The name people know a right by. */
export function rightName(r) {
  return r.mark_text || r.title || r.patent_number || r.id;
}

export function rightNumber(r) {
  return r.registration_number || r.patent_number || null;
}

function validity(r) {
  if (!r.valid_from && !r.valid_to) return r.created_on ? `created ${r.created_on}` : dash();
  return `${r.valid_from || '…'} – ${r.valid_to || '…'}`;
}

export function fileUrl(r, f) {
  return `/api/v1/rights/${encodeURIComponent(r.id)}/files/${encodeURIComponent(f.sha256)}`;
}

const ROLE_LABELS = { certificate: 'Certificate', logo: 'Logo', image: 'Design image' };

/** The files of a right: image thumbnails and download links. */
export function rightFiles(r) {
  const files = Array.isArray(r.files) ? r.files : [];
  if (!files.length) return h('p.muted', { testid: 'right-files-empty' }, 'No files.');
  return h('ul.file-list', { testid: 'right-files' }, files.map((f) => {
    const url = fileUrl(r, f);
    const isImage = /^image\//.test(f.mime);
    return h('li.file-item', { testid: `right-file-${f.role}` },
      isImage ? h('img.thumb', { src: url, alt: `${ROLE_LABELS[f.role] || f.role} ${f.position + 1}`, loading: 'lazy' })
        : h('span.file-icon', { 'aria-hidden': 'true' }, f.mime === 'application/pdf' ? 'PDF' : 'FILE'),
      h('span.file-meta',
        h('strong', ROLE_LABELS[f.role] || f.role, f.role !== 'certificate' ? ` ${f.position + 1}` : ''),
        h('small.muted', `${f.mime} · ${bytes(f.size)}`),
        h('a', { href: url, download: `${f.role}-${f.position + 1}-${f.sha256.slice(0, 12)}`, testid: 'right-file-download' }, 'Download')));
  }));
}

/** Key facts of a right by kind. */
export function rightFacts(r, orgs) {
  const common = [
    ['Kind', KIND_LABELS[r.kind] || r.kind],
    ['Owner', orgs ? orgs.label(r.org_id) : code(r.org_id)],
  ];
  let specific = [];
  if (r.kind === 'trademark') {
    specific = [['Mark', h('strong', r.mark_text)], ['Registration number', r.registration_number],
      ['Office', r.office], ['Nice classes', (r.nice_classes || []).join(', ')]];
  } else if (r.kind === 'copyright') {
    specific = [['Title', h('strong', r.title)], ['Kind of work', r.work_kind],
      ['Registration number', r.registration_number], ['Evidence', r.evidence_description], ['Created on', r.created_on]];
  } else {
    specific = [['Title', h('strong', r.title)], ['Patent number', r.patent_number], ['Office', r.office]];
  }
  return facts([...common, ...specific,
    ['Valid', r.valid_from || r.valid_to ? validity(r) : null],
    r.filed_by_org && r.filed_by_org !== r.org_id ? ['Filed by agent', orgs ? orgs.label(r.filed_by_org) : code(r.filed_by_org)] : null,
    ['Filed', time(r.created_at)],
  ]);
}

/* ----------------------------------------------------------------------- */

export function renderRights(ctx) {
  const [id] = hashParts();
  if (id) return renderRight(ctx, id);
  const platform = isPlatform(ctx);
  const status = h('select', { name: 'status', testid: 'rights-filter-status' },
    h('option', { value: '' }, 'Any status'),
    ['pending', 'verified', 'rejected', 'expired'].map((s) => h('option', { value: s }, s)));
  const kind = h('select', { name: 'kind', testid: 'rights-filter-kind' },
    h('option', { value: '' }, 'Any kind'),
    Object.entries(KIND_LABELS).map(([v, l]) => h('option', { value: v }, l)));

  let orgs = null;
  const list = pagedList(ctx, {
    name: 'rights',
    path: '/api/v1/rights',
    caption: 'Rights',
    params: () => ({ status: status.value, kind: kind.value }),
    empty: roleIs(ctx, 'rightholder')
      ? 'No rights yet. Register your first trademark, copyright or design patent below.'
      : 'No rights match.',
    columns: [
      { label: 'Right', cell: (r) => h('a', { href: `#/rights/${encodeURIComponent(r.id)}`, testid: 'right-link' }, rightName(r)) },
      { label: 'Kind', cell: (r) => h('span.kind', KIND_LABELS[r.kind] || r.kind) },
      { label: 'Number', cell: (r) => rightNumber(r) || dash() },
      ...(platform ? [{ label: 'Owner', cell: (r) => orgs.label(r.org_id) }] : []),
      { label: 'Valid', cell: validity },
      { label: 'Status', cell: (r) => statusTag(r.status_effective, 'right-status') },
      { label: 'Filed', cell: (r) => time(r.created_at) },
    ],
  });
  for (const s of [status, kind]) s.addEventListener('change', () => list.reload());

  add(ctx.main, 
    pageHeading('Rights', 'rights-title', roleIs(ctx, 'rightholder')
      ? 'Your registered rights. A reviewer verifies each one before you can cite it in a notice.'
      : 'Every registered right. Status is effective: a verified right past its end date is expired.'),
    h('div.filter-bar', { role: 'search', 'aria-label': 'Filter rights' },
      field('Status', status), field('Kind', kind)),
    list.el,
    roleIs(ctx, 'rightholder') ? registerForm(ctx, () => list.reload()) : null);

  orgDirectory(ctx).then((d) => { orgs = d; if (!ctx.signal.aborted) list.reload(); })
    .catch((err) => { if (!handledByApp(ctx, err)) { orgs = { label: code, name: () => null }; list.reload(); } });
}

/* ----------------------------------------------------------------------- */
/* Registration                                                            */
/* ----------------------------------------------------------------------- */

function registerForm(ctx, reload) {
  const inp = (name, attrs) => h('input', { name, autocomplete: 'off', testid: `right-${name.replace(/_/g, '-')}`, ...attrs });
  const kind = h('select', { name: 'kind', testid: 'right-kind' },
    Object.entries(KIND_LABELS).map(([v, l]) => h('option', { value: v }, l)));

  // Fields per kind; each group is shown only for its kind.
  const f = {
    mark_text: inp('mark_text', { maxlength: 200, required: true }),
    tm_number: inp('registration_number', { maxlength: 100, required: true, testid: 'right-tm-number' }),
    tm_office: inp('office', { maxlength: 10, required: true, placeholder: 'EUIPO, US, CN…', testid: 'right-tm-office' }),
    nice_classes: inp('nice_classes', { placeholder: 'e.g. 18, 25', inputmode: 'numeric' }),
    tm_from: inp('valid_from', { type: 'date', required: true, testid: 'right-tm-from' }),
    tm_to: inp('valid_to', { type: 'date', required: true, testid: 'right-tm-to' }),
    logo: inp('logo', { type: 'file', multiple: true, accept: 'image/png,image/jpeg,image/webp,image/gif,image/svg+xml' }),

    c_title: inp('title', { maxlength: 300, required: true, testid: 'right-c-title' }),
    work_kind: h('select', { name: 'work_kind', testid: 'right-work-kind' }, WORK_KINDS.map((w) => h('option', { value: w }, w))),
    c_number: inp('registration_number', { maxlength: 100, testid: 'right-c-number' }),
    evidence_description: h('textarea', { name: 'evidence_description', rows: 2, maxlength: 2000, testid: 'right-evidence' }),
    created_on: inp('created_on', { type: 'date' }),

    patent_number: inp('patent_number', { maxlength: 100, required: true }),
    d_office: inp('office', { maxlength: 10, required: true, placeholder: 'EUIPO, US, CN…', testid: 'right-d-office' }),
    d_title: inp('title', { maxlength: 300, required: true, testid: 'right-d-title' }),
    d_from: inp('valid_from', { type: 'date', required: true, testid: 'right-d-from' }),
    d_to: inp('valid_to', { type: 'date', required: true, testid: 'right-d-to' }),
    image: inp('image', { type: 'file', multiple: true, accept: 'image/*' }),

    certificate: inp('certificate', { type: 'file', accept: 'application/pdf,image/*' }),
  };
  const officeHelp = 'An ISO 3166-1 country code (US, CN…) or EUIPO, WIPO, BOIP, OAPI, ARIPO.';
  const groups = {
    trademark: h('fieldset.kind-fields', { testid: 'right-fields-trademark' },
      h('legend', 'Trademark'),
      h('div.grid', field('Mark', f.mark_text), field('Registration number', f.tm_number)),
      h('div.grid', field('Office', f.tm_office, officeHelp), field('Nice classes', f.nice_classes, 'Numbers 1 to 45, separated by commas.')),
      h('div.grid', field('Valid from', f.tm_from), field('Valid to', f.tm_to)),
      field('Logos (optional, up to 4 images)', f.logo, 'PNG, JPEG, WebP, GIF or SVG. Checked by content, not by name.')),
    copyright: h('fieldset.kind-fields', { testid: 'right-fields-copyright', hidden: true },
      h('legend', 'Copyright'),
      h('div.grid', field('Title of the work', f.c_title), field('Kind of work', f.work_kind)),
      h('div.grid', field('Registration number', f.c_number, 'If the work is registered; otherwise describe your evidence.'),
        field('Created on', f.created_on)),
      field('Evidence of authorship', f.evidence_description, 'Needed when there is no registration number.')),
    design_patent: h('fieldset.kind-fields', { testid: 'right-fields-design_patent', hidden: true },
      h('legend', 'Design patent'),
      h('div.grid', field('Title', f.d_title), field('Patent number', f.patent_number)),
      h('div.grid', field('Office', f.d_office, officeHelp), h('div')),
      h('div.grid', field('Valid from', f.d_from), field('Valid to', f.d_to)),
      field('Design images (1 to 8)', f.image)),
  };
  const certHelp = h('span', { testid: 'right-cert-help' });
  function showKind() {
    for (const [k, g] of Object.entries(groups)) g.hidden = k !== kind.value;
    certHelp.textContent = kind.value === 'copyright'
      ? 'Optional for a copyright. PDF or image.'
      : 'Required: the registration certificate as a PDF or image.';
  }
  kind.addEventListener('change', showKind);

  const principal = h('select', { name: 'for_org_id', testid: 'right-for-org' }, h('option', { value: '' }, 'My organisation'));
  const principalWrap = h('div', { hidden: true }, field('File for', principal, 'You are an authorised agent of these right holders.'));
  fetchAll('/api/v1/agents/authorisations', { status: 'verified' }).then((auths) => {
    const mine = auths.filter((a) => a.agent_org_id === ctx.me.org.id);
    if (!mine.length || ctx.signal.aborted) return;
    for (const a of mine) principal.append(h('option', { value: a.principal_org_id }, a.principal_name || a.principal_org_id));
    principalWrap.hidden = false;
  }).catch(() => {});

  const submit = h('button', { type: 'submit', testid: 'right-submit' }, 'Register right');
  const result = h('div', { 'aria-live': 'polite' });
  const certField = field('Certificate', f.certificate);
  certField.append(h('small', certHelp));
  const form = h('form.right-form', { novalidate: true, testid: 'right-form', 'aria-labelledby': 'reg-right-title' },
    h('div.grid', field('Kind of right', kind), principalWrap),
    Object.values(groups),
    certField,
    result,
    submit);
  showKind();

  onSubmit(ctx, form, submit, result, async () => {
    const k = kind.value;
    const v = (el) => el.value.trim();
    const meta = { kind: k };
    const files = [];
    if (k === 'trademark') {
      Object.assign(meta, { mark_text: v(f.mark_text), registration_number: v(f.tm_number), office: v(f.tm_office).toUpperCase(),
        valid_from: v(f.tm_from), valid_to: v(f.tm_to) });
      const classes = v(f.nice_classes).split(/[\s,;]+/).filter(Boolean);
      if (classes.some((c) => !/^\d+$/.test(c))) throw new FormProblem('Nice classes must be numbers from 1 to 45, separated by commas.');
      meta.nice_classes = classes.map(Number);
      for (const file of f.logo.files) files.push(['logo', file]);
    } else if (k === 'copyright') {
      Object.assign(meta, { title: v(f.c_title), work_kind: f.work_kind.value });
      if (v(f.c_number)) meta.registration_number = v(f.c_number);
      if (v(f.evidence_description)) meta.evidence_description = v(f.evidence_description);
      if (v(f.created_on)) meta.created_on = v(f.created_on);
    } else {
      Object.assign(meta, { patent_number: v(f.patent_number), office: v(f.d_office).toUpperCase(), title: v(f.d_title),
        valid_from: v(f.d_from), valid_to: v(f.d_to) });
      for (const file of f.image.files) files.push(['image', file]);
    }
    if (principal.value) meta.for_org_id = principal.value;
    if (f.certificate.files[0]) files.unshift(['certificate', f.certificate.files[0]]);
    const body = new FormData();
    body.append('right', JSON.stringify(meta));
    for (const [name, file] of files) body.append(name, file, file.name);
    const r = await api('POST', '/api/v1/rights', body);
    form.reset();
    showKind();
    reload();
    return h('p.success', { role: 'status', testid: 'right-created' },
      `Registered “${rightName(r)}”. It is pending until a reviewer verifies it. `,
      h('a', { href: `#/rights/${encodeURIComponent(r.id)}` }, 'Open it'));
  }, 'right');

  return h('article.form-card', h('h2', { id: 'reg-right-title' }, 'Register a right'), form);
}

/* ----------------------------------------------------------------------- */
/* One right                                                               */
/* ----------------------------------------------------------------------- */

function renderRight(ctx, id) {
  const body = h('div', { 'aria-live': 'polite' }, h('p', { 'aria-busy': 'true' }, 'Loading…'));
  add(ctx.main, 
    h('p.back', h('a', { href: '#/rights', testid: 'rights-back' }, '← All rights')),
    body);
  Promise.all([api('GET', `/api/v1/rights/${encodeURIComponent(id)}`), orgDirectory(ctx)]).then(([r, orgs]) => {
    if (ctx.signal.aborted) return;
    body.before(pageHeading(rightName(r), 'right-title', `${KIND_LABELS[r.kind] || r.kind} · ${r.id}`));
    replace(body, rightDetail(ctx, r, orgs, () => renderAgain(ctx)));
  }).catch((err) => {
    if (ctx.signal.aborted || handledByApp(ctx, err)) return;
    body.before(pageHeading('Right', 'right-title'));
    replace(body, errorBox(err, 'right-error'));
  });
}

function renderAgain(ctx) {
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function rightDetail(ctx, r, orgs, after) {
  const decided = r.decided_at ? h('section.decision-note', { testid: 'right-decision' },
    h('h2', 'Decision'),
    facts([['Decision', statusTag(r.status)], ['Reason', r.reason], ['Decided', time(r.decided_at)]])) : null;
  return h('div.detail',
    h('p.status-line', 'Status: ', statusTag(r.status_effective, 'right-status'),
      r.status_effective === 'expired' ? h('small.muted', ' (past its end date; it cannot be cited)') : null),
    h('div.detail-grid',
      h('section', h('h2', 'Details'), rightFacts(r, orgs)),
      h('section', h('h2', 'Files'), rightFiles(r))),
    decided,
    isDecider(ctx) && r.status === 'pending' ? h('section.form-card',
      h('h2', 'Decide'),
      decisionForm(ctx, {
        path: `/api/v1/rights/${encodeURIComponent(r.id)}/decision`,
        yes: ['verified', 'Verify'], no: ['rejected', 'Reject'], name: 'right-decision', done: after,
      })) : null);
}
