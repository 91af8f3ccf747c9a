// A second API server joins a running one: `tandem token create --control-plane` on server A uploads
// the cluster's keys sealed under a new certificate key; the bootstrap token may read that one
// Secret and nothing else (a node token may not read it). The join (the code of `tandem server
// --join`) pins A's CA, fetches and opens the bundle and writes DATA/pki with the right modes; a
// wrong key, a wrong pin, a wrong or expired token and a data dir of another cluster are refused
// with messages saying so. With a real etcd, server B started with --join on the same store then
// accepts A's ServiceAccount tokens, serves kubectl with its own admin kubeconfig, reads what A
// wrote and the other way round, and its watches see A's writes; a restart needs no --join.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectlAvailable, startTandem, TANDEM, type TandemProcess } from './harness.js';
import { removeTree } from './remove-tree.js';
import { joinControlPlane } from '../../src/cli/control-plane-join.js';
import { ensurePki } from '../../src/pki/index.js';
import { etcdUnavailable, startEtcdCluster, type EtcdCluster } from '../../src/storage/etcd/testing/etcd-cluster.js';

const skip = kubectlAvailable() ? false : 'kubectl not found';
const tandem = (args: string[]) => {
  const r = spawnSync(process.execPath, [TANDEM, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
};

interface Printed {
  token: string;
  certificateKey: string;
  caCertHash: string;
  url: string;
}

/** `tandem token create --control-plane` against a server's data dir; the values of the printed command. */
function createControlPlaneToken(dataDir: string, extra: string[] = []): Printed {
  const r = tandem(['token', 'create', '--control-plane', '--data-dir', dataDir, '--store', 'etcd://127.0.0.1:2', ...extra]);
  assert.equal(r.code, 0, r.out);
  const m =
    /tandem server --store \S+ --join (\S+) --token (\S+) --certificate-key ([0-9a-f]{64}) --ca-cert-hash (sha256:[0-9a-f]{64})/.exec(
      r.out,
    );
  assert.ok(m, r.out);
  return { url: m[1]!, token: m[2]!, certificateKey: m[3]!, caCertHash: m[4]! };
}

/** The status of a GET with a bearer token (the CA of the server verified). */
function statusOf(url: string, path: string, token: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    https
      .get(`${url}${path}`, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .once('error', reject);
  });
}

const join0 = (dir: string, p: Printed, over: Partial<Printed> = {}) =>
  joinControlPlane(dir, { ...p, ...over }, () => undefined).then(
    () => 'ok',
    (e: unknown) => (e instanceof Error ? e.message : String(e)),
  );

/** Waits up to 30 s for the uploaded certificates to be gone; what `kubectl get` still shows. */
async function waitGone(a: TandemProcess): Promise<string> {
  const deadline = Date.now() + 30_000;
  let left = '';
  do {
    await new Promise((res) => setTimeout(res, 250));
    left = a.kubectl(['-n', 'kube-system', 'get', 'secret', 'tandem-control-plane-certs', '--ignore-not-found', '-o', 'name']).stdout;
  } while (left !== '' && Date.now() < deadline);
  return left;
}

const SHARED = ['ca.crt', 'ca.key', 'sa.key', 'sa.pub', 'admin.token'];

describe('tandem token create --control-plane and the join of a server', { skip }, () => {
  let a: TandemProcess;
  let printed: Printed;
  const dirs: string[] = [];
  const newDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'tandem-cpjoin-'));
    dirs.push(d);
    return d;
  };

  before(async () => {
    // the controllers run: the garbage collector removes the certificates with their token
    a = await startTandem({ args: ['--cluster-dns-listen', 'none'] });
    printed = createControlPlaneToken(a.dataDir);
  });
  after(async () => {
    await a?.stop();
    for (const d of dirs) removeTree(d);
  });

  test('the token reads the sealed certificates and no other Secret; a node token cannot read them', async () => {
    const certs = '/api/v1/namespaces/kube-system/secrets/tandem-control-plane-certs';
    assert.equal(await statusOf(a.url, certs, printed.token, a.caPem()), 200);
    assert.equal(
      await statusOf(
        a.url,
        `/api/v1/namespaces/kube-system/secrets/bootstrap-token-${printed.token.slice(0, 6)}`,
        printed.token,
        a.caPem(),
      ),
      403,
    );
    assert.equal(await statusOf(a.url, '/api/v1/namespaces/kube-system/secrets', printed.token, a.caPem()), 403);
    const node = tandem(['token', 'create', '--data-dir', a.dataDir]);
    const nodeToken = /^([a-z0-9]{6}\.[a-z0-9]{16})$/m.exec(node.out)?.[1];
    assert.ok(nodeToken, node.out);
    assert.equal(await statusOf(a.url, certs, nodeToken, a.caPem()), 403);
    // the Secret goes with its token: owned by the token's Secret
    const owner = a.kubectl([
      '-n',
      'kube-system',
      'get',
      'secret',
      'tandem-control-plane-certs',
      '-o',
      'jsonpath={.metadata.ownerReferences[0].name}',
    ]);
    assert.equal(owner.stdout, `bootstrap-token-${printed.token.slice(0, 6)}`);
    // and what is stored is not the key in clear
    const stored = a.kubectl(['-n', 'kube-system', 'get', 'secret', 'tandem-control-plane-certs', '-o', 'jsonpath={.data.bundle}']).stdout;
    assert.ok(!Buffer.from(stored, 'base64').toString('latin1').includes('PRIVATE KEY'));
  });

  test('bad input is refused with what is wrong, and writes nothing', async () => {
    const dir = newDir();
    const other = 'ab'.repeat(32);
    assert.match(await join0(dir, printed, { certificateKey: other }), /cannot decrypt.*certificate key is wrong/);
    assert.match(
      await join0(dir, printed, { caCertHash: `sha256:${'0'.repeat(64)}` }),
      /--ca-cert-hash is sha256:0+: refusing to trust it/,
    );
    assert.match(
      await join0(dir, printed, { token: 'abcdef.0123456789abcdef' }),
      /rejected the token \(401 Unauthorized\).*expired.*--control-plane/,
    );
    // a later upload replaces the bundle: the first certificate key no longer opens it
    const later = createControlPlaneToken(a.dataDir);
    assert.match(await join0(dir, printed), /cannot decrypt.*replaced by a later/);
    assert.notEqual(later.certificateKey, printed.certificateKey);
    // an expired token is refused; the token cleaner then removes it, and the garbage collector its upload
    const short = createControlPlaneToken(a.dataDir, ['--ttl', '1s']);
    await new Promise((r) => setTimeout(r, 2000));
    assert.match(await join0(dir, short), /rejected the token \(401 Unauthorized\): it is wrong, expired or deleted/);
    assert.equal(await waitGone(a), '', 'the expired upload is removed');
    assert.throws(() => statSync(join(dir, 'pki', 'ca.crt')), /ENOENT/);
    printed = createControlPlaneToken(a.dataDir);
  });

  test('a join writes the cluster files with their modes, once; a data dir of another cluster is refused', async () => {
    const dir = newDir();
    assert.equal(await join0(dir, printed), 'ok');
    for (const f of SHARED) {
      assert.equal(readFileSync(join(dir, 'pki', f), 'utf8'), readFileSync(join(a.dataDir, 'pki', f), 'utf8'), f);
      const mode = statSync(join(dir, 'pki', f)).mode & 0o777;
      assert.equal(mode, f.endsWith('.key') || f === 'admin.token' ? 0o600 : 0o644, f);
    }
    const lines: string[] = [];
    await joinControlPlane(dir, printed, (l) => lines.push(l));
    assert.match(lines.join('\n'), /already holds this cluster's keys/);

    const foreign = newDir();
    await ensurePki(foreign, { hosts: ['localhost'] });
    assert.match(await join0(foreign, printed), /holds another cluster's CA .*use a new --data-dir/);
  });

  test('deleting the token takes the uploaded certificates with it', async () => {
    const r = tandem(['token', 'delete', '--data-dir', a.dataDir, printed.token.slice(0, 6)]);
    assert.equal(r.code, 0, r.out);
    assert.equal(await waitGone(a), '', 'the garbage collector removed kube-system/tandem-control-plane-certs');
    assert.match(await join0(newDir(), printed), /rejected the token \(401/);
  });
});

test('tandem server --join: flags that are missing, malformed or alone are refused before anything starts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-cpjoin-flags-'));
  try {
    const run = (args: string[]) => tandem(['server', '--data-dir', join(dir, 'd'), '--listen', '127.0.0.1:0', ...args]);
    const key = 'ab'.repeat(32);
    const hash = `sha256:${'0'.repeat(64)}`;
    const cases: Array<[string[], RegExp]> = [
      [['--token', 'abcdef.0123456789abcdef'], /--token is only used with --join/],
      [['--join', 'http://h:1', '--token', 'abcdef.0123456789abcdef'], /reached over https/],
      [['--join', 'https://h:1', '--certificate-key', key, '--ca-cert-hash', hash], /--join needs --token/],
      [['--join', 'https://h:1', '--token', 'nope', '--certificate-key', key, '--ca-cert-hash', hash], /--token: a bootstrap token is/],
      [
        ['--join', 'https://h:1', '--token', 'abcdef.0123456789abcdef', '--certificate-key', 'abc', '--ca-cert-hash', hash],
        /64 hex digits/,
      ],
      [['--join', 'https://h:1', '--token', 'abcdef.0123456789abcdef', '--certificate-key', key, '--ca-cert-hash', 'md5:1'], /only sha256/],
      [
        [
          '--store',
          'memory',
          '--join',
          'https://h:1',
          '--token',
          'abcdef.0123456789abcdef',
          '--certificate-key',
          key,
          '--ca-cert-hash',
          hash,
        ],
        /--join with --store memory: a joining server must use the store the cluster's servers share/,
      ],
    ];
    for (const [args, re] of cases) {
      const r = run(args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.out, re, args.join(' '));
    }
    assert.throws(() => statSync(join(dir, 'd', 'pki')), /ENOENT/, 'nothing written');
  } finally {
    removeTree(dir);
  }
});

const etcdSkip = skip || etcdUnavailable() || false;

describe('two API servers on one etcd', { skip: etcdSkip }, () => {
  let etcd: EtcdCluster;
  let a: TandemProcess;
  let b: TandemProcess;
  const watchers: ChildProcess[] = [];

  before(async () => {
    etcd = await startEtcdCluster({ size: 1 });
    // two servers on one host: only one cluster DNS server can have its port
    a = await startTandem({ args: ['--store', etcd.spec, '--cluster-dns-listen', 'none'] });
    const p = createControlPlaneToken(a.dataDir);
    b = await startTandem({
      args: [
        '--store',
        etcd.spec,
        '--join',
        p.url,
        '--token',
        p.token,
        '--certificate-key',
        p.certificateKey,
        '--ca-cert-hash',
        p.caCertHash,
      ],
      keepDataDir: true,
    });
  });
  after(async () => {
    for (const w of watchers) w.kill();
    await b?.stop();
    if (b) removeTree(b.dataDir);
    await a?.stop();
    await etcd?.stop();
  });

  test("B has the cluster's identity: A's ServiceAccount tokens and the admin kubeconfig work on B", async () => {
    assert.notEqual(b.url, a.url);
    assert.equal(a.kubectl(['create', 'serviceaccount', 'joiner']).code, 0);
    const minted = a.kubectl(['create', 'token', 'joiner']);
    assert.equal(minted.code, 0, minted.stderr);
    const sa = minted.stdout.trim();
    assert.equal(await statusOf(b.url, '/api', sa, b.caPem()), 200);
    const whoami = b.kubectl(['auth', 'whoami', '--token', sa, '-o', 'jsonpath={.status.userInfo.username}']);
    assert.equal(whoami.stdout, 'system:serviceaccount:default:joiner', whoami.stderr);
    assert.equal(await statusOf(b.url, '/api', `${sa.slice(0, -4)}AAAA`, b.caPem()), 401);
    // B's own serving certificate, from the shared CA, with the in-cluster names
    const serving = new X509Certificate(readFileSync(join(b.dataDir, 'pki', 'server.crt')));
    assert.notEqual(serving.fingerprint256, new X509Certificate(readFileSync(join(a.dataDir, 'pki', 'server.crt'))).fingerprint256);
    assert.ok(serving.checkIssued(new X509Certificate(a.caPem())));
    assert.equal(serving.checkHost('kubernetes.default.svc'), 'kubernetes.default.svc');
    assert.equal(serving.checkIP('127.0.0.1'), '127.0.0.1');
    // B's own kubeconfig names B
    assert.match(readFileSync(b.kubeconfig, 'utf8'), new RegExp(`server: ${b.url}`));
    const ns = b.kubectl(['get', 'ns', 'kube-system', '-o', 'name']);
    assert.equal(ns.code, 0, ns.stderr);
    assert.equal(ns.stdout.trim(), 'namespace/kube-system');
  });

  test('what one server writes the other reads, and B watches see writes through A', async () => {
    const w = b.kubectlAsync(['get', 'configmaps', '-n', 'default', '--watch-only', '-o', 'name']);
    watchers.push(w);
    let seen = '';
    w.stdout!.on('data', (c: Buffer) => (seen += c.toString()));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(a.kubectl(['create', 'configmap', 'from-a', '--from-literal=k=a']).code, 0);
    assert.equal(b.kubectl(['create', 'configmap', 'from-b', '--from-literal=k=b']).code, 0);
    assert.equal(b.kubectl(['get', 'configmap', 'from-a', '-o', 'jsonpath={.data.k}']).stdout, 'a');
    assert.equal(a.kubectl(['get', 'configmap', 'from-b', '-o', 'jsonpath={.data.k}']).stdout, 'b');
    const deadline = Date.now() + 10_000;
    while (!seen.includes('configmap/from-a') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(seen, /configmap\/from-a/);
  });

  test('a restart of B on its data dir needs no --join', async () => {
    const dir = b.dataDir;
    await b.stop();
    b = await startTandem({ args: ['--store', etcd.spec, '--cluster-dns-listen', 'none'], dataDir: dir, keepDataDir: true });
    assert.equal(b.kubectl(['get', 'configmap', 'from-a', '-o', 'jsonpath={.data.k}']).stdout, 'a');
  });
});
