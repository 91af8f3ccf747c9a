// When a node counts as held by a running sim: the Lease, the host, the process, the fleet.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { Lease, Node } from '../../api/gen/types.js';
import { microTime } from '../../base/time.js';
import { ANNOTATION_SIM_HOLDER, formatHolder, holderFor, liveHolder, markRunning, parseHolder } from './holder.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const node = (holder?: string): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'sim-linux-0', annotations: holder ? { [ANNOTATION_SIM_HOLDER]: holder } : {} },
});
const lease = (renewedAgoMs: number, seconds = 40): Lease => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'sim-linux-0' },
  spec: { renewTime: microTime(NOW - renewedAgoMs), leaseDurationSeconds: seconds },
});
/** A pid that no process has now: one of a child that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid ?? 0;

test('holders are written and read back; malformed ones are no holder', () => {
  const h = { host: 'build-7.example', pid: 4242, run: '5f1c0e4e-0000-4000-a000-000000000001' };
  assert.deepEqual(parseHolder(formatHolder(h)), h);
  assert.equal(parseHolder('nonsense'), undefined);
  assert.equal(parseHolder(undefined), undefined);
});

test('a node without a holder, or held by this fleet, is free', () => {
  const me = holderFor('run-me');
  assert.equal(liveHolder(node(), lease(0), me, NOW), undefined);
  assert.equal(liveHolder(node(formatHolder(me)), lease(0), me, NOW), undefined);
});

test('another host: held while its Lease is fresh', () => {
  const me = holderFor('run-me');
  const other = formatHolder({ host: 'elsewhere', pid: 77, run: 'run-x' });
  assert.equal(liveHolder(node(other), lease(3_000), me, NOW), 'tandem sim pid 77 on elsewhere, whose Lease was renewed 3 s ago');
  assert.equal(liveHolder(node(other), lease(40_000), me, NOW), undefined, 'expired');
  assert.equal(liveHolder(node(other), lease(5_000, 4), me, NOW), undefined, 'expired (short lease)');
  assert.equal(liveHolder(node(other), undefined, me, NOW), undefined, 'no lease');
});

test('this host: a dead holder process frees its nodes at once, a live one holds them', () => {
  const me = holderFor('run-me');
  const dead = formatHolder({ host: me.host, pid: deadPid(), run: 'run-dead' });
  assert.equal(liveHolder(node(dead), lease(100), me, NOW), undefined);
  const alive = formatHolder({ host: me.host, pid: process.ppid, run: 'run-parent' });
  assert.equal(
    liveHolder(node(alive), lease(100), me, NOW),
    `tandem sim pid ${process.ppid} on this host, whose Lease was renewed 0 s ago`,
  );
  assert.equal(liveHolder(node(alive), lease(41_000), me, NOW), undefined, 'alive but not renewing: not a running sim');
});

test('this process: held while that fleet runs', () => {
  const me = holderFor('run-me');
  const sibling = formatHolder(holderFor('run-sibling'));
  assert.equal(liveHolder(node(sibling), lease(0), me, NOW), undefined, 'never started');
  markRunning('run-sibling', true);
  assert.equal(liveHolder(node(sibling), lease(0), me, NOW), 'another sim fleet in this process, whose Lease was renewed 0 s ago');
  markRunning('run-sibling', false);
  assert.equal(liveHolder(node(sibling), lease(0), me, NOW), undefined, 'stopped');
});
