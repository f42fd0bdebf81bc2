// lib.mjs — helpers for the end-to-end tests: a real iprshield server on a
// fresh database, HTTP requests through global fetch, and the CLI.
//
// Every wait is bounded; nothing depends on timing beyond those bounds.
// Usage:
//   const srv = await startServer();          // seeds demo data, serves
//   after(() => srv.stop());                   // SIGTERM, expects exit 0
//   const s = await srv.login(srv.users.admin.email, srv.users.admin.password);
//   const r = await srv.request('GET', '/api/v1/me', { session: s });
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

export const BIN = process.env.IPRSHIELD_BIN || '';
export const ROLES = ['admin', 'reviewer', 'rightholder', 'seller', 'officer', 'auditor'];
export const START_TIMEOUT_MS = 10_000;
export const STOP_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 15_000;
export const CLI_TIMEOUT_MS = 30_000;

// Children still running when the test process exits are killed, so a
// failing test never leaves a server behind.
// Temporary directories are removed when the run passed and kept for
// inspection when it failed.
const live = new Set();
const tempDirs = [];
process.on('exit', (code) => {
  for (const p of live) {
    try { p.kill('SIGKILL'); } catch { /* already gone */ }
  }
  if (code === 0 && !process.exitCode && !process.env.IPRSHIELD_KEEP_TMP) {
    for (const d of tempDirs) {
      try { rmSync(d, { recursive: true, force: true }); } catch { /* best effort */ }
    }
  }
});

function requireBin() {
  if (!BIN) throw new Error('IPRSHIELD_BIN is not set (path of the iprshield binary)');
}

// The child's environment: ours without IPRSHIELD_* settings (so a
// developer's shell cannot change the server under test), plus extra.
function childEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('IPRSHIELD_') && k !== 'IPRSHIELD_BIN' && k !== 'IPRSHIELD_TEST_TMP') continue;
    env[k] = v;
  }
  // A PostgreSQL database has no file for the ledger key to sit beside:
  // one key file per test process, created by the first server.
  if (process.env.IPRSHIELD_TEST_PG) {
    env.IPRSHIELD_LEDGER_KEY = path.join(process.env.IPRSHIELD_TEST_TMP || os.tmpdir(),
      `pg-ledger-${process.pid}.key`);
  }
  return { ...env, ...extra };
}

/** True in the pg/e2e/* runs: servers use PostgreSQL, there is no database file. */
export const onPostgres = Boolean(process.env.IPRSHIELD_TEST_PG);

let pgSchemas = 0;
/**
 * The database of a new test server in dir: DIR/t.db, or, when
 * IPRSHIELD_TEST_PG holds a PostgreSQL URI (the pg/e2e/* runs of ctest,
 * tests/e2e/postgres.list), a fresh schema of that database, which the
 * store creates on first open.
 */
export function testDbUrl(dir) {
  const pg = process.env.IPRSHIELD_TEST_PG;
  if (!pg) return path.join(dir, 't.db');
  const schema = `e_${process.pid}_${pgSchemas++}`;
  return `${pg}${pg.includes('?') ? '&' : '?'}options=-csearch_path%3D${schema}`;
}

/** A fresh temporary directory under $IPRSHIELD_TEST_TMP or the OS temp dir. */
export async function makeTempDir(prefix = 'iprs-e2e-') {
  const base = process.env.IPRSHIELD_TEST_TMP || os.tmpdir();
  await fs.mkdir(base, { recursive: true });
  const dir = await fs.mkdtemp(path.join(base, prefix));
  tempDirs.push(dir);
  return dir;
}

/**
 * Run the binary: cli(['audit', 'verify', '--db', p], { stdin: '...' }).
 * Resolves {code, signal, stdout, stderr}; never rejects on a non-zero exit.
 * Bounded by opts.timeoutMs (the child is killed and the promise rejects).
 */
export function cli(args, opts = {}) {
  requireBin();
  const timeoutMs = opts.timeoutMs ?? CLI_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { env: childEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`iprshield ${args.join(' ')}: no exit within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); live.delete(child); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => { /* the child may exit without reading */ });
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else child.stdin.end();
  });
}

/** Seed demo data into dbPath; returns {role: {role,email,password,org}}. */
export async function seedDemo(dbPath) {
  const r = await cli(['demo', 'seed', '--db', dbPath, '--json']);
  assert.equal(r.code, 0, `demo seed failed (exit ${r.code}): ${r.stderr}`);
  let list;
  try {
    list = JSON.parse(r.stdout);
  } catch (e) {
    throw new Error(`demo seed --json did not print JSON: ${e.message}\n${r.stdout}`);
  }
  assert.ok(Array.isArray(list), 'demo seed --json prints an array');
  const users = {};
  for (const u of list) users[u.role] = u;
  for (const role of ROLES) assert.ok(users[role], `demo seed has a ${role}`);
  return users;
}

/**
 * Start a server. Options:
 *   seed (default true): run `demo seed` first (the database is created by it)
 *   dbPath: use this database path instead of DIR/t.db
 *   env: extra environment for the server (e.g. IPRSHIELD_LOGIN_MAX_FAILURES)
 *   args: extra command-line arguments for `serve`
 * The request rate limits are off unless env sets them (IPRSHIELD_RATE_*):
 * a test must never fail because the machine ran it fast; limits.test.mjs
 * tests them with small explicit values.
 */
export async function startServer(opts = {}) {
  requireBin();
  const dir = await makeTempDir();
  const db = opts.dbPath ?? testDbUrl(dir);
  const users = opts.seed === false ? {} : await seedDemo(db);
  const args = ['serve', '--db', db, '--listen', '127.0.0.1:0', ...(opts.args ?? [])];
  const env = { IPRSHIELD_RATE_ADDRESS: '0', IPRSHIELD_RATE_USER: '0', ...(opts.env ?? {}) };
  const proc = spawn(BIN, args, { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  const logs = [];      // parsed JSON log lines
  let stderrText = '';
  let stdoutText = '';
  let exited = null;    // {code, signal} once the process is gone
  const exitPromise = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(proc);
      resolve(exited);
    });
  });
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (d) => { stdoutText += d; });

  const port = await new Promise((resolve, reject) => {
    let pending = '';
    let done = false;
    const finish = (err, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err); else resolve(value);
    };
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      finish(new Error(`server did not log "listening" within ${START_TIMEOUT_MS} ms\nstderr: ${stderrText}`));
    }, START_TIMEOUT_MS);
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => {
      stderrText += d;
      pending += d;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        let obj;
        try { obj = JSON.parse(line); } catch { continue; }
        logs.push(obj);
        if (obj.msg === 'listening' && typeof obj.addr === 'string') {
          const m = /:(\d+)$/.exec(obj.addr);
          if (m && Number(m[1]) > 0) finish(null, Number(m[1]));
        }
      }
    });
    proc.on('error', (e) => finish(e));
    exitPromise.then((x) => finish(new Error(`server exited before listening (code ${x.code}, signal ${x.signal})\nstderr: ${stderrText}`)));
  });

  const base = `http://127.0.0.1:${port}`;
  let stopped = false;

  const server = {
    dir, db, port, base, users, proc, logs,
    get stderr() { return stderrText; },
    get stdout() { return stdoutText; },
    get exited() { return exited; },

    /** HTTP request; see request() below. */
    request: (method, p, o) => request(base, method, p, o),
    /** Raw request with node:http (tolerates the server answering early). */
    raw: (method, p, o) => rawRequest(port, method, p, o),
    login: (email, password) => login(base, email, password),
    loginAs: (role) => login(base, users[role].email, users[role].password),
    cli,

    /** SIGTERM, wait (bounded) and assert a clean exit 0. Idempotent. */
    async stop() {
      if (stopped) return exited;
      stopped = true;
      if (!exited) proc.kill('SIGTERM');
      let timer;
      const res = await Promise.race([
        exitPromise,
        new Promise((resolve) => { timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS); }),
      ]);
      clearTimeout(timer);
      if (!res) {
        proc.kill('SIGKILL');
        await exitPromise;
        assert.fail(`server did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM\nstderr tail: ${stderrText.slice(-2000)}`);
      }
      assert.equal(res.signal, null, `server died of signal ${res.signal}\nstderr tail: ${stderrText.slice(-2000)}`);
      assert.equal(res.code, 0, `server exit code ${res.code}\nstderr tail: ${stderrText.slice(-2000)}`);
      return res;
    },
    /** Kill without checks (for after hooks when stop() already ran). */
    kill() {
      if (!exited) proc.kill('SIGKILL');
    },
    /** Simulate a crash: SIGKILL and wait (bounded) for the process to go. */
    async crash() {
      stopped = true;
      if (!exited) proc.kill('SIGKILL');
      let timer;
      const res = await Promise.race([
        exitPromise,
        new Promise((resolve) => { timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS); }),
      ]);
      clearTimeout(timer);
      assert.ok(res, 'the killed server went away');
      return res;
    },
  };
  return server;
}

/**
 * request(base, method, path, opts) with opts:
 *   json: a value sent as JSON (Content-Type application/json)
 *   body: a raw body (string, Buffer, Uint8Array) sent as is
 *   contentType: Content-Type for a raw body (default application/json)
 *   headers: extra headers
 *   session: {cookie, csrf} from login(); sends the cookie, and the CSRF
 *            token on POST/PUT/PATCH/DELETE unless csrf: false or a string
 *   csrf: false (omit), or a token string to send instead
 *   bearer: an API token for Authorization: Bearer
 * Resolves {status, headers, text, body (parsed JSON or undefined), ok}.
 */
export async function request(base, method, p, opts = {}) {
  const headers = { ...(opts.headers ?? {}) };
  let body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] ??= 'application/json';
  } else if (opts.body !== undefined) {
    body = opts.body;
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
      headers['content-type'] = opts.contentType ?? 'application/json';
    }
  }
  const writing = !['GET', 'HEAD', 'OPTIONS'].includes(method);
  if (opts.session) {
    headers.cookie = opts.session.cookie;
    if (writing && opts.csrf === undefined && opts.session.csrf) headers['x-csrf-token'] = opts.session.csrf;
  }
  if (typeof opts.csrf === 'string') headers['x-csrf-token'] = opts.csrf;
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  const res = await fetch(base + p, {
    method,
    headers,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(opts.timeoutMs ?? REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  let parsed;
  try { parsed = text.length ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
  return { status: res.status, headers: res.headers, text, body: parsed, ok: res.ok };
}

/**
 * A request through node:http, for bodies the server may refuse before
 * reading them (413): the answer is taken even if writing the rest fails.
 * opts.partialBody: send only this (with the headers' Content-Length) and wait.
 * Resolves {status, headers (lower-case object), text, body}.
 */
export function rawRequest(port, method, p, opts = {}) {
  return new Promise((resolve, reject) => {
    const headers = { ...(opts.headers ?? {}) };
    const payload = opts.body ?? null;
    if (payload !== null && headers['content-length'] === undefined) headers['content-length'] = Buffer.byteLength(payload);
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers, timeout: opts.timeoutMs ?? REQUEST_TIMEOUT_MS });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      const done = () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed;
        try { parsed = text.length ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, body: parsed });
        req.destroy();
      };
      res.on('end', done);
      res.on('error', done);
      res.on('aborted', done);
    });
    req.on('timeout', () => { req.destroy(new Error('request timed out')); });
    req.on('error', (e) => { if (!answered) reject(e); });
    if (payload !== null) {
      // Write in pieces so an early answer can arrive while we send.
      const buf = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
      const step = 64 * 1024;
      let off = 0;
      const pump = () => {
        while (off < buf.length) {
          if (answered || req.destroyed) return;
          const chunk = buf.subarray(off, off + step);
          off += step;
          if (!req.write(chunk)) { req.once('drain', pump); return; }
        }
        req.end();
      };
      pump();
    } else if (opts.partialBody !== undefined) {
      // Send headers and a part of the body, then wait for the answer.
      req.write(opts.partialBody);
    } else {
      req.end();
    }
  });
}

/** Log in; asserts 200 and returns {cookie, csrf, setCookie, body}. */
export async function login(base, email, password) {
  const r = await request(base, 'POST', '/api/v1/auth/login', { json: { email, password } });
  assert.equal(r.status, 200, `login ${email}: expected 200, got ${r.status} ${r.text}`);
  const setCookies = r.headers.getSetCookie();
  const sc = setCookies.find((c) => c.startsWith('iprs_session='));
  assert.ok(sc, `login sets iprs_session (got ${JSON.stringify(setCookies)})`);
  const cookie = sc.split(';')[0];
  assert.ok(r.body && typeof r.body.csrf_token === 'string' && r.body.csrf_token.length > 0, 'login returns csrf_token');
  return { cookie, csrf: r.body.csrf_token, setCookie: sc, body: r.body };
}

/** Assert an RFC 9457 answer: status, Content-Type and type /problems/<slug>. */
export function assertProblem(r, status, slug, msg = '') {
  const where = `${msg ? msg + ': ' : ''}expected ${status} /problems/${slug}, got ${r.status} ${r.text.slice(0, 500)}`;
  assert.equal(r.status, status, where);
  const ct = (typeof r.headers.get === 'function' ? r.headers.get('content-type') : r.headers['content-type']) || '';
  assert.match(ct, /^application\/problem\+json\b/i, `${where} (content-type ${ct})`);
  assert.ok(r.body && typeof r.body === 'object', `${where}: body is JSON`);
  if (Array.isArray(slug)) assert.ok(slug.map((s) => `/problems/${s}`).includes(r.body.type), where);
  else assert.equal(r.body.type, `/problems/${slug}`, where);
  assert.equal(r.body.status, status, `${where}: body.status`);
  assert.equal(typeof r.body.title, 'string', `${where}: title`);
  if (r.body.type !== '/problems/invalid') assert.equal('errors' in r.body, false, `${where}: errors[] only for validation failures`);
  return r.body;
}

/** Walk every page of a list; returns all items (asserts 200 on each page). */
export async function listAll(srv, p, auth, limit = 200) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 10_000; page++) {
    const sep = p.includes('?') ? '&' : '?';
    const url = `${p}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const r = await srv.request('GET', url, auth);
    assert.equal(r.status, 200, `GET ${url}: ${r.status} ${r.text}`);
    assert.ok(Array.isArray(r.body.items), `${url}: items is an array`);
    items.push(...r.body.items);
    cursor = r.body.next_cursor;
    if (cursor === null) return items;
    assert.equal(typeof cursor, 'string', `${url}: next_cursor is a string or null`);
  }
  throw new Error(`${p}: pagination did not end`);
}

/** A unique suffix for names and emails within one test process. */
let counter = 0;
export function unique(prefix = 'x') {
  counter += 1;
  return `${prefix}${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export const STRONG_PASSWORD = 'correct-horse-battery-staple';

/**
 * A multipart/form-data body built by hand, so that each part's file name
 * and claimed type are the test's to choose.
 * parts: [{name, value (string|Buffer), filename?, type?}]
 * Returns {body (Buffer), contentType} for request(..., {body, contentType}).
 */
export function multipart(parts) {
  const boundary = `----iprs${unique('b')}`;
  const chunks = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.type) head += `Content-Type: ${p.type}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A minimal well-formed PDF (libmagic types it application/pdf). */
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

/** Poll fn every 200 ms until it returns a truthy value (returned); fail
 * after ms. For effects of the server's job thread, which come when they come. */
export async function waitFor(what, fn, ms = 15_000) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// A 96x96 greyscale PNG with enough texture for a PDQ hash (an official
// image that a listing then reuses); k varies the picture per world.
export const TEXTURED_PNG = (k) => {
  const crc = (b) => ~b.reduce((c, x) => {
    c ^= x;
    for (let i = 0; i < 8; i++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
    return c;
  }, ~0) >>> 0;
  const part = (type, data) => {
    const td = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(td.length + 8);
    out.writeUInt32BE(data.length, 0);
    td.copy(out, 4);
    out.writeUInt32BE(crc(td), td.length + 4);
    return out;
  };
  const n = 96;
  const raw = Buffer.alloc((n + 1) * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) raw[y * (n + 1) + 1 + x] = Math.round(127 + 60 * Math.sin((x + k * 7) / (5 + k)) + 60 * Math.cos((x * k + 2 * y) / 11) * (x < 40 ? 1 : -1));
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(n, 0); ihdr.writeUInt32BE(n, 4); ihdr[8] = 8; ihdr[9] = 0;
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), part('IHDR', ihdr), part('IDAT', zlib.deflateSync(raw)), part('IEND', Buffer.alloc(0))]);
};
