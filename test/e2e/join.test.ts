// `tandem token create` then `tandem join`: a second node, with its own data dir and the process
// runtime, joins a `tandem server` with a bootstrap token and the CA pin, and becomes a Ready Node
// that authenticates as system:node:NAME with a client certificate (its kubeconfig holds no token).
// A wrong --ca-cert-hash and an expired token are refused with messages that say so; a second run
// reuses the node's identity without the token, and then logs and exec through the API server reach
// it, its port refuses callers without credentials, and as itself it reads no Secret of others' pods
// and modifies no other Node.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import https from 'node:https';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectlAvailable, startTandem, TANDEM, type TandemProcess } from './harness.js';
import { freePort } from '../images/registry.js';
import { removeTree } from './remove-tree.js';

const skip = kubectlAvailable() ? false : 'kubectl not found';
const tandem = (args: string[], timeoutMs = 60_000) => {
  const r = spawnSync(process.execPath, [TANDEM, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
};

interface Joined {
  output(): string;
  waitFor(re: RegExp, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

function startJoin(args: string[]): Joined {
  const child = spawn(process.execPath, [TANDEM, 'join', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    output: () => out,
    async waitFor(re, timeoutMs) {
      const end = Date.now() + timeoutMs;
      while (!re.test(out)) {
        if (child.exitCode !== null) throw new Error(`tandem join exited with ${child.exitCode}:\n${out}`);
        if (Date.now() > end) throw new Error(`tandem join did not print ${re} in time:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}

describe('tandem token create + tandem join', { skip }, () => {
  let srv: TandemProcess;
  let nodeDir = '';
  let token = '';
  let hash = '';
  const nodeName = `joined-${Math.floor(Math.random() * 1e6)}`;

  before(async () => {
    srv = await startTandem({ args: ['--cluster-dns-listen', 'none'] });
    nodeDir = mkdtempSync(join(tmpdir(), 'tandem-join-node-'));
  });
  after(async () => {
    await srv?.stop();
    if (nodeDir) removeTree(nodeDir);
  });

  test('token create prints the token and the join command with the CA pin, and a note about 127.0.0.1', () => {
    const r = tandem(['token', 'create', '--data-dir', srv.dataDir, '--description', 'e2e']);
    assert.equal(r.code, 0, r.out);
    const m = /^tandem join (https:\/\/\S+) --token ([a-z0-9]{6}\.[a-z0-9]{16}) --ca-cert-hash (sha256:[0-9a-f]{64})$/m.exec(
      r.out.replace(/^ +/gm, ''),
    );
    assert.ok(m, r.out);
    token = m[2]!;
    hash = m[3]!;
    assert.ok(r.out.startsWith(`${token}\n`), 'the first line is the token alone');
    assert.match(r.out, /note: the server listens on 127\.0\.0\.1, which other hosts cannot reach: restart it with --listen 0\.0\.0\.0:/);
    const expectedHash = spawnSync(
      'sh',
      ['-c', 'openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -hex'],
      {
        input: srv.caPem(),
        encoding: 'utf8',
      },
    ).stdout.trim();
    assert.ok(expectedHash.endsWith(hash.slice('sha256:'.length)), `${expectedHash} vs ${hash}`);
    const list = tandem(['token', 'list', '--data-dir', srv.dataDir]);
    assert.match(
      list.out,
      new RegExp(
        `${token.replace('.', '\\.')}\\s+23h\\s+\\S+\\s+authentication,signing\\s+e2e\\s+system:bootstrappers:kubeadm:default-node-token`,
      ),
    );
    const secret = srv.kubectl(['get', 'secret', '-n', 'kube-system', `bootstrap-token-${token.slice(0, 6)}`, '-o', 'jsonpath={.type}']);
    assert.equal(secret.stdout, 'bootstrap.kubernetes.io/token');
  });

  test('a wrong --ca-cert-hash is refused, naming both hashes', () => {
    const wrong = `sha256:${'ab'.repeat(32)}`;
    const r = tandem([
      'join',
      srv.url,
      '--token',
      token,
      '--ca-cert-hash',
      wrong,
      '--runtime',
      'process',
      '--data-dir',
      join(nodeDir, 'wrong'),
    ]);
    assert.equal(r.code, 1, r.out);
    assert.ok(r.out.includes(wrong) && r.out.includes(hash), r.out);
    assert.match(r.out, /refusing to trust it/);
  });

  test('an expired token is refused with a clear message', async () => {
    const r = tandem(['token', 'create', '--data-dir', srv.dataDir, '--ttl', '1s']);
    assert.equal(r.code, 0, r.out);
    const expired = r.out.split('\n')[0]!;
    await new Promise((res) => setTimeout(res, 2500));
    const j = tandem([
      'join',
      srv.url,
      '--token',
      expired,
      '--ca-cert-hash',
      hash,
      '--runtime',
      'process',
      '--data-dir',
      join(nodeDir, 'expired'),
    ]);
    assert.equal(j.code, 1, j.out);
    assert.match(j.out, /refused the bootstrap token \(401 Unauthorized\): it is expired, deleted or mistyped/);
  });

  test('join makes a Ready node that authenticates as itself; a second run reuses its identity', { timeout: 180_000 }, async () => {
    const dataDir = join(nodeDir, 'node');
    const args = [srv.url, '--token', token, '--ca-cert-hash', hash, '--runtime', 'process', '--proxy', 'none', '--name', nodeName];
    const first = startJoin([...args, '--data-dir', dataDir, '--streaming-port', String(await freePort()), '--timeout', '60s']);
    try {
      await first.waitFor(/node \S+ ready: joined/, 120_000);
      assert.match(first.output(), /the server's CA matches sha256:/);
      assert.match(first.output(), /waiting for certificate signing request node-csr-\w+ to be approved/);
      // the streaming server's certificate comes from a kubelet-serving CSR for the Node's addresses
      const servingPem = join(dataDir, 'agent', 'pki', 'kubelet-server-current.pem');
      const end = Date.now() + 60_000;
      while (!existsSync(servingPem) && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
      assert.ok(existsSync(servingPem), `no serving certificate:\n${first.output()}`);
      const serving = new X509Certificate(readFileSync(servingPem, 'utf8'));
      assert.match(serving.subject, new RegExp(`CN=system:node:${nodeName}`));
      assert.ok(serving.verify(new X509Certificate(srv.caPem()).publicKey), 'serving certificate signed by the cluster CA');
      const addresses = srv.kubectl(['get', 'node', nodeName, '-o', 'jsonpath={.status.addresses[*].address}']).stdout.split(' ');
      for (const a of addresses) assert.ok(isIP(a) ? serving.checkIP(a) : serving.checkHost(a), `${a} in ${serving.subjectAltName}`);
    } finally {
      await first.stop();
    }
    const ready = srv.kubectl(['get', 'node', nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    assert.equal(ready.stdout, 'True', ready.stderr);
    const csrs = srv.kubectl(['get', 'csr', '-o', 'jsonpath={range .items[*]}{.spec.username} {.spec.signerName}{"\\n"}{end}']);
    assert.match(csrs.stdout, /system:bootstrap:[a-z0-9]{6} kubernetes\.io\/kube-apiserver-client-kubelet/);

    const kubeconfig = readFileSync(join(dataDir, 'agent', 'kubeconfig'), 'utf8');
    assert.doesNotMatch(kubeconfig, /token/);
    assert.match(kubeconfig, /client-certificate: /);
    const pemPath = join(dataDir, 'agent', 'pki', 'kubelet-client-current.pem');
    assert.equal(statSync(pemPath).mode & 0o777, 0o600);
    assert.equal(statSync(join(dataDir, 'agent', 'kubeconfig')).mode & 0o777, 0o600);
    const cert = new X509Certificate(readFileSync(pemPath, 'utf8'));
    assert.match(cert.subject, new RegExp(`^CN=system:node:${nodeName}$`, 'm'));
    assert.match(cert.subject, /^O=system:nodes$/m);
    assert.ok(cert.verify(new X509Certificate(srv.caPem()).publicKey), 'signed by the cluster CA');

    // the node's own identity, as the API server sees it (kubectl with the node's kubeconfig)
    const who = spawnSync(
      '/usr/bin/kubectl',
      ['--kubeconfig', join(dataDir, 'agent', 'kubeconfig'), 'get', 'node', nodeName, '-o', 'name'],
      {
        encoding: 'utf8',
        env: { ...process.env, HOME: srv.home },
      },
    );
    assert.equal(who.stdout.trim(), `node/${nodeName}`, who.stderr);

    // a second run: no bootstrap (the token could be gone by then)
    srv.kubectl(['delete', 'secret', '-n', 'kube-system', `bootstrap-token-${token.slice(0, 6)}`]);
    const secondPort = await freePort();
    const second = startJoin([...args, '--data-dir', dataDir, '--streaming-port', String(secondPort)]);
    try {
      await second.waitFor(/node \S+ ready: joined/, 60_000);
      assert.match(second.output(), /using the node identity already in .*kubeconfig \(the bootstrap token is not needed\)/);
      await joinedNodeServes(srv, dataDir, secondPort, nodeName);
    } finally {
      await second.stop();
    }
  });
});

/**
 * The joined node as the acceptance asks: exec and logs through the API server reach it (the server's
 * client certificate, the node's CA-signed serving certificate); its own port answers 401 without
 * credentials; as itself it cannot read a Secret no pod of its uses (403), nor modify another Node.
 */
async function joinedNodeServes(srv: TandemProcess, dataDir: string, port: number, nodeName: string): Promise<void> {
  const archive = join(dataDir, 'hello.tar');
  assert.equal(tandem(['images', 'sample', '-o', archive]).code, 0);
  const imported = tandem(['images', 'import', archive, '--data-dir', dataDir]);
  assert.match(imported.out, /docker\.io\/tandem\/hello:1/, imported.out);
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'hello-joined', namespace: 'default' },
    spec: {
      runtimeClassName: 'process',
      nodeName,
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'hello', image: 'docker.io/tandem/hello:1', imagePullPolicy: 'Never' }],
    },
  };
  assert.equal(srv.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) }).code, 0);
  const end = Date.now() + 60_000;
  let logs = { stdout: '', stderr: '' };
  while (Date.now() < end) {
    logs = srv.kubectl(['logs', 'hello-joined']);
    if (logs.stdout.trim() !== '') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.notEqual(logs.stdout.trim(), '', `no logs through the API server: ${logs.stderr}`);
  const exec = srv.kubectl(['exec', 'hello-joined', '--', 'echo', 'through-the-api-server']);
  assert.equal(exec.stdout.trim(), 'through-the-api-server', exec.stderr);

  // the agent's own port: nothing without credentials but /healthz
  const direct = await new Promise<number>((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path: '/pods', rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
  assert.equal(direct, 401);

  // as itself: a Secret no pod of this node uses, and another Node, are out of reach
  const asNode = (args: string[], input?: string) =>
    spawnSync('/usr/bin/kubectl', ['--kubeconfig', join(dataDir, 'agent', 'kubeconfig'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, HOME: srv.home },
      ...(input !== undefined ? { input } : {}),
    });
  assert.equal(srv.kubectl(['create', 'secret', 'generic', 'not-yours', '--from-literal=k=v']).code, 0);
  const secret = asNode(['get', 'secret', 'not-yours']);
  assert.match(secret.stderr, /secrets "not-yours" is forbidden: User "system:node:[^"]+" cannot get resource "secrets"/);
  const other = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'someone-else' } };
  assert.equal(srv.kubectl(['create', '-f', '-'], { input: JSON.stringify(other) }).code, 0);
  const label = asNode(['label', 'node', 'someone-else', 'mine=yes']);
  assert.notEqual(label.status, 0);
  assert.match(label.stderr, /is not allowed to modify node "someone-else"/);
  srv.kubectl(['delete', 'pod', 'hello-joined', '--wait=true', '--timeout=30s']);
}
