// ui.js — building blocks shared by the section views: headings, error
// boxes (problem+json with field errors), cursor-paginated tables and card
// lists with "Load more", busy buttons, status tags, downloads.

import { api, withQuery, ApiError } from './api.js';
import { h, replace, time } from './dom.js';

export const PAGE_SIZE = 50;

/** Roles that read across organisations. */
export const PLATFORM_ROLES = ['admin', 'reviewer', 'auditor'];
export const isPlatform = (ctx) => PLATFORM_ROLES.includes(ctx.me.user.role);
export const isDecider = (ctx) => ['admin', 'reviewer'].includes(ctx.me.user.role);
export const roleIs = (ctx, ...roles) => roles.includes(ctx.me.user.role);

export function pageHeading(text, testid, sub) {
  return h('hgroup.page-heading',
    h('h1', { tabindex: '-1', testid }, text),
    sub ? h('p', sub) : null);
}

/** Field-level validation errors as a list (null when there are none). */
export function fieldErrorList(err) {
  const list = err instanceof ApiError ? err.fieldErrors : [];
  if (!list.length) return null;
  return h('ul.field-errors', list.map((e) => h('li', e.field ? `${e.field}: ${e.message}` : e.message)));
}

/** An alert with the problem's sentence and its field errors. */
export function errorBox(err, testid) {
  return h('div.form-error', { role: 'alert', testid },
    h('p', err instanceof Error ? err.message : String(err)), fieldErrorList(err));
}

export function successBox(text, testid) {
  return h('p.success', { role: 'status', testid }, text);
}

/** Let the app end the session on 401; return true if it did. */
export function handledByApp(ctx, err) {
  if (err instanceof ApiError && err.status === 401) {
    ctx.fail(err);
    return true;
  }
  return false;
}

export function code(text, title) {
  return h('code.mono', { title: title || text }, text);
}

export function shortHash(hex) {
  if (!hex) return h('span.muted', '—');
  return code(`${hex.slice(0, 8)}…`, hex);
}

export function dash() {
  return h('span.muted', '—');
}

/** Coloured status word, e.g. pending / verified / rejected / expired. */
export function statusTag(status, testid) {
  const s = String(status || 'unknown');
  return h(`span.tag.tag-${s.replace(/[^a-z_-]/gi, '')}`, { testid }, s.replace(/_/g, ' '));
}

export function bytes(n) {
  if (n == null) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Mark a button busy (disabled, aria-busy) or not. */
export function busy(btn, on) {
  if (!btn) return;
  if (on) btn.setAttribute('aria-busy', 'true');
  else btn.removeAttribute('aria-busy');
  btn.disabled = !!on;
}

/**
 * Wire a form: on submit, run `fn()` with the button busy; show its
 * success text (a string or node returned by fn) or the error in `result`.
 * Inputs named in field errors get aria-invalid.
 */
export function onSubmit(ctx, form, button, result, fn, testid) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(result);
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    busy(button, true);
    try {
      const out = await fn();
      if (out) replace(result, typeof out === 'string' ? successBox(out, `${testid}-ok`) : out);
    } catch (err) {
      if (handledByApp(ctx, err)) return;
      replace(result, errorBox(err, `${testid}-error`));
      markInvalid(form, err);
    } finally {
      busy(button, false);
    }
  });
}

/** Set aria-invalid on inputs whose name matches a field error. */
export function markInvalid(form, err) {
  const list = err instanceof ApiError ? err.fieldErrors : [];
  let first = null;
  for (const e of list) {
    const base = String(e.field || '').replace(/[[.].*$/, '');
    if (!base) continue;
    const el = [...form.querySelectorAll(`[name="${CSS.escape(base)}"]`)].find((x) => !x.closest('[hidden]'));
    if (el) {
      el.setAttribute('aria-invalid', 'true');
      first = first || el;
    }
  }
  if (first) first.focus();
}

/** A client-side check failed: show it like a server error. */
export class FormProblem extends Error {}

/** A labelled control: h('label', text, control, help). */
export function field(label, control, help) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  if (help) control.setAttribute('aria-describedby', `${id}-help`);
  return h('label', { for: id }, label, control, help ? h('small', { id: `${id}-help` }, help) : null);
}

/** Parts of the hash after the section: #/rights/ID → ['ID']. */
export function hashParts() {
  const path = location.hash.replace(/^#\/?/, '').split('?')[0];
  return path.split('/').slice(1).filter(Boolean).map(decodeURIComponent);
}

/** Query parameters of the hash: #/notices/new?listing=X. */
export function hashQuery() {
  const i = location.hash.indexOf('?');
  return new URLSearchParams(i >= 0 ? location.hash.slice(i + 1) : '');
}

/** A link that downloads `text` as a file (blob URL; no inline script). */
export function downloadLink(label, filename, text, mime, testid) {
  const a = h('a', { role: 'button', class: 'secondary outline small', download: filename, testid }, label);
  a.href = URL.createObjectURL(new Blob([text], { type: mime || 'application/json' }));
  return a;
}

/** All pages of a list (bounded). */
export async function fetchAll(path, params, maxPages = 20) {
  const all = [];
  let cursor = null;
  for (let i = 0; i < maxPages; i++) {
    const page = await api('GET', withQuery(path, { ...(params || {}), limit: 200, cursor }));
    all.push(...(page.items || []));
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return all;
}

/**
 * Names of organisations by id. Platform readers list every org; others
 * only know their own (the API shows them no other org).
 */
export async function orgDirectory(ctx) {
  const names = new Map();
  if (ctx.me.org) names.set(ctx.me.org.id, ctx.me.org.name);
  if (isPlatform(ctx)) {
    for (const o of await fetchAll('/api/v1/orgs')) names.set(o.id, o.name);
  }
  return {
    name: (id) => names.get(id) || null,
    label(id) {
      const n = names.get(id);
      return n ? h('span', { title: id }, n) : code(id || '—');
    },
  };
}

/**
 * A list fed by a cursor-paginated endpoint, with "Load more" while
 * next_cursor is not null. Rendered as a table (opts.columns) or as cards
 * (opts.card: item => node).
 *   opts.path      list endpoint
 *   opts.params    () => extra query parameters (filters, search)
 *   opts.empty     text (or node) for an empty list, or a function
 *                  returning one (asked at each load, e.g. to name a search)
 *   opts.name      stable name for test ids: `<name>-table`, `<name>-row`,
 *                  `<name>-more`, `<name>-empty`, `<name>-error`
 *   opts.caption   accessible caption
 *   opts.limit     page size (default 50)
 *   opts.onPage    (items) => void, after each page
 */
export function pagedList(ctx, opts) {
  const cards = typeof opts.card === 'function';
  const body = cards ? h('div.card-list', { testid: `${opts.name}-table` }) : h('tbody');
  const container = cards ? body : h('div.table-scroll',
    h('table.striped', { testid: `${opts.name}-table` },
      h('caption.visually-hidden', opts.caption),
      h('thead', h('tr', opts.columns.map((c) => h('th', { scope: 'col' }, c.label)))),
      body));
  container.hidden = true;
  const emptyText = () => (typeof opts.empty === 'function' ? opts.empty() : opts.empty);
  const empty = h('p.empty', { testid: `${opts.name}-empty`, hidden: true }, emptyText());
  const status = h('div', { 'aria-live': 'polite' });
  const more = h('button.secondary.outline', { type: 'button', testid: `${opts.name}-more`, hidden: true }, 'Load more');
  const count = h('small.muted.row-count', { 'aria-live': 'polite' });
  let cursor = null;
  let rows = 0;
  let generation = 0;

  async function load(reset) {
    const gen = reset ? ++generation : generation;
    if (reset) {
      cursor = null;
      rows = 0;
      body.replaceChildren();
    }
    busy(more, true);
    replace(status, reset ? h('p', { 'aria-busy': 'true' }, 'Loading…') : null);
    try {
      const extra = opts.params ? opts.params() : {};
      const page = await api('GET', withQuery(opts.path, { ...extra, limit: opts.limit || PAGE_SIZE, cursor }));
      if (gen !== generation || ctx.signal.aborted) return;
      const items = (page && Array.isArray(page.items)) ? page.items : [];
      for (const item of items) {
        if (cards) {
          body.appendChild(h('div.card-item', { testid: `${opts.name}-row` }, opts.card(item, reload)));
        } else {
          body.appendChild(h('tr', { testid: `${opts.name}-row` },
            opts.columns.map((c) => h('td', { class: c.className }, c.cell(item, reload)))));
        }
      }
      rows += items.length;
      cursor = page ? page.next_cursor || null : null;
      replace(status);
      container.hidden = rows === 0;
      if (reset && rows === 0) replace(empty, emptyText());
      empty.hidden = rows !== 0;
      more.hidden = !cursor;
      count.textContent = rows && (cursor || rows > 5) ? `Showing ${rows}${cursor ? '' : ' (all)'}` : '';
      if (opts.onPage) opts.onPage(items);
    } catch (err) {
      if (gen !== generation || ctx.signal.aborted) return;
      if (handledByApp(ctx, err)) return;
      replace(status, errorBox(err, `${opts.name}-error`));
    } finally {
      busy(more, false);
    }
  }
  function reload() { return load(true); }

  more.addEventListener('click', () => load(false));
  const el = h('div.paged', status, empty, container, h('div.table-footer', more, count));
  return { el, reload };
}

/**
 * A search form for a pagedList: a labelled search box, Search (Enter in
 * the box submits) and Clear. `value()` is the trimmed text.
 *   opts.name         test-id prefix: `<name>-q`, `<name>-search`, `<name>-clear`
 *   opts.label        accessible name, e.g. 'Search notices'
 *   opts.placeholder  hint
 *   opts.onSearch     () => void, after Search or Clear
 */
export function searchBar({ name, label, placeholder, onSearch }) {
  const input = h('input', { type: 'search', name: 'q', maxlength: 256, placeholder, 'aria-label': label, autocomplete: 'off', testid: `${name}-q` });
  const go = h('button', { type: 'submit', testid: `${name}-search` }, 'Search');
  const clear = h('button.secondary.outline', { type: 'button', testid: `${name}-clear` }, 'Clear');
  const form = h('form.search-bar', { 'aria-label': label }, input, go, clear);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); onSearch(); });
  clear.addEventListener('click', () => { input.value = ''; onSearch(); input.focus(); });
  return { el: h('search', form), input, value: () => input.value.trim() };
}

/**
 * An empty state: a sentence and, optionally, the link that gets the
 * person started (e.g. "No notices yet — File a notice").
 */
export function emptyState(text, link, testid) {
  return h('span', text, link ? [' — ', h('a', { href: link.href, testid }, link.label)] : null);
}

/** Backwards-compatible name: a table-shaped pagedList. */
export const pagedTable = pagedList;

/**
 * Reason + approve/reject buttons for a reviewer decision.
 *   path      POST target ({decision, reason})
 *   yes, no   [value, label] pairs, e.g. ['verified', 'Verify']
 *   name      test-id prefix: `<name>-reason`, `<name>-yes`, `<name>-no`
 *   done      (answer, decision) => void after success
 */
export function decisionForm(ctx, { path, yes, no, name, done, label }) {
  const id = `dec-${Math.random().toString(36).slice(2, 9)}`;
  const reason = h('input', { id, name: 'reason', required: true, maxlength: 1000, autocomplete: 'off', testid: `${name}-reason`, placeholder: 'Why? (recorded in the audit log)' });
  const result = h('div', { 'aria-live': 'polite' });
  const yesBtn = h('button.small', { type: 'submit', value: yes[0], testid: `${name}-yes` }, yes[1]);
  const noBtn = h('button.small.secondary', { type: 'submit', value: no[0], testid: `${name}-no` }, no[1]);
  const form = h('form.decision', { novalidate: true },
    noImplicitSubmit(),
    h('label', { for: id }, label || 'Reason'),
    h('div.decision-row', reason, yesBtn, noBtn),
    result);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const decision = ev.submitter ? ev.submitter.value : yes[0];
    replace(result);
    if (!reason.value.trim()) {
      reason.setAttribute('aria-invalid', 'true');
      replace(result, errorBox('Please give a reason: it is recorded with the decision.', `${name}-error`));
      reason.focus();
      return;
    }
    reason.removeAttribute('aria-invalid');
    busy(yesBtn, true);
    busy(noBtn, true);
    try {
      const answer = await api('POST', path, { decision, reason: reason.value.trim() });
      replace(result, successBox(`Done: ${decision}.`, `${name}-done`));
      if (done) done(answer, decision);
    } catch (err) {
      if (handledByApp(ctx, err)) return;
      replace(result, errorBox(err, `${name}-error`));
      busy(yesBtn, false);
      busy(noBtn, false);
    }
  });
  return form;
}

/**
 * A disabled first submit button: pressing Enter in a field of a form with
 * several decisions then does nothing, so that no decision is taken by
 * accident; the person picks a button.
 */
export function noImplicitSubmit() {
  return h('button', { type: 'submit', disabled: true, hidden: true, 'aria-hidden': 'true', tabindex: '-1' });
}

/** A definition list from [label, value] pairs (null values skipped). */
export function facts(pairs, testid) {
  return h('dl.facts', { testid }, pairs.filter((p) => p && p[1] !== null && p[1] !== undefined && p[1] !== '')
    .map(([k, v]) => [h('dt', k), h('dd', v)]));
}

export { time };
