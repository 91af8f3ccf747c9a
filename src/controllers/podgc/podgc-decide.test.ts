import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../../api/gen/types.js';
import {
  byEvictionThenAge,
  failedStatusPatch,
  missingNodes,
  ORPHANED_POD_CONDITION,
  podsOnNodes,
  stepQuarantine,
  terminatedToCollect,
  terminatingOnOutOfServiceNodes,
  unscheduledTerminating,
} from './podgc-decide.js';

const T0 = Date.parse('2024-03-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

interface PodSpec {
  phase?: string;
  reason?: string;
  node?: string;
  created?: number;
  deleting?: boolean;
}
function pod(name: string, o: PodSpec = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      creationTimestamp: iso(o.created ?? T0),
      ...(o.deleting ? { deletionTimestamp: iso(T0), deletionGracePeriodSeconds: 30 } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'i' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: { phase: o.phase ?? 'Running', ...(o.reason ? { reason: o.reason } : {}) },
  };
}
function node(name: string, ready: string | undefined, taints: string[] = []): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: { taints: taints.map((key) => ({ key, effect: 'NoExecute' })) },
    status: { conditions: ready ? [{ type: 'Ready', status: ready }] : [] },
  };
}
const names = (ps: readonly Pod[]) => ps.map((p) => p.metadata.name);

test('terminated pods beyond the threshold: evicted first, then oldest, name breaking ties', () => {
  const pods = [
    pod('running-old', { phase: 'Running', created: T0 - 9000 }),
    pod('pending-old', { phase: 'Pending', created: T0 - 9000 }),
    pod('ok-3', { phase: 'Succeeded', created: T0 + 3000 }),
    pod('failed-1', { phase: 'Failed', created: T0 + 1000 }),
    pod('ok-b', { phase: 'Succeeded', created: T0 + 2000 }),
    pod('ok-a', { phase: 'Succeeded', created: T0 + 2000 }),
    pod('evicted-new', { phase: 'Failed', reason: 'Evicted', created: T0 + 9000 }),
    pod('unknown', { phase: 'Unknown', created: T0 - 9000 }),
  ];
  const cases: Array<[threshold: number, expected: string[]]> = [
    [0, []], // 0 turns the collection off
    [5, []], // 5 terminated pods: none beyond
    [9, []],
    [4, ['evicted-new']],
    [2, ['evicted-new', 'failed-1', 'ok-a']],
    [1, ['evicted-new', 'failed-1', 'ok-a', 'ok-b']],
  ];
  for (const [threshold, expected] of cases)
    assert.deepEqual(names(terminatedToCollect(pods, threshold)), expected, `threshold ${threshold}`);
  assert.equal(byEvictionThenAge(pods[4] as Pod, pods[4] as Pod), 0);
});

test('terminating pods are force-deleted only on a not-Ready node with the out-of-service taint', () => {
  const OOS = 'node.kubernetes.io/out-of-service';
  const nodes = new Map(
    [
      node('down-oos', 'False', [OOS]),
      node('unknown-oos', 'Unknown', ['node.kubernetes.io/unreachable', OOS]),
      node('no-condition-oos', undefined, [OOS]),
      node('ready-oos', 'True', [OOS]),
      node('down', 'False', ['node.kubernetes.io/not-ready']),
    ].map((n) => [n.metadata.name ?? '', n]),
  );
  const cases: Array<[name: string, o: PodSpec, collected: boolean]> = [
    ['a', { node: 'down-oos', deleting: true }, true],
    ['b', { node: 'unknown-oos', deleting: true }, true],
    ['c', { node: 'no-condition-oos', deleting: true }, true],
    ['d', { node: 'ready-oos', deleting: true }, false], // the node is Ready: its kubelet finishes the pod
    ['e', { node: 'down', deleting: true }, false], // NotReady alone is not enough
    ['f', { node: 'down-oos' }, false], // not terminating
    ['g', { node: 'no-such-node', deleting: true }, false], // not cached: the orphan pass handles it
    ['h', { deleting: true }, false], // unscheduled: its own pass
  ];
  for (const [name, o, collected] of cases) {
    const got = terminatingOnOutOfServiceNodes([pod(name, o)], (n) => nodes.get(n));
    assert.equal(got.length === 1, collected, `pod ${name}`);
  }
});

test('unscheduled terminating pods: deletionTimestamp set and no node', () => {
  const pods = [
    pod('a', { deleting: true }),
    pod('b', { deleting: true, node: 'n1' }),
    pod('c'),
    pod('d', { phase: 'Succeeded', deleting: true }),
  ];
  assert.deepEqual(names(unscheduledTerminating(pods)), ['a', 'd']);
});

test('missing nodes wait out the quarantine; a node waiting keeps its first deadline', () => {
  const pods = [pod('a', { node: 'n1' }), pod('b', { node: 'gone' }), pod('c', { node: 'gone' }), pod('d'), pod('e', { node: 'late' })];
  const missing = missingNodes(pods, (n) => n === 'n1');
  assert.deepEqual([...missing], ['gone', 'late']);

  let s = stepQuarantine(new Map(), missing, T0, 40_000);
  assert.deepEqual(
    [...s.waiting],
    [
      ['gone', T0 + 40_000],
      ['late', T0 + 40_000],
    ],
  );
  assert.deepEqual(s.due, []);
  s = stepQuarantine(s.waiting, ['gone', 'other'], T0 + 20_000, 40_000);
  assert.equal(s.waiting.get('gone'), T0 + 40_000, 'seen again: the first deadline stays');
  assert.equal(s.waiting.get('other'), T0 + 60_000);
  assert.deepEqual(s.due, []);
  // at the deadline: due, whether or not still missing ('late' showed up; the caller skips cached ones)
  s = stepQuarantine(s.waiting, ['gone'], T0 + 40_000, 40_000);
  assert.deepEqual(s.due.sort(), ['gone', 'late']);
  assert.deepEqual([...s.waiting.keys()], ['other']);
  // checked and still missing: waits again from now
  s = stepQuarantine(s.waiting, ['gone'], T0 + 41_000, 40_000);
  assert.equal(s.waiting.get('gone'), T0 + 81_000);
  // a quarantine of 0 makes a missing node due at once
  assert.deepEqual(stepQuarantine(new Map(), ['x'], T0, 0).due, ['x']);

  assert.deepEqual(names(podsOnNodes(pods, new Set(['gone']))), ['b', 'c']);
});

test('the status before a force delete: Failed with the condition, nothing for finished pods', () => {
  const running = pod('r', { node: 'gone' });
  assert.deepEqual(failedStatusPatch(running, T0, ORPHANED_POD_CONDITION), {
    metadata: { uid: 'uid-r' },
    status: {
      phase: 'Failed',
      conditions: [
        {
          type: 'DisruptionTarget',
          status: 'True',
          reason: 'DeletionByPodGC',
          message: 'PodGC: node no longer exists',
          lastTransitionTime: '2024-03-01T00:00:00Z',
        },
      ],
    },
  });
  assert.deepEqual(failedStatusPatch(running, T0), { metadata: { uid: 'uid-r' }, status: { phase: 'Failed' } });
  // a condition already True keeps its transition time
  const marked = pod('m');
  marked.status = {
    phase: 'Running',
    conditions: [{ type: 'DisruptionTarget', status: 'True', lastTransitionTime: '2023-01-01T00:00:00Z' }],
  };
  const patch = failedStatusPatch(marked, T0, ORPHANED_POD_CONDITION) as { status: { conditions: Array<{ lastTransitionTime: string }> } };
  assert.equal(patch.status.conditions[0]?.lastTransitionTime, '2023-01-01T00:00:00Z');
  for (const phase of ['Succeeded', 'Failed']) assert.equal(failedStatusPatch(pod('x', { phase }), T0, ORPHANED_POD_CONDITION), undefined);
  assert.deepEqual(failedStatusPatch(pod('p', { phase: 'Pending' }), T0), { metadata: { uid: 'uid-p' }, status: { phase: 'Failed' } });
});
