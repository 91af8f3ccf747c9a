import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linuxResources, linuxSecurity, nonRootViolation } from './resources.js';
import { pullDecision } from './images.js';
import { createCrashBackoff } from './crash-backoff.js';
import { shouldRestart } from './restart-policy.js';
import { goDuration } from './go-duration.js';
import { parseResolvConf } from '../node/resolv-conf.js';

test('resources map to cgroup settings', () => {
  const r = linuxResources(
    { name: 'c', resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '250m', memory: '32Mi' } } },
    'Burstable',
    1024 * 1024 * 1024,
  );
  assert.deepEqual(r, { cpuShares: 256, cpuPeriod: 100000, cpuQuota: 50000, memoryLimitInBytes: 67108864, oomScoreAdj: 969 });
  const best = linuxResources({ name: 'c' }, 'BestEffort', 1);
  assert.deepEqual(best, { cpuShares: 2, oomScoreAdj: 1000 });
  const g = linuxResources({ name: 'c', resources: { limits: { cpu: '2', memory: '1Gi' } } }, 'Guaranteed', 1);
  assert.equal(g.cpuShares, 2048);
  assert.equal(g.cpuQuota, 200000);
  assert.equal(g.oomScoreAdj, -997);
  assert.equal(linuxResources({ name: 'c', resources: { limits: { cpu: '1m' } } }, 'Burstable', 1).cpuQuota, 1000);
});

test('securityContext: container fields over pod fields', () => {
  const s = linuxSecurity(
    { name: 'c', securityContext: { runAsUser: 1000, readOnlyRootFilesystem: true, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] } } },
    { runAsUser: 5, runAsGroup: 7, runAsNonRoot: true },
  );
  assert.deepEqual(s, {
    runAsUser: 1000,
    runAsGroup: 7,
    runAsNonRoot: true,
    readonlyRootfs: true,
    capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
  });
  assert.match(nonRootViolation({ name: 'c', securityContext: { runAsUser: 0 } }, { runAsNonRoot: true }) ?? '', /non-root/);
  assert.equal(nonRootViolation({ name: 'c' }, { runAsNonRoot: true, runAsUser: 10 }), undefined);
});

test('pull policy decisions', () => {
  assert.equal(pullDecision('Always', true), 'pull');
  assert.equal(pullDecision('IfNotPresent', true), 'use-present');
  assert.equal(pullDecision('IfNotPresent', false), 'pull');
  assert.equal(pullDecision('Never', true), 'use-present');
  assert.equal(pullDecision('Never', false), 'never-pull-error');
});

test('CrashLoopBackOff sequence: 10s doubling to 300s, reset after 10 minutes', () => {
  let now = 0;
  const b = createCrashBackoff({ now: () => now });
  const seq: number[] = [];
  for (let i = 0; i < 8; i++) seq.push(b.next('k') / 1000);
  assert.deepEqual(seq, [10, 20, 40, 80, 160, 300, 300, 300]);
  // exited at t=now: still backing off for the current delay
  assert.equal(b.remaining('k', now), 300_000);
  now += 299_000;
  assert.equal(b.remaining('k', 0), 1000);
  now += 1000;
  assert.equal(b.remaining('k', 0), 0);
  // a container that ran more than 10 minutes starts over
  now += 601_000;
  assert.equal(b.next('k'), 10_000);
  assert.equal(b.remaining('fresh', now), 0);
  assert.equal(goDuration(10_000), '10s');
  assert.equal(goDuration(80_000), '1m20s');
  assert.equal(goDuration(300_000), '5m0s');
  assert.equal(goDuration(250), '250ms');
});

test('restart policy decisions', () => {
  assert.equal(shouldRestart('Always', 0), true);
  assert.equal(shouldRestart(undefined, 1), true);
  assert.equal(shouldRestart('OnFailure', 0), false);
  assert.equal(shouldRestart('OnFailure', 2), true);
  assert.equal(shouldRestart('Never', 2), false);
});

test('resolv.conf parsing skips loopback resolvers', () => {
  const d = parseResolvConf('# c\nnameserver 127.0.0.53\nnameserver 192.0.2.53\nsearch a.example b.example\noptions ndots:2 edns0\n');
  assert.deepEqual(d, { servers: ['192.0.2.53'], searches: ['a.example', 'b.example'], options: ['ndots:2', 'edns0'] });
});
