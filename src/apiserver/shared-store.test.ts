// Two API servers on one store answer alike: what is done through server A is what server B serves,
// authorizes, refuses and watches (issue 17: nothing that must be shared lives in one process). Run
// on one memory Backend both servers share, and, where etcd runs and the etcd backend exists, on a
// real one-member etcd with a Backend of each server's own (a fresh key prefix per test).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Namespace, Service } from '../api/gen/types.js';
import { configMapKind } from '../api/kinds/core/configmap.js';
import { namespaceKind } from '../api/kinds/core/namespace.js';
import { serviceKind } from '../api/kinds/core/service.js';
import { StatusError } from '../base/errors.js';
import type { WatchEvent } from '../client/rest-client.js';
import { createBackend } from '../storage/index.js';
import { etcdUnavailable, startEtcdCluster, type EtcdCluster } from '../storage/etcd/testing/etcd-cluster.js';
import { ALICE_TOKEN, NODE_TOKEN, startServersOnOneStore, type SharedStoreServers } from './testing/two-servers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries `fn` until it resolves, for up to `ms`; the last error otherwise. */
async function within<T>(ms: number, fn: () => Promise<T>): Promise<{ value: T; after: number }> {
  const t0 = Date.now();
  for (;;) {
    try {
      return { value: await fn(), after: Date.now() - t0 };
    } catch (e) {
      if (Date.now() - t0 > ms) throw e;
      await sleep(20);
    }
  }
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (e: unknown) => (e instanceof StatusError ? e.code : -1),
  );

/**
 * Why the etcd round is skipped, or undefined: etcd must run here and createBackend must know
 * `etcd://` (a reserved spec answers at once that it is not implemented).
 */
async function etcdSkipReason(): Promise<string | undefined> {
  const why = etcdUnavailable();
  if (why) return why;
  const probe = createBackend('etcd://127.0.0.1:9/probe').then(
    async (b) => {
      await b.close();
      return undefined;
    },
    (e: unknown) => (e instanceof Error && /not implemented/.test(e.message) ? e.message : undefined),
  );
  const answer = await Promise.race([probe, new Promise<'slow'>((r) => setTimeout(() => r('slow'), 500))]);
  return answer === 'slow' ? undefined : answer;
}

const etcdSkip = await etcdSkipReason();
let prefixes = 0;

for (const store of ['memory', 'etcd'] as const) {
  describe(`two API servers on one ${store} store`, { skip: store === 'etcd' ? etcdSkip : undefined }, () => {
    let etcd: EtcdCluster | undefined;
    if (store === 'etcd') {
      before(async () => {
        etcd = await startEtcdCluster({ size: 1 });
      });
      after(async () => etcd?.stop());
    }
    const start = (): Promise<SharedStoreServers> =>
      startServersOnOneStore(2, etcd ? { store: `${etcd.spec}/shared-store-${process.pid}-${++prefixes}` } : {});

    test('a CRD created through A is served, discovered and established through B within a second', async (t) => {
      const { servers, close } = await start();
      t.after(close);
      const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
      await a.admin.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.shared.example.com' },
        spec: {
          group: 'shared.example.com',
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } },
              },
            },
          ],
        },
      });
      const path = '/apis/shared.example.com/v1/namespaces/default/widgets';
      const widget = { apiVersion: 'shared.example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3 } };
      const { after } = await within(1000, () => b.admin.request('POST', path, widget));
      assert.ok(after < 1000, `B served the new kind after ${after} ms`);
      t.diagnostic(`${store}: a CRD created through A served by B after ${after} ms`);
      // discovery and OpenAPI on B know the kind; A reads what B wrote
      const disco = await within(1000, async () => {
        const d = await b.admin.request<{ resources: Array<{ name: string }> }>('GET', '/apis/shared.example.com/v1');
        assert.ok(d.resources.some((r) => r.name === 'widgets'));
        return d;
      });
      assert.ok(disco.value.resources.length > 0);
      await within(1000, async () => {
        const v3 = await b.admin.request<{ components?: { schemas?: Record<string, unknown> } }>(
          'GET',
          '/openapi/v3/apis/shared.example.com/v1',
        );
        assert.ok(Object.keys(v3.components?.schemas ?? {}).some((k) => k.endsWith('.Widget')));
      });
      const got = await a.admin.request<{ spec: { size: number } }>('GET', `${path}/w1`);
      assert.equal(got.spec.size, 3);
      // the schema is B's too: a wrong type is refused there
      assert.equal(await codeOf(b.admin.request('POST', path, { ...widget, metadata: { name: 'w2' }, spec: { size: 'big' } })), 422);
      // status written once, whichever server's loop got there: Established on both
      await within(2000, async () => {
        for (const s of servers) {
          const crd = await s.admin.request<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(
            'GET',
            '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.shared.example.com',
          );
          assert.ok(crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'));
        }
      });
      // deleted through B: A stops serving the kind
      await b.admin.request('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.shared.example.com');
      await within(3000, async () => assert.equal(await codeOf(a.admin.request('GET', path)), 404));
    });

    test('an RBAC binding made through A authorizes on B; removed through B, A refuses again', async (t) => {
      const { servers, close } = await start();
      t.after(close);
      const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
      const aliceOnA = a.clientWith(ALICE_TOKEN);
      const aliceOnB = b.clientWith(ALICE_TOKEN);
      const list = (c: typeof aliceOnA) => codeOf(c.resource(configMapKind).namespace('default').list());
      assert.equal(await list(aliceOnB), 403);
      await a.admin.request('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'cm-reader', namespace: 'default' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
      });
      await a.admin.request('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'alice-reads', namespace: 'default' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' },
        subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
      });
      const { after } = await within(1000, async () => assert.equal(await list(aliceOnB), 200));
      assert.ok(after < 1000);
      t.diagnostic(`${store}: a RoleBinding made through A authorized on B after ${after} ms`);
      await b.admin.request('DELETE', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/alice-reads');
      await within(1000, async () => assert.equal(await list(aliceOnA), 403));
    });

    test('a namespace deleted through A refuses creates through B', async (t) => {
      const { servers, close } = await start();
      t.after(close);
      const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
      const ns: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } };
      await a.admin.resource(namespaceKind).create(ns);
      const cm = (name: string): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'doomed' } });
      await b.admin.resource(configMapKind).namespace('doomed').create(cm('before'));
      await a.admin.resource(namespaceKind).delete('doomed');
      // terminating (its finalizer waits for the namespace controller, which does not run here): B refuses new content
      const err = await b.admin
        .resource(configMapKind)
        .namespace('doomed')
        .create(cm('after'))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(err instanceof StatusError && err.code === 403, String(err));
      assert.match(err.message, /because it is being terminated/);
      // a namespace that never existed (or is gone) is refused through either server alike
      for (const s of servers) {
        const c = await codeOf(
          s.admin
            .resource(configMapKind)
            .namespace('never')
            .create({ ...cm('x'), metadata: { name: 'x', namespace: 'never' } }),
        );
        assert.equal(c, 404);
      }
    });

    test('Services created through A and B at once never share a ClusterIP or a NodePort', async (t) => {
      const { servers, close } = await start();
      t.after(close);
      const svc = (i: number): Service => ({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `s${i}`, namespace: 'default' },
        spec: { type: 'NodePort', selector: { app: `a${i}` }, ports: [{ port: 80, protocol: 'TCP' }] },
      });
      // 40 creates in flight at once, alternating servers: both allocators race on the same ranges
      const made = await Promise.all(
        Array.from({ length: 40 }, (_, i) => servers[i % 2]!.admin.resource(serviceKind).namespace('default').create(svc(i))),
      );
      const ips = made.map((s) => s.spec?.clusterIP ?? '');
      const ports = made.map((s) => s.spec?.ports?.[0]?.nodePort ?? 0);
      assert.equal(new Set(ips).size, 40, `cluster IPs: ${ips.join(' ')}`);
      assert.equal(new Set(ports).size, 40, `node ports: ${ports.join(' ')}`);
      assert.ok(ips.every((ip) => ip.startsWith('10.96.')));
      // asking B for an address A gave is refused as taken
      const taken = await codeOf(
        servers[1]!.admin
          .resource(serviceKind)
          .namespace('default')
          .create({ ...svc(99), spec: { ...svc(99).spec, clusterIP: ips[0] } }),
      );
      assert.equal(taken, 422);
      // freed through A (delete), reusable through B
      await servers[0]!.admin.resource(serviceKind).namespace('default').delete('s0');
      const again = await servers[1]!.admin
        .resource(serviceKind)
        .namespace('default')
        .create({ ...svc(100), spec: { ...svc(100).spec, clusterIP: ips[0], ports: [{ port: 80, protocol: 'TCP', nodePort: ports[0] }] } });
      assert.equal(again.spec?.clusterIP, ips[0]);
    });

    test('a watch on B sees every write through A and B once, in revision order', async (t) => {
      const { servers, close } = await start();
      t.after(close);
      const b = servers[1]!;
      const cms = (s: typeof b) => s.admin.resource(configMapKind).namespace('default');
      const from = (await cms(b).list()).metadata?.resourceVersion ?? '0';
      const seen: WatchEvent[] = [];
      const w = b.admin.watch(`/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${from}&allowWatchBookmarks=false`, (ev) =>
        seen.push(ev),
      );
      t.after(() => w.stop());
      // creates, updates and deletes through both servers, many in flight at once
      const N = 60;
      const writes: string[] = [];
      const record = (p: Promise<{ metadata: { resourceVersion?: string } }>) =>
        p.then((o) => writes.push(o.metadata.resourceVersion ?? ''));
      await Promise.all(
        Array.from({ length: N }, (_, i) =>
          record(cms(servers[i % 2]!).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` }, data: { v: '0' } })),
        ),
      );
      await Promise.all(
        Array.from({ length: N }, async (_, i) => {
          const via = cms(servers[(i + 1) % 2]!);
          await record(via.update({ ...(await via.get(`c${i}`)), data: { v: '1' } }));
        }),
      );
      const deleted = await Promise.all(
        Array.from(
          { length: N / 2 },
          (_, i) => cms(servers[i % 2]!).delete(`c${i}`) as Promise<{ metadata?: { resourceVersion?: string } }>,
        ),
      );
      await within(3000, async () => assert.ok(seen.length >= writes.length + deleted.length, `${seen.length} events`));
      await sleep(200); // nothing more arrives
      const revs = seen.map((e) => Number((e.object as { metadata: { resourceVersion: string } }).metadata.resourceVersion));
      assert.equal(seen.length, 2 * N + N / 2, 'every write once');
      assert.deepEqual(
        revs,
        [...revs].sort((x, y) => x - y),
        'in revision order',
      );
      assert.equal(new Set(revs).size, revs.length, 'none twice');
      assert.deepEqual(
        revs.slice(0, 2 * N).sort((x, y) => x - y),
        writes.map(Number).sort((x, y) => x - y),
        'the revisions the writes answered',
      );
      assert.deepEqual(
        seen.map((e) => e.type).sort(),
        [...Array<string>(N).fill('ADDED'), ...Array<string>(N / 2).fill('DELETED'), ...Array<string>(N).fill('MODIFIED')].sort(),
      );
      // the same answer from either server once the writes are done: the list, item for item, at the watch's last revision
      const lists = await Promise.all(servers.map((s) => cms(s).list()));
      assert.equal(lists[0]?.items.length, N / 2);
      assert.deepEqual(lists[0]?.items, lists[1]?.items);
      assert.equal(lists[0]?.metadata?.resourceVersion, lists[1]?.metadata?.resourceVersion);
      assert.equal(Number(lists[0]?.metadata?.resourceVersion), Math.max(...revs));
    });

    test('a ResourceQuota charged through A and B at once admits exactly its hard limit', async (t) => {
      const { servers, close } = await start();
      t.after(close);
      const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
      await a.admin.request('POST', '/api/v1/namespaces/default/resourcequotas', {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'few' },
        spec: { hard: { 'count/configmaps': '10' } },
        status: { hard: { 'count/configmaps': '10' }, used: { 'count/configmaps': '0' } },
      });
      // the quota's status is what both servers charge: give it its hard limit as the quota controller would
      const q = await b.admin.request<{ metadata: object }>('GET', '/api/v1/namespaces/default/resourcequotas/few');
      await b.admin.request('PUT', '/api/v1/namespaces/default/resourcequotas/few/status', {
        ...q,
        status: { hard: { 'count/configmaps': '10' }, used: { 'count/configmaps': '0' } },
      });
      const codes = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          codeOf(
            servers[i % 2]!.admin.resource(configMapKind)
              .namespace('default')
              .create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `q${i}` } }),
          ),
        ),
      );
      const ok = codes.filter((c) => c === 200).length;
      assert.equal(ok, 10, `answers: ${codes.join(' ')}`);
      assert.ok(
        codes.every((c) => c === 200 || c === 403),
        `refusals are quota's 403: ${codes.join(' ')}`,
      );
      const used = await a.admin.request<{ status: { used: Record<string, string> } }>(
        'GET',
        '/api/v1/namespaces/default/resourcequotas/few',
      );
      assert.equal(used.status.used['count/configmaps'], '10');
      assert.equal(
        (await b.admin.resource(configMapKind).namespace('default').list()).items.filter((c) => /^q\d+$/.test(c.metadata.name ?? ''))
          .length,
        10,
      );
    });

    test("a Pod bound to a node through A lets that node read the Pod's Secret through B", async (t) => {
      const { servers, close } = await start();
      t.after(close);
      const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
      for (const name of ['mounted', 'other']) {
        await a.admin.request('POST', '/api/v1/namespaces/default/secrets', {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name },
          data: {},
        });
      }
      const nodeOnB = b.clientWith(NODE_TOKEN);
      const read = (name: string) => codeOf(nodeOnB.request('GET', `/api/v1/namespaces/default/secrets/${name}`));
      assert.equal(await read('mounted'), 403);
      await a.admin.request('POST', '/api/v1/namespaces/default/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: {
          nodeName: 'n1',
          containers: [{ name: 'c', image: 'busybox' }],
          volumes: [{ name: 's', secret: { secretName: 'mounted' } }],
        },
      });
      const { after } = await within(1000, async () => assert.equal(await read('mounted'), 200));
      assert.ok(after < 1000);
      t.diagnostic(`${store}: a Pod bound through A opened its Secret to the node on B after ${after} ms`);
      assert.equal(await read('other'), 403);
      // the Pod deleted through B: A's graph drops the edge too
      await b.admin.request('DELETE', '/api/v1/namespaces/default/pods/p?gracePeriodSeconds=0');
      const nodeOnA = a.clientWith(NODE_TOKEN);
      await within(1000, async () => assert.equal(await codeOf(nodeOnA.request('GET', '/api/v1/namespaces/default/secrets/mounted')), 403));
    });

    test('a LimitRange created through A defaults pods created on B within a second', async (t) => {
      const { servers, close } = await start();
      t.after(close);
      const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
      const pods = '/api/v1/namespaces/default/pods';
      let n = 0;
      const createOnB = () =>
        b.admin.request<{ spec: { containers: Array<{ resources?: { requests?: Record<string, string> } }> } }>('POST', pods, {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `lr-${++n}` },
          spec: { containers: [{ name: 'c', image: 'busybox' }] },
        });
      // B has looked (and found none) before the LimitRange exists: only the store's watch can tell it
      assert.equal((await createOnB()).spec.containers[0]?.resources?.requests?.['cpu'], undefined);
      await a.admin.request('POST', '/api/v1/namespaces/default/limitranges', {
        apiVersion: 'v1',
        kind: 'LimitRange',
        metadata: { name: 'defaults' },
        spec: { limits: [{ type: 'Container', defaultRequest: { cpu: '150m' } }] },
      });
      const { after } = await within(1000, async () => {
        assert.equal((await createOnB()).spec.containers[0]?.resources?.requests?.['cpu'], '150m');
      });
      t.diagnostic(`${store}: a LimitRange created through A applied on B after ${after} ms`);
    });
  });
}
