// The one conformance suite every storage backend must pass: runConformance(name, make) registers
// node:test tests; each test gets a fresh backend from `make` and closes it afterwards.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, FutureRevisionError, KeyExistsError, KeyNotFoundError, type Backend } from '../backend.js';
import { registerWatchConformance } from './conformance-watch.js';
import { withBackend, type MakeBackend } from './conformance-helpers.js';

export type { MakeBackend };

export function runConformance(name: string, make: MakeBackend): void {
  describe(`storage conformance: ${name}`, () => {
    // r0: the backend's revision when the test starts; every revision below is counted from it (see withBackend)
    const t = (title: string, fn: (b: Backend, r0: number) => Promise<void>) => test(title, () => withBackend(make, fn));

    t('create, get, update, delete', async (b, r0) => {
      assert.equal(await b.get('/a'), undefined);
      const c = await b.create('/a', 'v1');
      assert.deepEqual({ ...c }, { key: '/a', value: 'v1', createRevision: r0 + 1, modRevision: r0 + 1 });
      assert.deepEqual(await b.get('/a'), c);
      const u = await b.update('/a', 'v2', c.modRevision);
      assert.deepEqual({ ...u }, { key: '/a', value: 'v2', createRevision: r0 + 1, modRevision: r0 + 2 });
      assert.equal((await b.get('/a'))?.value, 'v2');
      const d = await b.delete('/a');
      assert.deepEqual({ ...d }, { key: '/a', value: 'v2', createRevision: r0 + 1, modRevision: r0 + 3 });
      assert.equal(await b.get('/a'), undefined);
      assert.equal(await b.currentRevision(), r0 + 3);
    });

    t('compare-and-swap conflicts carry the current value', async (b, r0) => {
      const c = await b.create('/k', 'one');
      const u = await b.update('/k', 'two', c.modRevision);
      await assert.rejects(b.update('/k', 'stale', c.modRevision), (e: unknown) => {
        assert.ok(e instanceof ConflictError);
        assert.deepEqual(e.current, u);
        return true;
      });
      await assert.rejects(b.delete('/k', c.modRevision), (e: unknown) => e instanceof ConflictError && e.current?.value === 'two');
      assert.equal((await b.get('/k'))?.value, 'two');
      const d = await b.delete('/k', u.modRevision);
      assert.equal(d.value, 'two');
      assert.equal(await b.currentRevision(), r0 + 3, 'failed writes consume no revision');
    });

    t('KeyExists and KeyNotFound', async (b) => {
      await b.create('/x', '1');
      await assert.rejects(b.create('/x', '2'), (e: unknown) => e instanceof KeyExistsError && e.key === '/x');
      await assert.rejects(b.update('/missing', 'v', 1), (e: unknown) => e instanceof KeyNotFoundError && e.key === '/missing');
      await assert.rejects(b.delete('/missing'), KeyNotFoundError);
      await assert.rejects(b.delete('/missing', 1), KeyNotFoundError);
      assert.equal((await b.get('/x'))?.value, '1');
    });

    t('revisions are global and strictly increasing; createRevision vs modRevision', async (b, r0) => {
      const a = await b.create('/r/a', 'a');
      const c = await b.create('/r/c', 'c');
      const a2 = await b.update('/r/a', 'a2', a.modRevision);
      const c2 = await b.update('/r/c', 'c2', c.modRevision);
      assert.deepEqual([a.modRevision, c.modRevision, a2.modRevision, c2.modRevision], [r0 + 1, r0 + 2, r0 + 3, r0 + 4]);
      assert.equal(a2.createRevision, a.createRevision);
      assert.equal(c2.createRevision, r0 + 2);
      assert.equal(await b.currentRevision(), r0 + 4);
      const list = await b.list('/r/');
      assert.equal(list.revision, r0 + 4);
      assert.deepEqual(
        list.kvs.map((kv) => [kv.key, kv.createRevision, kv.modRevision]),
        [
          ['/r/a', r0 + 1, r0 + 3],
          ['/r/c', r0 + 2, r0 + 4],
        ],
      );
    });

    t('re-creating a deleted key starts a new incarnation', async (b, r0) => {
      const first = await b.create('/p', 'old');
      await b.delete('/p');
      const again = await b.create('/p', 'new');
      assert.ok(again.createRevision > first.createRevision);
      assert.equal(again.createRevision, again.modRevision);
      const u = await b.update('/p', 'newer', again.modRevision);
      assert.equal(u.createRevision, again.createRevision);
      await b.delete('/p');
      const third = await b.create('/p', 'third');
      assert.equal(third.createRevision, r0 + 6);
    });

    t('list by prefix: order, after, limit, more, count', async (b) => {
      const keys = ['/reg/pods/ns1/b', '/reg/pods/ns1/a', '/reg/pods/ns2/a', '/reg/podsx/z', '/reg/pod', '/reg/pods/ns1/c'];
      for (const k of keys) await b.create(k, `v:${k}`);
      const all = await b.list('/reg/pods/');
      assert.deepEqual(
        all.kvs.map((kv) => kv.key),
        ['/reg/pods/ns1/a', '/reg/pods/ns1/b', '/reg/pods/ns1/c', '/reg/pods/ns2/a'],
      );
      assert.equal(all.more, false);
      assert.equal(all.kvs[0]?.value, 'v:/reg/pods/ns1/a');
      const p1 = await b.list('/reg/pods/', { limit: 2 });
      assert.deepEqual(
        p1.kvs.map((kv) => kv.key),
        ['/reg/pods/ns1/a', '/reg/pods/ns1/b'],
      );
      assert.equal(p1.more, true);
      const p2 = await b.list('/reg/pods/', { limit: 2, after: '/reg/pods/ns1/b' });
      assert.deepEqual(
        p2.kvs.map((kv) => kv.key),
        ['/reg/pods/ns1/c', '/reg/pods/ns2/a'],
      );
      assert.equal(p2.more, false);
      const p3 = await b.list('/reg/pods/', { after: '/reg/pods/ns1/bb', limit: 1 });
      assert.deepEqual(
        p3.kvs.map((kv) => kv.key),
        ['/reg/pods/ns1/c'],
      );
      assert.equal(p3.more, true);
      assert.equal((await b.list('/reg/pods/', { after: '/reg/pods/zzz' })).kvs.length, 0);
      assert.equal((await b.list('/reg/pods/ns1/', { after: '/' })).kvs.length, 3);
      assert.equal((await b.list('/nothing/')).kvs.length, 0);
      assert.equal(await b.count('/reg/pods/'), 4);
      assert.equal(await b.count('/reg/pods'), 5);
      assert.equal(await b.count('/reg/'), 6);
      assert.equal(await b.count(''), 6);
      assert.equal(await b.count('/none'), 0);
      await b.delete('/reg/pods/ns1/b');
      assert.equal(await b.count('/reg/pods/'), 3);
      assert.deepEqual(
        (await b.list('/reg/pods/ns1/')).kvs.map((kv) => kv.key),
        ['/reg/pods/ns1/a', '/reg/pods/ns1/c'],
      );
    });

    t('list at an older revision', async (b, r0) => {
      const a = await b.create('/h/a', 'a1');
      await b.create('/h/b', 'b1');
      const snap = await b.list('/h/');
      const at = snap.revision;
      await b.update('/h/a', 'a2', a.modRevision);
      await b.delete('/h/b');
      await b.create('/h/c', 'c1');
      await b.create('/h/0', 'zero');
      const old = await b.list('/h/', { revision: at });
      assert.equal(old.revision, at);
      assert.deepEqual(old.kvs, snap.kvs);
      const paged = await b.list('/h/', { revision: at, limit: 1 });
      assert.deepEqual(
        paged.kvs.map((kv) => kv.key),
        ['/h/a'],
      );
      assert.equal(paged.more, true);
      const rest = await b.list('/h/', { revision: at, after: '/h/a' });
      assert.deepEqual(
        rest.kvs.map((kv) => [kv.key, kv.value]),
        [['/h/b', 'b1']],
      );
      assert.equal(rest.more, false);
      assert.deepEqual(
        (await b.list('/h/', { revision: r0 + 1 })).kvs.map((kv) => kv.value),
        ['a1'],
      );
      const now = await b.list('/h/');
      assert.deepEqual(
        now.kvs.map((kv) => kv.value),
        ['zero', 'a2', 'c1'],
      );
      await assert.rejects(b.list('/h/', { revision: r0 + 99 }), FutureRevisionError);
    });

    t('concurrent writers racing on one key: exactly one wins', async (b, r0) => {
      const base = await b.create('/race', '0');
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => b.update('/race', `w${i}`, base.modRevision)));
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(won.length, 1);
      assert.equal(lost.length, 7);
      for (const r of lost) assert.ok(r.reason instanceof ConflictError);
      const creates = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => b.create('/race2', `c${i}`)));
      assert.equal(creates.filter((r) => r.status === 'fulfilled').length, 1);
      assert.ok(creates.every((r) => r.status === 'fulfilled' || r.reason instanceof KeyExistsError));
      assert.equal(await b.currentRevision(), r0 + 3);
    });

    t('large values (1 MiB) and unicode/slash keys', async (b) => {
      const big = 'x'.repeat(1024 * 1024 - 3) + 'end';
      const k = await b.create('/big/one', big);
      assert.equal((await b.get('/big/one'))?.value.length, big.length);
      assert.equal((await b.list('/big/')).kvs[0]?.value, big);
      await b.update('/big/one', big + '!', k.modRevision);
      assert.ok((await b.get('/big/one'))?.value.endsWith('end!'));
      const odd = ['/ü/ñámé/日本語', '/ü/emoji/🚀', '/ü/a//b/', '/ü/sp ace/%2F', '/ü/quote\'"\\'];
      for (const key of odd) await b.create(key, `val ${key}`);
      for (const key of odd) assert.equal((await b.get(key))?.value, `val ${key}`);
      assert.deepEqual(
        (await b.list('/ü/')).kvs.map((kv) => kv.key),
        [...odd].sort(),
      );
      assert.equal(await b.count('/ü/a//'), 1);
      assert.equal((await b.list('/ü/ñámé/')).kvs[0]?.key, '/ü/ñámé/日本語');
    });

    registerWatchConformance(make);
  });
}
