import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendSpecError, createBackend, parseSqliteSpec } from './index.js';

test('createBackend: memory, sqlite:<path>, bad etcd specs, garbage', async () => {
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

  for (const [bad, why] of [
    ['etcd://', /no endpoint/],
    ['etcd:/127.0.0.1:2379', /expected etcd:\/\/HOST:PORT/],
    ['etcd://127.0.0.1', /"127\.0\.0\.1": expected HOST:PORT/],
    ['etcd://127.0.0.1:0', /port 0 is not between 1 and 65535/],
    ['etcd://127.0.0.1:70000', /port 70000/],
    ['etcd://a:1,,b:2', /endpoint "": expected HOST:PORT/],
    ['etcd://a:1,a:1', /listed twice/],
    ['etcd://bad_host:1', /"bad_host" is not a host name/],
    ['etcd://a:1/x//y', /segment "" must be/],
    ['etcd://a:1/x y', /no query, fragment or spaces/],
    ['etcd://a:1?tls=1', /no query/],
  ] as const) {
    await assert.rejects(createBackend(bad), (e: unknown) => e instanceof BackendSpecError && why.test(e.message), bad);
  }
  await assert.rejects(createBackend('sqlite:'), BackendSpecError);
  await assert.rejects(createBackend('mongo'), /expected memory, sqlite:<path> or etcd:\/\/HOST:PORT/);
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
