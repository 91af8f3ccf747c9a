import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Json } from '../../api/object.js';
import { StatusError } from '../../base/errors.js';
import { applyJsonPatch } from './json-patch.js';

const doc = {
  metadata: { name: 'x', resourceVersion: '7', labels: { a: '1' }, managedFields: [{ manager: 'old' }] },
  spec: { list: [1, 2, 3] },
};

const cases: { name: string; ops: Json; expect: Json }[] = [
  {
    name: 'add to object',
    ops: [{ op: 'add', path: '/metadata/labels/b', value: '2' }],
    expect: { ...doc, metadata: { ...doc.metadata, labels: { a: '1', b: '2' } } },
  },
  { name: 'add to end of array', ops: [{ op: 'add', path: '/spec/list/-', value: 4 }], expect: { ...doc, spec: { list: [1, 2, 3, 4] } } },
  {
    name: 'add inserts into array',
    ops: [{ op: 'add', path: '/spec/list/0', value: 0 }],
    expect: { ...doc, spec: { list: [0, 1, 2, 3] } },
  },
  { name: 'remove', ops: [{ op: 'remove', path: '/spec/list/1' }], expect: { ...doc, spec: { list: [1, 3] } } },
  {
    name: 'replace',
    ops: [{ op: 'replace', path: '/metadata/name', value: 'y' }],
    expect: { ...doc, metadata: { ...doc.metadata, name: 'y' } },
  },
  {
    name: 'move',
    ops: [{ op: 'move', from: '/metadata/labels', path: '/spec/labels' }],
    expect: {
      metadata: { name: 'x', resourceVersion: '7', managedFields: [{ manager: 'old' }] },
      spec: { list: [1, 2, 3], labels: { a: '1' } },
    },
  },
  { name: 'copy', ops: [{ op: 'copy', from: '/spec/list/2', path: '/spec/n' }], expect: { ...doc, spec: { list: [1, 2, 3], n: 3 } } },
  {
    name: 'escaped keys (~1 for /)',
    ops: [{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'web' }],
    expect: { ...doc, metadata: { ...doc.metadata, labels: { a: '1', 'app.kubernetes.io/name': 'web' } } },
  },
  {
    name: 'kubectl CSA->SSA upgrade: test resourceVersion then replace managedFields',
    ops: [
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
      { op: 'replace', path: '/metadata/managedFields', value: [{ manager: 'kubectl', operation: 'Apply' }] },
    ],
    expect: { ...doc, metadata: { ...doc.metadata, managedFields: [{ manager: 'kubectl', operation: 'Apply' }] } },
  },
];

for (const c of cases) {
  test(`json patch: ${c.name}`, () => {
    const before = structuredClone(doc);
    assert.deepEqual(applyJsonPatch(doc, c.ops), c.expect);
    assert.deepEqual(doc, before, 'input must not be modified');
  });
}

function expectStatus(fn: () => unknown, code: number, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StatusError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, re);
    return true;
  });
}

test('json patch: a failing test op is a 422 and nothing is applied', () => {
  const ops = [
    { op: 'replace', path: '/metadata/name', value: 'z' },
    { op: 'test', path: '/metadata/resourceVersion', value: '6' },
  ];
  expectStatus(() => applyJsonPatch(doc, ops), 422, /operation 1 \(test \/metadata\/resourceVersion\): test failed/);
  assert.equal(doc.metadata.name, 'x');
});

test('json patch: operations that cannot apply are 422s naming op and path', () => {
  expectStatus(
    () => applyJsonPatch(doc, [{ op: 'replace', path: '/spec/missing', value: 1 }]),
    422,
    /operation 0 \(replace \/spec\/missing\): the path does not exist/,
  );
  expectStatus(() => applyJsonPatch(doc, [{ op: 'remove', path: '/nope/deeper' }]), 422, /remove \/nope\/deeper/);
  expectStatus(() => applyJsonPatch(doc, [{ op: 'add', path: '/nope/deeper', value: 1 }]), 422, /add \/nope\/deeper/);
  expectStatus(() => applyJsonPatch(doc, [{ op: 'add', path: '/spec/list/9', value: 1 }]), 422, /out of bounds/);
  expectStatus(() => applyJsonPatch(doc, [{ op: 'move', from: '/x', path: '/y' }]), 422, /move \/x -> \/y/);
});

test('json patch: malformed bodies are 400s', () => {
  expectStatus(() => applyJsonPatch(doc, { op: 'add' }), 400, /must be a JSON array/);
  expectStatus(() => applyJsonPatch(doc, [{ op: 'frobnicate', path: '/a' }]), 400, /unknown op "frobnicate"/);
  expectStatus(() => applyJsonPatch(doc, [{ op: 'add', path: 'a', value: 1 }]), 400, /must be empty or start with/);
  expectStatus(() => applyJsonPatch(doc, [{ op: 'replace', path: '/a' }]), 400, /"value" is required/);
  expectStatus(() => applyJsonPatch(doc, [{ op: 'copy', path: '/a' }]), 400, /"from" is required/);
  expectStatus(() => applyJsonPatch(doc, ['x']), 400, /operation 0: must be an object/);
});

test('json patch: replacing the whole document and an empty patch', () => {
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'replace', path: '', value: { a: 1 } }]), { a: 1 });
  assert.deepEqual(applyJsonPatch(doc, []), doc);
});
