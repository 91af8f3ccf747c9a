// Failover through real API servers: two servers (createApiServer, real HTTPS, the same CA and token)
// over one store: one shared memory Backend, or (the HA setup) each server its own client of a real
// etcd member. Server A is closed while an informer watches and
// a stream of writes runs through the pool: the informer ends with exactly B's objects without a
// relist (its watch resumed on B from its last resourceVersion) and saw each change once; every write
// that got a 2xx is there; no write reached the store twice. And a client that knows only A learns B
// from the `kubernetes` Endpoints.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, Endpoints } from '../api/gen/types.js';
import { allKinds } from '../api/kinds/index.js';
import { createApiServer, type ApiServer } from '../apiserver/server.js';
import { createRequestAuthenticator, createTokenAuthenticator } from '../apiserver/auth/index.js';
import { ensurePki } from '../pki/index.js';
import { createBackend, type Backend } from '../storage/index.js';
import { etcdUnavailable, startEtcdCluster } from '../storage/etcd/testing/etcd-cluster.js';
import { createInformer } from './informer.js';
import { createRestClient } from './rest-client.js';
import { startServerDiscovery } from './server-discovery.js';

const TOKEN = 'failover-admin-token-0123456789';
const CMS = '/api/v1/namespaces/default/configmaps';

type Store = 'memory' | 'etcd';

/** Two API servers on one store: one memory Backend object shared, or each its own client of one etcd. */
async function twoServers(t: { after(f: () => Promise<void>): void }, store: Store = 'memory') {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-failover-'));
  const etcd = store === 'etcd' ? await startEtcdCluster({ size: 1 }) : undefined;
  const shared = store === 'memory' ? await createBackend('memory') : undefined;
  const backends: Backend[] = [];
  // every create that reaches the store, per key: a write sent twice would show as two
  const creates = new Map<string, number>();
  const counted = async (): Promise<Backend> => {
    const inner = shared ?? (await createBackend(etcd?.spec ?? 'memory'));
    if (!shared) backends.push(inner);
    const backend = Object.create(inner) as Backend;
    backend.create = (key, value) => {
      creates.set(key, (creates.get(key) ?? 0) + 1);
      return inner.create(key, value);
    };
    return backend;
  };
  const pki = await ensurePki(dir, { hosts: ['127.0.0.1'] });
  const table = createTokenAuthenticator([
    { token: TOKEN, user: { name: 'admin', uid: 'admin', groups: ['system:masters', 'system:authenticated'] } },
  ]);
  const start = async (port = 0) => {
    const backend = await counted();
    const api = await createApiServer({
      backend,
      kinds: allKinds,
      authenticator: createRequestAuthenticator({ static: table }),
      tls: { cert: pki.certPem, key: pki.keyPem, ca: pki.caCertPem },
      advertiseAddress: '127.0.0.1:0',
    });
    const bound = await api.listen('127.0.0.1', port);
    open.push(api);
    return { api, port: bound, url: `https://127.0.0.1:${bound}` };
  };
  const open: ApiServer[] = [];
  const a = await start();
  const b = await start();
  const admin = createRestClient({ server: a.url, caPem: pki.caCertPem, token: TOKEN });
  await admin.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  admin.close();
  t.after(async () => {
    for (const api of open) await api.close();
    for (const be of [...backends, ...(shared ? [shared] : [])]) await be.close();
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const kill = async (api: ApiServer) => {
    open.splice(open.indexOf(api), 1);
    await api.close();
  };
  /** a server again on a closed one's port (the same store) */
  const restart = (port: number) => start(port);
  return { a, b, ca: pki.caCertPem, creates, kill, restart };
}

const cm = (name: string, v: string): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data: { v },
});

async function dieUnderLoad(t: TestContext, store: Store): Promise<void> {
  const { a, b, ca, creates, kill } = await twoServers(t, store);
  const client = createRestClient({ server: a.url, servers: [b.url], caPem: ca, token: TOKEN, connectTimeoutMs: 2000 });
  t.after(() => client.close());
  const informer = createInformer<ConfigMap>(client, { path: '/api/v1/configmaps', watchTimeoutSeconds: 3600 });
  // what the informer delivered, per object: adds, deletes, and the versions of every event
  const adds = new Map<string, number>();
  const deletes = new Map<string, number>();
  const versions: string[] = [];
  informer.addHandlers({
    onAdd: (o) => {
      adds.set(o.metadata.name ?? '', (adds.get(o.metadata.name ?? '') ?? 0) + 1);
      versions.push(o.metadata.resourceVersion ?? '');
    },
    onUpdate: (_old, o) => versions.push(o.metadata.resourceVersion ?? ''),
    onDelete: (o) => deletes.set(o.metadata.name ?? '', (deletes.get(o.metadata.name ?? '') ?? 0) + 1),
  });
  informer.start();
  await informer.whenSynced();

  // four writers: create, update every other one, delete every fifth; A dies after 60 writes
  const ok = new Map<string, 'present' | 'deleted'>();
  const failed: string[] = [];
  let n = 0;
  let killed: Promise<void> | undefined;
  let killedAt: number | undefined;
  let firstAfter: number | undefined;
  const writer = async (w: number) => {
    for (let i = 0; i < 40; i++) {
      const name = `w${w}-${i}`;
      if (++n === 60) {
        killedAt = performance.now();
        killed = kill(a.api);
      }
      try {
        const made = await client.request<ConfigMap>('POST', CMS, cm(name, '1'));
        ok.set(name, 'present');
        if (killedAt !== undefined && firstAfter === undefined) firstAfter = performance.now() - killedAt;
        if (i % 2 === 0) await client.request('PUT', `${CMS}/${name}`, { ...made, data: { v: '2' } });
        if (i % 5 === 0) {
          await client.request('DELETE', `${CMS}/${name}`);
          ok.set(name, 'deleted');
        }
      } catch (e) {
        // the write that was in flight to A when it died: its outcome is unknown, and it was not repeated
        failed.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  };
  await Promise.all([0, 1, 2, 3].map(writer));
  await killed;
  t.diagnostic(`${store}: first 2xx create ${firstAfter?.toFixed(1)} ms after A was closed; ${failed.length} write(s) failed in flight`);
  assert.ok(failed.length <= 4 * 3, `only writes in flight when A died may fail: ${failed.join('; ')}`);
  assert.equal(client.pool.current(), b.url, 'the client moved to B');

  // B's view, and the informer caught up with it
  const onB = createRestClient({ server: b.url, caPem: ca, token: TOKEN });
  t.after(() => onB.close());
  const list = await onB.request<{ metadata: { resourceVersion: string }; items: ConfigMap[] }>('GET', CMS);
  const want = new Map(list.items.map((o) => [o.metadata.name, o.metadata.resourceVersion]));
  const deadline = Date.now() + 10_000;
  while (Number(informer.lastResourceVersion()) < Number(list.metadata.resourceVersion) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  const have = new Map(informer.list().map((o) => [o.metadata.name, o.metadata.resourceVersion]));
  assert.deepEqual(have, want, 'the informer holds exactly the server objects, at their versions');

  // every write that got a 2xx is there (or gone, when its delete got a 2xx)
  for (const [name, state] of ok) assert.equal(want.has(name), state === 'present', `${name} should be ${state}`);
  // no create reached the store twice
  const twice = [...creates].filter(([, c]) => c > 1).map(([k]) => k);
  assert.deepEqual(twice, [], 'a write sent twice');
  // the informer resumed its watch on B rather than relisting, and delivered each change once
  assert.deepEqual(informer.stats(), { lists: 1, watches: 1 }, 'no relist: the one watch resumed on B from its resourceVersion');
  assert.ok(
    [...adds.values()].every((c) => c === 1),
    'each object added once',
  );
  assert.ok(
    [...deletes.values()].every((c) => c === 1),
    'each object deleted once',
  );
  assert.equal(new Set(versions).size, versions.length, 'no event delivered twice');
  assert.ok(ok.size >= 150, `writes went on through B (${ok.size} with a 2xx)`);
  await informer.stop();
}

test('server A dies under an informer and a stream of writes: B serves on, nothing lost or doubled', (t) => dieUnderLoad(t, 'memory'));

test('the same on etcd: two servers, each its own client of one etcd member', { skip: etcdUnavailable() ?? false }, (t) =>
  dieUnderLoad(t, 'etcd'),
);

test('a client that knows only A learns B from the kubernetes Endpoints and fails over to it', async (t) => {
  const { a, b, ca, kill } = await twoServers(t);
  const client = createRestClient({ server: a.url, caPem: ca, token: TOKEN });
  t.after(() => client.close());
  const ep: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default' },
    subsets: [a.port, b.port].map((port) => ({ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port, protocol: 'TCP' }] })),
  };
  await client.request('POST', '/api/v1/namespaces/default/endpoints', ep);
  const stop = startServerDiscovery(client, { intervalMs: 100 });
  t.after(stop);
  const deadline = Date.now() + 5000;
  while (client.pool.servers().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(client.pool.servers(), [a.url, b.url]);
  await kill(a.api);
  // a read may go anywhere: it moves the client to B (a write on a kept-alive connection to A that
  // had not yet seen A's end would fail rather than be sent twice)
  await client.request('GET', '/api/v1/namespaces/default/configmaps');
  assert.equal(client.pool.current(), b.url);
  await client.request('POST', '/api/v1/namespaces/default/configmaps', cm('after-a', 'x'));
});

test('every server gone for a while: the informer watches again from its version, without a relist', async (t) => {
  const { a, b, ca, kill, restart } = await twoServers(t);
  const client = createRestClient({ server: a.url, servers: [b.url], caPem: ca, token: TOKEN, connectTimeoutMs: 2000 });
  t.after(() => client.close());
  const informer = createInformer<ConfigMap>(client, {
    path: CMS,
    watchTimeoutSeconds: 3600,
    backoff: { initialMs: 50, factor: 2, maxMs: 200 },
  });
  informer.start();
  await informer.whenSynced();
  await client.request('POST', CMS, cm('before', '1'));
  await kill(a.api);
  await kill(b.api);
  await new Promise((r) => setTimeout(r, 500)); // the watch fails on both, and is retried with back-off
  const a2 = await restart(a.port);
  const viaA = createRestClient({ server: a2.url, caPem: ca, token: TOKEN });
  t.after(() => viaA.close());
  await viaA.request('POST', CMS, cm('after', '1'));
  const deadline = Date.now() + 10_000;
  while (!informer.get('default/after') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(
    informer
      .list()
      .map((o) => o.metadata.name)
      .sort(),
    ['after', 'before'],
  );
  const st = informer.stats();
  assert.equal(st.lists, 1, 'no relist');
  assert.ok(st.watches >= 2, `the watch was made again (${st.watches})`);
  await informer.stop();
});
