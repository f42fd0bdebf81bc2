// view_ledger.js — "Ledger" (docs/api.md §Ledger): the signed original-work
// ledger. Right holders register a work file (multipart) and download its
// receipt; everyone with the section sees registrations, the latest
// checkpoint and the verifier key for offline checks.

import { api } from './api.js';
import { h, replace, add, time } from './dom.js';
import { pageHeading, errorBox, handledByApp, pagedList, code, shortHash, field, onSubmit, roleIs, busy, downloadLink, FormProblem } from './ui.js';

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
    const save = h('button', { type: 'submit', testid: 'ledger-submit' }, 'Register work');
    const result = h('div', { 'aria-live': 'polite' });
    form = h('form', { novalidate: true },
      h('div.grid', field('Title', title), field('Created on (optional)', created, 'Defaults to today; never after today.')),
      field('Work file', work, 'Any file; only its SHA-256 goes into the public ledger.'),
      result, save);
    onSubmit(ctx, form, save, result, async () => {
      if (!work.files[0]) throw new FormProblem('Please choose the file of the work.');
      const meta = { title: title.value.trim() };
      if (created.value) meta.created_on = created.value;
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
    h('section', h('h2', 'Verifier key'), keyBox));
  list.reload();
}
