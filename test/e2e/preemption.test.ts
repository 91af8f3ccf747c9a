// Preemption end to end with the real kubectl: `tandem server` and a `tandem sim` node with 2 CPUs.
// Low-priority pods of a Deployment fill it; a high-priority pod arrives: the scheduler nominates
// it to the node, the low-priority pods are preempted (Preempted events, DisruptionTarget), and the
// pod runs there while the Deployment's replacements wait. PriorityClasses print as upstream's.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { kubectlAvailable } from './harness.js';
import { at, rowWhere, rows, SKIP_MESSAGE } from './kubectl-support.js';
import { eventually, podView, runningReady, startCluster, type Cluster } from './cluster-fleet.js';

let c: Cluster | undefined;
const cl = () => {
  if (!c) throw new Error('cluster not started');
  return c;
};

before(async () => {
  if (!kubectlAvailable()) return;
  // victims linger a second after deletion, as a real kubelet's would while stopping
  c = await startCluster({}, [
    ['--nodes', '1', '--cpu', '2', '--name-prefix', 'tiny-', '--lease-renew-ms', '1000', '--delete-delay-ms', '1000'],
  ]);
});
after(async () => {
  await c?.stop();
});

const run = (fn: () => Promise<void> | void) => async (t: { skip(m: string): void }) => {
  if (!kubectlAvailable()) {
    t.skip(SKIP_MESSAGE);
    return;
  }
  await fn();
};

const priorityClass = (name: string, value: number) =>
  JSON.stringify({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, description: `${name} work` });

test(
  'a high-priority pod preempts the low-priority pods filling a node',
  { timeout: 120_000 },
  run(async () => {
    cl().ok(['apply', '-f', '-'], { input: priorityClass('batch-low', 100) });
    cl().ok(['apply', '-f', '-'], { input: priorityClass('urgent', 100000) });
    const pcs = cl().ok(['get', 'priorityclasses']).stdout;
    assert.deepEqual(rows(pcs)[0], ['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY']);
    assert.deepEqual(rowWhere(pcs, 0, 'system-node-critical')?.slice(0, 3), ['system-node-critical', '2000001000', 'false']);
    assert.equal(rowWhere(pcs, 0, 'urgent')?.[4], 'PreemptLowerPriority');

    cl().ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'filler' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'filler' } },
          template: {
            metadata: { labels: { app: 'filler' } },
            spec: {
              priorityClassName: 'batch-low',
              terminationGracePeriodSeconds: 1,
              containers: [{ name: 'main', image: 'busybox:1.36', resources: { requests: { cpu: '1' } } }],
            },
          },
        },
      }),
    });
    cl().ok(['rollout', 'status', 'deployment/filler', '--timeout=60s'], { timeoutMs: 70_000 });
    const fillers = cl().items(['get', 'pods', '-l', 'app=filler']).map(podView);
    assert.equal(fillers.length, 2);
    for (const f of fillers) assert.equal(f.node, 'tiny-0');
    assert.equal(at(cl().json(['get', 'pod', fillers[0]!.name]), 'spec', 'priority'), 100);

    cl().ok([
      'run',
      'vip',
      '--image=nginx:1.25',
      '--restart=Never',
      '--overrides',
      JSON.stringify({
        spec: { priorityClassName: 'urgent', containers: [{ name: 'vip', image: 'nginx:1.25', resources: { requests: { cpu: '2' } } }] },
      }),
    ]);
    const nominated = await eventually(() => at(cl().json(['get', 'pod', 'vip']), 'status', 'nominatedNodeName'), 30_000, 100);
    assert.equal(nominated, 'tiny-0');
    const running = await eventually(() => {
      const v = podView(cl().json(['get', 'pod', 'vip']));
      return runningReady(v) ? v : false;
    }, 40_000);
    assert.ok(running, 'vip runs');
    assert.equal(running.node, 'tiny-0');
    assert.equal(at(cl().json(['get', 'pod', 'vip']), 'spec', 'priority'), 100000);

    // the two fillers were preempted and are gone; their replacements wait
    const events = cl().items(['get', 'events', '--field-selector', 'reason=Preempted']);
    const preempted = new Set(events.map((e) => String(at(e, 'involvedObject', 'name'))));
    for (const f of fillers) assert.ok(preempted.has(f.name), `${f.name} has a Preempted event: ${JSON.stringify([...preempted])}`);
    assert.match(String(at(events[0], 'message')), /^Preempted by pod .+ on node tiny-0$/);
    const after = await eventually(() => {
      const ps = cl().items(['get', 'pods', '-l', 'app=filler']).map(podView);
      return ps.length === 2 && ps.every((p) => !fillers.some((f) => f.name === p.name) && p.node === '') ? ps : false;
    }, 20_000);
    assert.ok(after, `replacements pending: ${JSON.stringify(cl().items(['get', 'pods', '-l', 'app=filler']).map(podView))}`);
    const pending = cl().json(['get', 'pod', after[0]!.name]);
    const cond = ((at(pending, 'status', 'conditions') as Array<Record<string, unknown>> | undefined) ?? []).find(
      (x) => x['type'] === 'PodScheduled',
    );
    assert.match(
      String(cond?.['message']),
      /^0\/1 nodes are available: 1 Insufficient cpu\. preemption: 0\/1 nodes are available: 1 No preemption victims found for incoming pod\.$/,
    );

    cl().ok(['delete', 'deployment', 'filler']);
    cl().ok(['delete', 'pod', 'vip', '--wait=false']);
  }),
);

test(
  'bad priority classes and unknown class names are refused as upstream',
  { timeout: 30_000 },
  run(() => {
    const big = cl().srv.kubectl(['apply', '-f', '-'], { input: priorityClass('too-big', 2_000_000_000) });
    assert.notEqual(big.code, 0);
    assert.match(big.stderr, /value: Forbidden: maximum allowed value of a user defined priority is 1000000000/);
    const ghost = cl().srv.kubectl([
      'run',
      'ghost',
      '--image=nginx:1.25',
      '--restart=Never',
      '--overrides',
      JSON.stringify({ spec: { priorityClassName: 'nope' } }),
    ]);
    assert.notEqual(ghost.code, 0);
    assert.match(ghost.stderr, /pods "ghost" is forbidden: no PriorityClass with name nope was found/);
  }),
);
