// Watch and compaction part of the storage conformance suite (see conformance.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClosedError, CompactedError, FutureRevisionError, type Backend, type StorageEvent } from '../backend.js';
import { assertConsecutive, collect, revs, settle, withBackend, type MakeBackend } from './conformance-helpers.js';

export function registerWatchConformance(make: MakeBackend): void {
  // r0: the backend's revision when the test starts (0 for memory and sqlite); revisions are counted from it
  const t = (title: string, fn: (b: Backend, r0: number) => Promise<void>) => test(title, () => withBackend(make, fn));

  t('watch from the current revision: create, update, delete with prev', async (b) => {
    await b.create('/w/before', 'x');
    const w = collect(b, '/w/', await b.currentRevision());
    const c = await b.create('/w/a', '1');
    const u = await b.update('/w/a', '2', c.modRevision);
    const d = await b.delete('/w/a');
    const evs = await w.waitFor(3);
    assert.deepEqual(evs, [
      { type: 'create', kv: c },
      { type: 'update', kv: u, prev: c },
      { type: 'delete', kv: d, prev: u },
    ]);
    await settle();
    assert.equal(w.events.length, 3, 'the pre-existing key is not replayed');
    assert.equal(w.errors.length, 0);
    w.watch.cancel();
  });

  t('events are delivered after the write, in order, batched', async (b, r0) => {
    const w = collect(b, '', r0);
    await Promise.all(Array.from({ length: 20 }, (_, i) => b.create(`/batch/${i}`, `${i}`)));
    const evs = await w.waitFor(20);
    assertConsecutive(evs, r0 + 1, r0 + 20);
    assert.ok(w.batches < 20, `expected batching, got ${w.batches} batches for 20 events`);
    w.watch.cancel();
  });

  t('watch from an old revision: replay then live, no gap, no duplicate', async (b, r0) => {
    const live = collect(b, '/o/', r0);
    const first = await b.create('/o/a', 'a1');
    await b.create('/o/b', 'b1');
    await b.update('/o/a', 'a2', first.modRevision);
    await b.create('/other/x', 'not watched');
    await b.delete('/o/b');
    // Writes racing with the replaying watch: some land before it is registered, some after.
    const pending = [b.create('/o/c', 'c1'), b.create('/o/d', 'd1')];
    const replaying = collect(b, '/o/', first.modRevision);
    pending.push(b.create('/o/e', 'e1'));
    await Promise.all(pending);
    await b.delete('/o/a');
    const end = await b.currentRevision();
    await live.waitFor(8);
    const got = await replaying.waitFor(7);
    await settle();
    assert.deepEqual(got, live.events.slice(1), 'replayed events equal live events');
    assert.deepEqual(
      revs(got),
      [2, 3, 5, 6, 7, 8, 9].map((r) => r0 + r),
    );
    assert.equal(end, r0 + 9);
    assert.ok(got.every((e) => e.kv.key.startsWith('/o/')));
    live.watch.cancel();
    replaying.watch.cancel();
  });

  t('watch from the first revision replays all history and a future revision waits', async (b, r0) => {
    await b.create('/z/1', '1');
    await b.create('/z/2', '2');
    const all = collect(b, '/z/', r0);
    const future = collect(b, '/z/', r0 + 4);
    await b.create('/z/3', '3');
    await b.create('/z/4', '4');
    await b.create('/z/5', '5');
    assertConsecutive(await all.waitFor(5), r0 + 1, r0 + 5);
    assert.deepEqual(revs(await future.waitFor(1)), [r0 + 5]);
    all.watch.cancel();
    future.watch.cancel();
  });

  t('watch prefix filtering', async (b, r0) => {
    const pods = collect(b, '/reg/pods/', r0);
    const ns1 = collect(b, '/reg/pods/ns1/', r0);
    await b.create('/reg/pods/ns1/a', '');
    await b.create('/reg/podsx/a', '');
    await b.create('/reg/pods/ns2/a', '');
    await b.create('/reg/pod', '');
    await b.create('/reg/pods/ns1/b', '');
    // a remote store's events may arrive after the write is acknowledged: wait for them, then one turn for strays
    await pods.waitFor(3);
    await ns1.waitFor(2);
    await settle();
    assert.deepEqual(
      pods.events.map((e) => e.kv.key),
      ['/reg/pods/ns1/a', '/reg/pods/ns2/a', '/reg/pods/ns1/b'],
    );
    assert.deepEqual(
      ns1.events.map((e) => e.kv.key),
      ['/reg/pods/ns1/a', '/reg/pods/ns1/b'],
    );
    pods.watch.cancel();
    ns1.watch.cancel();
  });

  t('cancel stops delivery, even of already queued events', async (b, r0) => {
    const w = collect(b, '', r0);
    await b.create('/c/1', '1');
    await w.waitFor(1);
    const p = b.create('/c/2', '2');
    w.watch.cancel();
    w.watch.cancel();
    await p;
    await b.create('/c/3', '3');
    await settle();
    assert.deepEqual(revs(w.events), [r0 + 1]);
    assert.equal(w.errors.length, 0);
  });

  t('a handler may write without breaking the order seen by other watchers', async (b, r0) => {
    const order: number[] = [];
    const echo = b.watch('/e/', r0, {
      onEvents(evs) {
        for (const e of evs) if (e.kv.key === '/e/ping') void b.create('/e/pong', 'x');
      },
      onError() {},
    });
    const w = collect(b, '/e/', r0);
    const w2 = b.watch('', r0, {
      onEvents(evs) {
        order.push(...revs(evs));
      },
      onError() {},
    });
    await b.create('/e/ping', 'x');
    await b.create('/e/other', 'x');
    await w.waitFor(3);
    for (let i = 0; i < 200 && order.length < 3; i++) await new Promise((r) => setTimeout(r, 10)); // w2's own delivery
    await settle();
    assert.deepEqual(revs(w.events), [r0 + 1, r0 + 2, r0 + 3]);
    assert.deepEqual(order, [r0 + 1, r0 + 2, r0 + 3]);
    echo.cancel();
    w.watch.cancel();
    w2.cancel();
  });

  t('compaction: old revisions refused, current data intact, deletions gone', async (b, r0) => {
    const a = await b.create('/cp/a', 'a1');
    await b.create('/cp/gone', 'g');
    await b.update('/cp/a', 'a2', a.modRevision);
    await b.delete('/cp/gone');
    const keep = await b.create('/cp/keep', 'k');
    const atCompact = await b.list('/cp/');
    const a3 = await b.update('/cp/a', 'a3', a.modRevision + 2);
    const rev = keep.modRevision;
    await b.compact(rev);
    await b.compact(rev - 1); // lower than the compacted revision: no-op
    assert.equal(await b.compactedRevision(), rev);
    assert.throws(
      () => b.watch('/cp/', rev - 1, { onEvents() {}, onError() {} }),
      (e: unknown) => e instanceof CompactedError && e.requested === rev - 1 && e.compacted === rev,
    );
    await assert.rejects(b.list('/cp/', { revision: rev - 1 }), CompactedError);
    await assert.rejects(b.list('/cp/', { revision: r0 + 1 }), CompactedError);
    assert.deepEqual((await b.list('/cp/', { revision: rev })).kvs, atCompact.kvs);
    const now = await b.list('/cp/');
    assert.deepEqual(now.kvs, [a3, keep]);
    assert.equal(await b.get('/cp/gone'), undefined);
    const w = collect(b, '/cp/', rev);
    assert.deepEqual(await w.waitFor(1), [{ type: 'update', kv: a3, prev: { ...a3, value: 'a2', modRevision: r0 + 3 } }]);
    const again = await b.create('/cp/gone', 'back');
    assert.equal(again.createRevision, rev + 2);
    await w.waitFor(2);
    w.watch.cancel();
    await assert.rejects(b.compact(r0 + 1000), FutureRevisionError);
    await b.compact(await b.currentRevision());
    assert.equal(await b.compactedRevision(), await b.currentRevision());
    assert.equal((await b.get('/cp/gone'))?.value, 'back');
    assert.equal(await b.count('/cp/'), 3);
  });

  t('close ends open watches with onError and later calls fail', async (b, r0) => {
    const w = collect(b, '', r0);
    await b.create('/q/1', '1');
    await b.close();
    const err = await w.waitForError();
    assert.ok(err instanceof ClosedError);
    assert.deepEqual(revs(w.events), [r0 + 1], 'queued events are delivered before the error');
    await assert.rejects(b.get('/q/1'), ClosedError);
    await assert.rejects(b.create('/q/2', '2'), ClosedError);
    assert.throws(() => b.watch('', 0, { onEvents() {}, onError() {} }), ClosedError);
  });

  t('a throwing handler ends only its own watch', async (b, r0) => {
    const errors: Error[] = [];
    let calls = 0;
    const good = collect(b, '', r0);
    const bad = b.watch('', r0, {
      onEvents() {
        calls++;
        throw new Error('boom');
      },
      onError(e) {
        errors.push(e);
      },
    });
    await b.create('/t/1', '1');
    await good.waitFor(1);
    // a remote store delivers to each watch on its own: wait (up to 2 s) for the bad one's turn
    for (let i = 0; i < 200 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await settle();
    assert.deepEqual(
      errors.map((e) => e.message),
      ['boom'],
    );
    await b.create('/t/2', '2');
    await good.waitFor(2);
    await settle();
    assert.equal(calls, 1, 'no delivery after the handler threw');
    assert.equal(errors.length, 1);
    bad.cancel();
    good.watch.cancel();
  });

  t('large value through watch replay', async (b, r0) => {
    const big = 'y'.repeat(1024 * 1024);
    const k = await b.create('/lv', big);
    await b.update('/lv', big + 'z', k.modRevision);
    const w = collect(b, '/lv', r0);
    const evs: StorageEvent[] = await w.waitFor(2);
    assert.equal(evs[0]?.kv.value.length, big.length);
    assert.equal(evs[1]?.type === 'update' ? evs[1].prev.value.length : -1, big.length);
    w.watch.cancel();
  });
}
