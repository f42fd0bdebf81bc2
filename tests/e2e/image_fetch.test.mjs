// image_fetch.test.mjs — listing images given by URL are fetched by the
// server (setting image_fetch) so that the image signal covers them: a
// seller's listing that shows a right holder's official product photo by URL
// (behind a redirect) gets an image_hash verdict naming the URL; a URL that
// is not an image or not found is recorded as failed and changes nothing;
// and with image_fetch_private off a loopback address is refused before any
// request reaches it. Fetching runs on the jobs' slow lane: while an image
// host holds a request open, the rules are rebuilt and the listings rescanned
// on the main lane; a shutdown aborts the hanging request at once, and the
// URL is tried again after the restart (an aborted request is no attempt).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { TEXTURED_PNG, listAll, multipart, startServer, unique, waitFor } from './lib.mjs';

/** A loopback image host; hits counts the requests per path. A request for
 * /stall-* is held open (stalls: {url, open, answered}) until release(). */
async function imageHost(png) {
  const hits = {};
  const stalls = [];
  const server = http.createServer((req, res) => {
    hits[req.url] = (hits[req.url] ?? 0) + 1;
    if (req.url.startsWith('/stall-')) {
      const s = { url: req.url, open: true, answered: false, res };
      req.socket.on('close', () => { s.open = false; });
      stalls.push(s);
    } else if (req.url === '/copy.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(png);
    } else if (req.url === '/moved.png') {
      res.writeHead(302, { location: '/copy.png' });
      res.end();
    } else if (req.url === '/notes.png') {
      res.writeHead(200, { 'content-type': 'image/png' }); // the type a seller claims is not what is checked
      res.end('plain text, not an image');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const release = () => {
    for (const s of stalls.filter((x) => x.open && !x.answered)) {
      s.answered = true;
      s.res.writeHead(200, { 'content-type': 'image/png' });
      s.res.end(png);
    }
  };
  return { server, hits, stalls, release, base: `http://127.0.0.1:${server.address().port}` };
}

async function addOfficialImage(srv, session, png) {
  const org = session.body.org.id;
  const m = multipart([
    { name: 'meta', value: JSON.stringify({ kind: 'product', label: 'official photo' }) },
    { name: 'image', value: png, filename: 'official.png' },
  ]);
  const r = await srv.request('POST', `/api/v1/profiles/${org}/images`, { session, body: m.body, contentType: m.contentType });
  assert.equal(r.status, 201, r.text);
  return r.body.sha256;
}

async function addListing(srv, session, images) {
  const id = unique('IF').replace(/[^A-Za-z0-9._:-]/g, '');
  const r = await srv.request('POST', '/api/v1/listings', {
    session, json: { id, title: 'handbag in leather', description: 'ships fast', price: '90.00', currency: 'EUR', category: 'bags', images },
  });
  assert.equal(r.status, 201, r.text);
  return id;
}

const fetchEvents = async (srv, session) => (await listAll(srv, '/api/v1/audit', { session }))
  .filter((e) => e.action === 'detection.image_fetch');

describe('listing images by URL', () => {
  const png = TEXTURED_PNG(5);
  let host; let srv; let official;
  const S = {};

  before(async () => {
    host = await imageHost(png);
    srv = await startServer({ env: { IPRSHIELD_IMAGE_FETCH: 'true', IPRSHIELD_IMAGE_FETCH_PRIVATE: 'true' } });
    for (const role of ['admin', 'rightholder', 'seller', 'reviewer']) S[role] = await srv.loginAs(role);
    const r0 = await srv.request('GET', '/api/v1/detections/rules', { session: S.reviewer });
    official = await addOfficialImage(srv, S.rightholder, png);
    await waitFor('the rules with the official image', async () => {
      const r = await srv.request('GET', '/api/v1/detections/rules', { session: S.reviewer });
      return r.body.version > r0.body.version && r.body.rescan_finished ? r.body : null;
    });
  });
  after(async () => {
    if (srv) await srv.stop();
    if (host) host.server.close();
  });

  test('a listing showing an official photo by URL (behind a redirect) is flagged once the image is fetched', async () => {
    const url = `${host.base}/moved.png`;
    const id = await addListing(srv, S.seller, [url]);
    const d = await waitFor('an image verdict for the listing', async () => {
      const items = await listAll(srv, `/api/v1/detections?listing_id=${id}`, { session: S.reviewer });
      return items.find((x) => x.signals.some((s) => s.type === 'image_hash')) ?? null;
    });
    const sig = d.signals.find((s) => s.type === 'image_hash');
    assert.equal(sig.image_url, url);
    assert.equal(sig.official_image, official);
    assert.equal(sig.distance, 0);
    assert.equal(host.hits['/copy.png'], 1, 'fetched once');
    // the reviewer sees the fetched image beside the official one
    const img = await srv.request('GET', `/api/v1/detections/${d.id}/images/${sig.image}`, { session: S.reviewer });
    assert.equal(img.status, 200);
    // a second listing naming the same URL is judged at once from the stored image, without a new request
    const again = await addListing(srv, S.seller, [url]);
    const v = await listAll(srv, `/api/v1/detections?listing_id=${again}`, { session: S.reviewer });
    assert.ok(v.some((x) => x.signals.some((s) => s.type === 'image_hash' && s.image_url === url)), JSON.stringify(v));
    assert.equal(host.hits['/copy.png'], 1);
  });

  test('a URL that is not an image, or not there, is recorded as failed and flags nothing', async () => {
    const before = (await fetchEvents(srv, S.admin)).length;
    const id = await addListing(srv, S.seller, [`${host.base}/notes.png`, `${host.base}/gone.png`]);
    const ev = await waitFor('the fetch job to record the failures', async () => {
      const events = await fetchEvents(srv, S.admin);
      return events.length > before && events.find((e) => / 2 failed/.test(e.detail)) ? events : null;
    });
    assert.ok(ev.length > before);
    assert.equal(host.hits['/notes.png'], 1);
    assert.equal(host.hits['/gone.png'], 1);
    const v = await listAll(srv, `/api/v1/detections?listing_id=${id}`, { session: S.reviewer });
    assert.ok(!v.some((x) => x.signals.some((s) => s.type === 'image_hash')), JSON.stringify(v));
  });
});

describe('listing images by URL: private addresses', () => {
  test('with image_fetch_private off a loopback address is refused before any request', async () => {
    const host = await imageHost(TEXTURED_PNG(6));
    const srv = await startServer({ env: { IPRSHIELD_IMAGE_FETCH: 'true' } });
    try {
      const S = { seller: await srv.loginAs('seller'), admin: await srv.loginAs('admin') };
      await addListing(srv, S.seller, [`${host.base}/copy.png`]);
      await waitFor('the fetch job to refuse the address', async () => {
        const events = await fetchEvents(srv, S.admin);
        return events.find((e) => / 1 failed/.test(e.detail)) ?? null;
      });
      assert.equal(host.hits['/copy.png'], undefined, 'no request reached the host');
    } finally {
      await srv.stop();
      host.server.close();
    }
  });
});

describe('listing images by URL: a stalled image host', () => {
  const env = { IPRSHIELD_IMAGE_FETCH: 'true', IPRSHIELD_IMAGE_FETCH_PRIVATE: 'true' };

  test('the rules are rebuilt and the listings rescanned while an image request hangs; the image is judged once it comes', async () => {
    const png = TEXTURED_PNG(7);
    const host = await imageHost(png);
    const srv = await startServer({ env });
    try {
      const S = {};
      for (const role of ['rightholder', 'seller', 'reviewer']) S[role] = await srv.loginAs(role);
      const r0 = await srv.request('GET', '/api/v1/detections/rules', { session: S.reviewer });
      const url = `${host.base}/stall-1.png`;
      const id = await addListing(srv, S.seller, [url]);
      const stall = await waitFor('the image request to reach the host', async () => host.stalls.find((x) => x.url === '/stall-1.png'));
      // a job of the main lane: the rules rebuilt with a new official image, every listing rescanned
      const official = await addOfficialImage(srv, S.rightholder, png);
      const rules = await waitFor('the rules rebuilt and the rescan finished', async () => {
        const r = await srv.request('GET', '/api/v1/detections/rules', { session: S.reviewer });
        return r.body.version > r0.body.version && r.body.rescan_finished ? r.body : null;
      });
      assert.ok(stall.open && !stall.answered, `the image request is still hanging after the rescan (rules version ${rules.version})`);
      const before = await listAll(srv, `/api/v1/detections?listing_id=${id}`, { session: S.reviewer });
      assert.ok(!before.some((x) => x.signals.some((s) => s.type === 'image_hash')), JSON.stringify(before));
      host.release();
      const d = await waitFor('an image verdict once the image came', async () => {
        const items = await listAll(srv, `/api/v1/detections?listing_id=${id}`, { session: S.reviewer });
        return items.find((x) => x.signals.some((s) => s.type === 'image_hash')) ?? null;
      });
      const sig = d.signals.find((s) => s.type === 'image_hash');
      assert.equal(sig.image_url, url);
      assert.equal(sig.official_image, official);
      assert.equal(host.hits['/stall-1.png'], 1, 'fetched once');
    } finally {
      host.release();
      await srv.stop();
      host.server.close();
    }
  });

  test('a shutdown aborts a hanging image request, exits cleanly, and the URL is tried again after the restart', async () => {
    const host = await imageHost(TEXTURED_PNG(8));
    const srv = await startServer({ env });
    let again;
    try {
      const users = srv.users;
      const seller = await srv.loginAs('seller');
      await addListing(srv, seller, [`${host.base}/stall-2.png`]);
      const stall = await waitFor('the image request to reach the host', async () => host.stalls.find((x) => x.url === '/stall-2.png'));
      await srv.stop(); // SIGTERM: asserts exit 0 within the stop time-out
      await waitFor('the aborted request to be closed', async () => !stall.open);
      assert.equal(stall.answered, false, 'closed by the server, not answered');
      again = await startServer({ env, dbPath: srv.db, seed: false });
      await waitFor('the URL requested again after the restart', async () => host.hits['/stall-2.png'] === 2);
      host.release();
      const admin = await again.login(users.admin.email, users.admin.password);
      const ev = await waitFor('the fetch recorded', async () => (await fetchEvents(again, admin)).find((e) => / 1 image\(s\) fetched, 0 failed/.test(e.detail)) ?? null);
      assert.ok(ev);
      assert.ok(!(await fetchEvents(again, admin)).some((e) => / [1-9]\d* failed/.test(e.detail)), 'the aborted request was not recorded as a failure');
    } finally {
      host.release();
      if (again) await again.stop();
      await srv.stop();
      host.server.close();
    }
  });
});
