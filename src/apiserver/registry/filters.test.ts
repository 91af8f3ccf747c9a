// Label and field selectors over stored versions, with the per-version facts shared between filters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import type { KeyValue } from '../../storage/backend.js';
import { compileFilter } from './filters.js';

const kv = (name: string, node: string, labels: Record<string, string>): KeyValue => ({
  key: `/registry/pods/d/${name}`,
  value: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'd', labels }, spec: { nodeName: node } }),
  createRevision: 1,
  modRevision: 1,
});

test('field and label selectors match stored versions; filters needing other fields share one version', () => {
  const a = kv('a', 'n1', { app: 'web' });
  const b = kv('b', 'n2', { app: 'db' });
  const byNode = compileFilter(podKind, null, 'spec.nodeName=n1');
  assert.ok(byNode);
  assert.deepEqual([a, b].filter(byNode), [a]);
  // the same versions through a filter on another field and a label: the facts grow, answers stay right
  const byName = compileFilter(podKind, 'app in (web,db)', 'metadata.name=b,metadata.namespace=d');
  assert.deepEqual([a, b].filter(byName!), [b]);
  assert.deepEqual([a, b].filter(byNode), [a]);
  const notNode = compileFilter(podKind, '!missing', 'spec.nodeName!=n1');
  assert.deepEqual([a, b].filter(notNode!), [b]);
  assert.equal(compileFilter(podKind, '', null), undefined);
  assert.throws(() => compileFilter(podKind, null, 'spec.unknown=x'), /field label not supported: spec.unknown/);
});
