import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRole, PolicyRule } from '../../api/gen/types.js';
import { aggregatedRules, needsUpdate } from './aggregation-decide.js';

const cr = (name: string, labels: Record<string, string>, rules: PolicyRule[], selectors?: Array<Record<string, string>>): ClusterRole => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name, labels },
  rules,
  ...(selectors ? { aggregationRule: { clusterRoleSelectors: selectors.map((matchLabels) => ({ matchLabels })) } } : {}),
});
const get = (res: string): PolicyRule => ({ verbs: ['get'], apiGroups: [''], resources: [res] });

test('an aggregated role gathers matching roles by selector, then name, each rule once', () => {
  const view = cr('view', {}, [], [{ 'agg-view': 'true' }, { extra: 'yes' }]);
  const all = [
    view,
    cr('b', { 'agg-view': 'true' }, [get('pods'), get('services')]),
    cr('a', { 'agg-view': 'true' }, [get('services')]),
    cr('c', { extra: 'yes' }, [get('secrets'), get('pods')]),
    cr('d', { other: 'x' }, [get('nodes')]),
  ];
  const want = aggregatedRules(view, all);
  assert.deepEqual(want, [get('services'), get('pods'), get('secrets')]);
  assert.equal(needsUpdate(view, want), true);
  assert.equal(needsUpdate({ ...view, rules: want }, want), false);
  assert.deepEqual(
    aggregatedRules(cr('self', { 'agg-view': 'true' }, [get('x')], [{ 'agg-view': 'true' }]), []),
    [],
    'a role never gathers itself',
  );
});
