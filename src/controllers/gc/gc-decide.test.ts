import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, OwnerReference } from '../../api/object.js';
import {
  decideDependent,
  decideForeground,
  decideOrphan,
  finalizerRemovalPatch,
  ownerStateOf,
  refRemovalPatch,
  type OwnerState,
} from './gc-decide.js';

const ref = (uid: string, name = `o-${uid}`): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name, uid });
const obj = (name: string, uid: string, refs: OwnerReference[] = [], extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'd', uid, resourceVersion: '7', ownerReferences: refs, ...extra },
});
const states = (e: Record<string, OwnerState>) => new Map(Object.entries(e));

test('owner state is decided by uid, not by name', () => {
  const r = ref('u1', 'same');
  assert.equal(ownerStateOf(r, undefined), 'absent');
  assert.equal(ownerStateOf(r, obj('same', 'u2')), 'absent', 're-created under the same name is another owner');
  assert.equal(ownerStateOf(r, obj('same', 'u1')), 'solid');
  assert.equal(ownerStateOf(r, obj('same', 'u1', [], { deletionTimestamp: 'x', finalizers: ['foregroundDeletion'] })), 'waiting');
  assert.equal(ownerStateOf(r, obj('same', 'u1', [], { deletionTimestamp: 'x', finalizers: ['orphan'] })), 'solid');
});

test('a dependent is deleted only when none of its owners exists', () => {
  const d = obj('d', 'dd', [ref('a'), ref('b')]);
  assert.deepEqual(decideDependent(d, states({ a: 'absent', b: 'absent' })), { type: 'delete', policy: 'Background' });
  assert.deepEqual(decideDependent(d, states({ a: 'absent', b: 'solid' })), { type: 'removeRefs', uids: ['a'] });
  assert.deepEqual(decideDependent(d, states({ a: 'solid', b: 'solid' })), { type: 'none' });
  assert.deepEqual(decideDependent(d, states({ a: 'absent', b: 'unknown' })), { type: 'none' }, 'undecidable owner: hands off');
  assert.deepEqual(decideDependent(d, states({ a: 'absent' })), { type: 'none' }, 'missing state counts as unknown');
  assert.deepEqual(decideDependent(d, states({ a: 'waiting', b: 'absent' })), { type: 'delete', policy: 'Foreground' });
  assert.deepEqual(decideDependent(d, states({ a: 'waiting', b: 'solid' })), { type: 'removeRefs', uids: ['a'] });
  assert.deepEqual(decideDependent(obj('x', 'x', [ref('a')], { deletionTimestamp: 't' }), states({ a: 'absent' })), { type: 'none' });
  assert.deepEqual(decideDependent(obj('x', 'x'), states({})), { type: 'none' });
});

test('orphaning strips references, then the finalizer', () => {
  const owner = obj('o', 'own', [], { deletionTimestamp: 't', finalizers: ['orphan'] });
  const deps = [obj('a', 'a1', [ref('own'), ref('other')]), obj('b', 'b1', [ref('own')])];
  const acts = decideOrphan(owner, deps);
  assert.deepEqual(
    acts.map((a) => `${a.type}:${a.type === 'removeRef' ? a.obj.metadata.name : ''}`),
    ['removeRef:a', 'removeRef:b'],
  );
  assert.deepEqual(decideOrphan(owner, [obj('c', 'c1', [ref('other')])]), [{ type: 'removeFinalizer', finalizer: 'orphan' }]);
  assert.deepEqual(refRemovalPatch(deps[0]!, ['own']), { metadata: { resourceVersion: '7', ownerReferences: [ref('other')] } });
  assert.deepEqual(refRemovalPatch(deps[1]!, ['own']), { metadata: { resourceVersion: '7', ownerReferences: null } });
});

test('foreground deletion waits for dependents that are still being deleted', () => {
  const owner = obj('o', 'own', [], { deletionTimestamp: 't', finalizers: ['foregroundDeletion', 'custom'] });
  const live = obj('a', 'a1', [ref('own')]);
  const going = obj('b', 'b1', [ref('own')], { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] });
  const shared = obj('c', 'c1', [ref('own'), ref('keeper')]);
  const acts = decideForeground(owner, [live, going, shared], (_d, r) => r.uid === 'keeper');
  assert.deepEqual(
    acts.map((a) => `${a.type}:${a.type === 'removeFinalizer' ? '' : a.obj.metadata.name}`),
    ['deleteDependent:a', 'removeRef:c'],
  );
  assert.deepEqual(
    decideForeground(owner, [going], () => false),
    [],
    'nothing to do but wait',
  );
  assert.deepEqual(
    decideForeground(owner, [], () => false),
    [{ type: 'removeFinalizer', finalizer: 'foregroundDeletion' }],
  );
  assert.deepEqual(finalizerRemovalPatch(owner, 'foregroundDeletion'), { metadata: { resourceVersion: '7', finalizers: ['custom'] } });
});
