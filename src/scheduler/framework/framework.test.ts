import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numFeasibleNodesToFind } from './percentage.js';
import { fitErrorMessage } from './fit-error.js';
import { unresolvable, unschedulable, type Status } from './status.js';

test('adaptive percentage of nodes to score', () => {
  assert.equal(numFeasibleNodesToFind(50), 50);
  assert.equal(numFeasibleNodesToFind(100), 100); // 49% of 100 is below the floor of 100
  assert.equal(numFeasibleNodesToFind(1000), 420); // 50 - 8 = 42%
  assert.equal(numFeasibleNodesToFind(5000), 500); // 50 - 40 = 10%
  assert.equal(numFeasibleNodesToFind(6000), 300); // 50 - 48 = 2% -> 5%
  assert.equal(numFeasibleNodesToFind(15000), 750);
  assert.equal(numFeasibleNodesToFind(5000, 100), 5000);
  assert.equal(numFeasibleNodesToFind(5000, 1), 100); // configured, floor 100
  assert.equal(numFeasibleNodesToFind(5000, 30), 1500);
});

test('the FailedScheduling message counts reasons per node, sorted', () => {
  const nodeToStatus = new Map<string, Status>();
  for (let i = 0; i < 20; i++) nodeToStatus.set(`l${i}`, unresolvable("node(s) didn't match Pod's node affinity/selector"));
  for (let i = 0; i < 10; i++) nodeToStatus.set(`w${i}`, unschedulable('Insufficient cpu'));
  const msg = fitErrorMessage(30, { nodeToStatus, unschedulablePlugins: new Set() });
  assert.equal(
    msg,
    "0/30 nodes are available: 10 Insufficient cpu, 20 node(s) didn't match Pod's node affinity/selector. " +
      'preemption: 0/30 nodes are available: 30 Preemption is not helpful for scheduling.',
  );
  const multi = new Map<string, Status>([
    ['a', unschedulable('Insufficient cpu', 'Insufficient memory')],
    ['b', unschedulable('Insufficient memory')],
  ]);
  assert.match(
    fitErrorMessage(2, { nodeToStatus: multi, unschedulablePlugins: new Set() }),
    /^0\/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory\. /,
  );
  assert.equal(
    fitErrorMessage(3, { nodeToStatus: new Map(), preFilterMsg: 'RuntimeClass "x" not found', unschedulablePlugins: new Set() }, ''),
    '0/3 nodes are available: RuntimeClass "x" not found.',
  );
});
