// dom.js — tiny DOM builders. Text always goes through text nodes, never
// innerHTML, so data from the server cannot inject markup. No inline styles
// (the CSP forbids them): presentation is by class names in style.css.

/**
 * h('tag.class1.class2', {attr: value, onclick: fn, dataset...}, ...children)
 * Children may be strings, numbers, nodes, arrays, null/false (skipped).
 */
export function h(spec, attrs, ...children) {
  const [tag, ...classes] = spec.split('.');
  const el = document.createElement(tag || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v);
    } else if (k === 'class') {
      el.className = [el.className, v].filter(Boolean).join(' ');
    } else if (k === 'testid') {
      el.setAttribute('data-testid', v);
    } else if (k === 'text') {
      el.textContent = v;
    } else if (v === true) {
      el.setAttribute(k, '');
    } else {
      el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Append children (strings, nodes, arrays; null/false skipped) to el. */
export function add(el, ...children) {
  append(el, children);
  return el;
}

/** Replace all children of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Show or hide an element with the hidden attribute. */
export function show(el, visible) {
  el.hidden = !visible;
}

/** Format an RFC 3339 time for people (UTC; `bare` drops the suffix), keeping the exact value in a title. */
export function time(iso, bare) {
  if (!iso) return h('span.muted', '—');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return h('span', iso);
  const text = d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, bare ? '' : ' UTC');
  return h('time', { datetime: iso, title: iso }, text);
}
