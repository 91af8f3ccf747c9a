import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Namespace } from '../../api/gen/types.js';
import type { KubeObject } from '../../api/object.js';
import type { ApiResource } from '../../client/discovery.js';
import { contentResources, deletionConditions, finalizeBody, needsCleanup, recheckDelay, toDelete } from './namespace-decide.js';

const ns = (meta: Partial<KubeObject['metadata']>, finalizers?: string[]): Namespace => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'n', ...meta },
  spec: finalizers ? { finalizers } : {},
});
const res = (resource: string, namespaced: boolean, verbs: string[]): ApiResource => ({
  group: '',
  version: 'v1',
  resource,
  kind: resource,
  namespaced,
  verbs,
});

test('only terminating namespaces that still carry the kubernetes finalizer are cleaned', () => {
  assert.equal(needsCleanup(ns({}, ['kubernetes'])), false);
  assert.equal(needsCleanup(ns({ deletionTimestamp: 't' }, ['kubernetes'])), true);
  assert.equal(needsCleanup(ns({ deletionTimestamp: 't' }, [])), false);
  assert.equal(needsCleanup(undefined), false);
});

test('content lives in namespaced resources that can be listed and deleted', () => {
  const rs = [res('pods', true, ['list', 'delete', 'watch']), res('nodes', false, ['list', 'delete']), res('bindings', true, ['create'])];
  assert.deepEqual(
    contentResources(rs).map((r) => r.resource),
    ['pods'],
  );
});

test('objects already being deleted are not deleted again; waiting follows grace periods', () => {
  const a: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' } };
  const b: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', deletionTimestamp: new Date(10_000).toISOString() } };
  assert.deepEqual(
    toDelete([a, b]).map((o) => o.metadata.name),
    ['a'],
  );
  assert.equal(recheckDelay([b], 8_000), 2000);
  assert.equal(recheckDelay([b], 20_000), 250, 'past grace: soon, but not in a tight loop');
  assert.equal(recheckDelay([b], 0), 5000, 'capped');
});

test('finalize removes only the kubernetes finalizer; conditions say what remains', () => {
  const body = finalizeBody(ns({ deletionTimestamp: 't', resourceVersion: '5' }, ['kubernetes', 'example.com/x']));
  assert.deepEqual(body['spec'], { finalizers: ['example.com/x'] });
  assert.equal(body.metadata.resourceVersion, '5');
  const c = deletionConditions(
    [
      { resource: 'pods', count: 2 },
      { resource: 'secrets', count: 0 },
    ],
    ['widgets.example.com'],
    'now',
  );
  assert.equal(c[0]?.['type'], 'NamespaceDeletionContentFailure');
  assert.equal(c[0]?.['status'], 'True');
  assert.equal(c[1]?.['status'], 'True');
  assert.match(c[1]?.['message'] ?? '', /pods has 2 resource instances/);
  assert.doesNotMatch(c[1]?.['message'] ?? '', /secrets/);
});
