// The owner chain the disruption controller follows to a pod controller's replicas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, OwnerReference, ReplicaSet } from '../../api/gen/types.js';
import type { KindDef } from '../../api/kind.js';
import { deploymentKind } from '../../api/kinds/apps/deployment.js';
import { createScaleFinder } from './scale-finder.js';

const ref = (kind: string, name: string, uid: string, apiVersion = 'apps/v1'): OwnerReference => ({
  apiVersion,
  kind,
  name,
  uid,
  controller: true,
});
const rs = (name: string, uid: string, replicas: number, owner?: OwnerReference): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name, namespace: 'ns', uid, ...(owner ? { ownerReferences: [owner] } : {}) },
  spec: { replicas, selector: {} },
});
const dep = (name: string, uid: string, replicas: number): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'ns', uid },
  spec: { replicas, selector: {}, template: {} },
});
// a kind with a scale subresource, as the StatefulSet kind serves one
const statefulSetKind = { ...deploymentKind, kind: 'StatefulSet', plural: 'statefulsets' } as KindDef;

test('ReplicaSet, the Deployment behind it, and any owner with a scale subresource', async () => {
  const scales: string[] = [];
  const find = createScaleFinder({
    replicaSet: (k) => ({ 'ns/plain': rs('plain', 'rs1', 4), 'ns/web-abc': rs('web-abc', 'rs2', 2, ref('Deployment', 'web', 'd1')) })[k],
    deployment: (k) => ({ 'ns/web': dep('web', 'd1', 5) })[k],
    kind: (g, v, k) => (g === 'apps' && v === 'v1' && k === 'StatefulSet' ? statefulSetKind : undefined),
    async scale(kind, ns, name) {
      scales.push(`${kind.plural}/${ns}/${name}`);
      return name === 'db' ? { metadata: { uid: 's1' }, spec: { replicas: 3 } } : undefined;
    },
  });
  assert.deepEqual(await find(ref('ReplicaSet', 'plain', 'rs1'), 'ns'), { uid: 'rs1', scale: 4 });
  // a ReplicaSet of a Deployment counts the Deployment's replicas, under the Deployment's uid
  assert.deepEqual(await find(ref('ReplicaSet', 'web-abc', 'rs2'), 'ns'), { uid: 'd1', scale: 5 });
  assert.deepEqual(await find(ref('Deployment', 'web', 'd1'), 'ns'), { uid: 'd1', scale: 5 });
  assert.deepEqual(await find(ref('StatefulSet', 'db', 's1'), 'ns'), { uid: 's1', scale: 3 });
  assert.deepEqual(scales, ['statefulsets/ns/db']);
  // a different object under the same name, an unknown kind, a kind without scale: not found
  assert.equal(await find(ref('ReplicaSet', 'plain', 'other'), 'ns'), undefined);
  assert.equal(await find(ref('StatefulSet', 'db', 'other'), 'ns'), undefined);
  assert.equal(await find(ref('Widget', 'w', 'x', 'example.com/v1'), 'ns'), undefined);
});
