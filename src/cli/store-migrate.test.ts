// `tandem store migrate` on real stores: a SQLite store's keys arrive whole in another store, verified;
// a non-empty target is refused unless --force; a store held by a running server is refused; a copy
// that differs is caught by the verification.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend, type Backend } from '../storage/index.js';
import { migrateStore, TargetNotEmptyError, VerifyError } from './store-migrate.js';
import { renderMigrateSummary, runStoreMigrate } from './store-migrate-run.js';
import type { ProgressLine } from './progress-line.js';
import { etcdUnavailable, startEtcdCluster } from '../storage/etcd/testing/etcd-cluster.js';

const tmp = (t: { after(fn: () => void): void }) => {
  const d = mkdtempSync(join(tmpdir(), 'tandem-migrate-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
};

const quiet: ProgressLine = { line: () => undefined, status: () => undefined, spin: () => undefined, done: () => undefined };

/** A store shaped like a cluster's: objects with uids, timestamps and owners; some updated, some deleted; a range key. */
async function fill(b: Backend, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const obj = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: `cm-${i}`,
        namespace: 'default',
        uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        creationTimestamp: '2026-12-07T10:00:00Z',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u-rs', controller: true }],
      },
      data: { i: String(i) },
    };
    const kv = await b.create(`/registry/core/configmaps/default/cm-${i}`, JSON.stringify(obj));
    if (i % 10 === 0) await b.update(kv.key, JSON.stringify({ ...obj, data: { i: `${i}-updated` } }), kv.modRevision);
    if (i % 17 === 0) await b.delete(kv.key);
  }
  await b.create('/registry/ranges/serviceips/10.96.0.10', '{"owner":"kube-dns"}');
  await b.create('/not-registry/x', 'not copied');
}

async function all(b: Backend): Promise<Array<[string, string]>> {
  const r = await b.list('/registry/');
  return r.kvs.map((kv) => [kv.key, kv.value]);
}

test('sqlite → sqlite: every key under /registry/ arrives with its value, counted and checksummed', async (t) => {
  const d = tmp(t);
  const src = await createBackend(`sqlite:${join(d, 'a.db')}`);
  await fill(src, 600);
  const want = await all(src);
  await src.close();
  const seen: number[] = [];
  const progress: ProgressLine = { ...quiet, status: (s) => void seen.push(Number(/copied (\d+)\//.exec(s)?.[1])) };
  const flags = { from: `sqlite:${join(d, 'a.db')}`, to: `sqlite:${join(d, 'b.db')}`, dataDir: d };
  const r = await runStoreMigrate(flags, progress);
  assert.equal(r.keys, want.length);
  assert.equal(r.keys, 600 - Math.ceil(600 / 17) + 1);
  assert.match(r.checksum, /^[0-9a-f]{64}$/);
  const dst = await createBackend(`sqlite:${join(d, 'b.db')}`);
  try {
    assert.deepEqual(await all(dst), want);
    assert.equal(await dst.get('/not-registry/x'), undefined, 'only /registry/ is the cluster');
  } finally {
    await dst.close();
  }
  const text = renderMigrateSummary(flags, r);
  assert.match(text, new RegExp(`^migrated ${r.keys} keys`));
  assert.match(text, /verified: the same \d+ keys on both sides, sha256 [0-9a-f]{64}/);
  assert.match(text, new RegExp(`tandem server --data-dir ${d} --store sqlite:${join(d, 'b.db')}`));

  // a second run meets a target that is not empty: refused, then --force copies anew
  await assert.rejects(runStoreMigrate(flags, quiet), (e: Error) => e instanceof TargetNotEmptyError && /add --force/.test(e.message));
  const again = await runStoreMigrate({ ...flags, force: true }, quiet);
  assert.equal(again.deleted, r.keys);
  assert.equal(again.checksum, r.checksum);
});

test('a store held by a running server is refused, naming the process', async (t) => {
  const d = tmp(t);
  const held = await createBackend(`sqlite:${join(d, 'a.db')}`);
  try {
    await fill(held, 3);
    await assert.rejects(
      runStoreMigrate({ from: `sqlite:${join(d, 'a.db')}`, to: `sqlite:${join(d, 'b.db')}` }, quiet),
      new RegExp(`is locked: process ${process.pid} has it open.*stop the server`),
    );
  } finally {
    await held.close();
  }
});

test('into etcd, the data dir must hold the cluster CA the etcd store is marked with', async (t) => {
  const d = tmp(t);
  const src = await createBackend(`sqlite:${join(d, 'a.db')}`);
  await fill(src, 3);
  await src.close();
  await assert.rejects(
    runStoreMigrate({ from: `sqlite:${join(d, 'a.db')}`, to: 'etcd://127.0.0.1:1', dataDir: d }, quiet),
    /holds no cluster CA \(.*pki\/ca\.crt\); give the data dir the cluster ran with \(--data-dir\)/,
  );
});

test('a target that changes what it stores fails the verification, naming the key', async () => {
  const source = await createBackend('memory');
  const real = await createBackend('memory');
  await fill(source, 30);
  const target: Backend = {
    ...real,
    name: 'lossy',
    count: (p) => real.count(p),
    list: (p, o) => real.list(p, o),
    delete: (k, r) => real.delete(k, r),
    create: (k, v) => real.create(k, k.endsWith('/cm-5') ? v.replace('"5"', '"five"') : v),
  };
  await assert.rejects(
    migrateStore({ source, target }),
    (e: Error) => e instanceof VerifyError && /cm-5 \(value differs\)/.test(e.message),
  );
  await source.close();
  await real.close();
});

test('sqlite → etcd: objects stay, Events expire on etcd leases one TTL after the copy', { skip: etcdUnavailable() }, async (t) => {
  const d = tmp(t);
  const etcd = await startEtcdCluster({ size: 1 });
  try {
    const src = await createBackend(`sqlite:${join(d, 'a.db')}`);
    await fill(src, 20);
    await src.create('/registry/core/events/default/cm-1.17f', '{"kind":"Event","metadata":{"name":"cm-1.17f","namespace":"default"}}');
    await src.close();
    // the data dir of a cluster: its CA marks the etcd store
    const { ensurePki } = await import('../pki/index.js');
    await ensurePki(d, { hosts: ['127.0.0.1'] });
    const r = await runStoreMigrate({ from: `sqlite:${join(d, 'a.db')}`, to: etcd.spec, dataDir: d, eventTtlMs: 2000 }, quiet);
    assert.equal(r.keys, 20 - 2 + 1 + 1, 'configmaps (two deleted), the range key, the Event');
    const dst = await createBackend(etcd.spec);
    try {
      assert.ok(await dst.get('/registry/core/events/default/cm-1.17f'), 'the Event was copied');
      const until = Date.now() + 20_000;
      while ((await dst.get('/registry/core/events/default/cm-1.17f')) && Date.now() < until)
        await new Promise((res) => setTimeout(res, 250));
      assert.equal(await dst.get('/registry/core/events/default/cm-1.17f'), undefined, 'the Event expired');
      assert.ok(await dst.get('/registry/core/configmaps/default/cm-1'), 'objects do not expire');
      assert.ok(await dst.get('/tandem/cluster'), 'the store is marked with the cluster CA');
    } finally {
      await dst.close();
    }
  } finally {
    await etcd.stop();
  }
});
