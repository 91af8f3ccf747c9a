// The `kubernetes` Service's endpoints with two API servers on one store: both addresses appear, a
// stopping server takes itself out, a dead one goes once its Lease is older than the 15 s TTL.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Endpoints, Lease } from '../api/gen/types.js';
import { endpointSliceKind } from '../api/kinds/discovery/endpoint-slice.js';
import { endpointsKind } from '../api/kinds/core/endpoints.js';
import { leaseKind } from '../api/kinds/coordination/lease.js';
import { nullLogger } from '../base/log.js';
import type { RestClient } from '../client/rest-client.js';
import { collectExpiredIdentityLeases, identityLeaseName } from './apiserver-identity.js';
import { reconcileKubernetesEndpoints, startKubernetesEndpoints } from './kubernetes-endpoints.js';
import { startServersOnOneStore } from './testing/two-servers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually(ms: number, check: () => Promise<void>): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() - t0 > ms) throw e;
      await sleep(25);
    }
  }
}

/** `ip:port` of every address in the Endpoints and in the EndpointSlices of the Service, each sorted. */
async function published(c: RestClient): Promise<{ endpoints: string[]; slices: string[] }> {
  const eps = await c.resource(endpointsKind).namespace('default').get('kubernetes');
  const slices = await c.resource(endpointSliceKind).namespace('default').list({ labelSelector: 'kubernetes.io/service-name=kubernetes' });
  const fromEps = (e: Endpoints) => (e.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => `${a.ip}:${s.ports?.[0]?.port ?? 0}`));
  const fromSlice = (s: EndpointSlice) => s.endpoints.flatMap((e) => e.addresses.map((ip) => `${ip}:${s.ports?.[0]?.port ?? 0}`));
  return { endpoints: fromEps(eps).sort(), slices: slices.items.flatMap(fromSlice).sort() };
}

const identityLeases = async (c: RestClient) =>
  (await c.resource(leaseKind).namespace('kube-system').list({ labelSelector: 'apiserver.kubernetes.io/identity=kube-apiserver' })).items;

test('two servers: both addresses published with their identity Leases; a stopping one takes itself out', async (t) => {
  const { servers, close } = await startServersOnOneStore(2);
  const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
  // as in production every server serves on one port; different addresses
  const ea = startKubernetesEndpoints({ client: a.admin, ip: '10.0.0.12', port: 6443, log: nullLogger, intervalMs: 100, hostname: 'cp-a' });
  const eb = startKubernetesEndpoints({ client: b.admin, ip: '10.0.0.11', port: 6443, log: nullLogger, intervalMs: 100, hostname: 'cp-b' });
  t.after(async () => {
    await ea.stop();
    await eb.stop();
    await close();
  });
  await eventually(3000, async () => {
    for (const s of servers) {
      assert.deepEqual(await published(s.admin), {
        endpoints: ['10.0.0.11:6443', '10.0.0.12:6443'],
        slices: ['10.0.0.11:6443', '10.0.0.12:6443'],
      });
    }
  });
  // one slice for one port, and one subset: upstream's shape
  const eps = await a.admin.resource(endpointsKind).namespace('default').get('kubernetes');
  assert.deepEqual(eps.subsets, [
    { addresses: [{ ip: '10.0.0.11' }, { ip: '10.0.0.12' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] },
  ]);
  const leases = await identityLeases(a.admin);
  assert.deepEqual(
    leases.map((l) => l.metadata.name).sort(),
    [identityLeaseName('cp-a', '10.0.0.12:6443'), identityLeaseName('cp-b', '10.0.0.11:6443')].sort(),
  );
  for (const l of leases) {
    assert.match(l.metadata.name ?? '', /^apiserver-[a-z2-7]{26}$/);
    assert.equal(l.spec?.leaseDurationSeconds, 3600);
    assert.match(l.spec?.holderIdentity ?? '', new RegExp(`^${l.metadata.name}_[0-9a-f-]{36}$`));
    assert.ok(['cp-a', 'cp-b'].includes(l.metadata.labels?.['kubernetes.io/hostname'] ?? ''));
  }
  // the objects are kept: an edit is undone by either server
  await b.admin
    .resource(endpointsKind)
    .namespace('default')
    .update({ ...eps, subsets: [] });
  await eventually(3000, async () => assert.equal((await published(a.admin)).endpoints.length, 2));

  // B stops: its Lease is deleted, its address leaves at once (A's next pass would too)
  await eb.stop();
  assert.deepEqual(await published(a.admin), { endpoints: ['10.0.0.12:6443'], slices: ['10.0.0.12:6443'] });
  assert.deepEqual(
    (await identityLeases(a.admin)).map((l) => l.metadata.name),
    [identityLeaseName('cp-a', '10.0.0.12:6443')],
  );
  await sleep(300); // A's passes keep it so
  assert.deepEqual((await published(b.admin)).endpoints, ['10.0.0.12:6443']);
});

test('a server that died (Lease not renewed) is dropped after the 15 s TTL, its Lease collected after its duration', async (t) => {
  const { servers, close } = await startServersOnOneStore(2);
  t.after(close);
  const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
  // B renews once and dies without stopping (its server closes, its timer finds no one)
  const eb = startKubernetesEndpoints({
    client: b.admin,
    ip: '10.0.0.21',
    port: 6443,
    log: nullLogger,
    intervalMs: 60_000,
    hostname: 'cp-b',
  });
  await eventually(3000, async () => assert.equal((await identityLeases(a.admin)).length, 1));
  await b.stop();
  t.after(() => eb.stop());
  const now = Date.now();
  await reconcileKubernetesEndpoints(a.admin, '10.0.0.22', 6443, { now });
  assert.deepEqual((await published(a.admin)).endpoints, ['10.0.0.21:6443', '10.0.0.22:6443']);
  // 16 s later by A's clock, B's Lease (renewed at `now`) is past the endpoint TTL though not expired
  await reconcileKubernetesEndpoints(a.admin, '10.0.0.22', 6443, { now: now + 16_000 });
  assert.deepEqual(await published(a.admin), { endpoints: ['10.0.0.22:6443'], slices: ['10.0.0.22:6443'] });
  assert.deepEqual(await collectExpiredIdentityLeases(a.admin, now + 16_000), []);
  // past its hour the Lease itself is collected
  const gone = await collectExpiredIdentityLeases(a.admin, now + 3601_000);
  assert.deepEqual(gone, [identityLeaseName('cp-b', '10.0.0.21:6443')]);
});

test('servers on one host with different ports: one subset and one slice per port, stale port slices removed', async (t) => {
  const { servers, close } = await startServersOnOneStore(1);
  t.after(close);
  const c = servers[0]!.admin;
  const lease = (ep: string, renewed: number): Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: identityLeaseName('h', ep),
      namespace: 'kube-system',
      labels: { 'apiserver.kubernetes.io/identity': 'kube-apiserver' },
      annotations: { 'tandem.dev/apiserver-endpoint': ep },
    },
    spec: { holderIdentity: 'x', leaseDurationSeconds: 3600, renewTime: new Date(renewed).toISOString().replace('Z', '000Z') },
  });
  const now = Date.now();
  await c.resource(leaseKind).namespace('kube-system').create(lease('127.0.0.1:7001', now));
  await c.resource(leaseKind).namespace('kube-system').create(lease('127.0.0.1:7000', now));
  // malformed addresses are ignored rather than published
  await c
    .resource(leaseKind)
    .namespace('kube-system')
    .create({
      ...lease('not-an-address', now),
      metadata: { ...lease('x:1', now).metadata, name: 'apiserver-bad', annotations: { 'tandem.dev/apiserver-endpoint': 'nope:99999' } },
    });
  await reconcileKubernetesEndpoints(c, '127.0.0.1', 7002, { now });
  const eps = await c.resource(endpointsKind).namespace('default').get('kubernetes');
  assert.deepEqual(
    eps.subsets?.map((s) => [s.addresses?.map((x) => x.ip), s.ports?.[0]?.port]),
    [
      [['127.0.0.1'], 7000],
      [['127.0.0.1'], 7001],
      [['127.0.0.1'], 7002],
    ],
  );
  const names = async () =>
    (await c.resource(endpointSliceKind).namespace('default').list({ labelSelector: 'kubernetes.io/service-name=kubernetes' })).items
      .map((s) => `${s.metadata.name}=${s.ports?.[0]?.port}`)
      .sort();
  assert.deepEqual(await names(), ['kubernetes-7001=7001', 'kubernetes-7002=7002', 'kubernetes=7000']);
  // the other two leave: their slices go, `kubernetes` carries the one left
  await reconcileKubernetesEndpoints(c, '127.0.0.1', 7002, { now: now + 16_000 });
  assert.deepEqual(await names(), ['kubernetes=7002']);
});
