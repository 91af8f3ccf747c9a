// Fairness under an expensive read load, against a real `tandem server`: 50,000 ConfigMaps (written
// straight into the stopped server's SQLite store, as the API would take minutes to fill), 8 clients
// looping LISTs with a 1,500-value label selector, and meanwhile /readyz and a node's Lease heartbeat
// must each answer within 1 s. Also: idle connections without a token beyond the per-address cap are
// closed while an authenticated client keeps working.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend } from '../../src/storage/index.js';
import { startTandem, type TandemProcess } from './harness.js';
import { createRawClient, type RawClient } from './raw-client.js';

const OBJECTS = 50_000;
const LISTERS = 8;
const LOAD_MS = 8_000;
/** the issue's bound; the assertion keeps it, the load is sized so a busy 2-core machine stays well under */
const BOUND_MS = 1_000;

async function fillConfigMaps(dataDir: string, n: number): Promise<void> {
  const b = await createBackend(`sqlite:${join(dataDir, 'state.db')}`);
  try {
    let batch: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const name = `cm-${i}`;
      const obj = {
        kind: 'ConfigMap',
        apiVersion: 'v1',
        metadata: {
          name,
          namespace: 'default',
          uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          creationTimestamp: '2026-01-01T00:00:00Z',
          labels: { app: `a${i % 5000}`, tier: 'bulk' },
        },
        data: { key: `value-${i}` },
      };
      batch.push(b.create(`/registry/core/configmaps/default/${name}`, JSON.stringify(obj)));
      if (batch.length >= 1000) {
        await Promise.all(batch);
        batch = [];
      }
    }
    await Promise.all(batch);
  } finally {
    await b.close();
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? 0;

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, performance.now() - t0];
}

const asNode = { 'Impersonate-User': 'system:node:fair-1', 'Impersonate-Group': 'system:nodes', 'Content-Type': 'application/json' };
const LEASE = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
const microTime = () => new Date().toISOString().replace('Z', '000Z');

test('/readyz and a node heartbeat answer within 1 s while 8 clients LIST with 1,500-value selectors over 50,000 objects', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-fair-'));
  const first = await startTandem({ dataDir, keepDataDir: true, args: ['--controllers', 'none'] });
  await first.stop();
  const fillStart = Date.now();
  await fillConfigMaps(dataDir, OBJECTS);
  t.diagnostic(`wrote ${OBJECTS} ConfigMaps into the store in ${Date.now() - fillStart} ms`);
  const tp: TandemProcess = await startTandem({ dataDir, args: ['--controllers', 'none'] });
  const clients: RawClient[] = [];
  t.after(async () => {
    clients.forEach((c) => c.close());
    await tp.stop();
  });
  const client = () => {
    const c = createRawClient({ url: tp.url, caPem: tp.caPem(), token: tp.token(), keepAlive: true });
    clients.push(c);
    return c;
  };
  const admin = client();
  // the listers are ordinary users (the admin, in system:masters, is exempt as upstream's)
  const crb = await admin.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'fair-listers' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'fair-lister' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'fair:listers' }],
    }),
  });
  assert.equal(crb.status, 201, crb.text);
  const role = await admin.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'fair-lister' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }],
    }),
  });
  assert.equal(role.status, 201, role.text);
  const lease = await admin.request('POST', LEASE, {
    headers: asNode,
    body: JSON.stringify({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'fair-1', namespace: 'kube-node-lease' },
      spec: { holderIdentity: 'fair-1', leaseDurationSeconds: 40, renewTime: microTime() },
    }),
  });
  assert.equal(lease.status, 201, lease.text);

  // 1,499 values no object has, and one that ~10 objects have
  const values = Array.from({ length: 1499 }, (_, i) => `n${i}`).concat('a7');
  const path = `/api/v1/configmaps?labelSelector=${encodeURIComponent(`app in (${values.join(',')})`)}`;
  // the binding reaches the authorizer through its informer: wait for it
  const listerHeaders = (i: number) => ({ 'Impersonate-User': `lister-${i}`, 'Impersonate-Group': 'fair:listers' });
  for (
    let i = 0;
    (await admin.request('GET', '/api/v1/namespaces/default/configmaps?limit=1', { headers: listerHeaders(0) })).status !== 200;
    i++
  ) {
    assert.ok(i < 100, 'the listers were never allowed to list');
    await new Promise((r) => setTimeout(r, 100));
  }
  let stop = false;
  const listings: number[] = [];
  let rejected = 0;
  const listers = Array.from({ length: LISTERS }, async (_, i) => {
    const c = client();
    const headers = listerHeaders(i);
    while (!stop) {
      const [r, ms] = await timed(() => c.request('GET', path, { headers, timeoutMs: 120_000 }));
      if (r.status === 429) rejected++;
      else {
        assert.equal(r.status, 200, r.text.slice(0, 300));
        assert.equal((JSON.parse(r.text) as { items: unknown[] }).items.length, OBJECTS / 5000);
        listings.push(ms);
      }
    }
  });
  await new Promise((r) => setTimeout(r, 500));
  const probe = client();
  const ready: number[] = [];
  const beats: number[] = [];
  const end = Date.now() + LOAD_MS;
  while (Date.now() < end) {
    const [r, ms] = await timed(() => probe.request('GET', '/readyz', { token: null }));
    assert.equal(r.status, 200);
    ready.push(ms);
    const [beat, bms] = await timed(async () => {
      const cur = await probe.request('GET', `${LEASE}/fair-1`, { headers: asNode });
      assert.equal(cur.status, 200, cur.text);
      const l = JSON.parse(cur.text) as { spec: Record<string, unknown> };
      l.spec['renewTime'] = microTime();
      return probe.request('PUT', `${LEASE}/fair-1`, { headers: asNode, body: JSON.stringify(l) });
    });
    assert.equal(beat.status, 200, beat.text);
    beats.push(bms);
    await new Promise((r) => setTimeout(r, 100));
  }
  stop = true;
  await Promise.all(listers);
  t.diagnostic(
    `LISTs done ${listings.length} (p50 ${pct(listings, 50).toFixed(0)} ms), 429s ${rejected}; ` +
      `/readyz p50 ${pct(ready, 50).toFixed(1)} ms max ${Math.max(...ready).toFixed(1)} ms; ` +
      `heartbeat (GET+PUT) p50 ${pct(beats, 50).toFixed(1)} ms max ${Math.max(...beats).toFixed(1)} ms`,
  );
  assert.ok(listings.length >= LISTERS, 'the LIST load ran');
  assert.ok(Math.max(...ready) < BOUND_MS, `/readyz took ${Math.max(...ready).toFixed(0)} ms`);
  assert.ok(Math.max(...beats) < BOUND_MS, `the heartbeat took ${Math.max(...beats).toFixed(0)} ms`);
});

test('idle connections without a token beyond --max-connections-per-address are closed; an authenticated client keeps working', async (t) => {
  const tp = await startTandem({ args: ['--controllers', 'none', '--max-connections-per-address', '50'] });
  const idle: tls.TLSSocket[] = [];
  t.after(async () => {
    idle.forEach((s) => s.destroy());
    await tp.stop();
  });
  const raw = createRawClient({ url: tp.url, caPem: tp.caPem(), token: tp.token(), keepAlive: true });
  t.after(() => raw.close());
  assert.equal((await raw.request('GET', '/api/v1/namespaces')).status, 200);
  const port = Number(new URL(tp.url).port);
  let closed = 0;
  for (let i = 0; i < 300; i++) {
    const s = tls.connect({ host: '127.0.0.1', port, ca: tp.caPem() });
    s.on('error', () => undefined);
    s.on('close', () => closed++);
    idle.push(s);
  }
  const deadline = Date.now() + 20_000;
  while (closed < 300 - 49 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(closed >= 300 - 49, `only ${closed} of 300 idle connections were closed`);
  // the authenticated keep-alive connection survived, and new authenticated requests are served
  for (let i = 0; i < 5; i++) assert.equal((await raw.request('GET', '/api/v1/namespaces/default')).status, 200);
  const fresh = createRawClient({ url: tp.url, caPem: tp.caPem(), token: tp.token() });
  assert.equal((await fresh.request('GET', '/api/v1/namespaces')).status, 200);
  fresh.close();
});
