// `tandem status`'s summary of Nodes and Pods: readiness with simulated nodes apart, pods by phase,
// and the lines that say what is wrong (NotReady nodes, unschedulable pods, containers that cannot run).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../api/gen/types.js';
import { renderSummary, summarize } from './status-summary.js';

function node(name: string, ready: 'True' | 'False' | 'Unknown' | undefined, simulated = false, message = ''): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: simulated ? { 'tandem.io/simulated': 'true' } : {} },
    status: ready ? { conditions: [{ type: 'Ready', status: ready, reason: 'NodeStatusUnknown', message }] } : {},
  };
}

function pod(name: string, phase: string, extra: Partial<Pod> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    ...extra,
    metadata: { name, namespace: 'default', ...extra.metadata },
    status: { phase, ...extra.status },
  };
}

test('nodes: real and simulated counted apart, NotReady ones named with the reason', () => {
  const s = summarize(
    [
      node('host', 'True'),
      node('sim-0', 'True', true),
      node('sim-1', 'Unknown', true, 'Kubelet stopped posting node status.'),
      node('new', undefined),
    ],
    [],
  );
  assert.deepEqual(s.nodes, { total: 2, ready: 1, notReady: 1 });
  assert.deepEqual(s.simulatedNodes, { total: 2, ready: 1, notReady: 1 });
  assert.deepEqual(s.problems, [
    'node sim-1 (simulated) NotReady: NodeStatusUnknown: Kubelet stopped posting node status.',
    'node new NotReady: it has not reported a Ready condition yet',
  ]);
  assert.match(renderSummary(s)[0]!, /^nodes: +2 \(1 Ready, 1 NotReady\); simulated 2 \(1 Ready, 1 NotReady\)$/);
});

test('pods by phase, an unschedulable pod with its PodScheduled message, containers that cannot run', () => {
  const pending = pod('big', 'Pending', {
    status: {
      conditions: [
        { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu.' },
      ],
    },
  });
  const crashing = pod('crash', 'Running', {
    spec: { nodeName: 'host', containers: [] },
    status: {
      containerStatuses: [
        {
          name: 'main',
          image: 'x',
          imageID: '',
          ready: false,
          restartCount: 4,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } },
          lastState: { terminated: { exitCode: 3, reason: 'Error' } },
        },
      ],
    },
  });
  const pulling = pod('pull', 'Pending', {
    spec: { nodeName: 'host', containers: [] },
    status: {
      initContainerStatuses: [
        {
          name: 'init',
          image: 'y',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "y"' } },
        },
      ],
    },
  });
  const fine = [
    pod('a', 'Running'),
    pod('b', 'Succeeded'),
    pod('c', 'Running'),
    pod('gone', 'Pending', { metadata: { name: 'gone', deletionTimestamp: '2026-01-01T00:00:00Z' } }),
  ];
  const s = summarize([node('host', 'True')], [pending, crashing, pulling, ...fine]);
  assert.deepEqual(s.pods, { Running: 3, Pending: 3, Succeeded: 1 });
  assert.deepEqual(s.problems, [
    'pod default/big Pending: 0/1 nodes are available: 1 Insufficient cpu.',
    'pod default/crash container main CrashLoopBackOff: restarted 4 times, last exit 3 (Error)',
    'pod default/pull container init ImagePullBackOff: Back-off pulling image "y"',
  ]);
  const lines = renderSummary(s);
  assert.match(lines[1]!, /^pods: +3 Running, 3 Pending, 1 Succeeded$/);
  assert.equal(lines[2], 'problems:');
  assert.equal(lines.length, 6);
});

test('a few lines at most, however much is wrong; an empty cluster says why nothing runs', () => {
  const many = Array.from({ length: 20 }, (_, i) =>
    pod(`p${i}`, 'Pending', {
      status: { conditions: [{ type: 'PodScheduled', status: 'False', message: 'no nodes available to schedule pods' }] },
    }),
  );
  const s = summarize([], many);
  assert.equal(s.problems.length, 8);
  assert.equal(s.problems[7], '… and 13 more');
  const empty = renderSummary(summarize([], []));
  assert.deepEqual(empty, ['nodes:         0 (0 Ready): pods cannot run until a node joins', 'pods:          none', 'problems:      none']);
});
