// health.test.mjs — /healthz, /metrics, the OpenAPI document, security
// headers, graceful shutdown and database creation by `serve`.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertProblem, makeTempDir, startServer } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const OPENAPI_FILE = path.join(here, '..', '..', 'docs', 'openapi.json');

// Every route of docs/api.md: [method, path].
const ROUTES = [
  ['get', '/healthz'],
  ['get', '/metrics'],
  ['get', '/api/v1/openapi.json'],
  ['post', '/api/v1/auth/login'],
  ['post', '/api/v1/auth/logout'],
  ['get', '/api/v1/me'],
  ['get', '/api/v1/orgs'],
  ['post', '/api/v1/orgs'],
  ['get', '/api/v1/orgs/{id}'],
  ['get', '/api/v1/users'],
  ['post', '/api/v1/users'],
  ['get', '/api/v1/users/{id}'],
  ['get', '/api/v1/tokens'],
  ['post', '/api/v1/tokens'],
  ['delete', '/api/v1/tokens/{id}'],
  ['get', '/api/v1/audit'],
  ['get', '/api/v1/audit/verify'],
];

/** Parse Prometheus text format into {types: {name: type}, samples: [{name, labels, value}]}. */
function parseProm(text) {
  const types = {};
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const t = /^# TYPE (\S+) (\S+)/.exec(line);
    if (t) { types[t[1]] = t[2]; continue; }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)(\s+\d+)?$/.exec(line);
    assert.ok(m, `metrics line is Prometheus text: ${JSON.stringify(line)}`);
    const labels = {};
    if (m[2]) {
      for (const lm of m[2].slice(1, -1).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]] = lm[2];
    }
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    assert.ok(!Number.isNaN(value) || m[3] === 'NaN', `metrics value is a number: ${line}`);
    samples.push({ name: m[1], labels, value });
  }
  return { types, samples };
}

/** Sum of request counters (type counter, name mentions request). */
function requestCount(prom) {
  const names = Object.entries(prom.types)
    .filter(([n, t]) => t === 'counter' && /request/i.test(n))
    .map(([n]) => n);
  return prom.samples
    .filter((s) => names.includes(s.name) || names.map((n) => `${n}_total`).includes(s.name))
    .reduce((a, s) => a + s.value, 0);
}

/** The first histogram's name and the sum of its _count samples. */
function histogramCount(prom) {
  const name = Object.entries(prom.types).find(([, t]) => t === 'histogram')?.[0];
  if (!name) return { name: null, count: 0 };
  const count = prom.samples.filter((s) => s.name === `${name}_count`).reduce((a, s) => a + s.value, 0);
  return { name, count };
}

describe('health, metrics, openapi, headers', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { if (srv) await srv.stop(); });

  test('GET /healthz answers {"status":"ok"}', async () => {
    const r = await srv.request('GET', '/healthz');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(r.body.status, 'ok');
  });

  test('/metrics: request counters and a latency histogram that move', async () => {
    const r1 = await srv.request('GET', '/metrics');
    assert.equal(r1.status, 200);
    assert.match(r1.headers.get('content-type') ?? '', /^text\/plain/);
    const p1 = parseProm(r1.text);
    assert.ok(Object.values(p1.types).includes('counter'), 'has a counter');
    const h1 = histogramCount(p1);
    assert.ok(h1.name, 'has a histogram');
    assert.ok(p1.samples.some((s) => s.name === `${h1.name}_bucket` && s.labels.le === '+Inf'), 'histogram has a +Inf bucket');
    assert.ok(p1.samples.some((s) => s.name === `${h1.name}_sum`), 'histogram has _sum');
    assert.ok(/second/i.test(h1.name) || /latency|duration/i.test(h1.name), `histogram ${h1.name} measures time`);
    const c1 = requestCount(p1);

    const N = 7;
    for (let i = 0; i < N; i++) assert.equal((await srv.request('GET', '/healthz')).status, 200);
    assert.equal((await srv.request('GET', '/no/such/route')).status, 404);

    const p2 = parseProm((await srv.request('GET', '/metrics')).text);
    const c2 = requestCount(p2);
    const h2 = histogramCount(p2);
    assert.ok(c2 >= c1 + N + 1, `request counters grew by at least ${N + 1}: ${c1} -> ${c2}`);
    assert.ok(h2.count >= h1.count + N + 1, `histogram count grew by at least ${N + 1}: ${h1.count} -> ${h2.count}`);
    // Buckets are cumulative: counts never decrease as le grows.
    const buckets = p2.samples.filter((s) => s.name === `${h2.name}_bucket`);
    const series = new Map();
    for (const b of buckets) {
      const { le, ...rest } = b.labels;
      const key = JSON.stringify(rest);
      if (!series.has(key)) series.set(key, []);
      series.get(key).push([le === '+Inf' ? Infinity : Number(le), b.value]);
    }
    for (const [key, list] of series) {
      list.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < list.length; i++) assert.ok(list[i][1] >= list[i - 1][1], `buckets cumulative for ${key}`);
      const count = p2.samples.find((s) => s.name === `${h2.name}_count` && JSON.stringify(s.labels) === key);
      if (count) assert.equal(list[list.length - 1][1], count.value, `+Inf bucket equals _count for ${key}`);
    }
  });

  test('GET /api/v1/openapi.json is the OpenAPI 3.1 document listing every route', async () => {
    const r = await srv.request('GET', '/api/v1/openapi.json');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    const doc = JSON.parse(r.text);
    assert.match(doc.openapi, /^3\.1\./);
    for (const [method, p] of ROUTES) {
      assert.ok(doc.paths[p], `path ${p} documented`);
      assert.ok(doc.paths[p][method], `${method.toUpperCase()} ${p} documented`);
      assert.ok(Object.keys(doc.paths[p][method].responses ?? {}).length > 0, `${method} ${p} has responses`);
    }
    // The served document is the one in the repository.
    const file = JSON.parse(await fs.readFile(OPENAPI_FILE, 'utf8'));
    assert.deepEqual(doc, file);
    // Security schemes: the cookie, the CSRF header and bearer tokens.
    const schemes = Object.values(doc.components.securitySchemes);
    assert.ok(schemes.some((s) => s.type === 'apiKey' && s.in === 'cookie' && s.name === 'iprs_session'));
    assert.ok(schemes.some((s) => s.type === 'apiKey' && s.in === 'header' && s.name === 'X-CSRF-Token'));
    assert.ok(schemes.some((s) => s.type === 'http' && s.scheme === 'bearer'));
    assert.ok(doc.components.schemas.Problem, 'a reusable Problem schema');
    // Every local $ref resolves.
    const resolve = (ref) => ref.slice(2).split('/').reduce((o, k) => (o == null ? o : o[k.replace(/~1/g, '/').replace(/~0/g, '~')]), doc);
    const walk = (v) => {
      if (Array.isArray(v)) { v.forEach(walk); return; }
      if (v && typeof v === 'object') {
        if (typeof v.$ref === 'string') assert.ok(resolve(v.$ref) !== undefined, `$ref ${v.$ref} resolves`);
        Object.values(v).forEach(walk);
      }
    };
    walk(doc);
  });

  test('security headers on pages, JSON and errors', async () => {
    for (const p of ['/healthz', '/api/v1/openapi.json', '/api/v1/me', '/no/such/route']) {
      const r = await srv.request('GET', p);
      const csp = r.headers.get('content-security-policy') ?? '';
      assert.match(csp, /frame-ancestors 'none'/, `${p}: CSP has frame-ancestors 'none' (got ${csp})`);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', `${p}: nosniff`);
    }
  });

  test('errors are problem+json: unauthenticated /api/v1/me, unknown route', async () => {
    assertProblem(await srv.request('GET', '/api/v1/me'), 401, 'unauthenticated');
    assertProblem(await srv.request('GET', '/api/v1/nope'), 404, 'not-found');
  });
});

describe('lifecycle', () => {
  // Every client connection has a thread of its own; requests borrow one of
  // at most `threads` database connections and wait for one to come back
  // (src/http/server.c). With one, 24 clients that ask at once, each on its
  // own keep-alive connection, are all answered, round after round.
  test('threads 1: 24 clients at once on their own connections are all answered', async (t) => {
    const srv = await startServer({ env: { IPRSHIELD_THREADS: '1' } });
    t.after(() => srv.kill());
    const { cookie } = await srv.loginAs('reviewer');
    const agents = Array.from({ length: 24 }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    t.after(() => agents.forEach((a) => a.destroy()));
    const me = (agent) => new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: srv.port, path: '/api/v1/me', agent, headers: { cookie } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
      });
      req.on('error', reject);
    });
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all(agents.map(me));
      for (const a of answers) {
        assert.equal(a.status, 200);
        assert.equal(a.body.user.role, 'reviewer');
      }
    }
    const metrics = (await srv.request('GET', '/metrics')).text;
    for (const name of ['iprshield_store_group_busy_seconds_total', 'iprshield_store_group_cpu_seconds_total',
      'iprshield_store_syncs_total', 'iprshield_store_sync_seconds_total']) {
      assert.match(metrics, new RegExp(`^${name} [0-9.]+$`, 'm'), `${name} on /metrics`);
    }
    await srv.stop();
  });

  test('SIGTERM shuts the server down cleanly (exit 0) and it stops listening', async (t) => {
    const srv = await startServer();
    t.after(() => srv.kill());
    assert.equal((await srv.request('GET', '/healthz')).status, 200);
    await srv.stop(); // asserts exit code 0
    await assert.rejects(srv.request('GET', '/healthz', { timeoutMs: 3000 }), 'nothing listens after shutdown');
  });

  test('serve creates and migrates a missing database file', async (t) => {
    const dir = await makeTempDir('iprs-newdb-');
    const dbPath = path.join(dir, 'fresh.db');
    await assert.rejects(fs.stat(dbPath), 'the database does not exist yet');
    const srv = await startServer({ seed: false, dbPath });
    t.after(() => srv.kill());
    const st = await fs.stat(dbPath);
    assert.ok(st.isFile() && st.size > 0, 'database file created');
    assert.equal((await srv.request('GET', '/healthz')).status, 200);
    // The schema is there: a login against the empty user table is a clean 401, not a 500.
    const r = await srv.request('POST', '/api/v1/auth/login', { json: { email: 'nobody@example.org', password: 'not-the-password-1' } });
    assertProblem(r, 401, 'unauthenticated');
    assertProblem(await srv.request('GET', '/api/v1/me'), 401, 'unauthenticated');
    await srv.stop();
    // The migrated database verifies offline.
    const v = await srv.cli(['audit', 'verify', '--db', dbPath]);
    assert.equal(v.code, 0, `audit verify: ${v.stdout} ${v.stderr}`);
  });
});
