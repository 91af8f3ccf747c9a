// Victim selection and node choice of DefaultPreemption: the fewest, least important victims;
// budgets kept where another choice exists; nodes compared in upstream's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodDisruptionBudget } from '../../../api/gen/types.js';
import { createCycleState } from '../../framework/cycle-state.js';
import { createFramework } from '../../framework/framework.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { createDefaultRegistry, defaultProfile } from '../../default-profile.js';
import { createStaticSnapshot } from '../../framework/snapshot.js';
import { info, mkNode, mkNodeInfo, mkPod } from '../../testing/fixtures.js';
import { NO_VICTIMS, pickOneNode, selectVictimsOnNode, splitByPdbViolation, type Candidate } from './select-victims.js';

const fw = createFramework(createDefaultRegistry(), defaultProfile(), { runtimeClass: () => undefined });
const prio = (name: string, priority: number, cpu: string, extra: { labels?: Record<string, string>; start?: string } = {}) => {
  const p = mkPod(name, { cpu, nodeName: 'n1', ...(extra.labels ? { labels: extra.labels } : {}), spec: { priority } });
  if (extra.start) p.status = { startTime: extra.start };
  return p;
};
function victimsOn(preemptor: ReturnType<typeof prio>, ni: NodeInfo, pdbs: PodDisruptionBudget[] = []) {
  const state = createCycleState();
  const pi = info(preemptor);
  assert.equal(fw.runPreFilter(state, pi, createStaticSnapshot([ni])), undefined);
  return selectVictimsOnNode(pi, ni, (n) => fw.runFilter(state, pi, n), pdbs);
}
const names = (r: ReturnType<typeof victimsOn>) => ('pods' in r ? r.pods.map((p) => p.name) : r.reasons);
const pdb = (name: string, labels: Record<string, string>, allowed: number): PodDisruptionBudget => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name, namespace: 'default' },
  spec: { selector: { matchLabels: labels } },
  status: { disruptionsAllowed: allowed, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
});

test('the least important pods go, only as many as needed', () => {
  // 4 cpu node: 1 + 1 + 1 + 1 used; the preemptor needs 2
  const ni = mkNodeInfo(mkNode('n1', { cpu: '4' }), [prio('a', 10, '1'), prio('b', 5, '1'), prio('c', 1, '1'), prio('keep', 200, '1')]);
  assert.deepEqual(names(victimsOn(prio('p', 100, '2'), ni)), ['b', 'c']);
  // higher or equal priority pods are never victims: nothing lower to remove
  const full = mkNodeInfo(mkNode('n1', { cpu: '2' }), [prio('x', 100, '2')]);
  assert.deepEqual(names(victimsOn(prio('p', 100, '1'), full)), [NO_VICTIMS]);
  // removing every lower pod still does not make room: the filter's reason
  const small = mkNodeInfo(mkNode('n1', { cpu: '2' }), [prio('x', 1, '1')]);
  assert.deepEqual(names(victimsOn(prio('p', 100, '3'), small)), ['Insufficient cpu']);
});

test('pods covered by an exhausted budget are kept when others can go instead', () => {
  const ni = mkNodeInfo(mkNode('n1', { cpu: '3' }), [
    prio('guarded', 1, '1', { labels: { app: 'db' } }),
    prio('free1', 1, '1', { labels: { app: 'web' } }),
    prio('free2', 1, '1', { labels: { app: 'web' } }),
  ]);
  const r = victimsOn(prio('p', 100, '2'), ni, [pdb('db', { app: 'db' }, 0)]);
  assert.ok('pods' in r);
  assert.deepEqual(r.pods.map((p) => p.name).sort(), ['free1', 'free2']);
  assert.equal(r.numPdbViolations, 0);
  // when the guarded pod must go too, the violation is counted
  const r2 = victimsOn(prio('p', 100, '3'), ni, [pdb('db', { app: 'db' }, 0)]);
  assert.ok('pods' in r2);
  assert.equal(r2.pods.length, 3);
  assert.equal(r2.numPdbViolations, 1);
});

test('budgets are spent in order of importance; disrupted pods are not counted twice', () => {
  const pods = [prio('a', 5, '1', { labels: { app: 'x' } }), prio('b', 1, '1', { labels: { app: 'x' } })].map((p) => info(p));
  const b = pdb('x', { app: 'x' }, 1);
  const [violating, fine] = splitByPdbViolation(pods, [b]);
  assert.deepEqual([violating.map((p) => p.name), fine.map((p) => p.name)], [['b'], ['a']]);
  b.status!.disruptedPods = { a: '2026-01-01T00:00:00Z' };
  const [v2] = splitByPdbViolation(pods, [b]);
  assert.deepEqual(v2, []);
});

test('the node is picked by violations, then highest victim priority, priority sum, count, start time', () => {
  const victims = (specs: Array<[number, string?]>, violations = 0) => ({
    pods: specs.map(([p, start], i) => info(prio(`v${i}-${p}`, p, '1', start ? { start } : {}))),
    numPdbViolations: violations,
  });
  const c = (node: string, v: Candidate['victims']): Candidate => ({ node, victims: v });
  assert.equal(pickOneNode([c('a', victims([[1]], 1)), c('b', victims([[50]], 0))])?.node, 'b');
  assert.equal(pickOneNode([c('a', victims([[50]])), c('b', victims([[10], [10]]))])?.node, 'b');
  assert.equal(pickOneNode([c('a', victims([[10], [9]])), c('b', victims([[10], [1]]))])?.node, 'b');
  assert.equal(pickOneNode([c('a', victims([[10], [-5], [-5]])), c('b', victims([[10], [-5]]))])?.node, 'b');
  assert.equal(pickOneNode([c('a', victims([[10, '2026-01-01T00:00:00Z']])), c('b', victims([[10, '2026-01-02T00:00:00Z']]))])?.node, 'b');
  assert.equal(pickOneNode([]), undefined);
});
