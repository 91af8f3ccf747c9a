// Leader election against a real API server: a follower takes a dead holder's Lease when it runs
// out, not on its next retry tick, and a live holder's Lease is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nullLogger } from '../base/log.js';
import { microTime } from '../base/time.js';
import { startLeaderElection } from '../client/leader-election.js';
import { runServer } from './server-command.js';

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases';

test('a follower takes a dead holder’s Lease when it expires, not a retry period later', { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-leader-'));
  const s = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger, controllers: ['tokencleaner'] });
  t.after(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  // a holder that renewed 1 s ago and then died: its 3 s lease runs out 2 s from now
  const renewed = Date.now() - 1000;
  await s.client.request('POST', LEASES, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'takeover', namespace: 'kube-system' },
    spec: { holderIdentity: 'dead', leaseDurationSeconds: 3, renewTime: microTime(renewed), acquireTime: microTime(renewed) },
  });
  let ledAt = 0;
  const started = Date.now();
  const e = startLeaderElection(s.client, {
    name: 'takeover',
    identity: 'follower',
    leaseDurationSeconds: 3,
    retryPeriodMs: 20_000, // a retry tick would come only after 20 s
    onStartedLeading: () => (ledAt = Date.now()),
    onStoppedLeading: () => undefined,
  });
  t.after(() => e.stop());
  const until = Date.now() + 15_000;
  while (!ledAt && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  assert.ok(ledAt > 0, 'the follower took the Lease');
  assert.ok(ledAt >= renewed + 3000, `not before the lease ran out (took it ${ledAt - renewed} ms after the renewal)`);
  assert.ok(ledAt - started < 10_000, `at its expiry, not on the 20 s retry tick (${ledAt - started} ms)`);
  const lease = (await s.client.request('GET', `${LEASES}/takeover`)) as { spec: { holderIdentity: string; leaseTransitions: number } };
  assert.equal(lease.spec.holderIdentity, 'follower');
  assert.equal(lease.spec.leaseTransitions, 1);
});
