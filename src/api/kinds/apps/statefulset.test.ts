import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText, type FieldError } from '../../../base/errors.js';
import { controllerRevisionKind, validateControllerRevision } from './controller-revision.js';
import { defaultStatefulSet, statefulSetKind, validateStatefulSet, validateStatefulSetStatus } from './statefulset.js';
import type { ControllerRevision, StatefulSet } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';

type Sts = UnvalidatedObject<StatefulSet>;
const texts = (errs: FieldError[]) => errs.map(fieldErrorText);
const NOW = Date.parse('2024-05-01T12:00:00Z');

function sts(spec: Sts['spec'] = {}): Sts {
  const s: Sts = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T11:55:00Z' },
    spec: {
      serviceName: 'nginx',
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] }] },
      },
      volumeClaimTemplates: [
        { metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
      ],
      ...spec,
    },
  };
  defaultStatefulSet(s);
  return s;
}

test('defaults are upstream’s', () => {
  const s = sts();
  assert.equal(s.spec?.replicas, 1);
  assert.equal(s.spec?.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(s.spec?.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.equal(s.spec?.revisionHistoryLimit, 10);
  assert.deepEqual(s.spec?.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(s.spec?.volumeClaimTemplates?.[0]?.spec?.volumeMode, 'Filesystem');
  assert.equal(s.spec?.template?.spec?.restartPolicy, 'Always');
  const onDelete = sts({ updateStrategy: { type: 'OnDelete' } });
  assert.deepEqual(onDelete.spec?.updateStrategy, { type: 'OnDelete' });
  // a volume mount naming a claim template is valid although the template has no such volume
  assert.deepEqual(texts(validateStatefulSet(s, undefined)), []);
});

test('bad specs are refused with the field and the rule', () => {
  const s = sts({
    replicas: -1,
    podManagementPolicy: 'Sometimes',
    serviceName: 'Not_A_Label',
    selector: { matchLabels: { app: 'other' } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: -2, maxUnavailable: '150%' } },
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep', whenScaled: 'Delete' },
    ordinals: { start: -1 },
  });
  assert.deepEqual(texts(validateStatefulSet(s, undefined)), [
    `spec.podManagementPolicy: Invalid value: "Sometimes": must be 'OrderedReady' or 'Parallel'`,
    'spec.updateStrategy.rollingUpdate.partition: Invalid value: -2: must be greater than or equal to 0',
    'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%',
    'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"',
    'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    'spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0',
    texts(validateStatefulSet(sts({ serviceName: 'Not_A_Label' }), undefined))[0] as string,
    'spec.template.metadata.labels: Invalid value: {"app":"nginx"}: `selector` does not match template `labels`',
  ]);
  assert.match(
    texts(validateStatefulSet(sts({ serviceName: 'Not_A_Label' }), undefined))[0] as string,
    /^spec\.serviceName: Invalid value/,
  );
  const onDelete = sts({ updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } } });
  assert.deepEqual(texts(validateStatefulSet(onDelete, undefined)), [
    `spec.updateStrategy.rollingUpdate: Invalid value: {"partition":1}: only allowed for updateStrategy 'RollingUpdate'`,
  ]);
  const weird = sts({ updateStrategy: { type: 'Recreate' } });
  assert.deepEqual(texts(validateStatefulSet(weird, undefined)), [
    `spec.updateStrategy: Invalid value: {"type":"Recreate"}: must be 'RollingUpdate' or 'OnDelete'`,
  ]);
  const empty = sts({ selector: {} });
  assert.deepEqual(texts(validateStatefulSet(empty, undefined)), [
    'spec.selector: Invalid value: {}: empty selector is invalid for statefulset',
  ]);
  const never = sts();
  never.spec!.template!.spec!.restartPolicy = 'Never';
  never.spec!.template!.spec!.activeDeadlineSeconds = 5;
  assert.deepEqual(texts(validateStatefulSet(never, undefined)), [
    'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported',
  ]);
});

test('claim templates: names, access modes, storage requests', () => {
  const s = sts({
    volumeClaimTemplates: [
      { metadata: { name: 'www' }, spec: { accessModes: [], resources: { requests: {} } } },
      { metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteSometimes'], resources: { requests: { storage: 'lots' } } } },
      { metadata: {}, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '0' } }, volumeMode: 'Tape' } },
    ],
  });
  assert.deepEqual(texts(validateStatefulSet(s, undefined)), [
    'spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required',
    'spec.volumeClaimTemplates[0].spec.resources[storage]: Required value',
    'spec.volumeClaimTemplates[1].spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
    texts(validateStatefulSet(s, undefined))[3] as string,
    'spec.volumeClaimTemplates[1].metadata.name: Duplicate value: "www"',
    'spec.volumeClaimTemplates[2].metadata.name: Required value: name or generateName is required',
    'spec.volumeClaimTemplates[2].spec.resources[storage]: Invalid value: "0": must be greater than zero',
    'spec.volumeClaimTemplates[2].spec.volumeMode: Unsupported value: "Tape": supported values: "Block", "Filesystem"',
  ]);
  assert.match(
    texts(validateStatefulSet(s, undefined))[3] as string,
    /^spec\.volumeClaimTemplates\[1\]\.spec\.resources\[storage\]: Invalid value: "lots"/,
  );
});

test('an update may change replicas, template, updateStrategy, minReadySeconds, ordinals and the retention policy only', () => {
  const old = sts();
  const ok = structuredClone(old);
  ok.spec!.replicas = 5;
  ok.spec!.template!.spec!.containers![0]!.image = 'nginx:1.28';
  ok.spec!.updateStrategy = { type: 'OnDelete' };
  ok.spec!.minReadySeconds = 3;
  ok.spec!.ordinals = { start: 2 };
  ok.spec!.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Delete' };
  assert.deepEqual(validateStatefulSet(ok, old), []);
  for (const change of [
    (s: Sts) => (s.spec!.serviceName = 'other'),
    (s: Sts) => (s.spec!.podManagementPolicy = 'Parallel'),
    (s: Sts) => (s.spec!.volumeClaimTemplates![0]!.spec!.resources!.requests!['storage'] = '2Gi'),
    (s: Sts) => (s.spec!.selector = { matchLabels: { app: 'nginx', x: 'y' } }),
  ]) {
    const bad = structuredClone(old);
    change(bad);
    const errs = validateStatefulSet(bad, old).filter((e) => e.field === 'spec');
    assert.equal(errs.length, 1, JSON.stringify(bad.spec));
    assert.match(
      fieldErrorText(errs[0]!),
      /^spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template'/,
    );
  }
});

test('status rules', () => {
  const s = sts();
  const old = structuredClone(s);
  old.status = { replicas: 2, collisionCount: 2 };
  s.status = { replicas: 2, readyReplicas: 3, availableReplicas: 1, currentReplicas: 2, collisionCount: 1 };
  assert.deepEqual(texts(validateStatefulSetStatus(s, old)), [
    'status.readyReplicas: Invalid value: 3: cannot be greater than status.replicas',
    'status.collisionCount: Invalid value: 1: cannot be decremented',
  ]);
});

test('tables: StatefulSet NAME READY AGE (+ CONTAINERS IMAGES), ControllerRevision NAME CONTROLLER REVISION AGE', () => {
  const s = sts({ replicas: 3 });
  s.status = { replicas: 3, readyReplicas: 2 };
  assert.deepEqual(
    statefulSetKind.table.columns.map((c) => `${c.name}:${c.priority}`),
    ['Name:0', 'Ready:0', 'Age:0', 'Containers:1', 'Images:1'],
  );
  assert.deepEqual(statefulSetKind.table.row(s, NOW), ['web', '2/3', '5m', 'nginx', 'nginx:1.27']);
  assert.deepEqual(
    statefulSetKind.subresources.map((x) => x.name),
    ['scale', 'status'],
  );
  const cr: UnvalidatedObject<ControllerRevision> = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: 'web-7b8c9d',
      creationTimestamp: '2024-05-01T11:00:00Z',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u', controller: true }],
    },
    data: { spec: {} },
    revision: 2,
  };
  assert.deepEqual(controllerRevisionKind.table.row(cr, NOW), ['web-7b8c9d', 'statefulset.apps/web', 2, '60m']);
  assert.deepEqual(validateControllerRevision(cr, undefined), []);
  const changed = { ...cr, data: { spec: { x: 1 } }, revision: -1 };
  assert.deepEqual(texts(validateControllerRevision(changed, cr)), [
    'revision: Invalid value: -1: must be greater than or equal to 0',
    'data: Invalid value: {"spec":{"x":1}}: field is immutable',
  ]);
  assert.deepEqual(texts(validateControllerRevision({ ...cr, data: undefined }, undefined)), ['data: Required value: data is mandatory']);
});
