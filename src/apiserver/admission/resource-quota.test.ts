import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ResourceQuota } from '../../api/gen/types.js';
import { kindByResource } from '../../api/kinds/index.js';
import type { AnyObject } from '../../api/object.js';
import { isStatusError } from '../../base/errors.js';
import { createMemoryBackend } from '../../storage/memory/memory-backend.js';
import type { Backend } from '../../storage/backend.js';
import type { UserInfo } from '../auth/user.js';
import { decodeStored } from '../registry/codec.js';
import type { AdmissionPlugin, AdmissionRequest } from './plugin.js';
import { createResourceQuotaAdmission } from './resource-quota.js';

const run = async (p: AdmissionPlugin, r: AdmissionRequest) => {
  await p.validate?.(r);
};

const QKEY = (name: string) => `/registry/core/resourcequotas/ns/${name}`;
const user: UserInfo = { name: 'u', groups: [] };

async function storeQuota(
  b: Backend,
  name: string,
  hard: Record<string, string>,
  used: Record<string, string>,
  extra: Partial<ResourceQuota['spec']> = {},
) {
  const q: ResourceQuota = {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name, namespace: 'ns' },
    spec: { hard, ...extra },
    status: { hard, used },
  };
  await b.create(QKEY(name), JSON.stringify(q));
}
const usedOf = async (b: Backend, name: string) => {
  const kv = await b.get(QKEY(name));
  return kv ? decodeStored<ResourceQuota>(kv.value, kv.modRevision).status?.used : undefined;
};

const pod = (
  name: string,
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> },
  extra: Partial<Pod['spec']> = {},
): AnyObject =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns' },
    spec: { containers: [{ name: 'c', image: 'i', ...(resources ? { resources } : {}) }], ...extra },
    status: { phase: 'Pending' },
  }) as unknown as AnyObject;

const req = (plural: string, obj: AnyObject, dryRun = false): AdmissionRequest => ({
  operation: 'CREATE',
  kind: kindByResource('', 'v1', plural)!,
  subresource: undefined,
  namespace: 'ns',
  name: obj.metadata.name ?? '',
  object: obj,
  oldObject: undefined,
  user,
  dryRun,
  warn: () => undefined,
});
const forbidden = (msg: string) => (e: unknown) => {
  assert.ok(isStatusError(e), String(e));
  assert.equal(e.code, 403);
  assert.equal(e.message, msg);
  return true;
};

test('a create over the quota is refused with upstream message; one under it is charged into status.used', async () => {
  const b = createMemoryBackend();
  await storeQuota(
    b,
    'compute',
    { pods: '2', 'requests.cpu': '1', 'limits.memory': '1Gi' },
    { pods: '1', 'requests.cpu': '500m', 'limits.memory': '0' },
  );
  const plugin = createResourceQuotaAdmission({ backend: b });
  await run(plugin, req('pods', pod('a', { requests: { cpu: '300m' }, limits: { cpu: '300m', memory: '256Mi' } })));
  assert.deepEqual(await usedOf(b, 'compute'), { pods: '2', 'requests.cpu': '800m', 'limits.memory': '256Mi' });
  await assert.rejects(
    run(plugin, req('pods', pod('b', { requests: { cpu: '300m' }, limits: { memory: '1Gi' } }))),
    forbidden(
      'pods "b" is forbidden: exceeded quota: compute, requested: limits.memory=1Gi,pods=1,requests.cpu=300m, used: limits.memory=256Mi,pods=2,requests.cpu=800m, limited: limits.memory=1Gi,pods=2,requests.cpu=1',
    ),
  );
  assert.deepEqual(
    await usedOf(b, 'compute'),
    { pods: '2', 'requests.cpu': '800m', 'limits.memory': '256Mi' },
    'a refusal charges nothing',
  );
});

test('a pod leaving out what the quota constrains is refused: must specify …', async () => {
  const b = createMemoryBackend();
  await storeQuota(b, 'q', { 'limits.cpu': '2', 'requests.memory': '1Gi' }, { 'limits.cpu': '0', 'requests.memory': '0' });
  const plugin = createResourceQuotaAdmission({ backend: b });
  const p = pod('x', { requests: { cpu: '1' } });
  (p['spec'] as { containers: unknown[] }).containers.push({ name: 'side', image: 'i', resources: { limits: { cpu: '1' } } });
  await assert.rejects(
    run(plugin, req('pods', p)),
    forbidden('pods "x" is forbidden: failed quota: q: must specify limits.cpu for: c; requests.memory for: c,side'),
  );
});

test('quotas without reported usage refuse; scoped quotas count only the pods in scope; other kinds count objects', async () => {
  const b = createMemoryBackend();
  await storeQuota(b, 'fresh', { configmaps: '3' }, {});
  const plugin = createResourceQuotaAdmission({ backend: b });
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', namespace: 'ns' } } as unknown as AnyObject;
  await assert.rejects(
    run(plugin, req('configmaps', cm)),
    forbidden('configmaps "c1" is forbidden: status unknown for quota: fresh, resources: configmaps'),
  );

  const b2 = createMemoryBackend();
  await storeQuota(b2, 'besteffort', { pods: '1' }, { pods: '1' }, { scopes: ['BestEffort'] });
  await storeQuota(
    b2,
    'objects',
    { 'count/configmaps': '1', configmaps: '5', services: '1' },
    { 'count/configmaps': '0', configmaps: '0', services: '0' },
  );
  const p2 = createResourceQuotaAdmission({ backend: b2 });
  await run(p2, req('pods', pod('guaranteed', { requests: { cpu: '1' }, limits: { cpu: '1' } })));
  await assert.rejects(
    run(p2, req('pods', pod('be'))),
    forbidden('pods "be" is forbidden: exceeded quota: besteffort, requested: pods=1, used: pods=1, limited: pods=1'),
  );
  await run(p2, req('configmaps', cm));
  assert.deepEqual(await usedOf(b2, 'objects'), { 'count/configmaps': '1', configmaps: '1', services: '0' });
  await assert.rejects(
    run(p2, req('configmaps', { ...cm, metadata: { name: 'c2', namespace: 'ns' } })),
    forbidden(
      'configmaps "c2" is forbidden: exceeded quota: objects, requested: count/configmaps=1, used: count/configmaps=1, limited: count/configmaps=1',
    ),
  );
  // dry run: checked, not charged
  const b3 = createMemoryBackend();
  await storeQuota(b3, 'q', { pods: '5' }, { pods: '0' });
  await createResourceQuotaAdmission({ backend: b3 }).validate!(req('pods', pod('d'), true));
  assert.deepEqual(await usedOf(b3, 'q'), { pods: '0' });
});

test('parallel creates never overshoot: 20 at once against pods=7 admit exactly 7', async () => {
  const b = createMemoryBackend();
  await storeQuota(b, 'q', { pods: '7' }, { pods: '0' });
  // two plugin instances stand for two writers (the lanes of one do not see the other's): the compare-and-swap decides
  const p1 = createResourceQuotaAdmission({ backend: b });
  const p2 = createResourceQuotaAdmission({ backend: b });
  const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => (i % 2 ? p1 : p2).validate!(req('pods', pod(`p${i}`)))));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 7);
  for (const r of results)
    if (r.status === 'rejected') assert.match(String(r.reason), /exceeded quota: q, requested: pods=1, used: pods=7, limited: pods=7/);
  assert.deepEqual(await usedOf(b, 'q'), { pods: '7' });
});

test('a Service update is charged what it adds: ClusterIP to NodePort takes node ports', async () => {
  const b = createMemoryBackend();
  await storeQuota(b, 'svc', { services: '5', 'services.nodeports': '2' }, { services: '1', 'services.nodeports': '0' });
  const plugin = createResourceQuotaAdmission({ backend: b });
  const svc = (type: string, ports: number) =>
    ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'ns' },
      spec: { type, ports: Array.from({ length: ports }, (_, i) => ({ port: 80 + i })) },
    }) as unknown as AnyObject;
  const update = (next: AnyObject, prev: AnyObject): AdmissionRequest => ({
    ...req('services', next),
    operation: 'UPDATE',
    oldObject: prev,
  });
  await run(plugin, update(svc('ClusterIP', 2), svc('ClusterIP', 1)));
  assert.deepEqual(await usedOf(b, 'svc'), { services: '1', 'services.nodeports': '0' }, 'nothing added');
  await run(plugin, update(svc('NodePort', 2), svc('ClusterIP', 2)));
  assert.deepEqual(await usedOf(b, 'svc'), { services: '1', 'services.nodeports': '2' });
  await assert.rejects(
    run(plugin, update(svc('NodePort', 3), svc('NodePort', 2))),
    forbidden(
      'services "web" is forbidden: exceeded quota: svc, requested: services.nodeports=1, used: services.nodeports=2, limited: services.nodeports=2',
    ),
  );
});
