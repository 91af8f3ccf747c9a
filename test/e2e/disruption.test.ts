// PodDisruptionBudgets end to end with the real kubectl: `tandem server` (scheduler, controllers,
// the disruption controller) and a `tandem sim` fleet of 3 nodes. A Deployment of 3 guarded by a
// budget of minAvailable 3: `kubectl drain` of a node with one of its pods keeps retrying and ends
// at its timeout with upstream's message, the pod still there. With minAvailable 2 the same drain
// succeeds and the pods come back elsewhere.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { kubectlAvailable } from './harness.js';
import { at, rowWhere, rows, SKIP_MESSAGE } from './kubectl-support.js';
import { deployment, eventually, podView, runningReady, startCluster, type Cluster } from './cluster-fleet.js';

let c: Cluster | undefined;
const cl = () => {
  if (!c) throw new Error('cluster not started');
  return c;
};

before(async () => {
  if (!kubectlAvailable()) return;
  c = await startCluster({}, [['--nodes', '3', '--name-prefix', 'pdb-', '--lease-renew-ms', '1000']]);
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

const pdb = (minAvailable: number) =>
  JSON.stringify({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web' },
    spec: { minAvailable, selector: { matchLabels: { app: 'web' } } },
  });

/** The budget once the controller has processed its latest spec and sees `allowed` disruptions. */
async function budget(allowed: number): Promise<Record<string, unknown>> {
  const got = await eventually(() => {
    const b = cl().json(['get', 'pdb', 'web']);
    const ok =
      at(b, 'status', 'observedGeneration') === at(b, 'metadata', 'generation') && at(b, 'status', 'disruptionsAllowed') === allowed;
    return ok ? b : false;
  }, 30_000);
  assert.ok(got, `pdb web never allowed ${allowed}: ${JSON.stringify(cl().json(['get', 'pdb', 'web']).status)}`);
  return got;
}

async function webReady(n: number) {
  const got = await eventually(() => {
    const ps = cl().items(['get', 'pods', '-l', 'app=web']).map(podView);
    return ps.length === n && ps.every(runningReady) ? ps : false;
  }, 30_000);
  assert.ok(got, 'web pods Running and Ready');
  return got;
}

test(
  'a budget that would break blocks kubectl drain with upstream message; a looser one lets it through',
  { timeout: 150_000 },
  run(async () => {
    cl().ok(['apply', '-f', '-'], { input: deployment('web', 3, 'nginx:1.25', { terminationGracePeriodSeconds: 1 }) });
    cl().ok(['rollout', 'status', 'deployment/web', '--timeout=60s'], { timeoutMs: 70_000 });
    const ps = await webReady(3);
    cl().ok(['apply', '-f', '-'], { input: pdb(3) });
    const b = await budget(0);
    assert.deepEqual([at(b, 'status', 'expectedPods'), at(b, 'status', 'currentHealthy'), at(b, 'status', 'desiredHealthy')], [3, 3, 3]);
    const table = rows(cl().ok(['get', 'pdb']).stdout);
    assert.deepEqual(table[0], ['NAME', 'MIN', 'AVAILABLE', 'MAX', 'UNAVAILABLE', 'ALLOWED', 'DISRUPTIONS', 'AGE']);
    assert.deepEqual(table[1]?.slice(0, 4), ['web', '3', 'N/A', '0']);

    const node = ps[0]!.node;
    const mine = ps.filter((p) => p.node === node).map((p) => p.name);
    const blocked = cl().srv.kubectl(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=12s'], {
      timeoutMs: 40_000,
    });
    const out = blocked.stdout + blocked.stderr;
    assert.notEqual(blocked.code, 0, `drain should fail:\n${out}`);
    assert.match(
      out,
      /error when evicting pods\/"web-[^"]+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./,
    );
    assert.match(out, /global timeout reached: 12s/);
    // the node is cordoned, its pod untouched
    assert.equal(at(cl().json(['get', 'node', node]), 'spec', 'unschedulable'), true);
    const still = cl().items(['get', 'pods', '-l', 'app=web']).map(podView);
    for (const name of mine)
      assert.ok(
        still.some((p) => p.name === name && runningReady(p)),
        `${name} still runs on ${node}`,
      );

    cl().ok(['apply', '-f', '-'], { input: pdb(2) });
    await budget(1);
    const drained = cl().ok(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s'], { timeoutMs: 70_000 });
    for (const name of mine) assert.match(drained.stdout + drained.stderr, new RegExp(`pod/${name} evicted`));
    const back = await webReady(3);
    assert.equal(back.filter((p) => p.node === node).length, 0, 'nothing comes back on the drained node');
    // the evictions were counted against the budget, then the replacements made it whole again
    await budget(1);
    // a percentage counts the Deployment's replicas, found through the pods' ReplicaSet: 34% of 3
    // rounds up to 2 unavailable, so 1 must stay healthy and 2 may go
    cl().ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'web' },
        spec: { maxUnavailable: '34%', selector: { matchLabels: { app: 'web' } } },
      }),
    });
    const pct = await budget(2);
    assert.deepEqual([at(pct, 'status', 'expectedPods'), at(pct, 'status', 'desiredHealthy')], [3, 1]);
    cl().ok(['uncordon', node]);
    cl().ok(['delete', 'pdb', 'web']);
    cl().ok(['delete', 'deployment', 'web']);
  }),
);

test(
  'bad budgets are refused with the field named',
  { timeout: 30_000 },
  run(() => {
    const r = cl().srv.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'both' },
        spec: { minAvailable: 1, maxUnavailable: '10%', selector: { matchLabels: { app: 'x' } } },
      }),
    });
    const res = cl().ok(['api-resources']).stdout;
    assert.deepEqual(rowWhere(res, 0, 'poddisruptionbudgets'), ['poddisruptionbudgets', 'pdb', 'policy/v1', 'true', 'PodDisruptionBudget']);
    assert.deepEqual(rowWhere(res, 0, 'priorityclasses'), ['priorityclasses', 'pc', 'scheduling.k8s.io/v1', 'false', 'PriorityClass']);
    assert.match(cl().ok(['explain', 'pdb.spec.minAvailable']).stdout, /^FIELD:\s+minAvailable <IntOrString>$/m);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /The PodDisruptionBudget "both" is invalid: spec: Invalid value: .*: minAvailable and maxUnavailable cannot be both set/,
    );
  }),
);
