// The empty-store guard: through checkStoreBeforeStart, through runServer, and through the real
// `tandem server` process (exit code and stderr). A fresh data dir still starts; a 0-byte or
// missing state.db next to the PKI a first start left is refused with the fix, and starts with
// --allow-empty-store; a store whose -wal file is gone is fine; a damaged store is named.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nullLogger } from '../base/log.js';
import { createBackend } from '../storage/index.js';
import { runServer } from './server-command.js';
import { checkStoreBeforeStart } from './store-guard.js';

const root = mkdtempSync(join(tmpdir(), 'tandem-store-guard-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `d${n++}`);
const TANDEM = fileURLToPath(new URL('../../../bin/tandem.js', import.meta.url));
const start = (dataDir: string, extra: { allowEmptyStore?: boolean } = {}) =>
  runServer({ dataDir, listen: '127.0.0.1:0', log: nullLogger, controllers: [], clusterDns: undefined, ...extra });

/** A data dir that a first start made (store with objects, PKI, kubeconfig), stopped. */
async function existingCluster(): Promise<string> {
  const dir = fresh();
  const s = await start(dir);
  await s.client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kept' } });
  await s.stop();
  return dir;
}

test('store guard: a fresh data dir starts; an emptied state.db next to its PKI is refused with the fix; --allow-empty-store starts anew', async () => {
  const dir = await existingCluster();
  const db = join(dir, 'state.db');
  assert.ok(statSync(db).size > 0);
  assert.equal(existsSync(`${db}-wal`), false, 'a clean stop leaves no -wal file');
  // the -wal file missing is the normal state after a clean stop: it restarts with its objects
  let s = await start(dir);
  assert.ok(await s.client.getOrUndefined('/api/v1/namespaces/kept'));
  await s.stop();

  truncateSync(db, 0);
  await assert.rejects(start(dir), (e: unknown) => {
    const m = (e as Error).message;
    assert.match(m, /state\.db is empty \(0 bytes\)/);
    assert.match(m, /pki[/\\]ca\.crt/);
    assert.match(m, /Restore the store from a backup/);
    assert.match(m, /--allow-empty-store/);
    return true;
  });
  assert.equal(statSync(db).size, 0, 'the refused start left the file as it was');
  assert.ok(existsSync(join(dir, 'pki', 'ca.crt')), 'and the PKI');

  rmSync(db);
  await assert.rejects(start(dir), /state\.db does not exist, but .* holds a cluster that existed/);

  s = await start(dir, { allowEmptyStore: true });
  assert.equal(await s.client.getOrUndefined('/api/v1/namespaces/kept'), undefined, 'a new empty cluster');
  assert.ok(await s.client.getOrUndefined('/api/v1/namespaces/default'));
  await s.stop();
  // from then on the store has objects again: no flag needed
  s = await start(dir);
  await s.stop();
});

test('store guard: a damaged state.db is refused with SQLite’s reason, not a crash', async () => {
  const dir = await existingCluster();
  const db = join(dir, 'state.db');
  truncateSync(db, Math.floor(statSync(db).size / 2));
  await assert.rejects(start(dir), /state\.db cannot be read \(SQLITE_CORRUPT: database disk image is malformed\): restore it/);
  writeFileSync(db, 'not a database '.repeat(500));
  await assert.rejects(start(dir), /cannot be read \(SQLITE_NOTADB: file is not a database\)/);
  // the flag does not paper over a damaged file: it must be moved away first
  await assert.rejects(start(dir, { allowEmptyStore: true }), /SQLITE_NOTADB/);
});

test('store guard: the checks alone (memory exempt, schema without objects, kubeconfig alone as evidence)', async () => {
  const dir = fresh();
  const db = join(dir, 'state.db');
  checkStoreBeforeStart(dir, 'memory');
  checkStoreBeforeStart(dir, `sqlite:${db}`); // nothing there at all: a first start
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kubeconfig'), 'apiVersion: v1\n');
  assert.throws(() => checkStoreBeforeStart(dir, `sqlite:${db}`), /does not exist, but .*kubeconfig/);
  checkStoreBeforeStart(dir, `sqlite:${db}`, { allowEmptyStore: true });
  checkStoreBeforeStart(dir, 'memory');
  // a store opened and closed without a write: the schema, no objects
  await (await createBackend(`sqlite:${db}`)).close();
  assert.throws(() => checkStoreBeforeStart(dir, `sqlite:${db}`), /state\.db holds no objects, but/);
  assert.throws(() => checkStoreBeforeStart(dir, `sqlite:${db}?sync=normal`), /holds no objects/);
});

test('store guard: `tandem server` and `tandem up` on an emptied store exit 1 with the fix on stderr; with --allow-empty-store it is ready', async () => {
  const dir = await existingCluster();
  truncateSync(join(dir, 'state.db'), 0);
  const args = [TANDEM, 'server', '--data-dir', dir, '--listen', '127.0.0.1:0', '--controllers', 'none', '--cluster-dns-listen', 'none'];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /state\.db is empty \(0 bytes\), but .* holds a cluster that existed/);
  assert.match(r.stderr, /--allow-empty-store/);
  // with the flag: ready, then stopped by SIGTERM
  const child = spawn(process.execPath, [...args, '--allow-empty-store'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const code = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready: ${out}`)), 60_000);
    const see = (b: Buffer) => {
      out += b.toString();
      if (/ready in/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', see);
    child.stderr.on('data', see);
    child.once('exit', () => reject(new Error(`exited before ready: ${out}`)));
  });
  child.kill('SIGTERM');
  assert.equal(await code, 0, out);
  // `tandem up` has the flag and refuses the same store before anything of the node starts
  truncateSync(join(dir, 'state.db'), 0);
  assert.match(spawnSync(process.execPath, [TANDEM, 'up', '--help'], { encoding: 'utf8' }).stdout, /--allow-empty-store/);
  const up = spawnSync(process.execPath, [TANDEM, 'up', '--data-dir', dir, '--listen', '127.0.0.1:0', '--cluster-dns-listen', 'none'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(up.status, 1, up.stderr);
  assert.match(up.stderr, /state\.db is empty \(0 bytes\), but .* holds a cluster that existed.*--allow-empty-store/s);
});
