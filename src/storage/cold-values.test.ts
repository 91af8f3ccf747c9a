import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { KeyValue } from './backend.js';
import { createColdValues, isPacked } from './cold-values.js';
import { createCurrentIndex } from './current-index.js';
import { createLogBackend } from './log-backend.js';
import { createEventLog } from './memory/event-log.js';
import type { LogStore } from './log-store.js';
import { createManualClock } from '../base/testing/manual-clock.js';

/** A pod-like text of ~4 KB: mostly the same from pod to pod, its name, uid and IP differ. */
function podText(name: string): string {
  const uid = randomUUID();
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'scale-0',
      uid,
      labels: { app: 'app', 'pod-template-hash': '648ff9ff45' },
      managedFields: Array.from({ length: 12 }, (_, i) => ({
        manager: `m${i}`,
        operation: 'Update',
        fieldsV1: { 'f:status': { 'f:conditions': {} } },
      })),
    },
    spec: {
      nodeName: `sim-linux-${name.length}`,
      containers: [{ name: 'main', image: 'nginx:1.25', terminationMessagePath: '/dev/termination-log' }],
    },
    status: {
      podIP: `10.1.${name.length}.2`,
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
        type,
        status: 'True',
        lastProbeTime: null,
      })),
      note: 'ü'.repeat(10) + 'x'.repeat(2000),
    },
  });
}

const kv = (key: string, value: string, rev: number, createRevision = rev): KeyValue =>
  Object.freeze({ key, value, createRevision, modRevision: rev });

test('a version not rewritten for minAge is deflated: same key, revisions and text, much smaller', () => {
  const index = createCurrentIndex();
  const cold = createColdValues(60_000);
  const texts = Array.from({ length: 50 }, (_, i) => podText(`app-${i}`));
  texts.forEach((t, i) => {
    index.put(kv(`/registry/core/pods/scale-0/app-${i}`, t, i + 1));
    cold.written(`/registry/core/pods/scale-0/app-${i}`, i + 1, 1000);
  });
  assert.equal(cold.sweep(index, 60_999, 1000), 0, 'nothing is a minute old yet');
  assert.equal(cold.pending, 50);
  assert.equal(cold.sweep(index, 61_000, 1000), 50);
  assert.equal(cold.pending, 0);
  for (const [i, t] of texts.entries()) {
    const got = index.get(`/registry/core/pods/scale-0/app-${i}`);
    assert.ok(got && isPacked(got), `app-${i} is packed`);
    assert.equal(got.value, t);
    assert.equal(got.createRevision, i + 1);
    assert.equal(got.modRevision, i + 1);
    assert.ok(Object.isFrozen(got));
    // copies and JSON keep the text (watch.ts copies a previous version by spread)
    assert.equal({ ...got, modRevision: 99 }.value, t);
    assert.equal((JSON.parse(JSON.stringify(got)) as KeyValue).value, t);
    assert.deepEqual(Object.keys(got), ['key', 'createRevision', 'modRevision', 'value']);
  }
  const st = cold.stats();
  assert.equal(st.packed, 50);
  assert.ok(st.packedChars * 5 < st.textChars, `deflated ${st.packedChars} of ${st.textChars} chars`);
  // list and withPrefix hand out the packed versions too (keys in string order: app-0, app-1, app-10)
  assert.equal(index.list('/registry/core/pods/', undefined, 3).kvs[2]?.value, texts[10]);
});

test('a version rewritten, deleted or too small to matter stays as it is', () => {
  const index = createCurrentIndex();
  const cold = createColdValues(10_000);
  const a = '/registry/core/pods/ns/a';
  index.put(kv(a, podText('a'), 1));
  cold.written(a, 1, 0);
  index.put(kv('/registry/core/pods/ns/gone', podText('gone'), 2));
  cold.written('/registry/core/pods/ns/gone', 2, 0);
  index.remove('/registry/core/pods/ns/gone');
  index.put(kv('/registry/core/pods/ns/small', '{"kind":"Pod"}', 3));
  cold.written('/registry/core/pods/ns/small', 3, 0);
  // the first version of a resource becomes its dictionary (and so packs to nearly nothing); the next noise does not pack
  index.put(kv('/registry/core/secrets/ns/first', randomBytes(3000).toString('base64'), 4));
  cold.written('/registry/core/secrets/ns/first', 4, 0);
  index.put(kv('/registry/core/secrets/ns/noise', randomBytes(3000).toString('base64'), 6));
  cold.written('/registry/core/secrets/ns/noise', 6, 0);
  const newer = kv(a, podText('a2'), 5, 1);
  index.put(newer);
  cold.written(a, 5, 8000);

  assert.equal(cold.sweep(index, 10_000, 100), 5, 'the five entries written at 0 are looked at');
  assert.equal(index.get(a), newer, 'rewritten at 8 s: not cold yet');
  assert.equal(index.get('/registry/core/pods/ns/gone'), undefined);
  assert.equal(isPacked(index.get('/registry/core/pods/ns/small')!), false);
  assert.ok(isPacked(index.get('/registry/core/secrets/ns/first')!));
  assert.equal(isPacked(index.get('/registry/core/secrets/ns/noise')!), false, 'incompressible text is kept as it is');
  cold.sweep(index, 18_000, 100);
  assert.ok(isPacked(index.get(a)!));
  assert.equal(index.get(a)?.value, newer.value);
});

test('the sweep stops at max and carries on at the next call', () => {
  const index = createCurrentIndex();
  const cold = createColdValues(1);
  for (let i = 0; i < 30; i++) {
    index.put(kv(`/registry/core/pods/ns/p${i}`, podText(`p${i}`), i + 1));
    cold.written(`/registry/core/pods/ns/p${i}`, i + 1, 0);
  }
  assert.equal(cold.sweep(index, 10, 12), 12);
  assert.equal(cold.pending, 18);
  assert.equal(cold.sweep(index, 10, 100), 18);
  assert.equal([...index.withPrefix('')].filter(isPacked).length, 30);
});

function memoryStore(): LogStore {
  const log = createEventLog();
  return {
    compacted: 0,
    append: (ev) => log.push(ev),
    eventsAfter: (prefix, after) => log.since(prefix, after),
    async compact() {},
    async close() {},
  };
}

test('the log backend deflates cold versions on its clock; reads, updates and deletes of them work as before', async () => {
  const clock = createManualClock(0);
  const b = createLogBackend({ name: 'test', store: memoryStore(), current: [], revision: 0, coldAfterMs: 60_000, clock });
  const t1 = podText('one');
  const t2 = podText('two');
  const one = await b.create('/registry/core/pods/ns/one', t1);
  await b.create('/registry/core/pods/ns/two', t2);
  clock.advance(30_000);
  assert.equal(isPacked((await b.get('/registry/core/pods/ns/one'))!), false);
  clock.advance(31_000);
  const got = (await b.get('/registry/core/pods/ns/one'))!;
  assert.ok(isPacked(got));
  assert.equal(got.value, t1);
  assert.equal(got.modRevision, one.modRevision);
  const page = await b.list('/registry/core/pods/');
  assert.deepEqual(
    page.kvs.map((k) => k.value),
    [t1, t2],
  );
  // an update compares against the packed version's revision, and makes the key plain again
  const t1b = podText('one-b');
  const upd = await b.update('/registry/core/pods/ns/one', t1b, got.modRevision);
  assert.equal(isPacked((await b.get('/registry/core/pods/ns/one'))!), false);
  assert.equal((await b.get('/registry/core/pods/ns/one'))?.value, t1b);
  // a delete of a packed version returns its last text
  const del = await b.delete('/registry/core/pods/ns/two');
  assert.equal(del.value, t2);
  clock.advance(61_000);
  assert.ok(isPacked((await b.get('/registry/core/pods/ns/one'))!));
  assert.equal(upd.value, t1b);
  await b.close();
  assert.equal(clock.pending(), 0, 'close stops the sweep');
});

test('coldAfterMs 0 keeps every text as it is', async () => {
  const clock = createManualClock(0);
  const b = createLogBackend({ name: 'test', store: memoryStore(), current: [], revision: 0, coldAfterMs: 0, clock });
  await b.create('/registry/core/pods/ns/one', podText('one'));
  clock.advance(3_600_000);
  assert.equal(isPacked((await b.get('/registry/core/pods/ns/one'))!), false);
  await b.close();
});
