import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Json } from '../../api/object.js';
import { applyMergePatch } from './merge-patch.js';

// RFC 7386 appendix A, plus the kubectl label/scale shapes.
const cases: [Json, Json, Json][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [
    ['a', 'b'],
    ['c', 'd'],
    ['c', 'd'],
  ],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  [{ metadata: { labels: { env: 'dev', app: 'x' } } }, { metadata: { labels: { env: null } } }, { metadata: { labels: { app: 'x' } } }],
  [{ spec: { replicas: 1, selector: { a: 'b' } } }, { spec: { replicas: 5 } }, { spec: { replicas: 5, selector: { a: 'b' } } }],
];

cases.forEach(([orig, patch, expected], i) => {
  test(`merge patch case ${i}: ${JSON.stringify(patch)}`, () => {
    const before = structuredClone(orig);
    const out = applyMergePatch(orig, patch);
    assert.deepEqual(out, expected);
    assert.deepEqual(orig, before, 'original must not be modified');
  });
});

test('merge patch: the result shares no structure with the inputs', () => {
  const orig = { a: { deep: [1] }, b: { x: 1 } };
  const patch = { b: { y: { z: 1 } } };
  const out = applyMergePatch(orig, patch) as { a: { deep: number[] }; b: { y: { z: number } } };
  out.a.deep.push(2);
  out.b.y.z = 9;
  assert.deepEqual(orig.a.deep, [1]);
  assert.equal(patch.b.y.z, 1);
});
