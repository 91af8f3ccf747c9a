import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Ingress, IngressClass } from '../../api/gen/types.js';
import { ingressKind } from '../../api/kinds/networking/ingress.js';
import { ingressClassKind } from '../../api/kinds/networking/ingress-class.js';
import type { AnyObject } from '../../api/object.js';
import { createDefaultIngressClassPlugin, pickDefaultIngressClass } from './default-ingress-class.js';
import type { AdmissionRequest } from './plugin.js';

const cls = (name: string, created: string, isDefault: boolean): IngressClass => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: {
    name,
    creationTimestamp: created,
    ...(isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}),
  },
  spec: { controller: 'example.com/c' },
});

const request = (object: Ingress, over: Partial<AdmissionRequest> = {}): AdmissionRequest => ({
  operation: 'CREATE',
  kind: ingressKind as never,
  subresource: undefined,
  namespace: 'default',
  name: object.metadata.name ?? '',
  object: object as unknown as AnyObject,
  oldObject: undefined,
  user: { name: 'u', uid: 'u', groups: [] },
  dryRun: false,
  warn: () => undefined,
  ...over,
});
const ingress = (spec: Ingress['spec'] = {}, annotations?: Record<string, string>): Ingress => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'i', namespace: 'default', ...(annotations ? { annotations } : {}) },
  spec,
});

test('the newest default IngressClass wins; same age, the first name', () => {
  const old = cls('old', '2024-01-01T00:00:00Z', true);
  const young = cls('young', '2024-06-01T00:00:00Z', true);
  const plain = cls('plain', '2025-01-01T00:00:00Z', false);
  assert.equal(pickDefaultIngressClass([old, young, plain])?.metadata.name, 'young');
  assert.equal(
    pickDefaultIngressClass([cls('b', '2024-01-01T00:00:00Z', true), cls('a', '2024-01-01T00:00:00Z', true)])?.metadata.name,
    'a',
  );
  assert.equal(pickDefaultIngressClass([plain]), undefined);
});

test('DefaultIngressClass sets the class only on creates that name none', async () => {
  const plugin = createDefaultIngressClassPlugin(async () => [cls('nginx', '2024-01-01T00:00:00Z', true)]);
  const a = ingress();
  assert.equal(await plugin.mutate!(request(a)), true);
  assert.equal(a.spec?.ingressClassName, 'nginx');
  const named = ingress({ ingressClassName: 'other' });
  assert.equal(await plugin.mutate!(request(named)), false);
  assert.equal(named.spec?.ingressClassName, 'other');
  const legacy = ingress({}, { 'kubernetes.io/ingress.class': 'traefik' });
  assert.equal(await plugin.mutate!(request(legacy)), false);
  assert.equal(legacy.spec?.ingressClassName, undefined);
  const updated = ingress();
  assert.equal(await plugin.mutate!(request(updated, { operation: 'UPDATE' })), false);
  assert.equal(await plugin.mutate!(request(ingress(), { kind: ingressClassKind as never })), false);
  const none = createDefaultIngressClassPlugin(async () => []);
  assert.equal(await none.mutate!(request(ingress())), false);
});
