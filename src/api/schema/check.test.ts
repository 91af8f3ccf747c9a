import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkObject, unknownFieldText } from './check.js';
import { findDuplicateFields } from './duplicates.js';
import { createSchemaRegistry } from './registry.js';

const DEPLOY = 'io.k8s.api.apps.v1.Deployment';
const POD = 'io.k8s.api.core.v1.Pod';

export function deployment(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      labels: { app: 'web' },
      annotations: { a: 'b' },
      creationTimestamp: '2024-05-01T10:00:00Z',
      managedFields: [
        {
          manager: 'kubectl',
          operation: 'Apply',
          apiVersion: 'apps/v1',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:replicas': {} } },
        },
      ],
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'nginx:1.27',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: 0.25 } },
              env: [
                { name: 'A', value: 'x' },
                { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              ],
              readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
          nodeSelector: { 'kubernetes.io/os': 'windows' },
          tolerations: [{ key: 'os', operator: 'Equal', value: 'windows', effect: 'NoSchedule' }],
        },
      },
    },
    status: { replicas: 3, conditions: [{ type: 'Available', status: 'True', lastUpdateTime: '2024-05-01T10:00:00.123456Z' }] },
  };
}

const pod = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default' },
  spec: {
    containers: [
      { name: 'c', image: 'busybox', command: ['sh', '-c', 'sleep 1'], securityContext: { windowsOptions: { hostProcess: false } } },
    ],
    restartPolicy: 'Never',
    terminationGracePeriodSeconds: 30,
    hostNetwork: false,
  },
  status: { phase: 'Pending', podIPs: [{ ip: '10.0.0.1' }] },
});

test('valid objects pass', () => {
  assert.deepEqual(checkObject(DEPLOY, deployment()), { unknown: [], typeErrors: [] });
  assert.deepEqual(checkObject(POD, pod()), { unknown: [], typeErrors: [] });
  assert.deepEqual(
    checkObject('io.k8s.api.core.v1.Secret', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { k: 'aGVsbG8=' },
      stringData: { x: 'y' },
    }),
    { unknown: [], typeErrors: [] },
  );
});

test('unknown fields, top level and nested in list items', () => {
  const d = deployment();
  const spec = d['spec'] as Record<string, unknown>;
  spec['foo'] = 1;
  const tspec = (spec['template'] as { spec: { containers: Record<string, unknown>[] } }).spec;
  tspec.containers.push({ name: 'two', image: 'x', bogus: true, ports: [{ containerPort: 1, nope: 'x' }] });
  d['extra'] = {};
  const r = checkObject(DEPLOY, d, 'Strict');
  assert.deepEqual(r.unknown.sort(), [
    'extra',
    'spec.foo',
    'spec.template.spec.containers[1].bogus',
    'spec.template.spec.containers[1].ports[0].nope',
  ]);
  assert.deepEqual(r.typeErrors, []);
  assert.equal(unknownFieldText(r.unknown[1] ?? ''), 'unknown field "spec.foo"');
  assert.deepEqual(checkObject(DEPLOY, d, 'Ignore').unknown, []);
});

test('apiVersion, kind and metadata are known at the top level; any-typed fields are not looked into', () => {
  const reg = createSchemaRegistry({ 'x.v1.Thing': { kind: 'object', fields: { spec: { type: { kind: 'any' } } } } });
  const r = checkObject(
    'x.v1.Thing',
    { apiVersion: 'x/v1', kind: 'Thing', metadata: {}, spec: { whatever: [1, { a: 2 }] }, other: 1 },
    'Strict',
    { registry: reg },
  );
  assert.deepEqual(r, { unknown: ['other'], typeErrors: [] });
  const open = createSchemaRegistry({
    'x.v1.Open': { kind: 'object', preserveUnknownFields: true, fields: { n: { type: { kind: 'prim', type: 'integer' } } } },
  });
  assert.deepEqual(checkObject('x.v1.Open', { zzz: 1, n: 'x' }, 'Strict', { registry: open }).unknown, []);
  assert.equal(checkObject('x.v1.Open', { zzz: 1, n: 'x' }, 'Strict', { registry: open }).typeErrors.length, 1);
});

test('prune removes unknown fields in place', () => {
  const d = deployment();
  (d['spec'] as Record<string, unknown>)['foo'] = 1;
  const r = checkObject(DEPLOY, d, 'Warn', { prune: true });
  assert.deepEqual(r.unknown, ['spec.foo']);
  assert.equal('foo' in (d['spec'] as Record<string, unknown>), false);
});

test('type errors', () => {
  const d = deployment();
  const spec = d['spec'] as Record<string, unknown>;
  spec['replicas'] = 'three';
  spec['paused'] = 'yes';
  const c = (spec['template'] as { spec: { containers: Record<string, unknown>[] } }).spec.containers[0] ?? {};
  c['ports'] = { containerPort: 80 };
  c['resources'] = { limits: { cpu: 'lots' } };
  c['image'] = 5;
  (d['metadata'] as Record<string, unknown>)['labels'] = { app: 1 };
  (d['metadata'] as Record<string, unknown>)['creationTimestamp'] = 'yesterday';
  const r = checkObject(DEPLOY, d);
  const byField = Object.fromEntries(r.typeErrors.map((e) => [e.field, e]));
  assert.deepEqual(Object.keys(byField).sort(), [
    'metadata.creationTimestamp',
    'metadata.labels[app]',
    'spec.paused',
    'spec.replicas',
    'spec.template.spec.containers[0].image',
    'spec.template.spec.containers[0].ports',
    'spec.template.spec.containers[0].resources.limits[cpu]',
  ]);
  assert.equal(byField['spec.replicas']?.type, 'FieldValueTypeInvalid');
  assert.equal(byField['spec.replicas']?.detail, 'spec.replicas in body must be of type integer: "string"');
  assert.equal(
    byField['spec.template.spec.containers[0].ports']?.detail,
    'spec.template.spec.containers[0].ports in body must be of type array: "object"',
  );
  assert.equal(byField['metadata.labels[app]']?.value, 1);
});

test('int32 range, int-or-string, base64 and null', () => {
  const d = deployment();
  const spec = d['spec'] as Record<string, unknown>;
  spec['replicas'] = 2 ** 31;
  spec['minReadySeconds'] = null;
  (spec['strategy'] as { rollingUpdate: Record<string, unknown> }).rollingUpdate['maxSurge'] = true;
  const r = checkObject(DEPLOY, d);
  assert.deepEqual(r.typeErrors.map((e) => e.field).sort(), ['spec.replicas', 'spec.strategy.rollingUpdate.maxSurge']);
  const s = checkObject('io.k8s.api.core.v1.Secret', { data: { k: 'not base64!' } });
  assert.deepEqual(
    s.typeErrors.map((e) => e.field),
    ['data[k]'],
  );
});

test('duplicate fields in raw JSON', () => {
  assert.deepEqual(findDuplicateFields('{"a":1,"b":{"c":[{"x":1,"x":2}],"c":"\\"q"},"a":3}'), ['b.c[0].x', 'b.c', 'a']);
  assert.deepEqual(findDuplicateFields('{"metadata":{"name":"a","labels":{"k":"v"},"name":"b"}}'), ['metadata.name']);
  assert.deepEqual(findDuplicateFields('{"spec":{"containers":[{"name":"a"},{"name":"b","image":"x","image":"y"}]}}'), [
    'spec.containers[1].image',
  ]);
  assert.deepEqual(findDuplicateFields(JSON.stringify(deployment())), []);
  assert.deepEqual(findDuplicateFields('{"a\\u0062":1,"ab":2}'), ['ab']);
  const many = Array.from({ length: 30 }, (_, i) => `"k${i}":${i}`).join(',');
  assert.deepEqual(findDuplicateFields(`{"data":{${many},"k3":1,"k29":2,"new":3}}`), ['data.k3', 'data.k29']);
});
