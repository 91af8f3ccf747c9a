// The managedFields shortcut must give what the full computation gives, and step aside otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KindDef } from '../../api/kind.js';
import type { AnyObject, JsonObject } from '../../api/object.js';
import { leaseKind } from '../../api/kinds/coordination/lease.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { getDefinition } from '../../api/schema/registry.js';
import { createManagedFieldsJson, updateManagedFields } from '../patch/index.js';
import { unchangedOwnership } from './managed-fast.js';
import { trackWrite } from './managed.js';

const T0 = Date.UTC(2026, 11, 7, 11, 5, 0);
const apiVersionOf = (k: KindDef) => (k.group ? `${k.group}/${k.version}` : k.version);

/** `obj` as `manager` created it: the managedFields the create path stores. */
function created(kind: KindDef, obj: AnyObject, manager: string): AnyObject {
  const mf = createManagedFieldsJson(obj as unknown as JsonObject, {
    manager,
    apiVersion: apiVersionOf(kind),
    time: '2026-12-07T11:00:00Z',
    rootDef: kind.schema,
    lookup: getDefinition,
    ignoreStatus: kind.hasStatus,
  });
  const out = structuredClone(obj);
  out.metadata.managedFields = JSON.parse(mf ?? '[]') as AnyObject['metadata']['managedFields'];
  return out;
}

/** What the full computation (no shortcut) makes of the update. */
function slow(kind: KindDef, old: AnyObject, next: AnyObject, manager: string, sub?: string): unknown {
  const out = updateManagedFields(old as unknown as JsonObject, structuredClone(next) as unknown as JsonObject, {
    manager,
    apiVersion: apiVersionOf(kind),
    time: '2026-12-07T11:05:00Z',
    rootDef: kind.schema,
    lookup: getDefinition,
    ...(sub ? { subresource: sub } : {}),
    ignoreStatus: kind.hasStatus && sub !== 'status',
  });
  return (out['metadata'] as JsonObject)['managedFields'];
}

const lease = (renew: string, extra: Record<string, unknown> = {}) =>
  ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'n1', namespace: 'kube-node-lease', uid: 'u1', creationTimestamp: '2026-12-07T11:00:00Z', ...extra },
    spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: renew },
  }) as unknown as AnyObject;

test('a Lease renewal keeps the managedFields as they were, as the full computation does', () => {
  const old = created(leaseKind, lease('2026-12-07T11:00:00.000000Z'), 'node');
  const next = lease('2026-12-07T11:00:10.000000Z', { resourceVersion: '5' });
  const want = slow(leaseKind, old, next, 'node');
  assert.equal(unchangedOwnership(old, next, 'node', 'coordination.k8s.io/v1', undefined, false), true);
  assert.deepEqual(next.metadata.managedFields, want);
  assert.deepEqual(next.metadata.managedFields, old.metadata.managedFields);
});

test('the shortcut steps aside for another manager, a new field, managedFields sent, a subresource', () => {
  const old = created(leaseKind, lease('2026-12-07T11:00:00.000000Z'), 'node');
  const renewed = () => lease('2026-12-07T11:00:10.000000Z');
  assert.equal(unchangedOwnership(old, renewed(), 'controller', 'coordination.k8s.io/v1', undefined, false), false);
  const added = renewed();
  (added as unknown as { spec: Record<string, unknown> }).spec['leaseTransitions'] = 1;
  assert.equal(unchangedOwnership(old, added, 'node', 'coordination.k8s.io/v1', undefined, false), false);
  const labelled = lease('2026-12-07T11:00:00.000000Z', { labels: { a: 'b' } });
  assert.equal(unchangedOwnership(old, labelled, 'node', 'coordination.k8s.io/v1', undefined, false), false);
  const sent = renewed();
  sent.metadata.managedFields = [];
  assert.equal(unchangedOwnership(old, sent, 'node', 'coordination.k8s.io/v1', undefined, false), false);
  assert.equal(unchangedOwnership(old, renewed(), 'node', 'coordination.k8s.io/v1', 'status', false), false);
  assert.equal(unchangedOwnership(lease('x'), renewed(), 'node', 'coordination.k8s.io/v1', undefined, false), false);
});

test('a field owned by two managers, or a change of another manager field, takes the full path', () => {
  const base = created(leaseKind, lease('2026-12-07T11:00:00.000000Z'), 'node');
  // "other" takes over holderIdentity through the full path; then node's renewal alone is still fast
  const other = lease('2026-12-07T11:00:00.000000Z');
  (other as unknown as { spec: Record<string, unknown> }).spec['holderIdentity'] = 'n2';
  trackWrite(leaseKind, base, other, 'other', 'Update', undefined, T0);
  const renew = lease('2026-12-07T11:00:20.000000Z');
  (renew as unknown as { spec: Record<string, unknown> }).spec['holderIdentity'] = 'n2';
  const want = slow(leaseKind, other, renew, 'node');
  assert.equal(unchangedOwnership(other, structuredClone(renew), 'node', 'coordination.k8s.io/v1', undefined, false), true);
  // and node changing holderIdentity back, now owned by "other", is not
  const back = lease('2026-12-07T11:00:20.000000Z');
  assert.equal(unchangedOwnership(other, back, 'node', 'coordination.k8s.io/v1', undefined, false), false);
  trackWrite(leaseKind, other, back, 'node', 'Update', undefined, T0);
  assert.deepEqual(back.metadata.managedFields, slow(leaseKind, other, lease('2026-12-07T11:00:20.000000Z'), 'node'));
  trackWrite(leaseKind, other, renew, 'node', 'Update', undefined, T0);
  assert.deepEqual(renew.metadata.managedFields, want);
});

test('a pod update that changes only status leaves ownership alone; a spec list change does not take the shortcut', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'd', labels: { app: 'a' } },
    spec: { containers: [{ name: 'c', image: 'i:1' }] },
    status: { phase: 'Pending' },
  } as unknown as AnyObject;
  const old = created(podKind, pod, 'rs');
  const running = structuredClone(pod) as unknown as { status: { phase: string } };
  running.status.phase = 'Running';
  const next = running as unknown as AnyObject;
  assert.equal(unchangedOwnership(old, next, 'kubectl', 'v1', undefined, true), true);
  assert.deepEqual(next.metadata.managedFields, slow(podKind, old, running as unknown as AnyObject, 'kubectl'));
  const relabel = structuredClone(pod);
  (relabel.metadata.labels as Record<string, string>)['app'] = 'b';
  assert.equal(unchangedOwnership(old, structuredClone(relabel), 'rs', 'v1', undefined, true), true);
  assert.deepEqual(
    (() => {
      const n = structuredClone(relabel);
      unchangedOwnership(old, n, 'rs', 'v1', undefined, true);
      return n.metadata.managedFields;
    })(),
    slow(podKind, old, relabel, 'rs'),
  );
  const image = structuredClone(pod) as unknown as { spec: { containers: { image: string }[] } };
  image.spec.containers[0]!.image = 'i:2';
  assert.equal(unchangedOwnership(old, image as unknown as AnyObject, 'rs', 'v1', undefined, true), false);
});
