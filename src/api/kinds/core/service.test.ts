import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../../base/errors.js';
import { defaultService, serviceKind, validateService } from './service.js';
import type { Service as ServiceT } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';

type Service = UnvalidatedObject<ServiceT>;

const NOW = Date.parse('2024-05-01T12:00:00Z');
function svc(spec: Service['spec']): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T11:59:30Z' },
    spec,
  };
}

test('service defaults', () => {
  const s = svc({ selector: { app: 'web' }, ports: [{ port: 80 }] });
  defaultService(s);
  assert.deepEqual(s.spec, {
    selector: { app: 'web' },
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    type: 'ClusterIP',
    sessionAffinity: 'None',
    internalTrafficPolicy: 'Cluster',
    ipFamilyPolicy: 'SingleStack',
    ipFamilies: ['IPv4'],
  });
  const np = svc({ type: 'NodePort', ports: [{ port: 80, targetPort: 'http' }] });
  defaultService(np);
  assert.equal(np.spec?.externalTrafficPolicy, 'Cluster');
  assert.equal(np.spec?.ports?.[0]?.targetPort, 'http');
  const ext = svc({ type: 'ExternalName', externalName: 'example.com' });
  defaultService(ext);
  assert.equal(ext.spec?.ipFamilies, undefined);
  assert.deepEqual(validateService(ext, undefined), []);
});

test('service validation', () => {
  const s = svc({ type: 'Magic', ports: [{ port: 70000, name: 'a' }, { port: 81 }] });
  defaultService(s);
  assert.deepEqual(validateService(s, undefined).map(fieldErrorText), [
    'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    'spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.ports[1].name: Required value',
  ]);
  const noPorts = svc({ selector: { app: 'x' } });
  defaultService(noPorts);
  assert.deepEqual(validateService(noPorts, undefined).map(fieldErrorText), ['spec.ports: Required value']);
  const cip = svc({ type: 'ClusterIP', ports: [{ port: 80, nodePort: 30080 }] });
  defaultService(cip);
  assert.deepEqual(validateService(cip, undefined).map(fieldErrorText), [
    "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
  ]);
});

test('clusterIP is immutable once set', () => {
  const old = svc({ ports: [{ port: 80 }], clusterIP: '10.96.0.10' });
  defaultService(old);
  const next = structuredClone(old);
  next.spec!.clusterIP = '10.96.0.11';
  assert.deepEqual(validateService(next, old).map(fieldErrorText), ['spec.clusterIP: Invalid value: "10.96.0.11": field is immutable']);
});

test('service rows', () => {
  const s = svc({
    type: 'NodePort',
    clusterIP: '10.96.0.10',
    clusterIPs: ['10.96.0.10'],
    selector: { app: 'web' },
    ports: [
      { port: 80, nodePort: 30080, protocol: 'TCP' },
      { port: 53, protocol: 'UDP' },
    ],
  });
  assert.deepEqual(serviceKind.table.row(s, NOW), ['web', 'NodePort', '10.96.0.10', '<none>', '80:30080/TCP,53/UDP', '30s', 'app=web']);
  const lb = svc({ type: 'LoadBalancer', clusterIPs: ['10.96.0.12'], ports: [{ port: 443, protocol: 'TCP' }] });
  assert.equal(serviceKind.table.row(lb, NOW)[3], '<pending>');
  lb.status = { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } };
  assert.equal(serviceKind.table.row(lb, NOW)[3], '1.2.3.4');
  const ext = svc({ type: 'ExternalName', externalName: 'db.example.com' });
  assert.deepEqual(serviceKind.table.row(ext, NOW).slice(2, 5), ['<none>', 'db.example.com', '<none>']);
  assert.equal(serviceKind.nameRule, 'dns1035-label');
  assert.deepEqual(serviceKind.shortNames, ['svc']);
});
