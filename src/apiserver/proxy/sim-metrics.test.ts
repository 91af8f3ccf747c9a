import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnyObject } from '../../api/object.js';
import { simulatedSummary } from './sim-metrics.js';

const pod = (name: string, node: string, phase: string, ann: Record<string, string>, containers = ['a']): AnyObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', annotations: ann },
  spec: { nodeName: node, containers: containers.map((n) => ({ name: n })) },
  status: { phase },
});

test('simulated pods use the CPU and memory their annotations name, split over containers', () => {
  const s = simulatedSummary(
    'sim-0',
    [
      pod('busy', 'sim-0', 'Running', { 'tandem.io/sim-cpu': '500m', 'tandem.io/sim-memory': '64Mi' }, ['a', 'b']),
      pod('idle', 'sim-0', 'Running', {}),
      pod('bad', 'sim-0', 'Running', { 'tandem.io/sim-cpu': 'lots' }),
      pod('pending', 'sim-0', 'Pending', { 'tandem.io/sim-cpu': '1' }),
      pod('elsewhere', 'sim-1', 'Running', { 'tandem.io/sim-cpu': '1' }),
    ],
    Date.parse('2024-05-01T12:00:00.123Z'),
  );
  assert.deepEqual(
    s.pods.map((p) => [p.podRef.name, p.containers.map((c) => [c.name, c.cpu.usageNanoCores, c.memory.workingSetBytes])]),
    [
      [
        'busy',
        [
          ['a', 250e6, 32 * 2 ** 20],
          ['b', 250e6, 32 * 2 ** 20],
        ],
      ],
      ['idle', [['a', 0, 0]]],
      ['bad', [['a', 0, 0]]],
    ],
  );
  assert.equal(s.node.cpu.usageNanoCores, 500e6);
  assert.equal(s.node.cpu.time, '2024-05-01T12:00:00Z');
});
