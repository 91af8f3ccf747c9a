// Decoded FieldsV1 are shared by text and an untouched entry keeps its encoded form: the results
// must be exactly those of decoding and encoding every entry afresh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject, ManagedFieldsEntry } from '../../api/object.js';
import { FieldSet } from './field-set.js';
import { decodeManagers, encodeManagers } from './managers.js';
import { updateManagedFields } from './managed-fields.js';
import { DEPLOYMENT, lookup } from './testing/fixture.js';

const T1 = '2025-01-01T00:00:00Z';
const T2 = '2025-01-02T00:00:00Z';

/** encodeManagers without the reuse: every set encoded afresh. */
const fresh = (list: ManagedFieldsEntry[]) =>
  encodeManagers([...decodeManagers(list).values()].map((m) => ({ ...m, set: FieldSet.fromFieldsV1(m.set.toFieldsV1()) })));

test('meets says whether two sets share a member path', () => {
  const a = FieldSet.fromPaths([
    ['f:spec', 'f:replicas'],
    ['f:metadata', 'f:labels', 'f:app'],
  ]);
  assert.equal(a.meets(FieldSet.fromPaths([['f:spec', 'f:replicas']])), true);
  assert.equal(a.meets(FieldSet.fromPaths([['f:spec']])), false, 'a prefix is not a member');
  assert.equal(a.meets(FieldSet.fromPaths([['f:spec', 'f:paused'], ['f:status']])), false);
  assert.equal(a.meets(new FieldSet()), false);
  assert.equal(FieldSet.fromPaths([['f:spec']]).meets(FieldSet.fromPaths([['f:spec']])), true);
});

test('entries come back as they were given when canonical, re-encoded when not', () => {
  const canonical: ManagedFieldsEntry = {
    manager: 'a',
    operation: 'Update',
    apiVersion: 'apps/v1',
    time: T1,
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:spec': { '.': {}, 'f:replicas': {} } },
  };
  // unsorted members and a `".": {}` on a leaf: the same set, another text
  const odd: ManagedFieldsEntry = {
    manager: 'b',
    operation: 'Update',
    apiVersion: 'apps/v1',
    time: T1,
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:spec': { 'f:paused': { '.': {} }, 'f:minReadySeconds': {} } },
  };
  for (let round = 0; round < 2; round++) {
    const list = structuredClone([canonical, odd]);
    const out = encodeManagers(decodeManagers(list).values());
    assert.deepEqual(out, fresh(structuredClone([canonical, odd])));
    assert.equal(JSON.stringify(out), JSON.stringify(fresh(structuredClone([canonical, odd]))), 'same text, same key order');
    assert.equal(out[0]?.fieldsV1, list[0]?.fieldsV1, 'the canonical entry is reused');
    assert.notEqual(out[1]?.fieldsV1, list[1]?.fieldsV1);
    assert.deepEqual(out[1]?.fieldsV1, { 'f:spec': { 'f:minReadySeconds': {}, 'f:paused': {} } });
  }
  // a bad entry is still a 400 naming it, also after its text was seen valid elsewhere
  assert.throws(() => decodeManagers([{ manager: 'x', operation: 'Update', fieldsV1: { 'q:bad': {} } }]), /managedFields\[0\]\.fieldsV1/);
});

test('an update keeps untouched entries and changes touched ones, as a fresh computation does', () => {
  const dep = (replicas: number, paused?: boolean): JsonObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas, ...(paused !== undefined ? { paused } : {}), selector: { matchLabels: { app: 'web' } } },
  });
  const o = { apiVersion: 'apps/v1', rootDef: DEPLOYMENT, lookup, ignoreStatus: true };
  const v1 = updateManagedFields(undefined, dep(1), { ...o, manager: 'creator', time: T1 });
  const v2 = updateManagedFields(v1, dep(1, true), { ...o, manager: 'pauser', time: T1 });
  const v3 = updateManagedFields(v2, dep(3, true), { ...o, manager: 'scaler', time: T2 });
  const mf = (x: JsonObject) => (x['metadata'] as JsonObject)['managedFields'] as unknown as ManagedFieldsEntry[];
  const byName = (x: JsonObject, n: string) => mf(x).find((e) => e.manager === n);
  // pauser's entry is untouched by the scale: the very object, same time
  assert.equal(byName(v3, 'pauser')?.fieldsV1, byName(v2, 'pauser')?.fieldsV1);
  assert.equal(byName(v3, 'pauser')?.time, T1);
  // creator lost spec.replicas
  assert.deepEqual(byName(v3, 'creator')?.fieldsV1, { 'f:spec': { 'f:selector': {} } });
  assert.deepEqual(byName(v3, 'scaler')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.deepEqual(mf(v3), fresh(mf(v3)));
});
