// view_ledger.js — "Ledger" (docs/api.md §Ledger): the signed original-work
// ledger. Right holders register a work file (multipart) and download its
// receipt — for their own organisation or, as an authorised agent, for a
// principal; everyone with the section sees registrations, the latest
// checkpoint and the verifier key for offline checks, and may search for
// prior art: earlier registrations of an image, mirrored or rotated copies
// included.

import { api } from './api.js';
import { h, replace, add, time } from './dom.js';
import { pageHeading, errorBox, handledByApp, pagedList, code, shortHash, field, onSubmit, roleIs, busy, downloadLink, FormProblem } from './ui.js';

/** The prior-art search: an image in, earlier registrations out. */
function priorArtForm(ctx) {
  const image = h('input', { name: 'image', type: 'file', accept: 'image/jpeg,image/png,image/webp', required: true, testid: 'prior-image' });
  const distance = h('input', { name: 'distance', type: 'number', min: 0, max: 31, value: 31, testid: 'prior-distance' });
  const go = h('button', { type: 'submit', testid: 'prior-submit' }, 'Search');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true },
    h('div.grid', field('Image', image, 'JPEG, PNG or WebP.'), field('PDQ distance (0–31)', distance, 'Bits that may differ; 31 finds re-encoded and slightly edited copies.')),
    result, go);
  onSubmit(ctx, form, go, result, async () => {
    if (!image.files[0]) throw new FormProblem('Please choose an image.');
    const body = new FormData();
    body.append('image', image.files[0], image.files[0].name);
    body.append('meta', JSON.stringify({ distance: Number(distance.value) }));
    const r = await api('POST', '/api/v1/ledger/prior-art', body);
    if (!r.items.length) return h('p', { testid: 'prior-none' }, 'No registration of this image (or of a mirrored or rotated copy) was found.');
    return h('div.table-scroll', h('table.striped', { testid: 'prior-table' },
      h('caption', `${r.items.length} registration(s), earliest first`),
      h('thead', h('tr', ['Leaf', 'Title', 'Owner', 'Registered', 'Distance', 'Match'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', r.items.map((x) => h('tr', { testid: 'prior-row' },
        h('td.num', String(x.leaf_index)), h('td', h('strong', x.title)),
        h('td', x.owner, x.agent ? h('small.muted', ` (by ${x.agent})`) : null),
        h('td', time(x.registered_at)), h('td.num', String(x.distance)),
        h('td', x.query_transform === 'original' ? 'same orientation' : `query ${x.query_transform}`))))));
  }, 'prior');
  return form;
}

function receiptBox(receipt, testid) {
  const text = `${JSON.stringify(receipt, null, 2)}\n`;
  return h('div.receipt', { testid },
    h('div.receipt-head',
      h('strong', `Receipt for leaf ${receipt.leaf_index}`), h('small.muted', ` (tree size ${receipt.tree_size})`),
      downloadLink('Download receipt.json', `receipt-${receipt.leaf_index}.json`, text, 'application/json', `${testid}-download`)),
    h('pre.json', { tabindex: '0', 'aria-label': 'Receipt JSON' }, text));
}

export function renderLedger(ctx) {
  const holder = roleIs(ctx, 'rightholder');
  const receiptArea = h('div', { 'aria-live': 'polite' });
  const checkpoint = h('div', { testid: 'ledger-checkpoint' });

  const list = pagedList(ctx, {
    name: 'ledger', path: '/api/v1/ledger/registrations', caption: 'Work registrations',
    empty: holder ? 'No works registered yet. Register one above to get a signed receipt.' : 'No works registered yet.',
    columns: [
      { label: 'Leaf', cell: (r) => String(r.leaf_index), className: 'num' },
      { label: 'Title', cell: (r) => h('strong', r.title) },
      { label: 'Created on', cell: (r) => r.created_on },
      { label: 'Work SHA-256', cell: (r) => shortHash(r.work_sha256) },
      { label: 'Registered', cell: (r) => time(r.registered_at) },
      { label: h('span.visually-hidden', 'Receipt'), cell: (r) => h('button.secondary.outline.small', {
        type: 'button', testid: 'ledger-receipt', 'aria-label': `Show the receipt of ${r.title}`,
        onclick: async (ev) => {
          const btn = ev.currentTarget;
          busy(btn, true);
          try {
            const rc = await api('GET', `/api/v1/ledger/receipts/${r.leaf_index}`);
            replace(receiptArea, receiptBox(rc, 'ledger-receipt-box'));
            receiptArea.scrollIntoView({ block: 'nearest' });
          } catch (err) {
            if (!handledByApp(ctx, err)) replace(receiptArea, errorBox(err, 'ledger-error'));
          } finally {
            busy(btn, false);
          }
        },
      }, 'Receipt') },
    ],
    onPage: (items) => { if (items.length && !checkpoint.firstChild) loadCheckpoint(); },
  });

  // The checkpoint answers 404 while the ledger is empty: ask only once
  // there is at least one registration.
  async function loadCheckpoint() {
    try {
      const c = await api('GET', '/api/v1/ledger/checkpoint');
      replace(checkpoint, h('details',
        h('summary', `Latest checkpoint: tree size ${c.tree_size}, `, time(c.created_at)),
        h('p', 'Root hash ', code(c.root)),
        h('pre.json', { tabindex: '0' }, c.checkpoint)));
    } catch (err) {
      if (!handledByApp(ctx, err)) replace(checkpoint, errorBox(err));
    }
  }

  const keyBox = h('div', { testid: 'ledger-key' }, h('p', { 'aria-busy': 'true' }, 'Loading the verifier key…'));
  api('GET', '/api/v1/ledger/key').then((k) => {
    replace(keyBox,
      h('p', 'Check receipts offline with ', code('iprshield ledger verify receipt.json --key ledger.vkey'), '.'),
      h('div.secret-row', h('input', { readonly: true, value: k.verifier_key, 'aria-label': 'Verifier key', testid: 'ledger-key-value' }),
        downloadLink('Download ledger.vkey', 'ledger.vkey', `${k.verifier_key}\n`, 'text/plain', 'ledger-key-download')));
  }).catch((err) => { if (!handledByApp(ctx, err)) replace(keyBox, errorBox(err)); });

  let form = null;
  if (holder) {
    const title = h('input', { name: 'title', required: true, maxlength: 200, autocomplete: 'off', testid: 'ledger-work-title' });
    const created = h('input', { name: 'created_on', type: 'date', testid: 'ledger-created' });
    const work = h('input', { name: 'work', type: 'file', required: true, testid: 'ledger-file' });
    const principal = h('input', { name: 'org_id', maxlength: 26, autocomplete: 'off', placeholder: '26-character id', testid: 'ledger-org' });
    const save = h('button', { type: 'submit', testid: 'ledger-submit' }, 'Register work');
    const result = h('div', { 'aria-live': 'polite' });
    form = h('form', { novalidate: true },
      h('div.grid', field('Title', title), field('Created on (optional)', created, 'Defaults to today; never after today.')),
      field('Work file', work, 'Any file; its SHA-256 (and, for an image, its PDQ hash) goes into the public ledger.'),
      field('For organisation (optional)', principal, 'Agents: the id of the right holder that authorised you. Empty: your own organisation.'),
      result, save);
    onSubmit(ctx, form, save, result, async () => {
      if (!work.files[0]) throw new FormProblem('Please choose the file of the work.');
      const meta = { title: title.value.trim() };
      if (created.value) meta.created_on = created.value;
      if (principal.value.trim()) meta.org_id = principal.value.trim();
      const body = new FormData();
      body.append('meta', JSON.stringify(meta));
      body.append('work', work.files[0], work.files[0].name);
      const rc = await api('POST', '/api/v1/ledger/registrations', body);
      form.reset();
      list.reload();
      replace(checkpoint);
      replace(receiptArea, receiptBox(rc, 'ledger-receipt-box'));
      return `Registered “${meta.title}” as leaf ${rc.leaf_index}. Keep the receipt: it proves the work was registered.`;
    }, 'ledger');
  }

  add(ctx.main, 
    pageHeading('Ledger', 'ledger-title', 'An append-only, signed Merkle log of original works, in the manner of Certificate Transparency.'),
    form ? h('article.form-card', h('h2', 'Register a work'), form) : null,
    receiptArea,
    h('h2', holder ? 'Your registrations' : 'Registrations'),
    list.el,
    checkpoint,
    h('section', h('h2', 'Prior art'), h('p', 'Who registered an image first: earlier registrations within a PDQ distance, mirrored and rotated copies included.'), priorArtForm(ctx)),
    h('section', h('h2', 'Verifier key'), keyBox));
  list.reload();
}
