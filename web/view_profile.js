// view_profile.js — "Protection profile" (right holders): brand terms and
// their variants, reference prices, authorised sellers and official images
// (docs/api.md §Protection profiles). Each part is saved on its own.

import { api } from './api.js';
import { h, replace, add, time } from './dom.js';
import { pageHeading, errorBox, handledByApp, code, bytes, field, onSubmit, FormProblem, busy, successBox } from './ui.js';

/** ISO 4217 minor-unit exponents that are not 2. */
const DECIMALS = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0,
  VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0, BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};
const decimalsOf = (cur) => (Object.prototype.hasOwnProperty.call(DECIMALS, cur) ? DECIMALS[cur] : 2);

function toMinor(text, currency) {
  const d = decimalsOf(currency);
  const m = /^(\d+)(?:\.(\d+))?$/.exec(String(text).trim());
  if (!m || (m[2] && m[2].length > d)) return null;
  return Number(m[1]) * 10 ** d + Number((m[2] || '').padEnd(d, '0') || 0);
}

function fromMinor(minor, currency) {
  const d = decimalsOf(currency);
  return d ? (minor / 10 ** d).toFixed(d) : String(minor);
}

/**
 * An editable list of rows of text inputs with add/remove buttons.
 *   cols  [{key, label, placeholder}] (the grid columns are in style.css, .cols-<name>)
 */
function rowsEditor(name, cols, rows, addLabel) {
  const list = h('div.rows-editor', { role: 'group', 'aria-label': name });
  const inputs = [];
  function addRow(values) {
    const n = inputs.length;
    const row = {};
    const cells = cols.map((c) => {
      const el = h('input', { name: c.key, value: values ? values[c.key] ?? '' : '', placeholder: c.placeholder || '',
        'aria-label': `${c.label} ${n + 1}`, autocomplete: 'off', testid: `${name}-${c.key}` });
      row[c.key] = el;
      return el;
    });
    const remove = h('button.secondary.outline.small', { type: 'button', 'aria-label': `Remove row ${n + 1}`, testid: `${name}-remove` }, 'Remove');
    const line = h(`div.editor-row.cols-${name}`, cells, remove);
    remove.addEventListener('click', () => {
      const i = inputs.indexOf(row);
      if (i >= 0) inputs.splice(i, 1);
      const next = line.nextElementSibling;
      line.remove();
      (next && next.querySelector('input') ? next.querySelector('input') : add).focus();
      header.hidden = inputs.length === 0;
    });
    inputs.push(row);
    list.append(line);
    header.hidden = false;
    return row;
  }
  const header = h(`div.editor-row.editor-head.cols-${name}`, { 'aria-hidden': 'true' }, cols.map((c) => h('span', c.label)), h('span'));
  const add = h('button.secondary.small', { type: 'button', testid: `${name}-add` }, addLabel);
  add.addEventListener('click', () => { const r = addRow(); r[cols[0].key].focus(); });
  for (const r of rows) addRow(r);
  header.hidden = inputs.length === 0;
  return {
    el: h('div', header, list, add),
    values: () => inputs.map((r) => Object.fromEntries(Object.entries(r).map(([k, el]) => [k, el.value.trim()])))
      .filter((r) => Object.values(r).some(Boolean)),
  };
}

export function renderProfile(ctx) {
  const orgId = ctx.me.org.id;
  const base = `/api/v1/profiles/${encodeURIComponent(orgId)}`;
  const body = h('div', h('p', { 'aria-busy': 'true' }, 'Loading…'));
  add(ctx.main, 
    pageHeading('Protection profile', 'profile-title',
      'What the platform watches for on your behalf: detection and notices read this profile.'),
    body);

  async function load() {
    try {
      const p = await api('GET', base);
      if (ctx.signal.aborted) return;
      replace(body, termsCard(ctx, base, p), pricesCard(ctx, base, p), sellersCard(ctx, base, p), imagesCard(ctx, base, p, load));
    } catch (err) {
      if (!ctx.signal.aborted && !handledByApp(ctx, err)) replace(body, errorBox(err, 'profile-error'));
    }
  }
  load();
}

function card(id, title, sub, ...content) {
  return h('article.form-card', { 'aria-labelledby': id, testid: id },
    h('h2', { id }, title), sub ? h('p.muted', sub) : null, content);
}

function termsCard(ctx, base, p) {
  const ed = rowsEditor('terms', [
    { key: 'term', label: 'Brand term', placeholder: 'e.g. Aurora' },
    { key: 'variants', label: 'Variants (comma-separated)', placeholder: 'e.g. AUR0RA, 奥罗拉' },
  ], p.terms.map((t) => ({ term: t.term, variants: t.variants.join(', ') })), 'Add a term');
  const save = h('button', { type: 'submit', testid: 'terms-save' }, 'Save terms');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true }, ed.el, result, save);
  onSubmit(ctx, form, save, result, async () => {
    const terms = ed.values().map((r) => ({ term: r.term, variants: r.variants.split(',').map((v) => v.trim()).filter(Boolean) }));
    await api('PUT', `${base}/terms`, { terms });
    return `Saved ${terms.length} term${terms.length === 1 ? '' : 's'}.`;
  }, 'terms');
  return card('profile-terms', 'Brand terms', 'Names and their look-alike spellings, in any script. Each term is searched for with its variants.', form);
}

function pricesCard(ctx, base, p) {
  const ed = rowsEditor('prices', [
    { key: 'category', label: 'Category', placeholder: 'e.g. Handbags' },
    { key: 'currency', label: 'Currency', placeholder: 'EUR' },
    { key: 'min', label: 'Lowest genuine price', placeholder: '120.00' },
  ], p.prices.map((x) => ({ category: x.category, currency: x.currency, min: fromMinor(x.min_minor, x.currency) })), 'Add a price');
  const save = h('button', { type: 'submit', testid: 'prices-save' }, 'Save prices');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true }, ed.el, result, save);
  onSubmit(ctx, form, save, result, async () => {
    const prices = ed.values().map((r, i) => {
      const currency = r.currency.toUpperCase();
      const min = toMinor(r.min, currency);
      if (min === null) throw new FormProblem(`Row ${i + 1}: the price must be a number with at most ${decimalsOf(currency)} decimals for ${currency || 'the currency'}.`);
      return { category: r.category, currency, min_minor: min };
    });
    await api('PUT', `${base}/prices`, { prices });
    return `Saved ${prices.length} price${prices.length === 1 ? '' : 's'}.`;
  }, 'prices');
  return card('profile-prices', 'Reference prices', 'Listings far below your lowest genuine price are suspicious.', form);
}

function sellersCard(ctx, base, p) {
  const ed = rowsEditor('sellers', [
    { key: 'org_id', label: 'Seller organisation id', placeholder: '26-character id' },
  ], p.authorised_sellers.map((s) => ({ org_id: s.org_id })), 'Add a seller');
  const known = p.authorised_sellers.length
    ? h('ul.inline-list', { testid: 'sellers-known' }, p.authorised_sellers.map((s) => h('li', h('strong', s.name), ' ', code(s.org_id))))
    : h('p.empty', { testid: 'sellers-empty' }, 'No authorised sellers: every seller of your brand is watched.');
  const save = h('button', { type: 'submit', testid: 'sellers-save' }, 'Save sellers');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true }, known, ed.el, result, save);
  onSubmit(ctx, form, save, result, async () => {
    const ids = ed.values().map((r) => r.org_id);
    await api('PUT', `${base}/authorised-sellers`, { seller_org_ids: ids });
    return `Saved ${ids.length} authorised seller${ids.length === 1 ? '' : 's'}.`;
  }, 'sellers');
  return card('profile-sellers', 'Authorised sellers', 'Sellers you license: their listings are not reported. The seller id is shown on each listing.', form);
}

function imagesCard(ctx, base, p, reload) {
  const list = p.images.length
    ? h('div.table-scroll', h('table.striped', { testid: 'images-table' },
      h('thead', h('tr', ['Label', 'Kind', 'Type', 'Size', 'Added', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', p.images.map((img) => h('tr', { testid: 'images-row' },
        h('td', h('img.thumb', { src: `${base}/images/${encodeURIComponent(img.sha256)}`, alt: '', width: 48, height: 48, loading: 'lazy' }), ' ', h('strong', img.label)), h('td', h('span.kind', img.kind)), h('td', img.mime), h('td', bytes(img.size)),
        h('td', time(img.created_at)),
        h('td', h('button.secondary.outline.small', {
          type: 'button', 'aria-label': `Delete image ${img.label}`, testid: 'image-delete',
          onclick: async (ev) => {
            const btn = ev.currentTarget;
            if (!await ctx.confirm(`Delete the image “${img.label}” from your profile?`, 'Delete')) return;
            busy(btn, true);
            try {
              await api('DELETE', `${base}/images/${encodeURIComponent(img.sha256)}`);
              reload();
            } catch (err) {
              if (!handledByApp(ctx, err)) replace(result, errorBox(err, 'image-error'));
              busy(btn, false);
            }
          },
        }, 'Delete')))))))
    : h('p.empty', { testid: 'images-empty' }, 'No official images yet.');
  const file = h('input', { type: 'file', name: 'image', accept: 'image/png,image/jpeg,image/webp,image/gif,image/svg+xml', testid: 'image-file' });
  const kind = h('select', { name: 'kind', testid: 'image-kind' }, h('option', { value: 'product' }, 'Product photo'), h('option', { value: 'logo' }, 'Logo'));
  const label = h('input', { name: 'label', maxlength: 200, autocomplete: 'off', placeholder: 'e.g. Classic tote, front', testid: 'image-label' });
  const save = h('button', { type: 'submit', testid: 'image-upload' }, 'Upload image');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true },
    h('div.grid', field('Image', file, 'PNG, JPEG, WebP, GIF or SVG, up to 10 MiB.'), field('Kind', kind), field('Label', label)),
    result, save);
  onSubmit(ctx, form, save, result, async () => {
    if (!file.files[0]) throw new FormProblem('Please choose an image file.');
    const body = new FormData();
    body.append('meta', JSON.stringify({ kind: kind.value, label: label.value.trim() || file.files[0].name }));
    body.append('image', file.files[0], file.files[0].name);
    await api('POST', `${base}/images`, body);
    setTimeout(reload, 0);
    return successBox('Image uploaded.', 'image-ok');
  }, 'image');
  return card('profile-images', 'Official images', `Your genuine product photos and logos, matched against listing images (${p.images.length} of 50).`,
    list, h('h3', 'Add an image'), form);
}
