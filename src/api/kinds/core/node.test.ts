import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../../base/errors.js';
import { defaultNode, nodeKind, validateNode } from './node.js';
import type { Node as NodeT } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';

type Node = UnvalidatedObject<NodeT>;

const NOW = Date.parse('2024-05-01T12:00:00Z');
function node(extra: Partial<Node> = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'win-1', creationTimestamp: '2024-04-29T07:00:00Z', labels: { 'kubernetes.io/os': 'windows' } },
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False' },
        { type: 'Ready', status: 'True' },
      ],
      addresses: [
        { type: 'InternalIP', address: '192.168.1.20' },
        { type: 'Hostname', address: 'win-1' },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.32.0',
        osImage: 'Windows Server 2022 Datacenter',
        kernelVersion: '10.0.20348.2340',
        containerRuntimeVersion: 'containerd://1.7.20',
      },
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
    },
    ...extra,
  };
}

test('node rows: status, roles, wide columns', () => {
  const n = node();
  assert.deepEqual(nodeKind.table.row(n, NOW), [
    'win-1',
    'Ready',
    '<none>',
    '2d5h',
    'v1.32.0',
    '192.168.1.20',
    '<none>',
    'Windows Server 2022 Datacenter',
    '10.0.20348.2340',
    'containerd://1.7.20',
  ]);
  const cordoned = node({ spec: { unschedulable: true } });
  cordoned.metadata.labels = {
    'node-role.kubernetes.io/control-plane': '',
    'node-role.kubernetes.io/worker': '',
    'kubernetes.io/role': 'edge',
  };
  cordoned.status!.conditions = [{ type: 'Ready', status: 'Unknown' }];
  const r = nodeKind.table.row(cordoned, NOW);
  assert.deepEqual(r.slice(1, 3), ['NotReady,SchedulingDisabled', 'control-plane,edge,worker']);
  const bare = node();
  bare.status = {};
  assert.deepEqual(nodeKind.table.row(bare, NOW).slice(1, 2).concat(nodeKind.table.row(bare, NOW).slice(7)), [
    'Unknown',
    '<unknown>',
    '<unknown>',
    '<unknown>',
  ]);
  assert.equal(nodeKind.fieldSelectors?.['spec.unschedulable']?.(cordoned), 'true');
});

test('node defaults and taint validation', () => {
  const n = node();
  defaultNode(n);
  assert.deepEqual(n.status?.allocatable, { cpu: '4', memory: '8Gi', pods: '110' });
  const t = node({ spec: { taints: [{ key: 'os', value: 'windows', effect: 'NoRun' }, { effect: 'NoSchedule' }] } });
  assert.deepEqual(validateNode(t).map(fieldErrorText), [
    'spec.taints[0].effect: Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    'spec.taints[1].key: Required value',
  ]);
});
