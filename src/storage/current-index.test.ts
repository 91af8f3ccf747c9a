import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyValue } from './backend.js';
import { CHUNK, createCurrentIndex } from './current-index.js';

const kv = (key: string, rev = 1): KeyValue => ({ key, value: `v${rev}`, createRevision: rev, modRevision: rev });

// a tiny deterministic generator, so a failure names a reproducible seed
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

/** The same answers from one plain sorted array: the model the chunked index must match. */
function model() {
  const m = new Map<string, KeyValue>();
  const keys = () => [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    m,
    list(prefix: string, after?: string, limit?: number) {
      const all = keys().filter((k) => k.startsWith(prefix) && (after === undefined || k > after));
      const max = limit && limit > 0 ? limit : all.length;
      return { kvs: all.slice(0, max).map((k) => m.get(k)), more: all.length > max };
    },
    count: (prefix: string) => keys().filter((k) => k.startsWith(prefix)).length,
  };
}

const PREFIXES = ['', '/', '/r/', '/r/pods/', '/r/pods/a', '/r/pods/b/', '/r/svc/', '/x', '/r/pods/a\uffff', '/zz'];

function randomKey(r: (n: number) => number): string {
  const ns = ['a', 'b', 'c', 'a\uffff'][r(4)];
  const kind = ['pods', 'svc', 'pods', 'pods'][r(4)];
  return `/r/${kind}/${ns}/${r(3000)}`;
}

for (const seed of [1, 2, 3]) {
  test(`chunked index answers like a sorted array through splits and empty chunks (seed ${seed})`, () => {
    const r = rng(seed);
    const initial = Array.from({ length: 700 }, () => kv(randomKey(r)));
    const idx = createCurrentIndex(initial);
    const mod = model();
    for (const x of initial) mod.m.set(x.key, x);
    for (let step = 0; step < 6000; step++) {
      const k = randomKey(r);
      // grow for a while (chunks split), then mostly shrink (chunks empty out)
      if (r(100) < (step < 4000 ? 70 : 25)) {
        const x = kv(k, step);
        idx.put(x);
        mod.m.set(k, x);
      } else {
        idx.remove(k);
        mod.m.delete(k);
      }
      if (step % 250 === 0) {
        assert.equal(idx.size, mod.m.size);
        for (const p of PREFIXES) {
          assert.equal(idx.count(p), mod.count(p), `count(${JSON.stringify(p)}) at step ${step}`);
          assert.deepEqual(
            [...idx.withPrefix(p)].map((x) => x.key),
            mod.list(p).kvs.map((x) => x?.key),
          );
          const after = randomKey(r);
          const limit = r(4) === 0 ? 0 : 1 + r(60);
          assert.deepEqual(
            idx.list(p, after, limit),
            mod.list(p, after, limit),
            `list(${JSON.stringify(p)}, ${after}, ${limit}) at step ${step}`,
          );
        }
      }
    }
    assert.ok(mod.m.size > CHUNK, 'the run grew past one chunk');
  });
}

test('list continues exactly after a key that exists, and from a key that does not', () => {
  const idx = createCurrentIndex(['/a/1', '/a/2', '/a/3', '/b/1'].map((k) => kv(k)));
  assert.deepEqual(
    idx.list('/a/', '/a/1', 1).kvs.map((x) => x.key),
    ['/a/2'],
  );
  assert.equal(idx.list('/a/', '/a/1', 1).more, true);
  assert.deepEqual(
    idx.list('/a/', '/a/25').kvs.map((x) => x.key),
    ['/a/3'],
  );
  assert.deepEqual(idx.list('/a/', '/a/3'), { kvs: [], more: false });
  assert.equal(idx.count('/a/'), 3);
  idx.remove('/a/2');
  idx.remove('/missing');
  assert.deepEqual(
    idx.list('/').kvs.map((x) => x.key),
    ['/a/1', '/a/3', '/b/1'],
  );
});

const pad = (i: number) => String(i).padStart(4, '0');

test('every gap between keys, chunk boundaries included, continues at the next key', () => {
  const idx = createCurrentIndex();
  const n = 3 * CHUNK + 7;
  for (let i = 0; i < n; i++) idx.put(kv(`/k/${pad(i)}`)); // in order: every split happens
  for (let i = 0; i < n; i++) {
    const page = idx.list('/k/', `/k/${pad(i)}x`, 1);
    assert.deepEqual(
      page.kvs.map((x) => x.key),
      i + 1 < n ? [`/k/${pad(i + 1)}`] : [],
      `after key ${i}`,
    );
    assert.equal(page.more, i + 2 < n);
    assert.equal(idx.count(`/k/${pad(i).slice(0, 3)}`), Math.min(10, n - Math.floor(i / 10) * 10));
  }
  assert.equal(idx.count('/k/'), n);
});

test('removing every key empties the chunks; the index then starts over', () => {
  const r = rng(7);
  const keys = Array.from({ length: 2 * CHUNK + 3 }, (_, i) => `/k/${pad(i)}`);
  const idx = createCurrentIndex(keys.map((k) => kv(k)));
  const left = new Set(keys);
  while (left.size > 0) {
    const k = [...left][r(left.size)] as string;
    idx.remove(k);
    left.delete(k);
    if (left.size % 97 === 0) {
      assert.deepEqual(
        idx.list('/k/').kvs.map((x) => x.key),
        [...left].sort(),
      );
      assert.equal(idx.count('/k/'), left.size);
    }
  }
  assert.equal(idx.size, 0);
  assert.deepEqual(idx.list(''), { kvs: [], more: false });
  idx.put(kv('/k/again'));
  assert.deepEqual(
    [...idx.withPrefix('/k/')].map((x) => x.key),
    ['/k/again'],
  );
});
