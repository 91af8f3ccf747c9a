import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendSpecError, createBackend, parseSqliteSpec } from './index.js';

test('createBackend: memory, sqlite:<path>, etcd not yet, garbage', async () => {
  const mem = await createBackend('memory');
  assert.equal(mem.name, 'memory');
  await mem.create('/a', '1');
  await mem.close();

  const dir = mkdtempSync(join(tmpdir(), 'tandem-spec-'));
  try {
    const file = join(dir, 'store.db');
    const sq = await createBackend(`sqlite:${file}`);
    assert.equal(sq.name, `sqlite:${file}`);
    await sq.create('/a', '1');
    await sq.close();
    const again = await createBackend(`sqlite:${file}`);
    assert.equal((await again.get('/a'))?.value, '1');
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  await assert.rejects(
    createBackend('etcd://127.0.0.1:2379'),
    (e: unknown) => e instanceof BackendSpecError && /not implemented yet/.test(e.message),
  );
  await assert.rejects(createBackend('sqlite:'), BackendSpecError);
  await assert.rejects(createBackend('mongo'), /expected memory or sqlite/);
});

test('createBackend: sqlite:<path>?sync=full|normal, unknown options refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-spec-'));
  try {
    const file = join(dir, 'store.db');
    assert.deepEqual(parseSqliteSpec(`sqlite:${file}`), { file });
    assert.deepEqual(parseSqliteSpec(`sqlite:${file}?sync=normal`), { file, sync: 'normal' });
    const normal = await createBackend(`sqlite:${file}?sync=normal`);
    assert.equal(normal.name, `sqlite:${file}?sync=normal`);
    await normal.create('/n', '1');
    await normal.close();
    const full = await createBackend(`sqlite:${file}?sync=full`);
    assert.equal(full.name, `sqlite:${file}`);
    assert.equal((await full.get('/n'))?.value, '1');
    await full.close();
    assert.throws(() => parseSqliteSpec('sqlite:?sync=full'), /expected sqlite:<path/);
    await assert.rejects(createBackend(`sqlite:${file}?sync=sometimes`), /sync=sometimes: expected sync=full/);
    await assert.rejects(createBackend(`sqlite:${file}?cache=1`), /unknown option "cache"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
