// Growing from one machine to several: a cluster of 10,000 objects made through a real `tandem server`
// on SQLite is stopped, `tandem store migrate` copies it into a real etcd (Debian's etcd-server on
// loopback), and `tandem server --store etcd://…` on the same data dir serves the same objects: the
// real kubectl shows the same names, uids, creation timestamps and owner references before and
// after. A migration while the server runs is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { etcdUnavailable, startEtcdCluster } from '../../src/storage/etcd/testing/etcd-cluster.js';
import { removeTree } from './remove-tree.js';
import { KUBECTL, kubectlAvailable, startTandem, TANDEM, type TandemProcess } from './harness.js';
import { createRawClient } from './raw-client.js';

const OBJECTS = 10_000;
const NAMESPACES = 10;
const why = etcdUnavailable() ?? (kubectlAvailable() ? undefined : 'kubectl is not installed');

/** Creates ConfigMaps (each owned by its namespace's first one) with 32 requests in flight. */
async function load(s: TandemProcess, n: number): Promise<void> {
  const c = createRawClient({ url: s.url, caPem: s.caPem(), token: s.token(), keepAlive: true });
  try {
    const owners = new Map<string, string>();
    for (let i = 0; i < NAMESPACES; i++) {
      const ns = `mig-${i}`;
      const r = await c.request('POST', '/api/v1/namespaces', {
        body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }),
      });
      assert.equal(r.status, 201, r.text);
      const o = await c.request('POST', `/api/v1/namespaces/${ns}/configmaps`, {
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' }, data: { role: 'owner' } }),
      });
      assert.equal(o.status, 201, o.text);
      owners.set(ns, (JSON.parse(o.text) as { metadata: { uid: string } }).metadata.uid);
    }
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < n; i = next++) {
        const ns = `mig-${i % NAMESPACES}`;
        const body = JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: `cm-${i}`,
            labels: { batch: String(i % 7) },
            ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owners.get(ns)! }],
          },
          data: { i: String(i) },
        });
        const r = await c.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body, timeoutMs: 60_000 });
        if (r.status !== 201) throw new Error(`create ${ns}/cm-${i}: HTTP ${r.status} ${r.text}`);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
  } finally {
    c.close();
  }
}

const COLUMNS =
  'custom-columns=NS:.metadata.namespace,NAME:.metadata.name,UID:.metadata.uid,CREATED:.metadata.creationTimestamp,OWNER:.metadata.ownerReferences[0].uid,DATA:.data.i';

/** kubectl with room for 10,000 lines of output (the harness's kubectl keeps spawnSync's 1 MiB default). */
function kubectl(s: TandemProcess, args: string[]): string {
  const r = spawnSync(KUBECTL, args, {
    env: { ...process.env, HOME: s.home, KUBECONFIG: s.kubeconfig },
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 2 ** 20,
  });
  assert.equal(r.status, 0, `kubectl ${args.join(' ')}: ${r.stderr ?? ''} ${r.error?.message ?? ''}`);
  return r.stdout;
}

function snapshot(s: TandemProcess): { configmaps: string[]; namespaces: string[] } {
  const lines = (t: string) => t.split('\n').filter((l) => l.trim() !== '');
  return {
    configmaps: lines(kubectl(s, ['get', 'configmaps', '-A', '-o', COLUMNS, '--no-headers', '--sort-by=.metadata.uid'])),
    namespaces: lines(
      kubectl(s, [
        'get',
        'namespaces',
        '-o',
        'custom-columns=NAME:.metadata.name,UID:.metadata.uid,CREATED:.metadata.creationTimestamp',
        '--no-headers',
      ]),
    ),
  };
}

test('a 10,000-object cluster moves from SQLite to etcd and kubectl shows the same objects', { skip: why, timeout: 600_000 }, async (t) => {
  const etcd = await startEtcdCluster({ size: 1 });
  let dataDir: string | undefined;
  let server: TandemProcess | undefined;
  try {
    server = await startTandem({ keepDataDir: true, args: ['--controllers', 'none'] });
    dataDir = server.dataDir;
    await load(server, OBJECTS);
    const before = snapshot(server);
    assert.equal(before.configmaps.filter((l) => / cm-\d+ /.test(l)).length, OBJECTS);

    const migrate = (extra: string[] = []) =>
      spawnSync(process.execPath, [TANDEM, 'store', 'migrate', '--data-dir', dataDir!, '--from', 'sqlite', '--to', etcd.spec, ...extra], {
        encoding: 'utf8',
        timeout: 300_000,
      });
    const refused = migrate();
    assert.notEqual(refused.status, 0, 'a store held by a running server is refused');
    assert.match(refused.stderr, /is locked: process \d+ has it open.*stop the server/);

    await server.stop(); // keepDataDir: the data dir stays
    server = undefined;
    const r = migrate();
    assert.equal(r.status, 0, r.stderr);
    t.diagnostic(r.stdout);
    const keys = Number(/^migrated (\d+) keys/m.exec(r.stdout)?.[1]);
    assert.ok(keys > OBJECTS, r.stdout);
    assert.match(r.stdout, new RegExp(`verified: the same ${keys} keys on both sides, sha256 [0-9a-f]{64}`));
    assert.match(r.stdout, new RegExp(`tandem server --data-dir ${dataDir} --store ${etcd.spec.replace(/\./g, '\\.')}`));
    const again = migrate();
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /already holds \d+ key\(s\) under \/registry\/.*--force/);

    server = await startTandem({ dataDir, keepDataDir: true, args: ['--controllers', 'none', '--store', etcd.spec] });
    assert.match(server.output(), /store: etcd/);
    const after = snapshot(server);
    // a one-member etcd: the server's log says it has no fault tolerance (cli/etcd-warnings.ts)
    assert.match(server.output(), /etcd has one member \(m0\): no fault tolerance/);
    assert.deepEqual(after.namespaces, before.namespaces);
    assert.equal(after.configmaps.length, before.configmaps.length);
    assert.deepEqual(after.configmaps, before.configmaps);
    // and the cluster works on etcd: a write and a read
    const put = server.kubectl(['create', 'configmap', 'after-migration', '-n', 'mig-0', '--from-literal=x=1']);
    assert.equal(put.code, 0, put.stderr);
    assert.equal(server.kubectl(['get', 'configmap', 'after-migration', '-n', 'mig-0', '-o', 'jsonpath={.data.x}']).stdout, '1');
  } finally {
    await server?.stop();
    if (dataDir) removeTree(dataDir);
    await etcd.stop();
  }
});
