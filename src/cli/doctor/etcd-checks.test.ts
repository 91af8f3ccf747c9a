// The etcd checks against real etcd members (Debian's etcd-server): a healthy 3-member cluster, the
// same with a member killed, one member alone, and a member whose quota is full (NOSPACE alarm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { etcdUnavailable, startEtcdCluster } from '../../storage/etcd/testing/etcd-cluster.js';
import { etcdChecks } from './etcd-checks.js';
import { etcdEndpointsOf, probeEtcd } from './etcd-probe.js';
import type { CheckResult } from './doctor-types.js';

const why = etcdUnavailable();
/** dist/src/cli/doctor → bin/tandem.js */
const TANDEM = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../bin/tandem.js');
const byId = (checks: CheckResult[]) => new Map(checks.map((c) => [c.id, c]));

test('etcd spec: endpoints, https with TLS, and bad specs named', () => {
  assert.deepEqual(etcdEndpointsOf('etcd://a:1,b:2/prefix', false), ['http://a:1', 'http://b:2']);
  assert.deepEqual(etcdEndpointsOf('etcd://[::1]:2379', true), ['https://[::1]:2379']);
  assert.throws(() => etcdEndpointsOf('etcd://', false), /invalid etcd store "etcd:\/\/": no endpoint/);
  assert.throws(() => etcdEndpointsOf('etcd://a', false), /endpoint "a": expected HOST:PORT/);
});

test('doctor on a 3-member etcd: all ok; with one member killed the endpoint is named and quorum holds', { skip: why }, async () => {
  const c = await startEtcdCluster({ size: 3 });
  try {
    const target = { endpoints: c.clientUrls };
    let checks = byId(etcdChecks(await probeEtcd(target)));
    for (const id of ['etcd.members', 'etcd.leader', 'etcd.db-size', 'etcd.alarms', 'etcd.versions'])
      assert.equal(checks.get(id)?.verdict, 'ok', `${id}: ${checks.get(id)?.detail}`);
    // a busy shared machine can make a Status call slower than etcd's 100 ms: then a warning that says so
    const latency = checks.get('etcd.endpoints')!;
    assert.ok(latency.verdict === 'ok' || (latency.verdict === 'warn' && /over 100 ms$/.test(latency.detail)), latency.detail);
    assert.match(checks.get('etcd.members')!.detail, /^3 member\(s\): m\d /);
    assert.match(checks.get('etcd.leader')!.detail, /^leader m\d \([0-9a-f]+\), raft term \d+/);
    assert.match(checks.get('etcd.versions')!.detail, /^etcd 3\.\d+\.\d+/);
    assert.match(checks.get('etcd.endpoints')!.detail, /http:\/\/127\.0\.0\.1:\d+ [\d.]+ ms/);

    await c.members[1]!.kill();
    const t0 = Date.now();
    checks = byId(etcdChecks(await probeEtcd(target, { timeoutMs: 1500 })));
    assert.ok(Date.now() - t0 < 10_000, 'a dead endpoint costs about the timeout, not the client’s retries');
    const ep = checks.get('etcd.endpoints')!;
    assert.equal(ep.verdict, 'warn', ep.detail);
    assert.ok(ep.detail.includes(`${c.clientUrls[1]} unreachable`), ep.detail);
    assert.match(ep.detail, /1 of 3 endpoint\(s\) unreachable$/);
    assert.match(ep.fix ?? '', /restart the member/);
    assert.equal(checks.get('etcd.members')?.verdict, 'ok', 'the member list still has three');

    await c.members[2]!.kill();
    checks = byId(etcdChecks(await probeEtcd(target, { timeoutMs: 1500 })));
    assert.equal(checks.get('etcd.endpoints')?.verdict, 'fail');
    assert.match(checks.get('etcd.endpoints')!.detail, /fewer than a quorum \(2\) of 3 members answer/);
  } finally {
    await c.stop();
  }
});

test('doctor on one member: a warning that it has no fault tolerance; quota thresholds; unreachable fails', { skip: why }, async () => {
  const c = await startEtcdCluster({ size: 1 });
  try {
    const p = await probeEtcd({ endpoints: c.clientUrls });
    const checks = byId(etcdChecks(p));
    assert.equal(checks.get('etcd.members')?.verdict, 'warn');
    assert.match(checks.get('etcd.members')!.detail, /no fault tolerance/);
    const size = p.endpoints[0]!.ok ? p.endpoints[0]!.dbSize : 0;
    assert.ok(size > 0);
    assert.equal(byId(etcdChecks(p, { quotaBytes: size * 1.1 })).get('etcd.db-size')?.verdict, 'warn');
    assert.equal(byId(etcdChecks(p, { quotaBytes: size * 0.9 })).get('etcd.db-size')?.verdict, 'fail');
    assert.equal(byId(etcdChecks(p, { quotaBytes: size * 10 })).get('etcd.db-size')?.verdict, 'ok');
    // the command: `tandem doctor --store etcd://…` prints the etcd lines with their fixes
    const data = mkdtempSync(join(tmpdir(), 'tandem-doctor-etcd-'));
    try {
      const r = spawnSync(process.execPath, [TANDEM, 'doctor', '--data-dir', data, '--store', c.spec], { encoding: 'utf8' });
      assert.match(r.stdout, /! etcd members: 1 member\(s\): m0 [0-9a-f]+ http:\/\/127\.0\.0\.1:\d+; one member has no fault tolerance/);
      assert.match(r.stdout, /fix: run 3 \(or 5\) members/);
      assert.match(r.stdout, /✓ etcd has one leader: leader m0/);
      const bad = spawnSync(process.execPath, [TANDEM, 'doctor', '--data-dir', data, '--etcd-cafile', '/x'], { encoding: 'utf8' });
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /--etcd-\* flags need --store etcd:/);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  } finally {
    await c.stop();
  }
  const gone = byId(etcdChecks(await probeEtcd({ endpoints: c.clientUrls }, { timeoutMs: 1000 })));
  assert.equal(gone.get('etcd.endpoints')?.verdict, 'fail');
  assert.match(gone.get('etcd.endpoints')!.fix ?? '', /start etcd, or correct --store/);
  assert.equal(gone.get('etcd.leader')?.verdict, 'skip');
});

test('doctor on a full etcd: the NOSPACE alarm fails with the disarm fix', { skip: why }, async () => {
  const c = await startEtcdCluster({ size: 1, quotaBytes: 4 * 1024 * 1024 });
  const client = new Etcd3({ hosts: c.clientUrls });
  try {
    const big = 'x'.repeat(512 * 1024);
    let full = false;
    for (let i = 0; i < 64 && !full; i++) {
      await client
        .put(`/fill/${i}`)
        .value(big)
        .catch((e: unknown) => {
          full = /space exceeded/i.test(String(e));
          if (!full) throw e;
        });
    }
    assert.ok(full, 'etcd refused a write with "database space exceeded"');
    const checks = byId(etcdChecks(await probeEtcd({ endpoints: c.clientUrls }), { quotaBytes: 4 * 1024 * 1024 }));
    const alarms = checks.get('etcd.alarms')!;
    assert.equal(alarms.verdict, 'fail');
    assert.match(alarms.detail, /Nospace on member [0-9a-f]+/);
    assert.match(alarms.fix ?? '', /etcdctl alarm disarm/);
  } finally {
    client.close();
    await c.stop();
  }
});

test(
  'doctor on a TLS etcd: with --etcd-cafile/--etcd-certfile/--etcd-keyfile it answers; without the client certificate it fails',
  { skip: why },
  async () => {
    const c = await startEtcdCluster({ size: 1, tls: true });
    const data = mkdtempSync(join(tmpdir(), 'tandem-doctor-etcd-tls-'));
    try {
      const certs = c.certs!;
      const doctor = (...flags: string[]) =>
        spawnSync(process.execPath, [TANDEM, 'doctor', '--data-dir', data, '--store', c.spec, ...flags], {
          encoding: 'utf8',
          timeout: 60_000,
        });
      const good = doctor('--etcd-cafile', certs.caFile, '--etcd-certfile', certs.clientCertFile, '--etcd-keyfile', certs.clientKeyFile);
      assert.match(good.stdout, /✓ etcd has one leader: leader m0/);
      assert.match(good.stdout, /etcd endpoints answer quickly: https:\/\/127\.0\.0\.1:\d+ [\d.]+ ms/);
      const noClientCert = doctor('--etcd-cafile', certs.caFile);
      assert.match(noClientCert.stdout, /✗ etcd endpoints answer quickly: https:\/\/127\.0\.0\.1:\d+ unreachable/);
      assert.equal(noClientCert.status, 1);
      const half = doctor('--etcd-cafile', certs.caFile, '--etcd-certfile', certs.clientCertFile);
      assert.match(half.stderr, /--etcd-certfile and --etcd-keyfile go together/);
    } finally {
      rmSync(data, { recursive: true, force: true });
      await c.stop();
    }
  },
);
