import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../base/testing/manual-clock.js';
import { createSchedulingQueue } from './queue.js';
import { mkPod } from './testing/fixtures.js';

test('priority first, then arrival order', () => {
  const clock = createManualClock(1000);
  const q = createSchedulingQueue({ clock });
  q.addOrUpdate(mkPod('a'));
  clock.advance(1);
  q.addOrUpdate(mkPod('b', { spec: { priority: 10 } }));
  clock.advance(1);
  q.addOrUpdate(mkPod('c'));
  q.addOrUpdate(mkPod('a', { labels: { x: 'y' } })); // update collapses into the queued entry
  assert.deepEqual([q.tryPop()?.key, q.tryPop()?.key, q.tryPop()?.key, q.tryPop()], ['default/b', 'default/a', 'default/c', undefined]);
});

test('failed attempts back off 1 s doubling to 10 s', () => {
  const clock = createManualClock(0);
  const q = createSchedulingQueue({ clock });
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((n) => q.backoffMs(n)),
    [1000, 2000, 4000, 8000, 10000, 10000],
  );
  q.addOrUpdate(mkPod('p'));
  let qp = q.tryPop();
  assert.ok(qp);
  q.addBackoff(qp);
  assert.equal(q.tryPop(), undefined);
  clock.advance(999);
  assert.equal(q.tryPop(), undefined);
  clock.advance(1);
  qp = q.tryPop();
  assert.equal(qp?.attempts, 2);
  q.addBackoff(qp!);
  clock.advance(1999);
  assert.equal(q.tryPop(), undefined);
  clock.advance(1);
  assert.equal(q.tryPop()?.key, 'default/p');
});

test('unschedulable pods wait for a cluster event (node add), then the periodic flush', async () => {
  const clock = createManualClock(0);
  const q = createSchedulingQueue({ clock, maxInUnschedulableMs: 60_000, unschedulableFlushIntervalMs: 30_000 });
  q.addOrUpdate(mkPod('p'));
  const qp = q.tryPop()!;
  q.addUnschedulable(qp);
  assert.deepEqual(q.sizes(), { active: 0, backoff: 0, unschedulable: 1, parked: 0 });
  clock.advance(20_000); // backoff (1 s) long over, but no event: stays
  assert.equal(q.tryPop(), undefined);
  q.moveAllToActiveOrBackoff('NodeAdd');
  const again = q.tryPop();
  assert.equal(again?.key, 'default/p');
  // a status-only update does not move it, a spec change does
  q.addUnschedulable(again!);
  const p2 = mkPod('p');
  p2.status = { conditions: [{ type: 'PodScheduled', status: 'False' }] };
  q.addOrUpdate(p2);
  assert.equal(q.sizes().unschedulable, 1);
  // periodic flush (every 30 s) once it has been there 60 s
  clock.advance(50_000);
  assert.equal(q.sizes().unschedulable, 1);
  clock.advance(20_000);
  assert.equal(q.sizes().unschedulable, 0);
  assert.equal(q.tryPop()?.key, 'default/p');
  // pop() waits for an add
  const waiting = q.pop();
  q.addOrUpdate(mkPod('late'));
  assert.equal((await waiting)?.key, 'default/late');
  q.close();
  assert.equal(await q.pop(), undefined);
});

test('an event during the attempt sends the pod to backoff instead of unschedulable', () => {
  const clock = createManualClock(0);
  const q = createSchedulingQueue({ clock });
  q.addOrUpdate(mkPod('p'));
  const qp = q.tryPop()!;
  q.moveAllToActiveOrBackoff('NodeAdd'); // while the pod was being scheduled
  q.addUnschedulable(qp);
  assert.deepEqual(q.sizes(), { active: 0, backoff: 1, unschedulable: 0, parked: 0 });
  clock.advance(1000);
  assert.equal(q.tryPop()?.key, 'default/p');
});

test('a parked pod ignores cluster events and comes back at once when activated', () => {
  const clock = createManualClock(0);
  const q = createSchedulingQueue({ clock, maxInUnschedulableMs: 60_000, unschedulableFlushIntervalMs: 30_000 });
  q.addOrUpdate(mkPod('w'));
  q.addParked(q.tryPop()!);
  assert.deepEqual(q.sizes(), { active: 0, backoff: 0, unschedulable: 0, parked: 1 });
  q.moveAllToActiveOrBackoff('NodeAdd');
  assert.equal(q.tryPop(), undefined);
  // no backoff: the wait was not the pod's failure
  q.activate(['default/w', 'default/unknown']);
  const again = q.tryPop();
  assert.equal(again?.key, 'default/w');
  assert.equal(again?.attempts, 2);
  // activated while being scheduled: straight back to active when the attempt ends
  q.activate(['default/w']);
  q.addParked(again!);
  assert.equal(q.tryPop()?.key, 'default/w');
  // an unschedulable pod (its facts failed) is activated too, without waiting out its backoff
  q.addOrUpdate(mkPod('f'));
  q.addUnschedulable(q.tryPop()!);
  q.activate(['default/f']);
  assert.equal(q.tryPop()?.key, 'default/f');
  // the periodic flush is the safety net
  q.addOrUpdate(mkPod('late'));
  q.addParked(q.tryPop()!);
  clock.advance(90_000);
  assert.equal(q.tryPop()?.key, 'default/late');
  q.close();
});
