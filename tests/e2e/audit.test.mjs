// audit.test.mjs — writes land in the hash-chained audit log; the chain
// verifies over the API and, after the server stops, with the CLI.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { STRONG_PASSWORD, assertProblem, cli, listAll, makeTempDir, onPostgres, startServer, unique } from './lib.mjs';

const HEX64 = /^[0-9a-f]{64}$/;
const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function hasSqlite3() {
  try { execFileSync('sqlite3', ['-version'], { stdio: 'ignore', timeout: 5000 }); return true; } catch { return false; }
}

describe('audit log', () => {
  let srv;
  let A;
  let stoppedOk = false;
  const made = {};   // ids of what we created
  let startSeq = 0;

  before(async () => {
    srv = await startServer();
  });
  after(async () => { if (srv && !stoppedOk) await srv.stop(); });

  const events = async () => listAll(srv, '/api/v1/audit', { session: A });
  const newer = async () => (await events()).filter((e) => e.seq > startSeq);
  const isActor = (e, user) => e.actor === user.id || e.actor === user.email || e.actor === `user:${user.id}`;

  test('writes produce events with actor, action, object and outcome', async () => {
    A = await srv.loginAs('admin');
    const top = await srv.request('GET', '/api/v1/audit?limit=1', { session: A });
    assert.equal(top.status, 200, top.text);
    // The admin login just now is the newest event.
    const loginEv = top.body.items[0];
    assert.ok(loginEv, 'the log has events');
    assert.match(loginEv.action, /login/, `newest event is the login: ${JSON.stringify(loginEv)}`);
    assert.equal(loginEv.outcome, 'ok');
    assert.ok(isActor(loginEv, A.body.user), `login actor is the admin: ${loginEv.actor}`);
    startSeq = loginEv.seq;

    // Failed logins: a wrong password for a known user and an unknown email.
    const rev = srv.users.reviewer;
    const wrongPw = 'this-is-not-the-password';
    assertProblem(await srv.request('POST', '/api/v1/auth/login', { json: { email: rev.email, password: wrongPw } }), 401, 'unauthenticated');
    assertProblem(await srv.request('POST', '/api/v1/auth/login', { json: { email: 'ghost@example.org', password: wrongPw } }), 401, 'unauthenticated');

    // Org, user, token create and revoke.
    const o = await srv.request('POST', '/api/v1/orgs', { session: A, json: { name: unique('audited-'), kind: 'rightholder' } });
    assert.equal(o.status, 201, o.text);
    made.org = o.body;
    const email = `${unique('audited')}@example.org`;
    const u = await srv.request('POST', '/api/v1/users', { session: A, json: { email, password: STRONG_PASSWORD, role: 'rightholder', org_id: o.body.id } });
    assert.equal(u.status, 201, u.text);
    made.user = u.body;
    const t = await srv.request('POST', '/api/v1/tokens', { session: A, json: { name: 'audited-token' } });
    assert.equal(t.status, 201, t.text);
    made.token = t.body;
    assert.equal((await srv.request('DELETE', `/api/v1/tokens/${t.body.id}`, { session: A })).status, 204);
    // The new user logs in once.
    const s = await srv.login(email, STRONG_PASSWORD);

    const ev = await newer();
    const find = (re, outcome, pred = () => true) => ev.find((e) => re.test(e.action) && e.outcome === outcome && pred(e));
    const failedLogins = ev.filter((e) => /login/.test(e.action) && e.outcome !== 'ok');
    assert.equal(failedLogins.length, 2, `two failed logins logged: ${JSON.stringify(failedLogins)}`);
    assert.ok(failedLogins.every((e) => e.outcome === 'failed' || e.outcome === 'denied'), 'failure outcome');
    for (const e of failedLogins) assert.ok(typeof e.actor === 'string' && e.actor.length > 0, 'a failed login has an actor (anonymous or the user)');

    const oc = find(/org/, 'ok', (e) => /creat/.test(e.action));
    assert.ok(oc, `org creation logged: ${JSON.stringify(ev)}`);
    assert.ok(isActor(oc, A.body.user), 'org creation actor is the admin');
    assert.ok((oc.object ?? '').includes(made.org.id), `org event names the org: ${oc.object}`);

    const uc = find(/user/, 'ok', (e) => /creat/.test(e.action));
    assert.ok(uc, 'user creation logged');
    assert.ok(isActor(uc, A.body.user), 'user creation actor is the admin');
    assert.ok((uc.object ?? '').includes(made.user.id), `user event names the user: ${uc.object}`);

    const tc = find(/token/, 'ok', (e) => /creat/.test(e.action));
    assert.ok(tc, 'token creation logged');
    assert.ok((tc.object ?? '').includes(made.token.id), 'token event names the token');
    const tr = find(/token/, 'ok', (e) => /revok|delet/.test(e.action));
    assert.ok(tr, 'token revocation logged');
    assert.ok((tr.object ?? '').includes(made.token.id), 'revocation names the token');
    assert.ok(isActor(tr, A.body.user));

    const ul = find(/login/, 'ok', (e) => isActor(e, made.user));
    assert.ok(ul, 'the new user login is logged with that user as actor');

    // Order: newest first, and the log order is the order of our actions.
    const seqOf = (e) => e.seq;
    assert.ok(seqOf(oc) < seqOf(uc) && seqOf(uc) < seqOf(tc) && seqOf(tc) < seqOf(tr) && seqOf(tr) < seqOf(ul));

    // No secret ever lands in the log.
    const text = JSON.stringify(await events());
    for (const secret of [STRONG_PASSWORD, wrongPw, made.token.token, srv.users.admin.password, s.cookie.split('=')[1], s.csrf]) {
      assert.equal(text.includes(secret), false, `secret ${secret.slice(0, 6)}... not in the audit log`);
    }
  });

  test('events are well-formed and chained, newest first', async () => {
    const all = await events();
    assert.ok(all.length >= 8);
    for (let i = 0; i < all.length; i++) {
      const e = all[i];
      for (const k of ['seq', 'ts', 'actor', 'action', 'object', 'outcome', 'detail', 'prev_hash', 'hash']) assert.ok(k in e, `event has ${k}`);
      assert.ok(Number.isInteger(e.seq) && e.seq >= 1);
      assert.match(e.ts, TS);
      assert.match(e.hash, HEX64);
      assert.match(e.prev_hash, HEX64);
      if (i + 1 < all.length) {
        assert.equal(all[i + 1].seq, e.seq - 1, 'consecutive seq, newest first');
        assert.equal(e.prev_hash, all[i + 1].hash, `event ${e.seq} chains to ${e.seq - 1}`);
      }
    }
    assert.equal(all.at(-1).seq, 1, 'the log starts at seq 1');
    assert.equal(all.at(-1).prev_hash, '0'.repeat(64), 'the first event chains to zeros');
    assert.equal(new Set(all.map((e) => e.hash)).size, all.length, 'hashes differ');
  });

  test('concurrent writes keep one unbroken chain', async () => {
    const before1 = (await events()).length;
    const N = 24;
    const results = await Promise.all(Array.from({ length: N }, (_, i) => srv.request('POST', '/api/v1/tokens', { session: A, json: { name: `parallel-${i}` } })));
    for (const r of results) assert.equal(r.status, 201, r.text);
    const all = await events();
    assert.equal(all.length, before1 + N, 'one event per write');
    for (let i = 0; i + 1 < all.length; i++) {
      assert.equal(all[i].seq, all[i + 1].seq + 1);
      assert.equal(all[i].prev_hash, all[i + 1].hash);
    }
    const ids = new Set(results.map((r) => r.body.id));
    assert.equal(ids.size, N, 'distinct token ids');
    const v = await srv.request('GET', '/api/v1/audit/verify', { session: A });
    assert.equal(v.body.intact, true, v.text);
  });

  test('GET /api/v1/audit/verify reports intact for admin and auditor', async () => {
    const n = (await events()).length;
    for (const role of ['admin', 'auditor']) {
      const s = role === 'admin' ? A : await srv.loginAs(role);
      const r = await srv.request('GET', '/api/v1/audit/verify', { session: s });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.intact, true, r.text);
      assert.ok(r.body.events >= n, `verified ${r.body.events} >= ${n} events`);
      assert.equal('first_broken_seq' in r.body, false);
    }
  });

  test('after the server stops, `iprshield audit verify --db` exits 0 and says intact', async () => {
    await srv.stop();
    stoppedOk = true;
    const r = await cli(['audit', 'verify', '--db', srv.db]);
    assert.equal(r.code, 0, `exit ${r.code}: ${r.stdout} ${r.stderr}`);
    assert.match(r.stdout + r.stderr, /intact/i);
  });

  test('acknowledged writes survive kill -9', async (t) => {
    const s1 = await startServer({ seed: false, dbPath: srv.db });
    t.after(() => s1.kill());
    const a = await s1.login(srv.users.admin.email, srv.users.admin.password);
    const name = unique('durable-');
    const o = await s1.request('POST', '/api/v1/orgs', { session: a, json: { name, kind: 'agency' } });
    assert.equal(o.status, 201, o.text);
    await s1.crash();
    const s2 = await startServer({ seed: false, dbPath: srv.db });
    t.after(() => s2.kill());
    const a2 = await s2.login(srv.users.admin.email, srv.users.admin.password);
    const got = await s2.request('GET', `/api/v1/orgs/${o.body.id}`, { session: a2 });
    assert.equal(got.status, 200, got.text);
    assert.equal(got.body.name, name);
    const v = await s2.request('GET', '/api/v1/audit/verify', { session: a2 });
    assert.equal(v.body.intact, true, v.text);
    await s2.stop();
    const c = await cli(['audit', 'verify', '--db', srv.db]);
    assert.equal(c.code, 0, c.stdout + c.stderr);
  });

  // SQLite file surgery; on PostgreSQL the store's own tamper tooling is
  // tested by pg/unit/test_access.
  test('a tampered event is found by the CLI and the API', {
    skip: (onPostgres && 'edits a SQLite file') || (!hasSqlite3() && 'sqlite3 not installed'),
  }, async (t) => {
    const dir = await makeTempDir('iprs-tamper-');
    const copy = path.join(dir, 'tampered.db');
    await fs.copyFile(srv.db, copy);
    // Make sure no WAL is left (the clean shutdown checkpoints it).
    await fs.copyFile(`${srv.db}-wal`, `${copy}-wal`).catch(() => {});
    const sql = (q) => execFileSync('sqlite3', [copy, q], { encoding: 'utf8', timeout: 10_000 });
    const triggers = sql("SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_events';").split('\n').filter(Boolean);
    for (const tr of triggers) sql(`DROP TRIGGER "${tr}";`);
    sql("UPDATE audit_events SET detail = 'tampered' WHERE seq = 3;");
    const r = await cli(['audit', 'verify', '--db', copy]);
    assert.notEqual(r.code, 0, `tampered log must not verify: ${r.stdout} ${r.stderr}`);
    assert.match(r.stdout + r.stderr, /\b3\b/, 'names the first broken seq');

    const s2 = await startServer({ seed: false, dbPath: copy });
    t.after(() => s2.kill());
    const a = await s2.login(srv.users.auditor.email, srv.users.auditor.password);
    const v = await s2.request('GET', '/api/v1/audit/verify', { session: a });
    assert.equal(v.status, 200, v.text);
    assert.equal(v.body.intact, false);
    assert.equal(v.body.first_broken_seq, 3);
    assert.equal(typeof v.body.reason, 'string');
    await s2.stop();
  });
});
