// app.js — the iprshield portal shell: session check, login, header,
// role-aware navigation and hash routing (#/home, #/orgs, ...).
//
// On load: GET /api/v1/me. 401 shows the login form; otherwise the app.
// The CSRF token from login or /me is kept in api.js and sent on every
// state-changing request.

import { api, setCsrfToken, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { SECTIONS, sectionsFor, roleInfo } from './roles.js';
import { renderHome, renderOrgs, renderUsers, renderTokens, renderAudit, renderNotAllowed } from './views.js';
import { renderRights } from './view_rights.js';
import { renderReview } from './view_review.js';
import { renderProfile } from './view_profile.js';
import { renderAgents } from './view_agents.js';
import { renderAlliance } from './view_alliance.js';
import { renderListings } from './view_listings.js';
import { renderLedger } from './view_ledger.js';
import { renderNotices, renderInbox } from './view_notices.js';
import { renderApply } from './view_apply.js';
import { renderEnforcement } from './view_enforce.js';
import { renderDetections } from './view_detections.js';
import { renderCases } from './view_cases.js';
import { renderReports } from './view_reports.js';

const RENDERERS = {
  home: renderHome,
  review: renderReview,
  rights: renderRights,
  profile: renderProfile,
  agents: renderAgents,
  alliance: renderAlliance,
  listings: renderListings,
  notices: renderNotices,
  inbox: renderInbox,
  enforcement: renderEnforcement,
  cases: renderCases,
  detections: renderDetections,
  ledger: renderLedger,
  orgs: renderOrgs,
  users: renderUsers,
  tokens: renderTokens,
  audit: renderAudit,
  reports: renderReports,
};

const $ = (id) => document.getElementById(id);

const state = {
  me: null,          // {user, org, csrf_token}
  view: null,        // AbortController of the current view
};

/* ----------------------------------------------------------------------- */
/* Screens                                                                 */
/* ----------------------------------------------------------------------- */

function showBoot(visible) {
  $('boot').hidden = !visible;
}

function showLogin(notice) {
  state.me = null;
  setCsrfToken(null);
  if (state.view) state.view.abort();
  state.view = null;
  $('app-view').hidden = true;
  replace($('main'));
  replace($('section-nav'));
  showBoot(false);
  if (currentSection() === 'apply') {
    showApply();
    return;
  }
  $('apply-view').hidden = true;
  replace($('apply-view'));
  $('login-view').hidden = false;
  document.title = 'Sign in · iprshield';
  const n = $('login-notice');
  n.textContent = notice || '';
  n.hidden = !notice;
  setLoginError('');
  $('login-password').value = '';
  ($('login-email').value ? $('login-password') : $('login-email')).focus();
}

/** The public application form (no session). */
function showApply() {
  $('login-view').hidden = true;
  $('apply-view').hidden = false;
  document.title = 'Apply as a right holder · iprshield';
  renderApply($('apply-view'), (email) => { $('login-email').value = email; });
}

function showApp(me) {
  state.me = me;
  setCsrfToken(me.csrf_token);
  const { user, org } = me;
  $('whoami-email').textContent = user.email;
  $('whoami-org').textContent = org ? org.name : '';
  $('whoami-role').textContent = user.role;
  $('whoami-role-wrap').title = roleInfo(user.role).label;
  $('whoami-role-wrap').className = `role-badge role-${String(user.role).replace(/[^a-z]/g, '')}`;

  replace($('section-nav'), sectionsFor(user.role).map((s) =>
    h('li', h('a', { href: `#/${s.id}`, testid: `nav-${s.id}`, 'data-section': s.id }, s.label))));

  showBoot(false);
  $('login-view').hidden = true;
  $('apply-view').hidden = true;
  replace($('apply-view'));
  $('app-view').hidden = false;
  if (currentSection() === 'apply') history.replaceState(null, '', '#/home');
  route();
}

/* ----------------------------------------------------------------------- */
/* Routing                                                                 */
/* ----------------------------------------------------------------------- */

function currentSection() {
  const m = /^#\/([a-z-]*)/.exec(location.hash);
  return m && m[1] ? m[1] : 'home';
}

function route() {
  if (!state.me) {
    // Without a session only the login form and the application exist.
    if (!$('boot').hidden) return;
    const applying = currentSection() === 'apply';
    if (applying && $('apply-view').hidden) showApply();
    else if (!applying && $('login-view').hidden) showLogin();
    return;
  }
  const id = currentSection();
  if (!location.hash || location.hash === '#' || location.hash === '#/') {
    history.replaceState(null, '', '#/home');
  }
  const allowed = sectionsFor(state.me.user.role);
  const section = allowed.find((s) => s.id === id);

  for (const a of document.querySelectorAll('#section-nav a')) {
    if (a.dataset.section === id) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }

  if (state.view) state.view.abort();
  const controller = new AbortController();
  state.view = controller;
  const main = $('main');
  replace(main);
  // Wide tables (the audit log) get the full window width.
  main.className = section && section.wide ? 'container-fluid wide' : 'container';
  const ctx = {
    me: state.me,
    main,
    signal: controller.signal,
    fail: sessionEnded,
    confirm: confirmDialog,
    prompt: promptDialog,
  };

  if (section) {
    document.title = `${section.label} · iprshield`;
    RENDERERS[section.id](ctx);
  } else {
    const known = SECTIONS.find((s) => s.id === id);
    document.title = 'Not available · iprshield';
    renderNotAllowed(ctx, known ? known.label : null);
  }
  const heading = main.querySelector('h1');
  if (heading && document.activeElement && document.activeElement !== document.body
      && !main.contains(document.activeElement)) {
    // Move focus to the new page when the user navigated by keyboard.
    heading.focus({ preventScroll: true });
  }
}

function sessionEnded() {
  showLogin('Your session has ended. Please sign in again.');
}

/* ----------------------------------------------------------------------- */
/* Login and logout                                                        */
/* ----------------------------------------------------------------------- */

function setLoginError(text) {
  const el = $('login-error');
  el.textContent = text;
  el.hidden = !text;
  $('login-email').setAttribute('aria-invalid', text ? 'true' : 'false');
  $('login-password').setAttribute('aria-invalid', text ? 'true' : 'false');
  if (!text) {
    $('login-email').removeAttribute('aria-invalid');
    $('login-password').removeAttribute('aria-invalid');
  }
}

async function onLogin(ev) {
  ev.preventDefault();
  const email = $('login-email').value.trim();
  const password = $('login-password').value;
  $('login-notice').hidden = true;
  if (!email || !password) {
    setLoginError(!email ? 'Please enter your email address.' : 'Please enter your password.');
    (!email ? $('login-email') : $('login-password')).focus();
    return;
  }
  const btn = $('login-submit');
  btn.setAttribute('aria-busy', 'true');
  btn.disabled = true;
  setLoginError('');
  try {
    const res = await api('POST', '/api/v1/auth/login', { email, password });
    $('login-password').value = '';
    if (!location.hash || location.hash === '#' || location.hash === '#/') {
      history.replaceState(null, '', '#/home');
    }
    showApp(res);
  } catch (err) {
    let msg = err instanceof Error ? err.message : String(err);
    if (err instanceof ApiError && err.status === 401 && !(err.problem.detail || err.problem.title)) {
      msg = 'Wrong email or password.';
    }
    setLoginError(msg);
    $('login-password').value = '';
    $('login-password').focus();
  } finally {
    btn.removeAttribute('aria-busy');
    btn.disabled = false;
  }
}

async function onLogout() {
  const btn = $('logout');
  btn.setAttribute('aria-busy', 'true');
  btn.disabled = true;
  try {
    await api('POST', '/api/v1/auth/logout');
  } catch (err) {
    // 401: the session was already gone; either way we are logged out.
    if (!(err instanceof ApiError) || err.status !== 401) {
      // Keep the user informed, but still drop local state below.
      console.warn('logout failed:', err.message);
    }
  } finally {
    btn.removeAttribute('aria-busy');
    btn.disabled = false;
  }
  history.replaceState(null, '', '#/home');
  showLogin('You have been logged out.');
}

/* ----------------------------------------------------------------------- */
/* Confirmation dialog (no window.confirm: keeps the page testable)        */
/* ----------------------------------------------------------------------- */

function confirmDialog(text, okLabel) {
  const dlg = $('confirm-dialog');
  $('confirm-text').textContent = text;
  $('confirm-ok').textContent = okLabel || 'Confirm';
  const opener = document.activeElement;
  return new Promise((resolve) => {
    const done = (value) => {
      $('confirm-ok').removeEventListener('click', ok);
      $('confirm-cancel').removeEventListener('click', cancel);
      dlg.removeEventListener('cancel', cancel);
      if (dlg.open) dlg.close();
      if (opener && opener.isConnected) opener.focus();
      resolve(value);
    };
    const ok = () => done(true);
    const cancel = (e) => { if (e) e.preventDefault(); done(false); };
    $('confirm-ok').addEventListener('click', ok);
    $('confirm-cancel').addEventListener('click', cancel);
    dlg.addEventListener('cancel', cancel);
    dlg.showModal();
    $('confirm-cancel').focus();
  });
}

/**
 * Ask for a reason: resolves with the trimmed text, or null when cancelled.
 * With `optional` an empty answer is allowed (resolves with '').
 */
function promptDialog(text, okLabel, optional) {
  const dlg = $('prompt-dialog');
  const input = $('prompt-input');
  const error = $('prompt-error');
  $('prompt-text').textContent = text;
  $('prompt-ok').textContent = okLabel || 'OK';
  input.value = '';
  error.hidden = true;
  const opener = document.activeElement;
  return new Promise((resolve) => {
    const done = (value) => {
      $('prompt-form').removeEventListener('submit', ok);
      $('prompt-cancel').removeEventListener('click', cancel);
      dlg.removeEventListener('cancel', cancel);
      if (dlg.open) dlg.close();
      if (opener && opener.isConnected) opener.focus();
      resolve(value);
    };
    const ok = (e) => {
      e.preventDefault();
      const v = input.value.trim();
      if (!v && !optional) {
        error.hidden = false;
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      input.removeAttribute('aria-invalid');
      done(v);
    };
    const cancel = (e) => { if (e) e.preventDefault(); done(null); };
    $('prompt-form').addEventListener('submit', ok);
    $('prompt-cancel').addEventListener('click', cancel);
    dlg.addEventListener('cancel', cancel);
    dlg.showModal();
    input.focus();
  });
}

/* ----------------------------------------------------------------------- */
/* Start                                                                   */
/* ----------------------------------------------------------------------- */

async function start() {
  $('login-form').addEventListener('submit', onLogin);
  $('logout').addEventListener('click', onLogout);
  window.addEventListener('hashchange', route);
  try {
    const me = await api('GET', '/api/v1/me');
    showApp(me);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      showLogin();
    } else {
      showLogin(`Could not reach the server: ${err.message}`);
    }
  }
}

start();
