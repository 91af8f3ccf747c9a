import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../api/object.js';
import { getDefinition } from '../../api/schema/registry.js';
import { FieldSet } from './field-set.js';
import { fieldsV1Of, fieldsV1Text } from './fields-direct.js';
import { rootSlot } from './shape.js';
import { collectFields } from './ssa-walk.js';

const pod: JsonObject = {
  metadata: { labels: { app: 'web', tier: 'front' }, annotations: { a: 'b' }, finalizers: ['x/y', 'z/w'], ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: 'u1' }] },
  spec: {
    containers: [
      { name: 'web', image: 'nginx', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }], env: [{ name: 'A', value: '1' }], resources: { limits: { cpu: '1' }, requests: {} }, command: ['a', 'b'] },
      { name: 'side', image: 'busybox', volumeMounts: [{ name: 'v', mountPath: '/v' }] },
    ],
    volumes: [{ name: 'v', emptyDir: {} }, { name: 'c', configMap: { name: 'cfg', items: [{ key: 'k', path: 'p' }] } }],
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'k', operator: 'Exists' }],
    securityContext: {},
  },
};

for (const mapsAsMembers of [true, false]) {
  test(`direct FieldsV1 equals the FieldSet route (mapsAsMembers=${mapsAsMembers})`, () => {
    const w = { lookup: getDefinition, strict: false, mapsAsMembers };
    const set = new FieldSet();
    collectFields(pod, rootSlot('io.k8s.api.core.v1.Pod'), [], set, w);
    const direct = fieldsV1Of(pod, rootSlot('io.k8s.api.core.v1.Pod'), w, false, true);
    assert.equal(JSON.stringify(direct), JSON.stringify(set.toFieldsV1()));
    assert.ok(JSON.stringify(direct).includes('k:{\\"containerPort\\":53,\\"protocol\\":\\"UDP\\"}'));
  });
}

// lists the lenient walk must skip items of: repeated keys, items without their key, non-objects;
// keys with characters that need escaping; maps and structs nested in list items
const awkward: JsonObject = {
  metadata: { labels: { 'a"b': 'x', 'c\\d': 'y' }, annotations: {} },
  spec: {
    containers: [
      { name: 'a', image: 'i', env: [{ name: 'X', value: '1' }, { name: 'X', value: '2' }, { value: 'no name' }, { name: 'q"uote' }] },
      { name: 'a', image: 'dup' },
      { image: 'nameless' },
      { name: 'b', ports: [{ containerPort: 1, protocol: 'UDP' }, { containerPort: 1 }, { containerPort: 1, protocol: 'TCP' }, { protocol: 'TCP' }] },
    ],
    volumes: [{ name: 'v', projected: { sources: [{ configMap: { name: 'c', items: [{ key: 'k', path: 'p' }] } }] } }],
    nodeSelector: {},
  },
  status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Ready', status: 'False' }] },
};

for (const mapsAsMembers of [true, false]) {
  test(`direct FieldsV1 text equals the FieldSet route on awkward lists (mapsAsMembers=${mapsAsMembers})`, () => {
    const w = { lookup: getDefinition, strict: false, mapsAsMembers };
    const set = new FieldSet();
    collectFields(awkward, rootSlot('io.k8s.api.core.v1.Pod'), [], set, w);
    const text = fieldsV1Text(awkward, rootSlot('io.k8s.api.core.v1.Pod'), w, false, true);
    assert.equal(text, JSON.stringify(set.toFieldsV1()));
    // the repeated container and env entry are counted once; the second port is the same item as the third
    assert.equal(text?.match(/k:\{\\"name\\":\\"a\\"\}/g)?.length, 1);
    assert.equal(text?.match(/k:\{\\"containerPort\\":1,\\"protocol\\":\\"TCP\\"\}/g)?.length, 1);
    assert.ok(text?.includes('"f:a\\"b"'));
  });
}

test('an object with no tracked field has no FieldsV1 at all; scalar-only objects repeat their text', () => {
  const w = { lookup: getDefinition, strict: false, mapsAsMembers: true };
  const slot = rootSlot('io.k8s.api.core.v1.Namespace');
  assert.equal(fieldsV1Text({}, slot, w, false, true), undefined);
  const labelsOnly = { metadata: { labels: { a: '1', b: '2' } } };
  const first = fieldsV1Text(labelsOnly, slot, w, false, true);
  assert.equal(first, '{"f:metadata":{"f:labels":{".":{},"f:a":{},"f:b":{}}}}');
  // the same keys with other values (the memo) and in another order
  assert.equal(fieldsV1Text({ metadata: { labels: { a: 'x', b: 'y' } } }, slot, w, false, true), first);
  assert.equal(fieldsV1Text({ metadata: { labels: { b: 'y', a: 'x' } } }, slot, w, false, true), first);
  // a scalar-only root object is a root still: no "." member
  assert.equal(fieldsV1Text({ kind: 'X', apiVersion: 'v1' }, rootSlot('io.k8s.api.core.v1.Namespace'), w, false, true), '{"f:apiVersion":{},"f:kind":{}}');
});
