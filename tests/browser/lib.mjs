// lib.mjs — the harness the browser tests share (roles.test.mjs,
// rights.test.mjs): run the CLI, start `iprshield serve` on a free loopback
// port, launch /usr/bin/chromium (headless, fresh profile) through
// playwright-core, collect console errors, page errors, CSP violations and
// unexpected HTTP answers >= 400, and log in through the portal.
//
// Environment (set by ctest):
//   IPRSHIELD_BIN          path of the built server binary
//   IPRSHIELD_TEST_TMP     scratch directory (default: os.tmpdir())
//   IPRSHIELD_SCREENSHOTS  where to save PNGs (default: <scratch>/screenshots)
//
// Every wait is bounded; the watchdog each harness arms ends the process if
// anything hangs. One harness per test file (each file is its own process).

import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const BIN = process.env.IPRSHIELD_BIN || path.resolve(HERE, '../../build/iprshield');
export const SCRATCH = process.env.IPRSHIELD_TEST_TMP || os.tmpdir();

// With IPRSHIELD_TEST_PG set (a PostgreSQL URL; ctest's pg/browser/* runs),
// every test's server runs on a fresh schema of that database, and the
// ledger's key, which has no database file to sit beside, is one file per
// test process (the server and the CLI inherit the environment).
let pgSchemas = 0;
if (process.env.IPRSHIELD_TEST_PG && !process.env.IPRSHIELD_LEDGER_KEY) {
  process.env.IPRSHIELD_LEDGER_KEY = path.join(SCRATCH, `pg-browser-ledger-${process.pid}.key`);
}

/** The database of one test: workDir/t.db, or a fresh PostgreSQL schema. */
export function testDb(workDir) {
  const pg = process.env.IPRSHIELD_TEST_PG;
  if (!pg) return path.join(workDir, 't.db');
  const schema = `b_${process.pid}_${pgSchemas++}`;
  return `${pg}${pg.includes('?') ? '&' : '?'}options=-csearch_path%3D${schema}`;
}

export const WAIT_MS = 10_000;     // any single UI wait
export const START_MS = 30_000;    // seeding, server start, browser start

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync'];

/** Reject with "timed out after ms: what" unless promise settles first. */
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Run a program to completion (killed after ms); resolve with {stdout, stderr}. */
export function run(file, args, ms) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: ms, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (err) {
          err.message += `\nstdout: ${stdout}\nstderr: ${stderr}`;
          reject(err);
        } else {
          resolve({ stdout, stderr });
        }
      });
  });
}

/** The logins printed by `iprshield demo seed --json`. */
export function parseSeed(stdout) {
  const text = stdout.trim();
  try {
    return JSON.parse(text);
  } catch {
    // Tolerate a log line before the JSON: take from the first '[' to the last ']'.
    const at = text.indexOf('[');
    if (at >= 0) return JSON.parse(text.slice(at, text.lastIndexOf(']') + 1));
    throw new Error(`demo seed did not print JSON: ${text.slice(0, 500)}`);
  }
}

export const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);

/**
 * One test file's server, browser and problem list.
 *   name                 the test file, for the watchdog's message
 *   watchdogMs           how long the whole file may take
 *   expectedFailure(url, status)  true for HTTP failures that are part of the test plan
 *   ignoreFailedRequest(url)      true for failed requests that are expected
 * Arms the watchdog at once. The methods do not use `this`, so they can be
 * destructured. h.seeded and h.shotDir are set by the test file.
 */
export function createHarness({ name, watchdogMs, expectedFailure, ignoreFailedRequest = () => false }) {
  const h = {
    server: null,       // ChildProcess
    serverLog: '',      // last part of the server's stderr, for diagnostics
    baseURL: null,      // "http://host:port" once the server listens
    context: null,      // persistent browser context
    seeded: null,       // [{role, email, password, org}]
    shotDir: null,
    problems: [],       // console errors, page errors, CSP violations, bad responses
  };

  const watchdog = setTimeout(() => {
    process.stderr.write(`${name}: watchdog fired after ${watchdogMs} ms; killing the server\n`);
    try { h.server?.kill('SIGKILL'); } catch { /* already gone */ }
    process.exit(1);
  }, watchdogMs);
  watchdog.unref();

  /** Start the server; resolve with "host:port" from its "listening" log line (also sets h.baseURL). */
  h.startServer = (db) => new Promise((resolve, reject) => {
    const child = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    h.server = child;
    let pending = '';
    let done = false;
    const timer = setTimeout(() => finish(new Error(`server did not log "listening" within ${START_MS} ms\n${h.serverLog}`)), START_MS);
    function finish(err, addr) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        reject(err);
      } else {
        h.baseURL = `http://${addr}`;
        resolve(addr);
      }
    }
    child.stdout.on('data', () => {});      // drain
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      h.serverLog = (h.serverLog + chunk).slice(-20_000);
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        try {
          const rec = JSON.parse(line);
          if (rec.msg === 'listening' && typeof rec.addr === 'string') finish(null, rec.addr);
        } catch { /* not JSON: ignore */ }
      }
    });
    child.on('error', (err) => finish(err));
    child.on('exit', (code, signal) => {
      finish(new Error(`server exited early (code ${code}, signal ${signal})\n${h.serverLog}`));
    });
  });

  h.stopServer = async () => {
    const server = h.server;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    try {
      await withTimeout(exited, 5_000, 'server shutdown');
    } catch {
      server.kill('SIGKILL');
      await withTimeout(exited, 5_000, 'server kill').catch(() => {});
    }
  };

  /** Launch chromium with a fresh profile under workDir (extra: more launch options); sets h.context. */
  h.launch = async (workDir, extra = {}) => {
    const context = await withTimeout(chromium.launchPersistentContext(path.join(workDir, 'profile'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: START_MS,
      viewport: { width: 1280, height: 860 },
      ...extra,
    }), START_MS + 5_000, 'chromium launch');
    h.context = context;
    context.setDefaultTimeout(WAIT_MS);
    // Report CSP violations as console errors (init scripts are exempt from CSP).
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
      });
    });
    // The persistent context opens with one blank page; we use our own.
    for (const p of context.pages()) await p.close();
    return context;
  };

  /** Close the browser, stop the server, disarm the watchdog. */
  h.close = async () => {
    if (h.context) await withTimeout(h.context.close(), 15_000, 'browser close').catch((e) => process.stderr.write(`${e.message}\n`));
    await h.stopServer();
    clearTimeout(watchdog);
  };

  h.watch = (page, label) => {
    const problems = h.problems;
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();
      const loc = msg.location();
      // Chromium logs every non-2xx fetch as an error; allow the planned ones.
      const m = /^Failed to load resource: the server responded with a status of (\d+)/.exec(text);
      if (m && loc && loc.url && expectedFailure(loc.url, Number(m[1]))) return;
      problems.push(`[${label}] console error: ${text} (${loc ? loc.url : '?'})`);
    });
    page.on('pageerror', (err) => problems.push(`[${label}] page error: ${err.message}`));
    page.on('response', (res) => {
      if (res.status() >= 400 && !expectedFailure(res.url(), res.status())) {
        problems.push(`[${label}] HTTP ${res.status()} for ${res.request().method()} ${res.url()}`);
      }
    });
    page.on('requestfailed', (req) => {
      if (ignoreFailedRequest(req.url())) return;
      // An image whose <img> was replaced by a re-render before it finished
      // loading is aborted by the browser, not refused by the server (a
      // refusal is an HTTP status, caught above).
      if (req.resourceType() === 'image' && req.failure()?.errorText === 'net::ERR_ABORTED') return;
      problems.push(`[${label}] request failed: ${req.method()} ${req.url()} (${req.failure()?.errorText})`);
    });
  };

  h.assertNoProblems = () => {
    const found = h.problems.splice(0);
    assert.deepEqual(found, [], `browser problems:\n${found.join('\n')}`);
  };

  /** The test file's scratch directory (under SCRATCH) and screenshot
   * directory ($IPRSHIELD_SCREENSHOTS or inside it); returns the former. */
  h.makeWorkDir = (prefix) => {
    assert.ok(fs.existsSync(BIN), `server binary not found: ${BIN} (set IPRSHIELD_BIN)`);
    fs.mkdirSync(SCRATCH, { recursive: true });
    const dir = fs.mkdtempSync(path.join(SCRATCH, prefix));
    h.shotDir = process.env.IPRSHIELD_SCREENSHOTS || path.join(dir, 'screenshots');
    fs.mkdirSync(h.shotDir, { recursive: true });
    return dir;
  };

  h.shot = async (page, shotName) => {
    await page.screenshot({ path: path.join(h.shotDir, `${shotName}.png`), fullPage: true, timeout: WAIT_MS });
  };

  /** A new watched page at the login form, with no session cookie. */
  h.freshPage = async (label) => {
    await h.context.clearCookies();
    const page = await h.context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    page.setDefaultNavigationTimeout(WAIT_MS);
    h.watch(page, label);
    await page.goto(`${h.baseURL}/`, { waitUntil: 'load' });
    await byTestId(page, 'login-email').waitFor({ state: 'visible' });
    return page;
  };

  /** Log in on page's login form with the keyboard (Enter in the password field). */
  h.login = async (page, who) => {
    await byTestId(page, 'login-email').fill(who.email);
    await byTestId(page, 'login-password').fill(who.password);
    await byTestId(page, 'login-password').press('Enter');
    await byTestId(page, 'whoami-role').waitFor({ state: 'visible' });
  };

  /** A fresh page logged in as the seeded user of role. */
  h.loginAs = async (role, label) => {
    const who = h.seeded.find((x) => x.role === role);
    const page = await h.freshPage(label || role);
    await h.login(page, who);
    return page;
  };

  h.logout = async (page) => {
    await byTestId(page, 'logout').click();
    await byTestId(page, 'login-email').waitFor({ state: 'visible' });
    await page.close();
  };

  h.openSection = async (page, section) => {
    await byTestId(page, `nav-${section}`).click();
    await page.waitForURL(`**/#/${section}`);
    await byTestId(page, `${section}-title`).waitFor({ state: 'visible' });
  };

  return h;
}

/** Wait until the pagedList `name` shows rows, its empty state or an error; fail on the error. */
export async function listLoaded(page, name) {
  await page.waitForFunction(
    (n) => document.querySelector(`[data-testid="${n}-row"]`) || document.querySelector(`[data-testid="${n}-empty"]:not([hidden])`)
      || document.querySelector(`[data-testid="${n}-error"]`),
    name, { timeout: WAIT_MS });
  const error = byTestId(page, `${name}-error`);
  if (await error.count()) assert.fail(`${name} failed to load: ${await error.textContent()}`);
}
