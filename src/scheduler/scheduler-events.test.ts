// FailedScheduling events share the scheduler's event budget: a burst of pods that fit nowhere
// gets its PodScheduled=False conditions at once, but event writes only at the budget's rate.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../api/gen/types.js';
import { createEventRecorder } from '../client/event-recorder.js';
import { createInformerFactory } from '../client/informer-factory.js';
import { nullLogger } from '../base/log.js';
import { runServer } from '../cli/server-command.js';
import { startScheduler } from './scheduler.js';
import { mkPod } from './testing/fixtures.js';

const PODS = '/api/v1/namespaces/default/pods';
const RATE = 2;
const COUNT = 40;

test('a burst of unschedulable pods: every condition written, events within the budget', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-sched-ev-'));
  const srv = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger, controllers: [] });
  const c = srv.client;
  const informers = createInformerFactory(c);
  const recorder = createEventRecorder(c, 'default-scheduler');
  const sched = startScheduler({ client: c, informers, log: nullLogger, recorder, scheduledEventsPerSecond: RATE });
  try {
    await sched.ready();
    const t0 = Date.now();
    for (let i = 0; i < COUNT; i++) await c.request('POST', PODS, mkPod(`nowhere-${i}`, { cpu: '100m' }));
    for (;;) {
      const l = await c.request<{ items: Pod[] }>('GET', PODS);
      const marked = l.items.filter((p) => p.status?.conditions?.some((x) => x.type === 'PodScheduled' && x.status === 'False'));
      if (marked.length === COUNT) break;
      if (Date.now() - t0 > 30_000) throw new Error(`only ${marked.length} of ${COUNT} pods marked unschedulable`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const elapsedS = (Date.now() - t0) / 1000;
    await recorder.flush();
    const events = await c.request<{ items: Array<{ reason?: string; type?: string }> }>('GET', '/api/v1/namespaces/default/events');
    const failed = events.items.filter((e) => e.reason === 'FailedScheduling');
    assert.ok(failed.length >= 1, 'the first pods get their FailedScheduling event');
    assert.ok(failed.every((e) => e.type === 'Warning'));
    // the bucket starts full (one second's worth) and refills at RATE per second
    assert.ok(failed.length <= RATE + Math.ceil(RATE * elapsedS) + 1, `${failed.length} events in ${elapsedS.toFixed(1)} s`);
    assert.ok(failed.length < COUNT, `${failed.length} events for ${COUNT} pods`);
  } finally {
    await sched.stop();
    await informers.stop();
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
