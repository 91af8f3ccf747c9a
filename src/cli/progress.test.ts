// The start-up progress helper on a fake terminal and a fake plain stream, with a manual clock:
// what a person sees on a TTY, what a log file gets, the slow-wait message, and failures.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../base/testing/manual-clock.js';
import { createProgress } from './progress.js';

function fakeStream(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return {
    writes,
    out: { isTTY, ...(columns !== undefined ? { columns } : {}), write: (t: string) => writes.push(t) },
    /** what a terminal would show: each \r\x1b[2K erases the line the cursor is on */
    screen(): string {
      const [first = '', ...rest] = writes.join('').split('\r\x1b[2K');
      return rest.reduce((shown, part) => shown.slice(0, shown.lastIndexOf('\n') + 1) + part, first);
    },
  };
}

/** A step whose run() settles when told to. */
function pending<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const p = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { run: () => p, resolve, reject };
}
const flush = () => new Promise((r) => setImmediate(r));

test('terminal: a live status line with a spinner and seconds, log lines above it, cleared at the end', async () => {
  const clock = createManualClock();
  const s = fakeStream(true);
  const p = createProgress({ out: s.out, clock });
  const w = pending<string>();
  const result = p.step('starting containerd', w.run, { slowAfterMs: 15_000, slowHint: 'see containerd.log' });
  assert.equal(s.screen(), '⠋ starting containerd…');
  clock.advance(100);
  assert.equal(s.screen(), '⠙ starting containerd…', 'the spinner turns');
  clock.advance(2900);
  assert.match(s.screen(), /^. starting containerd… 3 s$/);
  p.line('info agent: a log line');
  assert.match(s.screen(), /^info agent: a log line\n. starting containerd… 3 s$/, 'a log line goes above the status line');
  clock.advance(12_000);
  assert.match(
    s.screen(),
    /^info agent: a log line\nstill starting containerd after 15 s: see containerd.log\n. starting containerd… 15 s$/,
    'an unusually long wait says so once, with what to check',
  );
  clock.advance(20_000);
  assert.equal(s.screen().match(/still starting/g)?.length, 1, 'only once');
  w.resolve('ok');
  assert.equal(await result, 'ok');
  assert.equal(
    s.screen(),
    'info agent: a log line\nstill starting containerd after 15 s: see containerd.log\nstarting containerd: done after 35 s\n',
  );
  assert.equal(clock.pending(), 0, 'no timer is left behind');
});

test('terminal: a quick step leaves nothing on the screen', async () => {
  const clock = createManualClock();
  const s = fakeStream(true);
  const p = createProgress({ out: s.out, clock });
  const w = pending<void>();
  const done = p.step('registering node n1', w.run);
  clock.advance(300);
  assert.match(s.screen(), /registering node n1…$/);
  w.resolve();
  await done;
  assert.equal(s.screen(), '');
  p.line('node n1 ready');
  assert.equal(s.screen(), 'node n1 ready\n');
});

test('terminal: the status line is cut to the width of the terminal', async () => {
  const clock = createManualClock();
  const s = fakeStream(true, 30);
  const p = createProgress({ out: s.out, clock });
  const w = pending<void>();
  const done = p.step('waiting for the control plane to give node n1 its pod range', w.run);
  const shown = s.screen();
  assert.equal(shown.length, 29);
  assert.ok(shown.endsWith('…'));
  w.resolve();
  await done;
  // a pseudo-terminal without a size (`script`, some CI runners) reports 0 columns: 80 are assumed
  const z = fakeStream(true, 0);
  const w2 = pending<void>();
  const done2 = createProgress({ out: z.out, clock }).step('starting containerd', w2.run);
  assert.equal(z.screen(), '⠋ starting containerd…');
  w2.resolve();
  await done2;
});

test('plain stream: no control characters; a wait is told only when it lasts, then its end', async () => {
  const clock = createManualClock();
  const s = fakeStream(false);
  const p = createProgress({ out: s.out, clock });
  // quick: nothing at all
  const quick = pending<void>();
  const q = p.step('building the pod sandbox image', quick.run);
  clock.advance(1500);
  quick.resolve();
  await q;
  assert.deepEqual(s.writes, []);
  // long: announced after 2 s, the slow message at slowAfterMs, the end
  const slow = pending<string>();
  const l = p.step('waiting for the pod range of node n1', slow.run, { slowAfterMs: 15_000, slowHint: 'is nodeipam running?' });
  clock.advance(2000);
  p.line('info agent/node: node n1 registered without a pod range');
  clock.advance(13_000);
  clock.advance(5000);
  slow.resolve('10.42.0.0/24');
  assert.equal(await l, '10.42.0.0/24');
  assert.deepEqual(s.writes, [
    'waiting for the pod range of node n1…\n',
    'info agent/node: node n1 registered without a pod range\n',
    'still waiting for the pod range of node n1 after 15 s: is nodeipam running?\n',
    'waiting for the pod range of node n1: done after 20 s\n',
  ]);
  assert.ok(!s.writes.join('').includes('\r'), 'nothing a log file would show as garbage');
  assert.equal(clock.pending(), 0);
});

test('a failing step throws its error, clears the status line and says how long it tried', async () => {
  const clock = createManualClock();
  const s = fakeStream(true);
  const p = createProgress({ out: s.out, clock });
  const w = pending<void>();
  const done = p.step('starting containerd', w.run);
  clock.advance(4000);
  w.reject(new Error('containerd exited during start-up'));
  await assert.rejects(done, /containerd exited during start-up/);
  assert.equal(s.screen(), 'starting containerd: failed after 4.0 s\n');
  assert.equal(clock.pending(), 0);
  // a plain stream: a quick failure adds nothing (the caller reports the error)
  const plain = fakeStream(false);
  const p2 = createProgress({ out: plain.out, clock });
  await assert.rejects(
    p2.step('x', () => Promise.reject(new Error('no'))),
    /no/,
  );
  assert.deepEqual(plain.writes, []);
});

test('terminal: a step inside another shows the inner one, then the outer again', async () => {
  const clock = createManualClock();
  const s = fakeStream(true);
  const p = createProgress({ out: s.out, clock });
  const outer = pending<void>();
  const inner = pending<void>();
  const o = p.step('starting the node', outer.run);
  const i = p.step('starting containerd', inner.run);
  assert.match(s.screen(), /starting containerd…$/);
  inner.resolve();
  await i;
  await flush();
  assert.match(s.screen(), /^. starting the node…$/);
  outer.resolve();
  await o;
  assert.equal(s.screen(), '');
  assert.equal(clock.pending(), 0);
});
