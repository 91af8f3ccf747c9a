import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../../base/errors.js';
import { configMapKind, validateConfigMap } from './configmap.js';
import { defaultEndpoints, endpointsKind, formatEndpoints, validateEndpoints } from './endpoints.js';
import { coreEventKind, validateCoreEvent } from './event.js';
import { defaultNamespace, namespaceKind, validateNamespace } from './namespace.js';
import { defaultSecret, secretKind, validateSecret } from './secret.js';
import { serviceAccountKind } from './service-account.js';
import type {
  ConfigMap as ConfigMapT,
  Endpoints as EndpointsT,
  Event as EventT,
  Namespace as NamespaceT,
  Secret as SecretT,
} from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';

type ConfigMap = UnvalidatedObject<ConfigMapT>;
type Endpoints = UnvalidatedObject<EndpointsT>;
type CoreEvent = UnvalidatedObject<EventT>;
type Namespace = UnvalidatedObject<NamespaceT>;
type Secret = UnvalidatedObject<SecretT>;

const NOW = Date.parse('2024-05-01T12:00:00Z');
const meta = (name: string, namespace?: string) => ({
  name,
  ...(namespace ? { namespace } : {}),
  creationTimestamp: '2024-05-01T11:55:00Z',
});

test('namespace defaults, validation, row', () => {
  const ns: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: meta('team-a') };
  defaultNamespace(ns);
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.equal(ns.status?.phase, 'Active');
  assert.deepEqual(namespaceKind.table.row(ns, NOW), ['team-a', 'Active', '5m']);
  assert.equal(namespaceKind.nameRule, 'dns1123-label');
  assert.ok(!namespaceKind.verbs.includes('deletecollection'));
  ns.spec!.finalizers = ['bad/final/izer'];
  assert.equal(validateNamespace(ns)[0]?.field, 'spec.finalizers');
});

test('configmap keys, immutability, row', () => {
  const cm: ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta('cfg', 'default'),
    data: { 'app.properties': 'x', 'bad/key': 'y' },
    binaryData: { bin: 'AAE=' },
  };
  const errs = validateConfigMap(cm, undefined);
  assert.equal(errs.length, 1);
  assert.match(
    fieldErrorText(errs[0]!),
    /^data\[bad\/key\]: Invalid value: "bad\/key": a valid config key must consist of alphanumeric characters, '-', '_' or '\.' \(e\.g\. 'key\.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '\[-\._a-zA-Z0-9\]\+'\)$/,
  );
  assert.deepEqual(configMapKind.table.row(cm, NOW), ['cfg', 3, '5m']);
  const old: ConfigMap = { ...cm, data: { a: '1' }, immutable: true };
  const next: ConfigMap = { ...old, data: { a: '2' } };
  assert.deepEqual(validateConfigMap(next, old).map(fieldErrorText), ['data: Forbidden: field is immutable when `immutable` is set']);
});

test('secret defaults, validation, row, field selector', () => {
  const s: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: meta('tls', 'default'), data: { 'tls.crt': 'YQ==' } };
  defaultSecret(s);
  assert.equal(s.type, 'Opaque');
  assert.deepEqual(validateSecret(s, undefined), []);
  s.type = 'kubernetes.io/tls';
  assert.deepEqual(validateSecret(s, undefined).map(fieldErrorText), ['data[tls.key]: Required value']);
  assert.deepEqual(secretKind.table.row(s, NOW), ['tls', 'kubernetes.io/tls', 1, '5m']);
  assert.equal(secretKind.fieldSelectors?.['type']?.(s), 'kubernetes.io/tls');
  const changed: Secret = { ...s, type: 'Opaque' };
  assert.deepEqual(validateSecret(changed, s).map(fieldErrorText), ['type: Invalid value: "Opaque": field is immutable']);
});

test('endpoints defaults, validation and the ENDPOINTS cell', () => {
  const ep: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: meta('web', 'default'),
    subsets: [
      {
        addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }, { ip: '10.0.0.4' }, { ip: '10.0.0.5' }],
        ports: [{ port: 80 }],
      },
    ],
  };
  defaultEndpoints(ep);
  assert.equal(ep.subsets?.[0]?.ports?.[0]?.protocol, 'TCP');
  assert.deepEqual(validateEndpoints(ep), []);
  assert.equal(formatEndpoints(ep), '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...');
  assert.deepEqual(endpointsKind.table.row({ ...ep, subsets: [] }, NOW), ['web', '<none>', '5m']);
  assert.equal(formatEndpoints({ ...ep, subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 53 }] }] }), '[fd00::1]:53');
  const bad: Endpoints = { ...ep, subsets: [{ addresses: [{}], ports: [{ port: 0, protocol: 'TCP' }] }] };
  assert.deepEqual(validateEndpoints(bad).map(fieldErrorText), [
    'subsets[0].addresses[0].ip: Required value',
    'subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
  ]);
});

test('service accounts', () => {
  const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default', 'default'), secrets: [{ name: 'tok' }] };
  assert.deepEqual(serviceAccountKind.table.row(sa, NOW), ['default', 1, '5m']);
  assert.deepEqual(serviceAccountKind.shortNames, ['sa']);
});

test('core events: row and namespace rule', () => {
  const e: CoreEvent = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: meta('web-1.17a', 'default'),
    involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', fieldPath: 'spec.containers{app}' },
    reason: 'Pulled',
    message: 'Pulled image "nginx" \n',
    type: 'Normal',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: '2024-05-01T11:50:00Z',
    lastTimestamp: '2024-05-01T11:59:00Z',
    count: 4,
  };
  assert.deepEqual(validateCoreEvent(e), []);
  assert.deepEqual(coreEventKind.table.row(e, NOW), [
    '60s',
    'Normal',
    'Pulled',
    'pod/web-1',
    'spec.containers{app}',
    'kubelet, node-1',
    'Pulled image "nginx"',
    '10m',
    4,
    'web-1.17a',
  ]);
  assert.deepEqual(
    coreEventKind.table.columns.map((c) => `${c.name}:${c.priority}`),
    ['Last Seen:0', 'Type:0', 'Reason:0', 'Object:0', 'Subobject:1', 'Source:1', 'Message:0', 'First Seen:1', 'Count:1', 'Name:1'],
  );
  const wrong: CoreEvent = { ...e, involvedObject: { ...e.involvedObject, namespace: 'other' } };
  assert.deepEqual(validateCoreEvent(wrong).map(fieldErrorText), [
    'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
  ]);
  const series: CoreEvent = { ...e, series: { count: 7, lastObservedTime: '2024-05-01T11:59:50.000000Z' }, lastTimestamp: undefined };
  const r = coreEventKind.table.row(series, NOW);
  assert.deepEqual([r[0], r[8]], ['10s', 7]);
  assert.equal(coreEventKind.fieldSelectors?.['involvedObject.name']?.(e), 'web-1');
  assert.equal(coreEventKind.fieldSelectors?.['source']?.(e), 'kubelet');
});
