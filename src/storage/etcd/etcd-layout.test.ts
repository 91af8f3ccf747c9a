// What only etcd has: two clusters on one etcd under their own prefixes, upstream's key layout as
// etcdctl sees it, and a whole API group (RBAC) listed and watched across its several etcd ranges.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StorageEvent } from '../backend.js';
import { collect } from '../testing/conformance-helpers.js';
import { etcdctl, etcdctlUnavailable, etcdUnavailable, startEtcdCluster, type EtcdCluster } from './testing/etcd-cluster.js';
import { createEtcdBackend, type EtcdBackend } from './etcd-backend.js';
import { UPSTREAM_LAYOUT } from './key-layout.js';

const why = etcdUnavailable();
let cluster: EtcdCluster;
const open = (prefix: string): Promise<EtcdBackend> =>
  createEtcdBackend({ endpoints: cluster.clientUrls.map((u) => new URL(u).host), prefix, layout: UPSTREAM_LAYOUT });

before(async () => {
  if (!why) cluster = await startEtcdCluster();
});
after(async () => {
  await cluster?.stop();
});

test('two prefixes on one etcd do not see each other', { skip: why }, async () => {
  const [a, b] = [await open('/blue'), await open('/green')];
  try {
    const wa = collect(a, '', await a.currentRevision());
    await a.create('/registry/core/pods/ns/p', 'blue');
    await b.create('/registry/core/pods/ns/p', 'green');
    await b.create('/registry/core/pods/ns/q', 'green');
    assert.equal((await a.get('/registry/core/pods/ns/p'))?.value, 'blue');
    assert.equal((await b.get('/registry/core/pods/ns/p'))?.value, 'green');
    assert.equal(await a.count(''), 1);
    assert.equal(await b.count('/registry/core/pods/'), 2);
    assert.deepEqual(
      (await a.list('/registry/')).kvs.map((kv) => kv.value),
      ['blue'],
    );
    await wa.waitFor(1);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      wa.events.map((e) => e.kv.value),
      ['blue'],
    );
    wa.watch.cancel();
  } finally {
    await a.close();
    await b.close();
  }
});

test("upstream's key layout, as etcdctl sees it", { skip: why ?? etcdctlUnavailable() }, async () => {
  const b = await open('');
  try {
    await b.create('/registry/core/pods/default/web', '{"kind":"Pod"}');
    await b.create('/registry/core/nodes/n1', '{"kind":"Node"}');
    await b.create('/registry/apps/deployments/default/d', '{"kind":"Deployment"}');
    const ctl = (...args: string[]) => etcdctl(cluster, {}, ...args);
    assert.deepEqual(ctl('get', '--prefix', '/registry/pods/').trim().split('\n'), ['/registry/pods/default/web', '{"kind":"Pod"}']);
    assert.match(
      ctl('get', '--prefix', '--keys-only', '/registry/'),
      /\/registry\/deployments\/default\/d\n[\s\S]*\/registry\/minions\/n1\n/,
    );
    assert.equal(ctl('get', '--prefix', '--keys-only', '/registry/core/'), '');
    // written by etcdctl, read back under Tandem's key
    ctl('put', '/registry/minions/n2', '{"kind":"Node","n":2}');
    assert.equal((await b.get('/registry/core/nodes/n2'))?.value, '{"kind":"Node","n":2}');
  } finally {
    await b.close();
  }
});

test('the RBAC group prefix: one list over several etcd ranges, paged, and one watch', { skip: why }, async () => {
  const b = await open('/rbac');
  try {
    const G = '/registry/rbac.authorization.k8s.io/';
    const r0 = await b.currentRevision();
    const w = collect(b, G, r0);
    const keys = [
      `${G}roles/ns/r1`,
      `${G}clusterroles/admin`,
      '/registry/core/pods/ns/p',
      `${G}rolebindings/ns/b`,
      `${G}clusterrolebindings/x`,
      `${G}roles/ns/r0`,
    ];
    for (const k of keys) await b.create(k, k);
    const expected = keys.filter((k) => k.startsWith(G)).sort();
    const all = await b.list(G);
    assert.deepEqual(
      all.kvs.map((kv) => kv.key),
      expected,
    );
    assert.equal(all.revision, r0 + 6);
    assert.equal(await b.count(G), 5);
    assert.equal(await b.count('/registry/core/'), 1);
    const paged: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await b.list(G, { limit: 2, ...(after ? { after } : {}), revision: all.revision });
      paged.push(...page.kvs.map((kv) => kv.key));
      if (!page.more) break;
      after = page.kvs[page.kvs.length - 1]!.key;
    }
    assert.deepEqual(paged, expected);
    const evs: StorageEvent[] = await w.waitFor(5);
    assert.deepEqual(
      evs.map((e) => e.kv.key),
      keys.filter((k) => k.startsWith(G)),
    );
    assert.deepEqual(
      evs.map((e) => e.kv.modRevision),
      [1, 2, 4, 5, 6].map((n) => r0 + n),
    );
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(w.events.length, 5, 'the pod in the covering range is filtered out');
    w.watch.cancel();
  } finally {
    await b.close();
  }
});

test(
  'expiring keys (Events): a lease per write window, deleted by etcd, refreshed by each write',
  { skip: why, timeout: 30_000 },
  async () => {
    const b = await open('/ttl');
    try {
      assert.ok(b.expireUnder);
      b.expireUnder(['/registry/core/events/'], 1500);
      const w = collect(b, '', await b.currentRevision());
      const t0 = Date.now();
      await b.create('/registry/core/events/ns/a', 'a');
      const u = await b.create('/registry/core/events/ns/u', 'u');
      await b.create('/registry/core/pods/ns/p', 'p');
      await new Promise((r) => setTimeout(r, 1200));
      await b.update('/registry/core/events/ns/u', 'u2', u.modRevision); // a new window: a new lease, 2 s from now
      const deadline = Date.now() + 15_000;
      while (!w.events.some((e) => e.type === 'delete' && e.kv.key.endsWith('/a')) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const gone = Date.now() - t0;
      assert.ok(gone >= 1500, `expired after ${gone} ms, not before the TTL`);
      assert.equal(await b.get('/registry/core/events/ns/a'), undefined);
      assert.equal((await b.get('/registry/core/events/ns/u'))?.value, 'u2', 'the rewritten event lives on');
      while ((await b.get('/registry/core/events/ns/u')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(await b.get('/registry/core/events/ns/u'), undefined);
      assert.equal((await b.get('/registry/core/pods/ns/p'))?.value, 'p', 'other keys do not expire');
      w.watch.cancel();
    } finally {
      await b.close();
    }
  },
);
