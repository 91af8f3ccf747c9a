// `tandem server --store etcd://…` end to end: a real etcd member, the server, the real kubectl.
// Objects land where upstream puts them (etcdctl sees the pod under /registry/pods/), survive a
// restart of the server, a second cluster's server is refused on the same prefix and works on its
// own, and a full etcd answers writes with etcd's reason while reads go on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdctl, etcdctlUnavailable, etcdUnavailable, startEtcdCluster } from '../../src/storage/etcd/testing/etcd-cluster.js';
import { kubectlAvailable, startTandem, TANDEM, type TandemProcess } from './harness.js';
import { removeTree } from './remove-tree.js';

const why = etcdUnavailable() ?? etcdctlUnavailable() ?? (!kubectlAvailable() ? 'kubectl is missing' : undefined);

const POD = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});

function ok(s: TandemProcess, args: string[], input?: string): string {
  const r = s.kubectl(args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Runs `tandem server` expecting it to refuse to start; returns its output. */
function refusedStart(args: string[]): Promise<{ code: number | null; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-e2e-'));
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [TANDEM, 'server', '--data-dir', dir, '--listen', '127.0.0.1:0', '--controllers', 'none', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('exit', (code) => {
      clearTimeout(t);
      removeTree(dir);
      resolve({ code, out });
    });
  });
}

test(
  'tandem server on etcd: kubectl create/get/delete, upstream keys, restart, a second cluster',
  { skip: why, timeout: 180_000 },
  async () => {
    const c = await startEtcdCluster();
    let s: TandemProcess | undefined;
    let other: TandemProcess | undefined;
    try {
      s = await startTandem({ args: ['--store', c.spec, '--controllers', 'none'], keepDataDir: true });
      const dataDir = s.dataDir;
      ok(s, ['create', 'configmap', 'cfg', '--from-literal=a=1']);
      ok(s, ['create', '-f', '-'], POD);
      assert.match(ok(s, ['get', 'pod', 'web', '-o', 'name']), /^pod\/web$/m);
      assert.deepEqual(etcdctl(c, {}, 'get', '--prefix', '--keys-only', '/registry/pods/').trim().split('\n').filter(Boolean), [
        '/registry/pods/default/web',
      ]);
      assert.match(etcdctl(c, {}, 'get', '/registry/pods/default/web', '--print-value-only'), /"kind":"Pod"/);
      assert.match(etcdctl(c, {}, 'get', '--prefix', '--keys-only', '/registry/minions/'), /^$/);
      assert.match(
        etcdctl(c, {}, 'get', '--prefix', '--keys-only', '/registry/services/specs/'),
        /\/registry\/services\/specs\/default\/kubernetes/,
      );
      assert.match(etcdctl(c, {}, 'get', '/tandem/cluster', '--print-value-only'), /^sha256:[0-9a-f]{64}\n$/);

      // restart on the same data dir: the objects are still there
      await s.stop();
      s = await startTandem({ args: ['--store', c.spec, '--controllers', 'none'], dataDir, keepDataDir: true });
      assert.match(ok(s, ['get', 'configmap', 'cfg', '-o', 'jsonpath={.data.a}']), /^1$/);
      ok(s, ['delete', 'pod', 'web', '--wait=false']);
      assert.equal(s.kubectl(['get', 'pod', 'web']).code, 1);
      assert.equal(etcdctl(c, {}, 'get', '--prefix', '--keys-only', '/registry/pods/').trim(), '');

      // another cluster (its own data dir and CA): refused on the same keys, served under its own prefix
      const refused = await refusedStart(['--store', c.spec]);
      assert.notEqual(refused.code, 0);
      assert.match(refused.out, /holds a cluster \(CA sha256:[0-9a-f]+\) and .* has no CA/);
      other = await startTandem({ args: ['--store', `${c.spec}/other`, '--controllers', 'none'] });
      assert.equal(other.kubectl(['get', 'configmap', 'cfg']).code, 1, 'the other cluster does not see the first one');
      ok(other, ['create', 'configmap', 'cfg', '--from-literal=a=2']);
      assert.match(ok(s, ['get', 'configmap', 'cfg', '-o', 'jsonpath={.data.a}']), /^1$/);
      assert.match(
        etcdctl(c, {}, 'get', '--prefix', '--keys-only', '/other/registry/configmaps/default/'),
        /\/other\/registry\/configmaps\/default\/cfg/,
      );
    } finally {
      await other?.stop();
      if (s) {
        await s.stop();
        removeTree(s.dataDir);
      }
      await c.stop();
    }
  },
);

test("a full etcd: kubectl writes answer etcd's reason, reads go on", { skip: why, timeout: 120_000 }, async () => {
  const c = await startEtcdCluster({ quotaBytes: 16 * 1024 * 1024 });
  let s: TandemProcess | undefined;
  try {
    s = await startTandem({ args: ['--store', c.spec, '--controllers', 'none'] });
    ok(s, ['create', 'configmap', 'before', '--from-literal=a=1']);
    const big = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 40; i++) {
      try {
        etcdctl(c, { input: big }, 'put', `/filler/${i}`);
      } catch {
        break; // database space exceeded
      }
    }
    const r = s.kubectl(['create', 'configmap', 'after', '--from-literal=a=1']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /failed to create configmap: etcdserver: mvcc: database space exceeded$/m);
    const raw = s.kubectl(['create', 'configmap', 'after2', '--from-literal=a=1', '-v=8']);
    assert.match(raw.stderr, /Response Status: 500/);
    assert.match(ok(s, ['get', 'configmap', 'before', '-o', 'name']), /configmap\/before/);
  } finally {
    await s?.stop();
    await c.stop();
  }
});

test('Events on etcd expire through leases (TANDEM_EVENT_TTL_MS as --event-ttl)', { skip: why, timeout: 120_000 }, async () => {
  const c = await startEtcdCluster();
  let s: TandemProcess | undefined;
  try {
    s = await startTandem({ args: ['--store', c.spec, '--controllers', 'none'], env: { TANDEM_EVENT_TTL_MS: '1500' } });
    const ev = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e1', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'x', namespace: 'default' },
      reason: 'Test',
      message: 'expires',
      type: 'Normal',
    };
    ok(s, ['create', '-f', '-'], JSON.stringify(ev));
    // the key carries a lease: etcdctl shows a non-zero lease on it
    assert.match(etcdctl(c, {}, 'get', '/registry/events/default/e1', '-w', 'json'), /"lease":[1-9]\d*/);
    const until = Date.now() + 20_000;
    while (s.kubectl(['get', 'event', 'e1']).code === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
    assert.equal(s.kubectl(['get', 'event', 'e1']).code, 1, 'the event expired');
  } finally {
    await s?.stop();
    await c.stop();
  }
});
