import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterRoleBindingKind, roleBindingKind } from './binding.js';
import { clusterRoleKind, roleKind } from './role.js';

const fields = (errs: Array<{ field: string; type: string }>) => errs.map((e) => `${e.type} ${e.field}`);
const meta = { name: 'x', namespace: 'ns' };
/** apiVersion and kind are not looked at by validation */
const tm = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Any' };

test('policy rules need verbs, groups and resources; URLs only in ClusterRoles and never with resources', () => {
  const v = roleKind.validate!;
  assert.deepEqual(fields(v({ ...tm, metadata: meta, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] }, undefined)), []);
  assert.deepEqual(fields(v({ ...tm, metadata: meta, rules: [{ verbs: [] }] }, undefined)), [
    'FieldValueRequired rules[0].verbs',
    'FieldValueRequired rules[0].apiGroups',
    'FieldValueRequired rules[0].resources',
  ]);
  assert.deepEqual(fields(v({ ...tm, metadata: meta, rules: [{ verbs: ['get'], nonResourceURLs: ['/x'] }] }, undefined)), [
    'FieldValueInvalid rules[0].nonResourceURLs',
  ]);
  const cv = clusterRoleKind.validate!;
  assert.deepEqual(fields(cv({ ...tm, metadata: { name: 'x' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/x'] }] }, undefined)), []);
  const both = cv({ ...tm, metadata: { name: 'x' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/x'], resources: ['pods'] }] }, undefined);
  assert.equal(both[0]?.detail, 'rules cannot apply to both regular resources and non-resource URLs');
  assert.deepEqual(fields(cv({ ...tm, metadata: { name: 'x' }, aggregationRule: {} }, undefined)), [
    'FieldValueRequired aggregationRule.clusterRoleSelectors',
  ]);
});

test('bindings: roleRef group, kind and name; subjects by kind; roleRef immutable', () => {
  const ref = { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' };
  const rb = { ...tm, metadata: meta, roleRef: ref, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'u' }] };
  assert.deepEqual(fields(roleBindingKind.validate!(rb, undefined)), []);
  assert.deepEqual(
    fields(
      roleBindingKind.validate!(
        {
          ...tm,
          metadata: meta,
          roleRef: { apiGroup: 'x', kind: 'Pod' },
          subjects: [
            { kind: 'User', name: 'u' },
            { kind: 'Robot', name: 'r' },
          ],
        },
        undefined,
      ),
    ),
    [
      'FieldValueNotSupported roleRef.apiGroup',
      'FieldValueNotSupported roleRef.kind',
      'FieldValueRequired roleRef.name',
      'FieldValueNotSupported subjects[0].apiGroup',
      'FieldValueNotSupported subjects[1].kind',
    ],
  );
  const changed = roleBindingKind.validate!({ ...rb, roleRef: { ...ref, name: 'other' } }, rb);
  assert.deepEqual(fields(changed), ['FieldValueInvalid roleRef']);
  assert.equal(changed[0]?.detail, 'cannot change roleRef');
  // ClusterRoleBindings: ClusterRoles only, and ServiceAccounts name their namespace
  const crb = {
    ...tm,
    metadata: { name: 'c' },
    roleRef: ref,
    subjects: [
      { kind: 'ServiceAccount', name: 'sa' },
      { kind: 'ServiceAccount', name: 'sa', namespace: 'ns', apiGroup: 'x' },
    ],
  };
  assert.deepEqual(fields(clusterRoleBindingKind.validate!(crb, undefined)), [
    'FieldValueNotSupported roleRef.kind',
    'FieldValueRequired subjects[0].namespace',
    'FieldValueNotSupported subjects[1].apiGroup',
  ]);
});

test('defaults fill the RBAC group of roleRef and User/Group subjects; printers show Kind/name and subjects', () => {
  const b = {
    ...tm,
    metadata: { name: 'b', namespace: 'ns', creationTimestamp: '2024-01-01T00:00:00Z' },
    roleRef: { kind: 'ClusterRole', name: 'view' },
    subjects: [
      { kind: 'Group', name: 'g' },
      { kind: 'ServiceAccount', name: 'sa', namespace: 'ns' },
      { kind: 'User', name: 'u' },
    ],
  };
  roleBindingKind.defaults!(b);
  assert.equal((b.roleRef as { apiGroup?: string }).apiGroup, 'rbac.authorization.k8s.io');
  assert.equal((b.subjects[0] as { apiGroup?: string }).apiGroup, 'rbac.authorization.k8s.io');
  assert.equal((b.subjects[1] as { apiGroup?: string }).apiGroup, undefined);
  const row = roleBindingKind.table.row(b, Date.parse('2024-01-01T00:05:00Z'));
  assert.deepEqual(row, ['b', 'ClusterRole/view', '5m', 'u', 'g', 'ns/sa']);
  assert.deepEqual(
    roleBindingKind.table.columns.map((c) => c.name),
    ['Name', 'Role', 'Age', 'Users', 'Groups', 'ServiceAccounts'],
  );
  assert.deepEqual(clusterRoleKind.table.row({ ...tm, metadata: { name: 'r', creationTimestamp: '2024-01-01T00:00:00Z' } }, 0), [
    'r',
    '2024-01-01T00:00:00Z',
  ]);
});
