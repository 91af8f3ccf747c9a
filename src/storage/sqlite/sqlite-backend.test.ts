import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { runConformance } from '../testing/conformance.js';
import { CompactedError } from '../backend.js';
import { createSqliteBackend } from './sqlite-backend.js';
import { makeTempDir } from './testing/sqlite-util.js';

const tmp = makeTempDir();
after(() => tmp.remove());
let n = 0;

runConformance('sqlite', async () => createSqliteBackend(tmp.file(`conf-${n++}.db`)));
runConformance('sqlite sync=normal', async () => createSqliteBackend(tmp.file(`conf-${n++}.db`), { sync: 'normal' }));

const rowCount = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS c FROM kine').get() as { c: number }).c;
  } finally {
    db.close();
  }
};

test('sqlite: reopen preserves data, revision, compacted revision and history', async () => {
  const file = tmp.file('reopen.db');
  let b = createSqliteBackend(file);
  const a = await b.create('/r/a', 'a1');
  await b.create('/r/b', 'b1');
  await b.update('/r/a', 'a2', a.modRevision);
  await b.create('/r/gone', 'g');
  await b.delete('/r/gone'); // rev 5
  await b.compact(3);
  await b.create('/r/c', 'c1'); // rev 6
  await b.delete('/r/c'); // rev 7: the newest row is a deletion marker
  const before = await b.list('/r/');
  await b.close();

  b = createSqliteBackend(file);
  assert.equal(await b.currentRevision(), 7);
  assert.equal(await b.compactedRevision(), 3);
  assert.deepEqual(await b.list('/r/'), before);
  assert.equal((await b.get('/r/a'))?.createRevision, 1);
  // History after the compacted revision is still replayable from the log.
  const evs: string[] = [];
  const w = b.watch('/r/', 3, {
    onEvents(e) {
      evs.push(...e.map((x) => `${x.type}:${x.kv.key}@${x.kv.modRevision}`));
    },
    onError() {},
  });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(evs, ['create:/r/gone@4', 'delete:/r/gone@5', 'create:/r/c@6', 'delete:/r/c@7']);
  w.cancel();
  assert.deepEqual(
    (await b.list('/r/', { revision: 4 })).kvs.map((kv) => kv.key),
    ['/r/a', '/r/b', '/r/gone'],
  );
  await assert.rejects(b.list('/r/', { revision: 2 }), CompactedError);
  // Re-creating keys whose deletion markers are still stored continues the log correctly.
  const c = await b.create('/r/c', 'c2');
  assert.equal(c.modRevision, 8);
  assert.equal(c.createRevision, 8);
  await b.compact(8);
  await b.close();

  // Compaction removed superseded rows and markers: /r/a@3, /r/b@2, /r/c@8 remain.
  assert.equal(rowCount(file), 3);
  b = createSqliteBackend(file);
  assert.equal(await b.currentRevision(), 8);
  assert.equal(await b.compactedRevision(), 8);
  assert.deepEqual(
    (await b.list('/r/')).kvs.map((kv) => `${kv.key}=${kv.value}`),
    ['/r/a=a2', '/r/b=b1', '/r/c=c2'],
  );
  const g = await b.create('/r/gone', 'again');
  await b.delete('/r/gone', g.modRevision); // rev 10: the newest row is a marker, and compaction removes it
  await b.compact(10);
  await b.close();
  assert.equal(rowCount(file), 3);
  b = createSqliteBackend(file);
  assert.equal(await b.currentRevision(), 10, 'the revision survives the removal of the newest row');
  assert.equal((await b.create('/r/gone', 'third')).modRevision, 11);
  await b.close();
});

test('sqlite: a second open of the same file is refused', async () => {
  const file = tmp.file('locked.db');
  const b = createSqliteBackend(file, { busyTimeoutMs: 50 });
  await b.create('/x', '1');
  assert.throws(() => createSqliteBackend(file, { busyTimeoutMs: 50 }), /locked|busy/i);
  await b.close();
  assert.equal(existsSync(`${file}.lock`), false, 'close releases the lock');
});

test('sqlite: a lock left by a process that is gone is taken over', async () => {
  const file = tmp.file('stale.db');
  const gone = spawnSync(process.execPath, ['-e', '']).pid;
  assert.ok(gone !== undefined && gone > 0);
  writeFileSync(`${file}.lock`, `${gone}\n`);
  const b = createSqliteBackend(file);
  assert.equal(readFileSync(`${file}.lock`, 'utf8').trim(), String(process.pid));
  await b.create('/x', '1');
  await b.close();
});

test('sqlite: the WAL is checkpointed into the database file off the writer', async () => {
  const file = tmp.file('ckpt.db');
  const b = createSqliteBackend(file);
  const value = 'v'.repeat(10_000);
  // ~8 MB: below the writer's own checkpoint threshold, so only the worker copies pages
  for (let i = 0; i < 800; i++) await b.create(`/big/${i}`, value);
  const deadline = Date.now() + 5000;
  while (statSync(file).size < 8_000_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.ok(statSync(file).size >= 8_000_000, `state file is ${statSync(file).size} bytes: the WAL was not checkpointed`);
  assert.equal(await b.count('/big/'), 800);
  await b.close();
});

test('sqlite: compaction in many small batches and automatic compaction', async () => {
  const file = tmp.file('batches.db');
  const b = createSqliteBackend(file, { compactBatchSize: 7, compactInterval: 20, retainRevisions: 10 });
  let kv = await b.create('/k', '0');
  for (let i = 1; i < 100; i++) kv = await b.update('/k', `${i}`, kv.modRevision);
  for (let i = 0; i < 20; i++) {
    await b.create(`/d/${i}`, 'x');
    await b.delete(`/d/${i}`);
  }
  const deadline = Date.now() + 3000;
  while ((await b.compactedRevision()) < 130 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(await b.compactedRevision(), 130);
  // The compacted revision is recorded first; the rows go in batches after it (a close stops them,
  // the next open resumes). Left: the newest /k row (100) and rows 131..140 (the last five
  // create/delete pairs, above the compacted revision).
  while (rowCount(file) !== 11 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await b.close();
  assert.equal(rowCount(file), 11);
});

test('sqlite: startup with 10k keys is fast', async () => {
  const file = tmp.file('big.db');
  let b = createSqliteBackend(file);
  const value = JSON.stringify({ kind: 'ConfigMap', data: { v: 'x'.repeat(400) } });
  for (let i = 0; i < 10_000; i++) await b.create(`/registry/configmaps/ns${i % 10}/cm-${i}`, value);
  await b.close();
  const t0 = performance.now();
  b = createSqliteBackend(file);
  const ms = performance.now() - t0;
  assert.equal(await b.count('/registry/configmaps/'), 10_000);
  assert.equal(await b.count('/registry/configmaps/ns3/'), 1000);
  assert.ok(ms < 1000, `open took ${ms.toFixed(0)} ms`);
  await b.close();
});

test('sqlite: every acknowledged write survives SIGKILL of the writer', async (t) => {
  const file = tmp.file('crash.db');
  const script = join(dirname(fileURLToPath(import.meta.url)), 'testing', 'crash-writer.js');
  const child = spawn(process.execPath, [script, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output from the writer: ${err}`)), 5000);
    child.stdout.on('data', (d: Buffer) => {
      if (out === '') {
        clearTimeout(timer);
        setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 800);
      }
      out += d.toString();
    });
  });
  assert.equal(await exited, 'SIGKILL', err);
  const lines = out.split('\n').slice(0, -1); // the last piece may be a partial line
  assert.ok(lines.length > 100, `only ${lines.length} writes acknowledged`);
  t.diagnostic(`${lines.length} writes acknowledged before SIGKILL`);
  const b = createSqliteBackend(file);
  try {
    let maxRev = 0;
    for (const line of lines) {
      const [key, rev] = line.split(' ');
      const kv = await b.get(key as string);
      assert.ok(kv, `acknowledged key ${key} is missing`);
      assert.equal(kv.modRevision, Number(rev));
      maxRev = Math.max(maxRev, kv.modRevision);
    }
    assert.ok((await b.currentRevision()) >= maxRev);
    assert.ok((await b.count('/crash/')) >= lines.length);
    const next = await b.create('/crash/after', 'x');
    assert.equal(next.modRevision, await b.currentRevision());
  } finally {
    await b.close();
  }
});

test('sqlite: the store and its -wal/-shm files are the owner’s alone (0600), old wider modes narrowed', async (t) => {
  if (process.platform === 'win32') return t.skip('NTFS: modes do not apply');
  const old = process.umask(0o022);
  try {
    const file = tmp.file('modes.db');
    const b = createSqliteBackend(file);
    await b.create('/k', 'v');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) assert.equal(statSync(f).mode & 0o777, 0o600, f);
    await b.close();
    const { chmodSync } = await import('node:fs');
    chmodSync(file, 0o644);
    const again = createSqliteBackend(file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    await again.close();
  } finally {
    process.umask(old);
  }
});

test('sqlite: a damaged file is an error naming it and the way out, not a crash', async () => {
  const file = tmp.file('damaged.db');
  const b = createSqliteBackend(file);
  for (let i = 0; i < 500; i++) await b.create(`/d/${i}`, 'x'.repeat(500));
  await b.close();
  const { truncateSync } = await import('node:fs');
  truncateSync(file, Math.floor(statSync(file).size / 2));
  assert.throws(() => createSqliteBackend(file), /the store .*damaged\.db is damaged \(SQLITE_CORRUPT: .*\): restore it from a backup/);
  writeFileSync(file, 'garbage '.repeat(1000));
  assert.throws(() => createSqliteBackend(file), /is damaged \(SQLITE_NOTADB/);
  // the failed opens released the lock
  assert.equal(existsSync(`${file}.lock`), false);
});
