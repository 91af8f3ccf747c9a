// The etcd part of the store guard, against a real etcd member: a first start marks the prefix with
// its CA's hash, the same CA passes, another CA or none is refused, keys under /registry/ without a
// marker are refused, an empty prefix next to an existing data dir needs --allow-empty-store.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend, type Backend } from '../storage/index.js';
import { etcdUnavailable, startEtcdCluster, type EtcdCluster } from '../storage/etcd/testing/etcd-cluster.js';
import { checkEtcdStoreBeforeStart, markEtcdStore } from './store-guard.js';

const why = etcdUnavailable();
let cluster: EtcdCluster | undefined;
const root = mkdtempSync(join(tmpdir(), 'tandem-etcd-guard-'));
let n = 0;

/** A data dir holding a CA certificate (made with openssl), or none. */
function dataDir(withCa: boolean): string {
  const dir = join(root, `d${n++}`);
  mkdirSync(join(dir, 'pki'), { recursive: true });
  if (withCa) makeCa(dir);
  return dir;
}

/** A CA certificate in DIR/pki (openssl), as ensurePki would make it. */
function makeCa(dir: string): void {
  const [key, crt] = [join(dir, 'pki', 'ca.key'), join(dir, 'pki', 'ca.crt')];
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  execFileSync('openssl', ['req', '-x509', ...ec, '-days', '1', '-subj', '/CN=ca', '-keyout', key, '-out', crt], { stdio: 'ignore' });
}

const open = (prefix: string): Promise<Backend> => createBackend(`${cluster!.spec}${prefix}`);

before(async () => {
  if (!why) cluster = await startEtcdCluster();
});
after(async () => {
  await cluster?.stop();
  rmSync(root, { recursive: true, force: true });
});

test('etcd store guard: marker written, same CA passes, another CA or none refused', { skip: why }, async () => {
  const b = await open('/g1');
  try {
    const first = dataDir(false);
    await checkEtcdStoreBeforeStart(b, first); // a first start: an empty prefix and no CA yet
    makeCa(first); // what ensurePki does next
    await markEtcdStore(b, readFileSync(join(first, 'pki', 'ca.crt'), 'utf8'));
    await b.create('/registry/core/namespaces/default', '{}');
    await checkEtcdStoreBeforeStart(b, first); // a restart
    await assert.rejects(
      checkEtcdStoreBeforeStart(b, dataDir(true)),
      /holds another cluster \(CA sha256:[0-9a-f]+; this data dir's CA .* is sha256:/,
    );
    await assert.rejects(checkEtcdStoreBeforeStart(b, dataDir(false)), /holds a cluster \(CA sha256:[0-9a-f]+\) and .* has no CA/);
    await assert.rejects(
      markEtcdStore(b, readFileSync(join(dataDir(true), 'pki', 'ca.crt'), 'utf8')),
      /claimed meanwhile by another cluster/,
    );
  } finally {
    await b.close();
  }
});

test(
  'etcd store guard: foreign keys refused; an empty prefix beside an existing data dir needs --allow-empty-store',
  { skip: why },
  async () => {
    const b = await open('/g2');
    try {
      const existing = dataDir(true);
      await assert.rejects(checkEtcdStoreBeforeStart(b, existing), /is empty, but .* holds a cluster that existed .*--allow-empty-store/);
      await checkEtcdStoreBeforeStart(b, existing, { allowEmptyStore: true });
      await b.create('/registry/core/pods/ns/p', '{}');
      await assert.rejects(checkEtcdStoreBeforeStart(b, dataDir(false)), /holds 1 keys under \/registry\/ but no Tandem cluster marker/);
    } finally {
      await b.close();
    }
  },
);
