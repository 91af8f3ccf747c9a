// The eviction subresource against a real server with the disruption controller: a budget is spent
// with upstream's 429 when nothing is left, unready and pending pods go without spending it, two
// budgets over one pod answer 500, dry runs change nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from '../../cli/server-command.js';
import { nullLogger } from '../../base/log.js';
import { StatusError } from '../../base/errors.js';
import type { Pod, PodDisruptionBudget } from '../../api/gen/types.js';
import type { RestClient } from '../../client/rest-client.js';

const PODS = '/api/v1/namespaces/default/pods';
const PDBS = '/apis/policy/v1/namespaces/default/poddisruptionbudgets';

async function runningPod(c: RestClient, name: string, labels: Record<string, string>, ready = true): Promise<void> {
  await c.request('POST', PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'x' }] },
  });
  const p = await c.request<Pod>('GET', `${PODS}/${name}`);
  p.spec = { ...p.spec!, nodeName: 'n1' };
  await c.request('POST', `${PODS}/${name}/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { name: 'n1' } });
  const cur = await c.request<Pod>('GET', `${PODS}/${name}`);
  cur.status = {
    ...cur.status,
    phase: 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: new Date().toISOString() }],
  };
  await c.request('PUT', `${PODS}/${name}/status`, cur);
}

const evict = (c: RestClient, name: string, dryRun = false) =>
  c.request('POST', `${PODS}/${name}/eviction${dryRun ? '?dryRun=All' : ''}`, {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name },
  });

async function until<T>(f: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const allowed = (c: RestClient, name: string, n: number) =>
  until(async () => {
    const b = await c.request<PodDisruptionBudget>('GET', `${PDBS}/${name}`);
    return b.status?.observedGeneration === b.metadata.generation && b.status?.disruptionsAllowed === n ? b : undefined;
  }, `${name} to allow ${n}`);

async function withServer(f: (c: RestClient) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-evict-'));
  const s = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger, controllers: ['disruption'] });
  try {
    await f(s.client);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('eviction spends the budget, then answers 429 with the budget named', async () => {
  await withServer(async (c) => {
    for (const n of ['a', 'b', 'c']) await runningPod(c, n, { app: 'web' });
    await c.request('POST', PDBS, {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web' },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
    });
    const b = await allowed(c, 'web', 1);
    assert.deepEqual([b.status?.expectedPods, b.status?.currentHealthy, b.status?.desiredHealthy], [3, 3, 2]);
    assert.equal(b.status?.conditions?.find((x) => x.type === 'DisruptionAllowed')?.reason, 'SufficientPods');
    // a dry run leaves the budget as it was
    await evict(c, 'a', true);
    assert.equal((await c.request<PodDisruptionBudget>('GET', `${PDBS}/web`)).status?.disruptionsAllowed, 1);
    await c.request('GET', `${PODS}/a`);
    // as kubectl drain --dry-run=server sends it
    await c.request('POST', `${PODS}/a/eviction`, {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'a' },
      deleteOptions: { dryRun: ['All'] },
    });
    assert.equal((await c.request<PodDisruptionBudget>('GET', `${PDBS}/web`)).status?.disruptionsAllowed, 1);
    assert.equal((await c.request<Pod>('GET', `${PODS}/a`)).metadata.deletionTimestamp, undefined);

    await evict(c, 'a');
    const spent = await c.request<PodDisruptionBudget>('GET', `${PDBS}/web`);
    assert.equal(spent.status?.disruptionsAllowed, 0);
    assert.ok(spent.status?.disruptedPods?.['a'], 'the evicted pod is recorded');
    const pod = await c.request<Pod>('GET', `${PODS}/a`);
    assert.ok(pod.metadata.deletionTimestamp, 'the pod is terminating');
    assert.equal(pod.status?.conditions?.find((x) => x.type === 'DisruptionTarget')?.reason, 'EvictionByEvictionAPI');

    // the controller agrees: a (terminating), b, c -> 2 healthy of 2 wanted. Waited for before the next
    // eviction: its refusal quotes the budget's status, which says 3 healthy until the controller counts again
    const after = await until(async () => {
      const b = await c.request<PodDisruptionBudget>('GET', `${PDBS}/web`);
      return b.status?.currentHealthy === 2 ? b : undefined;
    }, 'the controller to count 2 healthy pods');
    assert.equal(after.status?.disruptionsAllowed, 0);
    assert.equal(after.status?.conditions?.find((x) => x.type === 'DisruptionAllowed')?.reason, 'InsufficientPods');

    const err = await evict(c, 'b').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof StatusError, String(err));
    assert.equal(err.code, 429);
    assert.equal(err.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(err.details?.causes, [
      { reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' },
    ]);
  });
});

test('pending and unready pods go without spending the budget; two budgets over one pod answer 500', async () => {
  await withServer(async (c) => {
    for (const n of ['a', 'b']) await runningPod(c, n, { app: 'db' });
    await runningPod(c, 'sick', { app: 'db' }, false);
    await c.request('POST', PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'new', labels: { app: 'db' } },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    });
    await c.request('POST', PDBS, {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'db' },
      spec: { maxUnavailable: 0, selector: { matchLabels: { app: 'db' } } },
    });
    await until(async () => {
      const b = await c.request<PodDisruptionBudget>('GET', `${PDBS}/db`);
      return b.status?.observedGeneration === 1 ? b : undefined;
    }, 'db synced');
    // Pending: no budget looked at
    await evict(c, 'new');
    // unready while the budget wants none healthy (its pods are unmanaged: 0 expected): IfHealthyBudget spends
    // the budget, which has nothing left; AlwaysAllow lets the unready pod go
    const e1 = await evict(c, 'sick').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(e1 instanceof StatusError && e1.code === 429, String(e1));
    const cur = await c.request<PodDisruptionBudget>('GET', `${PDBS}/db`);
    cur.spec = { ...cur.spec, unhealthyPodEvictionPolicy: 'AlwaysAllow' };
    await c.request('PUT', `${PDBS}/db`, cur);
    await until(async () => {
      const b = await c.request<PodDisruptionBudget>('GET', `${PDBS}/db`);
      return b.status?.observedGeneration === 2 ? b : undefined;
    }, 'db synced again');
    await evict(c, 'sick');
    assert.equal((await c.request<PodDisruptionBudget>('GET', `${PDBS}/db`)).status?.disruptedPods, undefined);

    await c.request('POST', PDBS, {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'db2' },
      spec: { minAvailable: 0, selector: { matchLabels: { app: 'db' } } },
    });
    const e2 = await evict(c, 'a').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(e2 instanceof StatusError, String(e2));
    assert.equal(e2.code, 500);
    assert.equal(e2.message, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  });
});

test('PodDisruptionBudget validation names the field', async () => {
  await withServer(async (c) => {
    // a new budget answers with upstream's zero counters, whatever status it was sent with
    const fresh = await c.request<PodDisruptionBudget>('POST', PDBS, {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'fresh' },
      spec: { maxUnavailable: '25%', selector: { matchLabels: { app: 'x' } } },
      status: { disruptionsAllowed: 9, currentHealthy: 9, desiredHealthy: 0, expectedPods: 9 },
    });
    assert.deepEqual(fresh.status, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
    const bad = async (spec: unknown, want: string) => {
      const e = await c.request('POST', PDBS, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'x' }, spec }).then(
        () => undefined,
        (err: unknown) => err,
      );
      assert.ok(e instanceof StatusError && e.code === 422, `${JSON.stringify(spec)}: ${String(e)}`);
      assert.ok(e.message.includes(want), `${e.message} lacks ${want}`);
    };
    await bad(
      { minAvailable: 1, maxUnavailable: 1 },
      'spec: Invalid value: {"minAvailable":1,"maxUnavailable":1}: minAvailable and maxUnavailable cannot be both set',
    );
    await bad({ minAvailable: -1 }, 'spec.minAvailable: Invalid value: -1: must be greater than or equal to 0');
    await bad({ maxUnavailable: '120%' }, 'spec.maxUnavailable: Invalid value: "120%": must not be greater than 100%');
    await bad({ minAvailable: 'half' }, 'spec.minAvailable: Invalid value: "half"');
    await bad(
      { minAvailable: 1, unhealthyPodEvictionPolicy: 'Sometimes' },
      'spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes"',
    );
    await bad(
      { minAvailable: 1, selector: { matchExpressions: [{ key: 'a', operator: 'Near' }] } },
      'spec.selector.matchExpressions[0].operator',
    );
  });
});

test("the caller's resourceVersion precondition holds across the DisruptionTarget write", async () => {
  await withServer(async (c) => {
    for (const n of ['x', 'y']) await runningPod(c, n, { app: 'solo' });
    const x = await c.request<Pod>('GET', `${PODS}/x`);
    const body = (name: string, resourceVersion: string) => ({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name },
      deleteOptions: { preconditions: { resourceVersion } },
    });
    await c.request('POST', `${PODS}/x/eviction`, body('x', x.metadata.resourceVersion ?? ''));
    assert.ok((await c.request<Pod>('GET', `${PODS}/x`)).metadata.deletionTimestamp);
    const e = await c.request('POST', `${PODS}/y/eviction`, body('y', '1')).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(e instanceof StatusError && e.code === 409, String(e));
    const y = await c.request<Pod>('GET', `${PODS}/y`);
    assert.equal(y.metadata.deletionTimestamp, undefined);
    assert.equal(
      y.status?.conditions?.find((k) => k.type === 'DisruptionTarget'),
      undefined,
      'no condition on a pod that stays',
    );
  });
});
