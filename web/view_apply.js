// view_apply.js — the public "Apply as a right holder" form
// (POST /api/v1/rightholders/apply), shown at #/apply without a session.
// The new organisation waits for a reviewer's approval before it can
// register rights; its first user can sign in at once.

import { api } from './api.js';
import { h, replace } from './dom.js';
import { field, onSubmit } from './ui.js';

export function renderApply(root, onDone) {
  const org = h('input', { name: 'org_name', required: true, maxlength: 200, autocomplete: 'organization', testid: 'apply-org' });
  const country = h('input', { name: 'country', required: true, maxlength: 2, autocomplete: 'country', placeholder: 'e.g. FR', class: 'upper', testid: 'apply-country' });
  const website = h('input', { name: 'website', type: 'url', maxlength: 200, autocomplete: 'url', placeholder: 'https://', testid: 'apply-website' });
  const email = h('input', { name: 'email', type: 'email', required: true, maxlength: 254, autocomplete: 'email', testid: 'apply-email' });
  const password = h('input', { name: 'password', type: 'password', required: true, minlength: 12, maxlength: 256, autocomplete: 'new-password', testid: 'apply-password' });
  const save = h('button', { type: 'submit', testid: 'apply-submit' }, 'Send application');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true, testid: 'apply-form' },
    field('Organisation name', org),
    h('div.grid', field('Country', country, 'ISO 3166-1 code, e.g. FR, CN, US.'), field('Website (optional)', website)),
    field('Your email', email, 'You sign in with it.'),
    field('Password', password, '12 to 256 characters.'),
    result, save);
  const ctx = { fail: () => {} };
  onSubmit(ctx, form, save, result, async () => {
    const body = { org_name: org.value.trim(), email: email.value.trim(), password: password.value, country: country.value.trim().toUpperCase() };
    if (website.value.trim()) body.website = website.value.trim();
    const res = await api('POST', '/api/v1/rightholders/apply', body);
    password.value = '';
    replace(root.querySelector('[data-apply-body]'),
      h('div.success', { role: 'status', testid: 'apply-done' },
        h('p', h('strong', `Thank you. “${res.org.name}” has applied.`)),
        h('p', 'A reviewer checks every application. You can sign in now; you can register rights once the application is approved.')),
      h('p', h('a', { href: '#/home', role: 'button', testid: 'apply-signin', onclick: () => onDone(res.user.email) }, 'Go to sign in')));
    return null;
  }, 'apply');

  replace(root, h('article.login-card.apply-card',
    h('header.login-brand', h('img', { src: '/logo.svg', alt: '', width: 40, height: 40 }),
      h('div', h('h1', { tabindex: '-1', testid: 'apply-title' }, 'Apply as a right holder'),
        h('p.muted', 'Protect your brands and works on the marketplace.'))),
    h('div', { 'data-apply-body': true }, form),
    h('p.alt-link', 'Already registered? ', h('a', { href: '#/home', testid: 'apply-back' }, 'Sign in'))));
  org.focus();
}
