import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSchemaRegistry, definitionForGVK, fieldDef, getDefinition, resolveType } from './registry.js';
import { defNameAtPath, fieldAtPath, parsePath, typeAtPath } from './walk.js';

const CORE = 'io.k8s.api.core.v1.';

test('merge and list facts of PodSpec, Container and ObjectMeta', () => {
  const containers = fieldDef(`${CORE}PodSpec`, 'containers');
  assert.equal(containers?.patchMergeKey, 'name');
  assert.equal(containers?.patchStrategy, 'merge');
  assert.equal(containers?.listType, 'map');
  assert.deepEqual(containers?.listMapKeys, ['name']);
  assert.deepEqual(fieldDef(`${CORE}Container`, 'ports')?.listMapKeys, ['containerPort', 'protocol']);
  assert.equal(fieldDef(`${CORE}Container`, 'ports')?.patchMergeKey, 'containerPort');
  assert.equal(fieldDef(`${CORE}Container`, 'volumeMounts')?.patchMergeKey, 'mountPath');
  assert.equal(fieldDef(`${CORE}PodSpec`, 'volumes')?.patchStrategy, 'merge,retainKeys');
  assert.equal(fieldDef(`${CORE}PodSpec`, 'tolerations')?.listType, 'atomic');
  assert.equal(fieldDef(`${CORE}PodSpec`, 'nodeSelector')?.mapType, 'atomic');
  const fin = fieldDef('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'finalizers');
  assert.equal(fin?.listType, 'set');
  assert.equal(fin?.patchStrategy, 'merge');
  assert.equal(fieldDef('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'ownerReferences')?.patchMergeKey, 'uid');
  assert.equal(fieldDef(`${CORE}ServicePort`, 'protocol')?.default, 'TCP');
  assert.equal(fieldDef(`${CORE}PodSpec`, 'nope'), undefined);
});

test('definitions by name and by GVK', () => {
  assert.equal(definitionForGVK({ group: 'apps', version: 'v1', kind: 'Deployment' }), 'io.k8s.api.apps.v1.Deployment');
  assert.equal(definitionForGVK({ group: '', version: 'v1', kind: 'Event' }), `${CORE}Event`);
  assert.equal(definitionForGVK({ group: 'events.k8s.io', version: 'v1', kind: 'Event' }), 'io.k8s.api.events.v1.Event');
  assert.equal(definitionForGVK({ group: 'autoscaling', version: 'v1', kind: 'Scale' }), 'io.k8s.api.autoscaling.v1.Scale');
  assert.equal(definitionForGVK({ group: '', version: 'v1', kind: 'WatchEvent' }), 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent');
  assert.equal(definitionForGVK({ group: '', version: 'v1', kind: 'DeleteOptions' }), 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions');
  assert.equal(definitionForGVK({ group: 'apps', version: 'v1', kind: 'Nope' }), undefined);
  for (const n of ['PodList', 'Binding', 'NodeList', 'SecretList', 'ServiceAccountList']) assert.ok(getDefinition(CORE + n), n);
  for (const n of [
    'io.k8s.api.coordination.v1.Lease',
    'io.k8s.api.node.v1.RuntimeClass',
    'io.k8s.api.discovery.v1.EndpointSlice',
    'io.k8s.api.policy.v1.Eviction',
    'io.k8s.api.batch.v1.JobList',
    'io.k8s.api.apps.v1.DaemonSetList',
  ])
    assert.ok(getDefinition(n), n);
});

test('named scalars resolve to their structural types', () => {
  const q = resolveType({ kind: 'ref', ref: 'io.k8s.apimachinery.pkg.api.resource.Quantity' });
  assert.deepEqual(q, { kind: 'prim', type: 'string', oneOf: ['string', 'number'] });
  const ios = resolveType({ kind: 'ref', ref: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString' });
  assert.equal(ios.kind === 'prim' ? ios.format : '', 'int-or-string');
  assert.deepEqual(resolveType({ kind: 'ref', ref: 'io.k8s.apimachinery.pkg.apis.meta.v1.Time' }), {
    kind: 'prim',
    type: 'string',
    format: 'date-time',
  });
  assert.deepEqual(resolveType({ kind: 'ref', ref: 'io.k8s.apimachinery.pkg.runtime.RawExtension' }), { kind: 'any' });
  assert.deepEqual(resolveType({ kind: 'ref', ref: 'no.such.Thing' }), { kind: 'missing', name: 'no.such.Thing' });
  const pod = resolveType({ kind: 'ref', ref: `${CORE}Pod` });
  assert.equal(pod.kind, 'object');
});

test('walking paths', () => {
  assert.deepEqual(parsePath('spec.template.spec.containers[0].ports[12]'), ['spec', 'template', 'spec', 'containers', 0, 'ports', 12]);
  const D = 'io.k8s.api.apps.v1.Deployment';
  assert.deepEqual(fieldAtPath(D, 'spec.template.spec.containers[0].ports')?.listMapKeys, ['containerPort', 'protocol']);
  assert.equal(defNameAtPath(D, 'spec.template.spec.containers[0]'), `${CORE}Container`);
  assert.equal(defNameAtPath(D, ['spec', 'template', 'spec', 'containers', 3, 'ports', 0]), `${CORE}ContainerPort`);
  assert.deepEqual(typeAtPath(D, 'metadata.labels.app')?.resolved, { kind: 'prim', type: 'string' });
  assert.deepEqual(typeAtPath(D, 'spec.template.spec.containers[0].resources.limits.cpu')?.resolved.kind, 'prim');
  assert.equal(typeAtPath(D, 'spec.nope'), undefined);
  assert.equal(typeAtPath(D, 'spec.replicas.x'), undefined);
  assert.equal(typeAtPath(D, 'spec.template.spec.containers.name'), undefined, 'a list needs an index');
});

test('a registry can be extended', () => {
  const reg = createSchemaRegistry({});
  assert.equal(reg.getDefinition('x.v1.Foo'), undefined);
  reg.add({
    'x.v1.Foo': {
      kind: 'object',
      gvk: [{ group: 'x', version: 'v1', kind: 'Foo' }],
      fields: { a: { type: { kind: 'prim', type: 'string' } } },
    },
  });
  assert.equal(reg.definitionForGVK({ group: 'x', version: 'v1', kind: 'Foo' }), 'x.v1.Foo');
  assert.deepEqual(reg.names(), ['x.v1.Foo']);
});
