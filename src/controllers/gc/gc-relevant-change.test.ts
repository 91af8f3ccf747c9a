// Which updates the garbage collector acts on: owners, deletion and finalizers, never status or Lease renewals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { gcRelevantChange } from './gc-controller.js';

const lease = (renewTime: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject =>
  ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: 'n1',
      namespace: 'kube-node-lease',
      uid: 'u1',
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'node-uid' }],
      ...extra,
    },
    spec: { renewTime },
  }) as KubeObject;

test('a Lease renewal (spec only) is not a change the garbage collector acts on', () => {
  assert.equal(gcRelevantChange(lease('2026-12-07T10:00:00.000000Z'), lease('2026-12-07T10:00:10.000000Z')), false);
});

test('changed owners, a deletion or changed finalizers are', () => {
  const base = lease('t');
  assert.equal(gcRelevantChange(base, lease('t', { ownerReferences: [] })), true);
  assert.equal(
    gcRelevantChange(base, lease('t', { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'other-uid' }] })),
    true,
  );
  assert.equal(gcRelevantChange(base, lease('t', { deletionTimestamp: '2026-12-07T10:00:00Z' })), true);
  assert.equal(gcRelevantChange(base, lease('t', { finalizers: ['foregroundDeletion'] })), true);
});
