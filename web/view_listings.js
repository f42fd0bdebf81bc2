// view_listings.js — "Listings" (docs/api.md §Catalog). Everyone with the
// section searches (?q=); sellers see only their own listings and create
// or update them; right holders can file a notice against a listing.

import { api } from './api.js';
import { h, replace, add, time } from './dom.js';
import { pageHeading, handledByApp, pagedList, searchBar, code, statusTag, field, onSubmit, roleIs, successBox } from './ui.js';

function price(l) {
  return h('span.price', `${l.price} ${l.currency}`);
}

// Off the marketplace while its seller is suspended or terminated
// (docs/api.md "Hidden listings"): only the seller and the platform see it.
const HIDDEN_WHY = {
  seller_suspended: 'Hidden from the marketplace while the seller is suspended',
  seller_terminated: 'Hidden from the marketplace: the seller is terminated',
};

function hiddenTag(l) {
  if (!l.hidden) return null;
  return h('span.block', { title: HIDDEN_WHY[l.hidden] || 'Hidden from the marketplace' },
    statusTag(l.hidden, 'listing-hidden'));
}

export function renderListings(ctx) {
  const seller = roleIs(ctx, 'seller');
  const holder = roleIs(ctx, 'rightholder');
  let editor = null;
  let list = null;
  const search = searchBar({
    name: 'listings', label: 'Search listings', placeholder: 'Words in the title or description; rol* matches a prefix',
    onSearch: () => list.reload(),
  });

  list = pagedList(ctx, {
    name: 'listings', path: '/api/v1/listings', caption: 'Listings',
    params: () => ({ q: search.value() }),
    empty: () => (search.value() ? `No listings match “${search.value()}”.`
      : seller ? 'No listings yet — create one with the form below.' : 'No listings yet.'),
    columns: [
      { label: 'Title', cell: (l) => h('span', h('strong', l.title), l.category ? h('small.muted.block', l.category) : null) },
      { label: 'Price', cell: price, className: 'num' },
      { label: 'State', cell: (l) => h('span', statusTag(l.state, 'listing-state'), hiddenTag(l)) },
      { label: 'Ships from', cell: (l) => l.ship_from || h('span.muted', '—') },
      ...(seller ? [] : [{ label: 'Seller', cell: (l) => h('span', l.seller_name, h('small.muted.block', code(l.seller_org_id))) }]),
      { label: 'Version', cell: (l) => String(l.version), className: 'num' },
      { label: 'Updated', cell: (l) => time(l.updated) },
      { label: 'Id', cell: (l) => code(l.id), className: 'id-cell' },
      ...(seller ? [{ label: h('span.visually-hidden', 'Actions'), cell: (l) => h('button.secondary.outline.small', {
        type: 'button', testid: 'listing-edit', 'aria-label': `Edit ${l.title}`, onclick: () => editor.edit(l.id),
      }, 'Edit') }] : []),
      ...(holder ? [{ label: h('span.visually-hidden', 'Actions'), cell: (l) => h('a', {
        href: `#/notices/new?listing=${encodeURIComponent(l.id)}`, testid: 'listing-notice', 'aria-label': `File a notice against ${l.title}`,
      }, 'File a notice') }] : []),
    ],
  });

  if (seller) editor = listingEditor(ctx, () => list.reload());
  add(ctx.main, 
    pageHeading('Listings', 'listings-title', seller
      ? 'Your listings on the marketplace. Every change of content is kept as a new version.'
      : 'Marketplace listings. Search matches words in the title (weighted) and the description.'),
    search.el,
    list.el,
    editor ? editor.el : null);
  list.reload();
}

function listingEditor(ctx, reload) {
  const inp = (name, attrs) => h('input', { name, autocomplete: 'off', testid: `listing-${name.replace(/_/g, '-')}`, ...attrs });
  const f = {
    id: inp('id', { maxlength: 64, placeholder: 'generated when empty' }),
    title: inp('title', { maxlength: 300, required: true }),
    description: h('textarea', { name: 'description', rows: 3, maxlength: 8000, testid: 'listing-description' }),
    price: inp('price', { required: true, inputmode: 'decimal', placeholder: '19.99' }),
    currency: inp('currency', { required: true, maxlength: 3, placeholder: 'USD', class: 'upper' }),
    category: inp('category', { maxlength: 120 }),
    ship_from: inp('ship_from', { maxlength: 6, placeholder: 'CN-GD or CN' }),
    units_sold: inp('units_sold', { type: 'number', min: 0, inputmode: 'numeric' }),
    images: h('textarea', { name: 'images', rows: 2, placeholder: 'https://… or SHA-256, one per line', testid: 'listing-images' }),
  };
  let editing = null;
  const heading = h('h2', { id: 'listing-form-h', tabindex: '-1' }, 'Create a listing');
  const save = h('button', { type: 'submit', testid: 'listing-submit' }, 'Create listing');
  const cancel = h('button.secondary.outline', { type: 'button', hidden: true, testid: 'listing-cancel' }, 'Cancel edit');
  const result = h('div', { 'aria-live': 'polite' });
  const idField = field('Listing id', f.id, 'Your own id for it (letters, digits, . _ : -), or leave empty.');
  const form = h('form', { novalidate: true, testid: 'listing-form' },
    h('div.grid', field('Title', f.title), idField),
    field('Description', f.description),
    h('div.grid', field('Price', f.price, 'In major units, e.g. 19.99.'), field('Currency', f.currency, 'ISO 4217, e.g. USD.'),
      field('Category', f.category)),
    h('div.grid', field('Ships from', f.ship_from, 'Country or subdivision code.'), field('Units sold', f.units_sold)),
    field('Images', f.images),
    result, h('div.button-row', save, cancel));

  function reset() {
    editing = null;
    form.reset();
    idField.hidden = false;
    heading.textContent = 'Create a listing';
    save.textContent = 'Create listing';
    cancel.hidden = true;
  }
  cancel.addEventListener('click', () => { reset(); replace(result); });

  onSubmit(ctx, form, save, result, async () => {
    const v = (el) => el.value.trim();
    const body = { title: v(f.title), price: v(f.price), currency: v(f.currency).toUpperCase() };
    if (v(f.description)) body.description = v(f.description);
    if (v(f.category)) body.category = v(f.category);
    if (v(f.ship_from)) body.ship_from = v(f.ship_from).toUpperCase();
    if (v(f.units_sold)) body.units_sold = Number(v(f.units_sold));
    const images = f.images.value.split(/\s+/).filter(Boolean);
    if (images.length) body.images = images;
    let l;
    if (editing) {
      l = await api('PUT', `/api/v1/listings/${encodeURIComponent(editing)}`, body);
      reload();
      const msg = l.changed ? `Saved “${l.title}” as version ${l.version}.` : 'Nothing changed: no new version.';
      reset();
      return successBox(msg, 'listing-saved');
    }
    if (v(f.id)) body.id = v(f.id);
    l = await api('POST', '/api/v1/listings', body);
    reload();
    reset();
    return successBox(`Created “${l.title}” (${l.id}).`, 'listing-saved');
  }, 'listing');

  async function edit(id) {
    replace(result, h('p', { 'aria-busy': 'true' }, 'Loading…'));
    try {
      const l = await api('GET', `/api/v1/listings/${encodeURIComponent(id)}`);
      editing = l.id;
      for (const k of ['title', 'description', 'price', 'currency', 'category', 'ship_from']) f[k].value = l[k] ?? '';
      f.units_sold.value = l.units_sold ?? '';
      f.images.value = (l.images || []).join('\n');
      idField.hidden = true;
      heading.textContent = `Edit “${l.title}” (version ${l.version} of ${l.version_count || l.version})`;
      save.textContent = 'Save changes';
      cancel.hidden = false;
      replace(result);
      heading.scrollIntoView();
      heading.focus({ preventScroll: true });
    } catch (err) {
      if (!handledByApp(ctx, err)) replace(result, h('p.form-error', { role: 'alert' }, err.message));
    }
  }
  return { el: h('article.form-card', { testid: 'listing-editor' }, heading, form), edit };
}
