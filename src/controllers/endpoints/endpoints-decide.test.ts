import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Pod, Service } from '../../api/gen/types.js';
import { desiredSubsets } from './endpoints-decide.js';
import { planSlices } from './slices-decide.js';

const svc = (extra: Record<string, unknown> = {}): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 's', namespace: 'ns', uid: 'su' },
  spec: { selector: { app: 'a' }, ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }], ...extra },
});
const pod = (i: number, ready = true, extra: Partial<Pod['metadata']> = {}, portName = 'web'): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `p${i}`, namespace: 'ns', uid: `u${i}`, labels: { app: 'a' }, ...extra },
  spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ name: portName, containerPort: 8080 }] }] },
  status: { phase: 'Running', podIP: `10.0.0.${i}`, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

test('Endpoints: ready and not-ready addresses, named target ports, terminating and IP-less pods left out', () => {
  const pods = [
    pod(2),
    pod(1),
    pod(3, false),
    pod(4, true, { deletionTimestamp: 'x' }),
    { ...pod(5), status: { phase: 'Pending' } },
    pod(6, true, {}, 'other'),
  ];
  const ss = desiredSubsets(svc(), pods);
  assert.equal(ss.length, 1);
  assert.deepEqual(
    ss[0]?.addresses?.map((a) => a.ip),
    ['10.0.0.1', '10.0.0.2'],
  );
  assert.deepEqual(
    ss[0]?.notReadyAddresses?.map((a) => a.ip),
    ['10.0.0.3'],
  );
  assert.deepEqual(ss[0]?.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  const pub = desiredSubsets(svc({ publishNotReadyAddresses: true }), pods);
  assert.equal(pub[0]?.addresses?.length, 4, 'publishNotReadyAddresses: not-ready and terminating pods count as ready');
});

test('EndpointSlices: 100 per slice, conditions, stable placement, one placeholder when empty', () => {
  const pods = Array.from({ length: 150 }, (_, i) => pod(i + 1, i % 2 === 0));
  const plan = planSlices(svc(), pods, []);
  assert.equal(plan.create.length, 2);
  assert.deepEqual(
    plan.create.map((s) => s.endpoints?.length),
    [100, 50],
  );
  const first = plan.create[0];
  assert.equal(first?.metadata.labels?.['kubernetes.io/service-name'], 's');
  assert.equal(first?.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.equal(first?.addressType, 'IPv4');
  assert.deepEqual(first?.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  const existing: EndpointSlice[] = plan.create.map((s, i) => ({ ...s, metadata: { ...s.metadata, name: `s-${i}` } }));
  assert.deepEqual(planSlices(svc(), pods, existing), { create: [], update: [], delete: [] }, 'nothing changed: no writes');
  const term = planSlices(svc(), [...pods.slice(0, 149), pod(150, true, { deletionTimestamp: 'x' })], existing);
  assert.equal(term.update.length, 1, 'one pod changes: one slice written');
  const ep = term.update[0]?.endpoints?.find((e) => e.addresses?.[0] === '10.0.0.150');
  assert.deepEqual(ep?.conditions, { ready: false, serving: true, terminating: true });
  const empty = planSlices(svc(), [], existing);
  assert.equal(empty.update.length + empty.create.length, 1);
  assert.equal(empty.delete.length, 1);
});
