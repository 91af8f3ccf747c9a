// Events expire after the server's event TTL (upstream's --event-ttl, default 1 h; shortened here
// through TANDEM_EVENT_TTL_MS): both Event APIs, seen through the API and a watch, other kinds kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTandem } from './harness.js';
import { createRawClient } from './raw-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('events are deleted a TTL after their last write; a ConfigMap stays', { timeout: 60_000 }, async () => {
  const srv = await startTandem({ args: ['--controllers', 'none'], env: { TANDEM_EVENT_TTL_MS: '1500' } });
  const raw = createRawClient({ url: srv.url, caPem: srv.caPem(), token: srv.token() });
  try {
    const core = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web.1', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
      reason: 'Started',
      message: 'started',
      type: 'Normal',
      count: 1,
    };
    const modern = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'web.2', namespace: 'default' },
      eventTime: '2026-11-26T07:00:00.000000Z',
      reportingController: 'test',
      reportingInstance: 'test-1',
      action: 'Start',
      reason: 'Started',
      regarding: { kind: 'Pod', name: 'web', namespace: 'default' },
      type: 'Normal',
    };
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep', namespace: 'default' }, data: { a: 'b' } };
    const created = Date.now();
    for (const [path, body] of [
      ['/api/v1/namespaces/default/events', core],
      ['/apis/events.k8s.io/v1/namespaces/default/events', modern],
      ['/api/v1/namespaces/default/configmaps', cm],
    ] as const) {
      const r = await raw.request('POST', path, { body: JSON.stringify(body) });
      assert.equal(r.status, 201, r.text);
    }
    const watching = raw.request('GET', '/api/v1/namespaces/default/events?watch=true&resourceVersion=0&timeoutSeconds=8');
    const t0 = created;
    let goneAfter = 0;
    while (Date.now() - t0 < 20_000) {
      const a = await raw.request('GET', '/api/v1/namespaces/default/events/web.1');
      const b = await raw.request('GET', '/apis/events.k8s.io/v1/namespaces/default/events/web.2');
      if (a.status === 404 && b.status === 404) {
        goneAfter = Date.now() - t0;
        break;
      }
      assert.equal(a.status === 200 || a.status === 404, true);
      await sleep(200);
    }
    assert.ok(goneAfter > 0, 'both events expired');
    assert.ok(goneAfter >= 1000, `expired after ${goneAfter} ms: not before the TTL`);
    assert.equal((await raw.request('GET', '/api/v1/namespaces/default/configmaps/keep')).status, 200);
    // the expiry is a deletion watchers see
    const watch = await watching;
    assert.match(watch.text, /"type":"DELETED"[^\n]*"name":"web\.1"/);
  } finally {
    await srv.stop();
  }
});
