// The HPA's arithmetic: the replica calculator (tolerance, unready and missing pods, requests) and
// the normalisation (min/max, scale-up limit, stabilization windows, behavior policies).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/gen/types.js';
import { rfc3339 } from '../../base/time.js';
import { newHistory, normalizeReplicas, recordScaleEvent } from './normalize.js';
import { resourceReplicas, type PodMetric } from './replica-calc.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const MIN = 60_000;

function pod(
  name: string,
  opts: { phase?: string; ready?: boolean; startedAgoMs?: number; readyAgoMs?: number; request?: string } = {},
): Pod {
  const started = NOW - (opts.startedAgoMs ?? 10 * MIN);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns' },
    spec: { containers: [{ name: 'main', image: 'x', resources: { requests: { cpu: opts.request ?? '100m' } } }] },
    status: {
      phase: opts.phase ?? 'Running',
      startTime: rfc3339(started),
      conditions: [
        { type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: rfc3339(NOW - (opts.readyAgoMs ?? 9 * MIN)) },
      ],
    },
  };
}
const metrics = (m: Record<string, number>) =>
  new Map<string, PodMetric>(Object.entries(m).map(([k, milli]) => [k, { milli, timestampMs: NOW, windowMs: 10_000 }]));
const cpu = (current: number, util: number, pods: Pod[], m: Record<string, number>) =>
  resourceReplicas(current, { utilization: util }, 'cpu', undefined, pods, metrics(m), NOW);

test('utilization against requests, with the 10% tolerance', () => {
  const pods = [pod('a'), pod('b')];
  // 90m and 110m of 100m each: 100% against a 50% target → 4
  assert.deepEqual(cpu(2, 50, pods, { a: 90, b: 110 }), { replicas: 4, averageMilli: 100, utilization: 100 });
  // 54% against 50%: ratio 1.08, within tolerance → keep 2
  assert.equal(cpu(2, 50, pods, { a: 54, b: 54 }).replicas, 2);
  // 56% → ratio 1.12 → ceil(1.12 * 2) = 3
  assert.equal(cpu(2, 50, pods, { a: 56, b: 56 }).replicas, 3);
  // 10% → ceil(0.2 * 2) = 1
  assert.equal(cpu(2, 50, pods, { a: 10, b: 10 }).replicas, 1);
  assert.throws(() => cpu(1, 50, [], {}), /no pods returned by selector/);
  assert.throws(() => cpu(1, 50, [pod('a')], {}), /did not receive metrics/);
  const noReq = pod('a');
  delete noReq.spec!.containers[0]!.resources;
  assert.throws(() => cpu(1, 50, [noReq], { a: 10 }), /missing request for cpu in container main of Pod a/);
});

test('unready and missing pods are counted conservatively', () => {
  // scale-up: the pending pod counts as 0%: (100+100+0)/300 = 66% vs 50% → ceil(1.32 * 3) = 4
  assert.equal(cpu(3, 50, [pod('a'), pod('b'), pod('c', { phase: 'Pending' })], { a: 100, b: 100 }).replicas, 4);
  // a pod ready for less than a metrics window is unready too
  assert.equal(
    cpu(3, 50, [pod('a'), pod('b'), pod('c', { startedAgoMs: 20_000, readyAgoMs: 5_000 })], { a: 100, b: 100, c: 100 }).replicas,
    4,
  );
  // scale-down with a missing metric: the missing pod counts as 100% → (10+10+100)/300 = 40% vs 50%: 0.8 → ceil(0.8*3) = 3
  assert.equal(cpu(3, 50, [pod('a'), pod('b'), pod('c')], { a: 10, b: 10 }).replicas, 3);
  // scale-up with a missing metric: it counts as 0% → (100+100+0)/300 = 66% → 4
  assert.equal(cpu(3, 50, [pod('a'), pod('b'), pod('c')], { a: 100, b: 100 }).replicas, 4);
  // deleted and failed pods are ignored entirely
  const gone = pod('c');
  gone.metadata.deletionTimestamp = rfc3339(NOW);
  assert.equal(cpu(2, 50, [pod('a'), pod('b'), gone, pod('d', { phase: 'Failed' })], { a: 100, b: 100, c: 500 }).replicas, 4);
});

test('an AverageValue target divides average usage by the target', () => {
  const r = resourceReplicas(2, { averageMilli: 200 }, 'memory', undefined, [pod('a'), pod('b')], metrics({ a: 400, b: 400 }), NOW);
  assert.deepEqual(r, { replicas: 4, averageMilli: 400 });
});

const args = (current: number, desired: number, now = NOW) => ({ current, desired, min: 1, max: 10, now, downscaleWindowMs: 5 * MIN });

test('without behavior: min/max, the 2x-or-4 scale-up limit, 5 min scale-down stabilization', () => {
  const h = newHistory();
  let n = normalizeReplicas(h, args(2, 20), undefined);
  assert.equal(n.replicas, 4);
  assert.deepEqual(n.scalingLimited, {
    status: 'True',
    reason: 'ScaleUpLimit',
    message: 'the desired replica count is increasing faster than the maximum scale rate',
  });
  n = normalizeReplicas(newHistory(), args(8, 20), undefined);
  assert.equal(n.replicas, 10);
  assert.equal(n.scalingLimited.reason, 'TooManyReplicas');
  n = normalizeReplicas(newHistory(), { ...args(3, 1), min: 2, downscaleWindowMs: 0 }, undefined);
  assert.equal(n.replicas, 2);
  assert.equal(n.scalingLimited.reason, 'TooFewReplicas');
  // stabilization: a recommendation of 4 two minutes ago holds a drop to 1 until it is 5 minutes old
  const s = newHistory();
  normalizeReplicas(s, args(4, 4, NOW - 2 * MIN), undefined);
  n = normalizeReplicas(s, args(4, 1), undefined);
  assert.equal(n.replicas, 4);
  assert.equal(n.ableToScale.reason, 'ScaleDownStabilized');
  n = normalizeReplicas(s, args(4, 1, NOW + 3 * MIN + 1), undefined);
  assert.equal(n.replicas, 1);
  assert.equal(n.ableToScale.reason, 'ReadyForNewScale');
});

test('with behavior: windows both ways and the policies over their periods', () => {
  const behavior = {
    scaleUp: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
    scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
  };
  // up window: a recent low recommendation (3) caps a jump to 9
  const h = newHistory();
  normalizeReplicas(h, args(3, 3, NOW - 30_000), behavior);
  let n = normalizeReplicas(h, args(3, 9), behavior);
  assert.equal(n.replicas, 3);
  assert.equal(n.ableToScale.reason, 'ScaleUpStabilized');
  // past the window: +2 pods per minute
  const up = newHistory();
  n = normalizeReplicas(up, args(3, 9), behavior);
  assert.equal(n.replicas, 5);
  assert.equal(n.scalingLimited.reason, 'ScaleUpLimit');
  recordScaleEvent(up, behavior, 3, 5, NOW);
  // 20 s later the period's budget is spent (started at 3, +2 already)
  n = normalizeReplicas(up, args(5, 9, NOW + 20_000), behavior);
  assert.equal(n.replicas, 5);
  // a minute later it may add 2 again
  n = normalizeReplicas(up, args(5, 9, NOW + 61_000), behavior);
  assert.equal(n.replicas, 7);
  // scale-down: at most 50% per minute
  n = normalizeReplicas(newHistory(), args(8, 1), behavior);
  assert.equal(n.replicas, 4);
  assert.equal(n.scalingLimited.reason, 'ScaleDownLimit');
  // Disabled keeps the current count
  n = normalizeReplicas(newHistory(), args(8, 1), { ...behavior, scaleDown: { ...behavior.scaleDown, selectPolicy: 'Disabled' } });
  assert.equal(n.replicas, 8);
});
