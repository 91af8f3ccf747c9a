import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Json, JsonObject } from '../../api/object.js';
import { getDefinition } from '../../api/schema/registry.js';
import { FieldSet } from './field-set.js';
import { fieldsV1Text, fieldsV1TextUncached } from './fields-direct.js';
import { rootSlot } from './shape.js';
import { collectFields } from './ssa-walk.js';

const pod: JsonObject = {
  metadata: {
    labels: { app: 'web', tier: 'front' },
    annotations: { a: 'b' },
    finalizers: ['x/y', 'z/w'],
    ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: 'u1' }],
  },
  spec: {
    containers: [
      {
        name: 'web',
        image: 'nginx',
        ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }],
        env: [{ name: 'A', value: '1' }],
        resources: { limits: { cpu: '1' }, requests: {} },
        command: ['a', 'b'],
      },
      { name: 'side', image: 'busybox', volumeMounts: [{ name: 'v', mountPath: '/v' }] },
    ],
    volumes: [
      { name: 'v', emptyDir: {} },
      { name: 'c', configMap: { name: 'cfg', items: [{ key: 'k', path: 'p' }] } },
    ],
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
    const direct = JSON.parse(fieldsV1Text(pod, rootSlot('io.k8s.api.core.v1.Pod'), w, false, true) ?? 'null') as unknown;
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
      {
        name: 'b',
        ports: [{ containerPort: 1, protocol: 'UDP' }, { containerPort: 1 }, { containerPort: 1, protocol: 'TCP' }, { protocol: 'TCP' }],
      },
    ],
    volumes: [{ name: 'v', projected: { sources: [{ configMap: { name: 'c', items: [{ key: 'k', path: 'p' }] } }] } }],
    nodeSelector: {},
  },
  status: {
    conditions: [
      { type: 'Ready', status: 'True' },
      { type: 'Ready', status: 'False' },
    ],
  },
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
  assert.equal(
    fieldsV1Text({ kind: 'X', apiVersion: 'v1' }, rootSlot('io.k8s.api.core.v1.Namespace'), w, false, true),
    '{"f:apiVersion":{},"f:kind":{}}',
  );
});

// A seeded generator of pod variants: the whole-object cache must give exactly what the walk gives,
// also right after a look-alike object filled the cache.
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

function variant(r: (n: number) => number): JsonObject {
  const pick = <T>(xs: readonly T[]): T => xs[r(xs.length)] as T;
  const container = (name: string | undefined) => {
    const c: JsonObject = { image: pick(['nginx', 'busybox']) };
    if (name !== undefined) c['name'] = name;
    if (r(2))
      c['ports'] = Array.from({ length: r(3) }, (): JsonObject => ({
        containerPort: pick([80, 443, 53]),
        ...(r(2) ? { protocol: pick(['TCP', 'UDP']) } : {}),
      }));
    if (r(2))
      c['env'] = Array.from({ length: r(4) }, (): JsonObject =>
        r(5) ? { name: pick(['A', 'B', 'C']), value: 'v' } : { value: 'nameless' },
      );
    // same-sized objects with different keys: the cache must tell them apart
    if (r(2))
      c['resources'] = {
        limits: r(2) ? { [pick(['cpu', 'memory'])]: '1' } : { cpu: '1', memory: '1Gi' },
        ...(r(2) ? { [pick(['requests', 'claims'])]: {} } : {}),
      };
    if (r(3) === 0) c['command'] = ['sh', '-c', 'x'];
    return c;
  };
  const meta: JsonObject = { labels: r(2) ? { [pick(['app', 'tier'])]: 'web' } : { app: 'web', tier: pick(['a', 'b']) } };
  if (r(2)) meta['finalizers'] = Array.from({ length: r(3) }, () => pick(['x/y', 'z/w', 'x/y']));
  if (r(3) === 0) meta['annotations'] = {};
  const spec: JsonObject = {
    containers: Array.from({ length: 1 + r(3) }, () => container(r(6) ? pick(['web', 'side', 'web']) : undefined)),
  };
  if (r(2))
    spec['volumes'] = [
      r(2) ? { name: pick(['v', 'c']), emptyDir: r(2) ? {} : { medium: 'Memory' } } : { name: 'c', configMap: { name: 'm' } },
    ];
  if (r(2)) spec['nodeSelector'] = { 'kubernetes.io/os': 'linux' };
  const obj: JsonObject = r(2) ? { metadata: meta, spec } : { spec, metadata: meta };
  if (r(4) === 0) obj['status'] = { phase: 'Pending' };
  return obj;
}

for (const mapsAsMembers of [true, false]) {
  test(`the whole-object cache answers exactly like the walk over 3,000 look-alike pods (mapsAsMembers=${mapsAsMembers})`, () => {
    const r = rng(mapsAsMembers ? 11 : 12);
    const w = { lookup: getDefinition, strict: false, mapsAsMembers };
    const slot = rootSlot('io.k8s.api.core.v1.Pod');
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const pod = variant(r);
      const cached = fieldsV1Text(pod, slot, w, false, true);
      assert.equal(cached, fieldsV1TextUncached(pod, slot, w, false, true), JSON.stringify(pod));
      seen.add(cached ?? '');
    }
    assert.ok(seen.size > 100, `only ${seen.size} distinct texts: the variants are too alike to test the cache`);
  });
}

/** Every object (not array) in `v`, with its path, for picking one to change. */
function objectsIn(v: Json, out: JsonObject[] = []): JsonObject[] {
  if (Array.isArray(v)) for (const x of v) objectsIn(x, out);
  else if (v !== null && typeof v === 'object') {
    out.push(v);
    for (const x of Object.values(v)) objectsIn(x, out);
  }
  return out;
}

test('twins that differ in one key name or one list key value get their own texts from the cache', () => {
  const r = rng(21);
  const w = { lookup: getDefinition, strict: false, mapsAsMembers: true };
  const slot = rootSlot('io.k8s.api.core.v1.Pod');
  let differing = 0;
  for (let i = 0; i < 1500; i++) {
    const base = variant(r);
    const twin = structuredClone(base);
    const objs = objectsIn(twin).filter((o) => Object.keys(o).length > 0);
    const o = objs[r(objs.length)] as JsonObject;
    const keys = Object.keys(o);
    const k = keys[r(keys.length)] as string;
    if (typeof o[k] === 'string' && (k === 'name' || k === 'protocol'))
      o[k] = `${String(o[k])}2`; // a list key value
    else {
      const v = o[k];
      delete o[k];
      o[`${k}x`] = v ?? null;
    } // a key of the same shape, renamed
    for (const p of [base, twin])
      assert.equal(fieldsV1Text(p, slot, w, false, true), fieldsV1TextUncached(p, slot, w, false, true), JSON.stringify(p));
    if (fieldsV1TextUncached(base, slot, w, false, true) !== fieldsV1TextUncached(twin, slot, w, false, true)) differing++;
  }
  assert.ok(differing > 1000, `only ${differing} twins differed`);
});

test('set lists match by their values: a repeated or changed value is another structure', () => {
  const w = { lookup: getDefinition, strict: false, mapsAsMembers: true };
  const slot = rootSlot('io.k8s.api.core.v1.Pod');
  const texts = new Set<string | undefined>();
  for (const finalizers of [
    ['a/b', 'c/d'],
    ['a/b', 'a/b'],
    ['a/b', 'e/f'],
    ['c/d', 'a/b'],
    [1, 'a/b'],
    [{ x: 1 }, 'a/b'],
  ]) {
    const pod = { metadata: { name: 'p', finalizers }, spec: { containers: [{ name: 'c', image: 'i' }] } } as unknown as JsonObject;
    const text = fieldsV1Text(pod, slot, w, false, true);
    assert.equal(text, fieldsV1TextUncached(pod, slot, w, false, true), JSON.stringify(finalizers));
    texts.add(text);
  }
  // [a/b c/d] and [c/d a/b] own the same fields; [a/b a/b] and [{x:1} a/b] own one; the rest differ
  assert.equal(texts.size, 4);
});

test('associative lists match by their key values, also through key defaults', () => {
  const w = { lookup: getDefinition, strict: false, mapsAsMembers: true };
  const slot = rootSlot('io.k8s.api.core.v1.Pod');
  const ports = [
    [{ containerPort: 80 }, { containerPort: 80, protocol: 'UDP' }],
    [{ containerPort: 80 }, { containerPort: 80, protocol: 'TCP' }],
    [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 80 }],
    [{ containerPort: 80 }, { containerPort: 81 }],
    [{ containerPort: 80 }, 'not an object'],
  ];
  for (const p of ports) {
    const pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i', ports: p }] } } as unknown as JsonObject;
    assert.equal(fieldsV1Text(pod, slot, w, false, true), fieldsV1TextUncached(pod, slot, w, false, true), JSON.stringify(p));
  }
});
