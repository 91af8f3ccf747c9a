import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cloneJson, jsonRoundTrip } from './json-clone.js';

const sample = () => ({
  apiVersion: 'v1',
  metadata: { name: 'p', labels: { a: 'b' }, '10': 'integer-like key', empty: {} },
  spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }], args: [] }], n: 1.5, t: true, z: null },
  gone: undefined,
});

test('cloneJson: a deep copy sharing nothing, with undefined members kept as structuredClone keeps them', () => {
  const src = sample();
  const copy = cloneJson(src);
  assert.deepStrictEqual(copy, structuredClone(src));
  assert.ok('gone' in copy);
  copy.metadata.labels.a = 'changed';
  copy.spec.containers[0]!.ports.push({ containerPort: 81 });
  assert.equal(src.metadata.labels.a, 'b');
  assert.equal(src.spec.containers[0]!.ports.length, 1);
});

test('cloneJson: objects that are not plain (a Date, a Map) are copied by structuredClone', () => {
  const src = { when: new Date(5), m: new Map([['k', { v: 1 }]]) };
  const copy = cloneJson(src);
  assert.ok(copy.when instanceof Date && copy.when.getTime() === 5 && copy.when !== src.when);
  assert.deepStrictEqual(copy.m.get('k'), { v: 1 });
  assert.notEqual(copy.m.get('k'), src.m.get('k'));
});

test('jsonRoundTrip: what JSON.parse(JSON.stringify(x)) gives, key order included', () => {
  const src = { ...sample(), f: () => 1, s: Symbol('x') };
  const out = jsonRoundTrip(src);
  const viaText: unknown = JSON.parse(JSON.stringify(src));
  assert.deepStrictEqual(out, viaText);
  assert.equal(JSON.stringify(out), JSON.stringify(viaText));
  assert.ok(out !== undefined && !('gone' in out) && !('f' in out));
  (out as { metadata: { labels: Record<string, string> } }).metadata.labels['a'] = 'x';
  assert.equal(src.metadata.labels.a, 'b');
});

test('jsonRoundTrip: undefined (go through the text) for what JSON would transform rather than copy', () => {
  for (const v of [
    { d: new Date(0) },
    { n: Number.NaN },
    { n: -0 },
    { n: Infinity },
    { a: [1, undefined] },
    // eslint-disable-next-line no-sparse-arrays
    { a: [1, , 2] },
    { o: { toJSON: () => 'x' } },
    { m: new Map() },
    { b: 1n },
  ]) {
    assert.equal(
      jsonRoundTrip(v),
      undefined,
      JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? 'bigint' : x)),
    );
  }
  assert.equal(jsonRoundTrip('s'), 's');
  assert.equal(jsonRoundTrip(null), null);
});
