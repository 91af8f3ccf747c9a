import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../base/errors.js';
import { validateLabelSelector } from './label-selector.js';
import { validateAnnotations, validateLabels } from './labels.js';
import { validateObjectMeta } from './object-meta.js';

const texts = (errs: Parameters<typeof fieldErrorText>[0][]) => errs.map(fieldErrorText);

test('name or generateName is required; namespace required iff namespaced', () => {
  assert.deepEqual(texts(validateObjectMeta({}, { namespaced: true })), [
    'metadata.name: Required value: name or generateName is required',
    'metadata.namespace: Required value',
  ]);
  assert.deepEqual(validateObjectMeta({ generateName: 'web-', namespace: 'default' }, { namespaced: true }), []);
  assert.deepEqual(texts(validateObjectMeta({ name: 'n', namespace: 'x' }, { namespaced: false })), [
    'metadata.namespace: Forbidden: not allowed on this type',
  ]);
  const label = validateObjectMeta({ name: 'a.b' }, { namespaced: false, nameRule: 'dns1123-label' });
  assert.equal(label.length, 1);
  assert.equal(label[0]?.field, 'metadata.name');
  assert.equal(validateObjectMeta({ name: '1svc', namespace: 'd' }, { namespaced: true, nameRule: 'dns1035-label' }).length, 1);
});

test('labels, annotations, owner references and finalizers', () => {
  const errs = validateObjectMeta(
    {
      name: 'x',
      labels: { 'bad key!': 'v', ok: '-bad' },
      annotations: { 'a/b/c': '1' },
      ownerReferences: [{ apiVersion: '', kind: 'ReplicaSet', name: 'rs', uid: '' }],
      finalizers: ['example.com/f', 'bad finalizer'],
    },
    { namespaced: false },
  );
  const fields = errs.map((e) => e.field);
  assert.deepEqual(fields, [
    'metadata.labels',
    'metadata.labels',
    'metadata.annotations',
    'metadata.ownerReferences.apiVersion',
    'metadata.ownerReferences.uid',
    'metadata.finalizers',
  ]);
  assert.equal(fieldErrorText(errs[3] ?? errs[0]!), 'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty');
  const big = validateAnnotations({ k: 'x'.repeat(256 * 1024) }, 'metadata.annotations');
  assert.deepEqual(texts(big), ['metadata.annotations: Too long: must have at most 262144 bytes']);
  assert.deepEqual(validateLabels({ 'app.kubernetes.io/name': 'web', tier: '' }, 'metadata.labels'), []);
});

test('immutable metadata on update', () => {
  const old = { name: 'a', namespace: 'd', uid: 'u1', creationTimestamp: '2024-01-01T00:00:00Z' };
  assert.deepEqual(validateObjectMeta({ ...old }, { namespaced: true }, old), []);
  const errs = validateObjectMeta({ ...old, uid: 'u2' }, { namespaced: true }, old);
  assert.deepEqual(texts(errs), ['metadata.uid: Invalid value: "u2": field is immutable']);
});

test('label selector rules, matching and formatting', () => {
  assert.deepEqual(
    validateLabelSelector(
      { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] },
      'spec.selector',
    ),
    [],
  );
  const errs = validateLabelSelector(
    {
      matchExpressions: [
        { key: 'a', operator: 'In' },
        { key: 'b', operator: 'Exists', values: ['x'] },
        { key: 'c', operator: 'Equals', values: ['x'] },
      ],
    },
    'spec.selector',
  );
  assert.deepEqual(texts(errs), [
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    'spec.selector.matchExpressions[2].operator: Invalid value: "Equals": not a valid selector operator',
  ]);
});
