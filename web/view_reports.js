// view_reports.js — "Reports" (docs/api.md §Reports): a dashboard of the
// metrics of a period with charts (Chart.js, the UMD build embedded as
// /chart.umd.min.js), filters by period, brand and jurisdiction, the public
// transparency report as a table with JSON/CSV downloads, and, for the
// platform, the DSA statements-of-reasons export. Every role gets the
// sections the server gives it: admins, reviewers and auditors every
// organisation's numbers, a right holder its own, a seller its own
// enforcement, an officer its agency's referrals. Each chart has its numbers
// beside it as text, so nothing depends on seeing the canvas.

import { api, withQuery } from './api.js';
import { h, replace, add } from './dom.js';
import { pageHeading, errorBox, handledByApp, field, facts, isPlatform, roleIs, hashQuery } from './ui.js';

const DAY = 86_400_000;

/** Load Chart.js once (a classic script: it sets window.Chart). */
let chartLib = null;
function loadChart() {
  if (window.Chart) return Promise.resolve(window.Chart);
  chartLib ??= new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = '/chart.umd.min.js';
    s.onload = () => resolve(window.Chart);
    s.onerror = () => { chartLib = null; reject(new Error('The chart library could not be loaded.')); };
    document.head.append(s);
  });
  return chartLib;
}

const day = (ms) => new Date(ms).toISOString().slice(0, 10);
const label = (key) => key.replace(/_/g, ' ');
const hours = (ms) => (ms >= DAY ? `${(ms / DAY).toFixed(1)} days` : `${(ms / 3_600_000).toFixed(1)} hours`);
const pct = (share) => (share === null || share === undefined ? '—' : `${(share * 100).toFixed(1)} %`);

export function renderReports(ctx) {
  add(ctx.main, pageHeading('Reports', 'reports-title',
    isPlatform(ctx)
      ? 'The platform’s numbers for a period: notices and how fast they were acted on, removals, detections, enforcement, referrals and the alliance.'
      : 'Your organisation’s own numbers for a period.'));
  const q = hashQuery();
  const to = q.get('to') || day(Date.now() + DAY);
  const from = q.get('from') || day(Date.parse(to) - 30 * DAY);
  const inputs = {
    from: h('input', { type: 'date', name: 'from', required: true, value: from, testid: 'reports-from' }),
    to: h('input', { type: 'date', name: 'to', required: true, value: to, testid: 'reports-to' }),
    brand: h('input', { name: 'brand', maxlength: 200, autocomplete: 'off', value: q.get('brand') || '', placeholder: 'brand term or right-holder id', testid: 'reports-brand' }),
    jurisdiction: h('input', { name: 'jurisdiction', maxlength: 6, autocomplete: 'off', value: q.get('jurisdiction') || '', placeholder: 'e.g. CN or CN-GD', testid: 'reports-jurisdiction' }),
  };
  const showBrand = isPlatform(ctx) || roleIs(ctx, 'rightholder');
  const form = h('form.reports-filter', { role: 'search', 'aria-label': 'Report filters', testid: 'reports-filter' },
    h('div.grid',
      field('From (inclusive)', inputs.from),
      field('To (exclusive)', inputs.to),
      showBrand ? field('Brand', inputs.brand) : null,
      roleIs(ctx, 'officer') ? null : field('Seller jurisdiction', inputs.jurisdiction)),
    h('button', { type: 'submit', testid: 'reports-apply' }, 'Show'));
  const board = h('section', { 'aria-live': 'polite', testid: 'reports-board' });
  const transparency = h('section', { testid: 'reports-transparency' });
  add(ctx.main, form, board, transparency);
  const params = () => ({
    from: `${inputs.from.value}T00:00:00Z`,
    to: `${inputs.to.value}T00:00:00Z`,
    brand: showBrand && inputs.brand.value.trim() ? inputs.brand.value.trim() : undefined,
    jurisdiction: inputs.jurisdiction.value.trim() || undefined,
  });
  const charts = [];
  ctx.signal.addEventListener('abort', () => charts.splice(0).forEach((c) => c.destroy()));
  const show = () => {
    charts.splice(0).forEach((c) => c.destroy());
    showBoard(ctx, board, params(), charts);
    showTransparency(ctx, transparency, params());
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    const p = params();
    history.replaceState(null, '', `#/reports?${new URLSearchParams({ from: inputs.from.value, to: inputs.to.value, ...(p.brand ? { brand: p.brand } : {}), ...(p.jurisdiction ? { jurisdiction: p.jurisdiction } : {}) })}`);
    show();
  });
  show();
}

/** A chart of one {key: count} object (or [label, value] pairs), with its numbers as a list. */
function chartFigure(ctx, charts, Chart, { title, data, type = 'bar', testid }) {
  const pairs = Array.isArray(data) ? data : Object.entries(data);
  const canvas = h('canvas', { role: 'img', 'aria-label': `${title}: ${pairs.map(([k, v]) => `${label(k)} ${v}`).join(', ') || 'nothing'}` });
  const fig = h('figure.report-chart', { testid },
    h('figcaption', h('strong', title)),
    pairs.length && pairs.some(([, v]) => v > 0) ? canvas : h('p.muted', 'Nothing in this period.'),
    h('ul.muted', pairs.map(([k, v]) => h('li', `${label(k)}: ${v}`))));
  if (Chart && pairs.some(([, v]) => v > 0)) {
    charts.push(new Chart(canvas, {
      type,
      data: { labels: pairs.map(([k]) => label(k)), datasets: [{ label: title, data: pairs.map(([, v]) => v) }] },
      options: { animation: false, aspectRatio: type === 'bar' ? 2.5 : 2, plugins: { legend: { display: type !== 'bar' } }, scales: type === 'bar' ? { y: { beginAtZero: true, ticks: { precision: 0 } } } : {} },
    }));
  }
  return fig;
}

async function showBoard(ctx, board, p, charts) {
  replace(board, h('p', { 'aria-busy': 'true' }, 'Loading…'));
  let m;
  let Chart = null;
  try {
    m = await api('GET', withQuery('/api/v1/reports/metrics', p));
  } catch (err) {
    if (!handledByApp(ctx, err)) replace(board, errorBox(err, 'reports-error'));
    return;
  }
  try {
    Chart = await loadChart();
  } catch {
    Chart = null; // the numbers are shown as text anyway
  }
  if (ctx.signal.aborted) return;
  const fig = (opts) => chartFigure(ctx, charts, Chart, opts);
  const parts = [h('p.muted', { testid: 'reports-scope' },
    m.scope.kind === 'all' ? 'Every organisation’s numbers.' : `Only your organisation’s numbers (${m.scope.kind}).`)];
  if (m.notices) {
    const n = m.notices;
    parts.push(h('h2', 'Notices'),
      facts([
        ['Received', String(n.received)],
        ['Fast track', String(n.fast_track)],
        ['Median time to action', n.time_to_action.items ? hours(n.time_to_action.median_ms) : '—'],
        ['90th percentile', n.time_to_action.items ? hours(n.time_to_action.p90_ms) : '—'],
      ], 'reports-notices'),
      h('div.grid',
        fig({ title: 'Notices by kind', data: n.by_kind, testid: 'chart-notices-kind' }),
        fig({ title: 'Fast track', data: [['fast track', n.fast_track], ['standard', n.standard]], type: 'doughnut', testid: 'chart-notices-fast' })));
  }
  if (m.actions) {
    const a = m.actions;
    parts.push(h('h2', 'Actions and redress'),
      fig({ title: 'Actions', data: [['takedowns', a.takedowns], ['counter-notices', a.counter_notices], ['reinstatements', a.reinstatements], ['upheld after counter-notice', a.upheld_after_counter_notice], ['rejected items', a.rejected_items], ['appeals', a.appeals.filed]], testid: 'chart-actions' }));
  }
  if (m.removals) {
    const r = m.removals;
    parts.push(h('h2', 'Removals'),
      facts([
        ['Proactive share', pct(r.proactive_share)],
        ['Removed before any sale', `${r.before_any_sale} of ${r.total} (${pct(r.before_any_sale_share)})`],
      ], 'reports-removals'),
      fig({ title: 'Proactive and notice-driven removals', data: [['proactive', r.proactive], ['notice driven', r.notice_driven]], type: 'doughnut', testid: 'chart-removals' }));
  }
  if (m.misuse) parts.push(facts([['Rejected notices', String(m.misuse.rejected_notices)], ['Notifiers suspended for misuse', String(m.misuse.notifier_suspensions)]], 'reports-misuse'));
  if (m.detections) {
    parts.push(h('h2', 'Detections'),
      h('div.grid',
        fig({ title: 'Signals', data: m.detections.by_signal, testid: 'chart-signals' }),
        fig({ title: 'Verdicts by action', data: m.detections.by_action, testid: 'chart-verdicts' })));
  }
  if (m.enforcement) {
    const e = m.enforcement;
    parts.push(h('h2', 'Enforcement'),
      facts([['Strikes', String(e.strikes)], ['Revoked', String(e.strikes_revoked)], ['Suspensions', String(e.suspensions)], ['Terminations', String(e.terminations)]], 'reports-enforcement'),
      fig({ title: 'Penalties by level', data: e.penalties_by_level, testid: 'chart-penalties' }));
  }
  if (m.referrals) {
    const r = m.referrals;
    parts.push(h('h2', 'Referrals to law enforcement'),
      facts([
        ['Referrals', String(r.referrals)], ['Arrests', String(r.arrests)], ['Units seized', String(r.units_seized)],
        ['Value seized', r.value_seized.map((v) => `${(v.minor / 100).toFixed(2)} ${v.currency}`).join(', ') || '—'],
      ], 'reports-referrals'),
      r.by_agency && r.by_agency.length
        ? fig({ title: 'Referrals by agency', data: r.by_agency.map((x) => [x.agency, x.referrals]), testid: 'chart-agencies' })
        : h('p.muted', 'No referrals in this period.'));
  }
  if (m.alliance) {
    const al = m.alliance;
    parts.push(h('h2', 'Alliance'),
      facts([['Active members', String(al.members)], ['Joined in the period', String(al.joined)], ['Reports shared', String(al.reports_shared)], ['Sellers reported', String(al.sellers_reported)]], 'reports-alliance'),
      al.by_member.length ? h('table', { testid: 'reports-alliance-members' },
        h('thead', h('tr', h('th', 'Member'), h('th', 'Status'), h('th.num', 'Reports'), h('th.num', 'Sellers'))),
        h('tbody', al.by_member.map((x) => h('tr', h('td', x.name), h('td', label(x.status)), h('td.num', String(x.reports)), h('td.num', String(x.sellers)))))) : null);
  }
  if (isPlatform(ctx)) {
    parts.push(h('h2', 'DSA Transparency Database'),
      h('p', 'The statements of reasons of every takedown in the period, one JSON object per line, with the database’s field names and values.'),
      h('a', { href: withQuery('/api/v1/reports/statements', p), download: 'statements-of-reasons.ndjson', role: 'button', class: 'secondary outline', testid: 'reports-statements' }, 'Download statements (NDJSON)'));
  }
  replace(board, parts);
}

/** The public transparency report of the period: a table and its downloads. */
async function showTransparency(ctx, box, p) {
  const q = { from: p.from, to: p.to };
  let r;
  try {
    r = await api('GET', withQuery('/api/v1/reports/transparency', q));
  } catch (err) {
    if (!handledByApp(ctx, err)) replace(box, errorBox(err, 'reports-transparency-error'));
    return;
  }
  if (ctx.signal.aborted) return;
  const rows = [];
  for (const [section, v] of Object.entries(r)) {
    if (!v || typeof v !== 'object' || section === 'period') continue;
    for (const [metric, x] of Object.entries(v)) {
      if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
        for (const [k, n] of Object.entries(x)) rows.push([section, metric, k, n]);
      } else if (Array.isArray(x)) {
        for (const a of x) rows.push([section, metric, a.currency, a.minor]);
      } else {
        rows.push([section, metric, '', x === null ? '—' : x]);
      }
    }
  }
  replace(box,
    h('h2', 'Transparency report'),
    h('p', 'The public report of the period: platform-wide totals that name no organisation. Anyone may download it.'),
    h('p',
      h('a', { href: withQuery('/api/v1/reports/transparency', q), download: 'transparency-report.json', role: 'button', class: 'secondary outline', testid: 'reports-transparency-json' }, 'JSON'), ' ',
      h('a', { href: withQuery('/api/v1/reports/transparency', { ...q, format: 'csv' }), download: 'transparency-report.csv', role: 'button', class: 'secondary outline', testid: 'reports-transparency-csv' }, 'CSV')),
    h('details', { testid: 'reports-transparency-details' },
      h('summary', `All ${rows.length} numbers`),
      h('table', { testid: 'reports-transparency-table' },
        h('thead', h('tr', h('th', 'Section'), h('th', 'Metric'), h('th', 'Of'), h('th.num', 'Value'))),
        h('tbody', rows.map(([s, m, k, n]) => h('tr', h('td', label(s)), h('td', label(m)), h('td', label(String(k))), h('td.num', String(n))))))));
}
