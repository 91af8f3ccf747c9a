import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Json } from '../../api/object.js';
import { StatusError } from '../../base/errors.js';
import { FieldSet, fieldPE, fieldPathString, indexPE, keyPE, valuePE } from './field-set.js';

// The shape of a real kubectl (server-side apply) managedFields entry for a Deployment.
const REAL = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': {
    'f:replicas': {},
    'f:selector': {},
    'f:template': {
      'f:spec': {
        'f:containers': {
          'k:{"name":"nginx"}': {
            '.': {},
            'f:image': {},
            'f:name': {},
            'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
          },
        },
      },
    },
  },
  'f:metadata2': { 'f:finalizers': { 'v:"a"': {}, '.': {} } },
};

test('field set: FieldsV1 parses and serializes back to the same document', () => {
  const s = FieldSet.fromFieldsV1(REAL);
  assert.deepEqual(s.toFieldsV1(), REAL);
  assert.equal(JSON.stringify(s.toFieldsV1()['f:metadata']), '{"f:labels":{".":{},"f:app":{}}}', '"." comes first');
  assert.ok(s.has(['f:spec', 'f:replicas']));
  assert.ok(s.has(['f:metadata', 'f:labels']), '"." marks the node itself');
  assert.ok(!s.has(['f:spec']), 'an interior node without "." is not a member');
  assert.ok(
    s.has([
      'f:spec',
      'f:template',
      'f:spec',
      'f:containers',
      'k:{"name":"nginx"}',
      'f:ports',
      'k:{"containerPort":80,"protocol":"TCP"}',
      'f:containerPort',
    ]),
  );
  assert.equal(s.size(), 12);
});

test('field set: serialization orders f: before k: before v: before i:, i: numerically', () => {
  const s = FieldSet.fromPaths([[indexPE(10)], [indexPE(2)], [valuePE('x')], [keyPE({ b: 1, a: 'z' })], [fieldPE('z')], [fieldPE('a')]]);
  assert.deepEqual(Object.keys(s.toFieldsV1()), ['f:a', 'f:z', 'k:{"a":"z","b":1}', 'v:"x"', 'i:2', 'i:10']);
});

test('field set: k: keys are compact JSON with sorted key names', () => {
  assert.equal(keyPE({ protocol: 'TCP', containerPort: 80 }), 'k:{"containerPort":80,"protocol":"TCP"}');
  assert.equal(
    keyPE({ whenUnsatisfiable: 'DoNotSchedule', topologyKey: 'zone' }),
    'k:{"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule"}',
  );
  assert.equal(valuePE('a"b'), 'v:"a\\"b"');
});

test('field set: path strings as in conflict messages', () => {
  assert.equal(fieldPathString(['f:spec', 'f:replicas']), '.spec.replicas');
  assert.equal(fieldPathString(['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image']), '.spec.containers[name="web"].image');
  assert.equal(fieldPathString(['f:ports', 'k:{"containerPort":80,"protocol":"TCP"}']), '.ports[containerPort=80,protocol="TCP"]');
  assert.equal(fieldPathString(['f:finalizers', 'v:"x"']), '.finalizers[="x"]');
  assert.equal(fieldPathString(['f:args', 'i:0']), '.args[0]');
});

test('field set: union, intersection, difference', () => {
  const a = FieldSet.fromPaths([['f:a'], ['f:b', 'f:c'], ['f:b', 'f:d']]);
  const b = FieldSet.fromPaths([['f:b', 'f:c'], ['f:e']]);
  assert.deepEqual(a.union(b).paths(), [['f:a'], ['f:b', 'f:c'], ['f:b', 'f:d'], ['f:e']]);
  assert.deepEqual(a.intersection(b).paths(), [['f:b', 'f:c']]);
  assert.deepEqual(a.difference(b).paths(), [['f:a'], ['f:b', 'f:d']]);
  assert.deepEqual(a.difference(a).toFieldsV1(), {});
  assert.ok(a.difference(a).isEmpty());
  assert.ok(a.union(b).equals(b.union(a)));
  assert.ok(!a.equals(b));
  assert.ok(a.hasPrefix(['f:b']));
  assert.ok(!a.hasPrefix(['f:x']));
  // a node that is a member and has children keeps both through union
  const m = FieldSet.fromPaths([['f:l']]).union(FieldSet.fromPaths([['f:l', 'f:x']]));
  assert.deepEqual(m.toFieldsV1(), { 'f:l': { '.': {}, 'f:x': {} } });
});

test('field set: malformed FieldsV1 is a 400 naming the element', () => {
  const bads: Json[] = [{ 'x:y': {} }, { 'k:{bad': {} }, { 'f:a': 1 }, { 'i:x': {} }];
  for (const bad of bads) {
    assert.throws(
      () => FieldSet.fromFieldsV1(bad),
      (e: unknown) => e instanceof StatusError && e.code === 400 && /fieldsV1/.test(e.message),
    );
  }
});
