import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, type Logger } from '../../base/log.js';
import { createManualClock } from '../../base/testing/manual-clock.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { StatusError } from '../../base/errors.js';
import { runController, type CacheSource } from './run-controller.js';

/** A cache that syncs when the test says so. */
function manualCache(): CacheSource & { sync(): void; started: number } {
  let resolve: () => void = () => {};
  const synced = new Promise<void>((r) => {
    resolve = r;
  });
  const c = {
    started: 0,
    start() {
      c.started++;
    },
    whenSynced: () => synced,
    sync: () => resolve(),
  };
  return c;
}

/** A promise resolved from outside. */
function gate(): { wait: Promise<void>; open(): void } {
  let open: () => void = () => {};
  const wait = new Promise<void>((r) => {
    open = r;
  });
  return { wait, open };
}

const tick = () => new Promise((r) => setImmediate(r));
const quiet = (): { log: Logger; lines: string[] } => {
  const lines: string[] = [];
  return { log: createLogger({ write: (l) => lines.push(l), level: 'debug', component: 'test' }), lines };
};

test('no sync runs before every cache has synced; ready() resolves after', async () => {
  const a = manualCache();
  const b = manualCache();
  const queue = createWorkQueue<string>();
  const seen: string[] = [];
  queue.add('ns/x');
  const c = runController({
    name: 't',
    log: quiet().log,
    informers: [a, b],
    queue,
    workers: 2,
    sync: async (k) => {
      seen.push(k);
    },
  });
  let isReady = false;
  void c.ready().then(() => {
    isReady = true;
  });
  await tick();
  assert.equal(a.started, 1, 'caches are started');
  a.sync();
  await tick();
  assert.deepEqual(seen, [], 'one cache still listing');
  assert.equal(isReady, false);
  b.sync();
  await c.ready();
  await tick();
  assert.deepEqual(seen, ['ns/x']);
  await c.stop();
});

test('a key is synced by one worker at a time; adds while it runs collapse into one more sync', async () => {
  const queue = createWorkQueue<string>();
  const running = new Map<string, number>();
  let maxPerKey = 0;
  const calls: string[] = [];
  const first = gate();
  const c = runController({
    name: 't',
    log: quiet().log,
    informers: [],
    queue,
    workers: 4,
    async sync(k) {
      calls.push(k);
      running.set(k, (running.get(k) ?? 0) + 1);
      maxPerKey = Math.max(maxPerKey, running.get(k) ?? 0);
      if (calls.length === 1) await first.wait;
      await tick();
      running.set(k, (running.get(k) ?? 0) - 1);
    },
  });
  await c.ready();
  queue.add('a');
  await tick();
  queue.add('a');
  queue.add('a');
  queue.add('b');
  await tick();
  assert.equal(c.stats().inFlight, 2, 'a (blocked) and b');
  first.open();
  for (let i = 0; i < 10; i++) await tick();
  assert.equal(maxPerKey, 1);
  assert.deepEqual(calls.filter((k) => k === 'a').length, 2, 'the two adds during the first sync made one more');
  const { queue: q1, ...s1 } = c.stats();
  assert.deepEqual(s1, { synced: 3, failed: 0, inFlight: 0, queued: 0 });
  assert.equal(q1.depth, 0);
  assert.ok(q1.adds >= 3, `adds ${q1.adds}`);
  await c.stop();
});

test('stop() waits for the syncs in progress, skips queued keys, then resolves', async () => {
  const queue = createWorkQueue<string>();
  const hold = gate();
  const done: string[] = [];
  let stoppedHook = false;
  const c = runController({
    name: 't',
    log: quiet().log,
    informers: [],
    queue,
    workers: 1,
    async sync(k) {
      if (k === 'slow') await hold.wait;
      done.push(k);
    },
    onStop: () => {
      stoppedHook = true;
    },
  });
  await c.ready();
  queue.add('slow');
  await tick();
  queue.add('queued');
  let stopped = false;
  const stopping = c.stop().then(() => {
    stopped = true;
  });
  await tick();
  assert.equal(stopped, false, 'the slow sync is still running');
  assert.equal(stoppedHook, false);
  hold.open();
  await stopping;
  assert.deepEqual(done, ['slow'], 'in-flight work finished, the queued key was not started');
  assert.equal(stoppedHook, true);
  queue.add('late');
  assert.equal(queue.len(), 0, 'nothing is taken after stop');
});

test('a failing sync is retried with per-key backoff, logged, and the backoff resets on success', async () => {
  const clock = createManualClock();
  const queue = createWorkQueue<string>({ clock });
  const { log, lines } = quiet();
  let attempts = 0;
  const c = runController({
    name: 't',
    log,
    informers: [],
    queue,
    workers: 1,
    async sync() {
      attempts++;
      if (attempts === 1) throw new Error('boom');
      if (attempts === 2) throw new StatusError(409, 'Conflict', 'stale');
    },
  });
  await c.ready();
  queue.add('ns/k');
  await tick();
  await tick();
  assert.equal(attempts, 1);
  assert.equal(queue.numRequeues('ns/k'), 1);
  assert.match(lines.join('\n'), /warn test: sync failed key=ns\/k error=boom/);
  clock.advance(4);
  await tick();
  assert.equal(attempts, 1, 'first retry after 5 ms');
  clock.advance(1);
  await tick();
  await tick();
  assert.equal(attempts, 2);
  assert.equal(queue.numRequeues('ns/k'), 2);
  assert.ok(!lines.some((l) => l.startsWith('warn') && l.includes('stale')), 'a conflict is not a warning');
  clock.advance(9);
  await tick();
  assert.equal(attempts, 2, 'second retry after 10 ms');
  clock.advance(1);
  await tick();
  await tick();
  assert.equal(attempts, 3);
  assert.equal(queue.numRequeues('ns/k'), 0, 'success forgets the backoff');
  const { queue: q2, ...s2 } = c.stats();
  assert.deepEqual(s2, { synced: 1, failed: 2, inFlight: 0, queued: 0 });
  assert.equal(q2.retries, 2, 'the two failures were retried through the queue');
  await c.stop();
});

test('caches made at start (discovery) and a stop before they sync', async () => {
  const queue = createWorkQueue<string>();
  const cache = manualCache();
  let aborted = false;
  const c = runController({
    name: 't',
    log: quiet().log,
    queue,
    workers: 1,
    sync: async () => {
      assert.fail('no sync before the caches synced');
    },
    informers: async (signal) => {
      signal.addEventListener('abort', () => {
        aborted = true;
      });
      return [cache];
    },
  });
  await tick();
  assert.equal(cache.started, 1);
  queue.add('x');
  await c.stop();
  await c.ready();
  assert.equal(aborted, true);
});

test('periodic work runs after sync until stop', async () => {
  const queue = createWorkQueue<string>();
  let runs = 0;
  const c = runController({
    name: 't',
    log: quiet().log,
    informers: [],
    queue,
    workers: 1,
    sync: async () => {},
    periodic: {
      everyMs: 5,
      run: () => {
        runs++;
      },
    },
  });
  await c.ready();
  await new Promise((r) => setTimeout(r, 30));
  await c.stop();
  const after = runs;
  assert.ok(after >= 2, `ran ${after} times`);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(runs, after);
});
