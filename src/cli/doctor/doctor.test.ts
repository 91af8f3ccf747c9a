// Each doctor check against the broken state it detects, and against a healthy one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import dnsPacket from 'dns-packet';
import { generateInChild } from '../../pki/pki-child.js';
import { checkApiReachable, checkClockSkew, checkCredentials } from './checks-api.js';
import { checkCertificates } from './checks-certs.js';
import { checkDataDir, checkDiskSpace, checkSecretFiles } from './checks-files.js';
import { checkBridge, checkCni, checkContainerd, checkDns, checkPortsFree, checkServiceProxy } from './checks-node.js';
import { kubeconfigCredentials, renderDoctor, runDoctor } from './doctor.js';
import { redactKubeconfig, writeBundle } from './bundle.js';

const isRoot = process.getuid?.() === 0;
const tmp = (t: { after(fn: () => void): void }) => {
  const d = mkdtempSync(join(tmpdir(), 'tandem-doctor-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
};
const noContainerd = async () => ({ error: 'no socket' });

test('files: a data dir others can enter, and a key others can read, fail with the chmod that fixes them', (t) => {
  if (process.platform === 'win32') return t.skip('NTFS ACLs, not modes');
  const d = tmp(t);
  chmodSync(d, 0o755);
  assert.equal(checkDataDir(d).verdict, 'fail');
  assert.match(checkDataDir(d).fix ?? '', /chmod 700/);
  chmodSync(d, 0o700);
  assert.equal(checkDataDir(d).verdict, 'ok');
  mkdirSync(join(d, 'pki'));
  writeFileSync(join(d, 'pki', 'ca.key'), 'k', { mode: 0o600 });
  writeFileSync(join(d, 'kubeconfig'), 'k', { mode: 0o600 });
  assert.equal(checkSecretFiles(d).verdict, 'ok');
  chmodSync(join(d, 'pki', 'ca.key'), 0o644);
  const r = checkSecretFiles(d);
  assert.equal(r.verdict, 'fail');
  assert.match(r.detail, /ca\.key \(644\)/);
});

test('files: disk space fails under 1 GiB, warns under 5 GiB, else passes', () => {
  const fs =
    (gib: number, total = 100) =>
    () => ({ bavail: gib * 2 ** 18, blocks: total * 2 ** 18, bsize: 4096 });
  assert.equal(checkDiskSpace('/x', fs(0.5)).verdict, 'fail');
  assert.equal(checkDiskSpace('/x', fs(3, 10)).verdict, 'warn');
  assert.equal(checkDiskSpace('/x', fs(50)).verdict, 'ok');
  assert.equal(checkDiskSpace('/x', fs(20, 200)).verdict, 'warn', 'under 15% free warns too');
});

test('certificates: expired fails, expiring within 30 days warns, valid passes', async (t) => {
  const d = tmp(t);
  const ca = await generateInChild({ op: 'ca', commonName: 'test-ca', years: 1 });
  writeFileSync(join(d, 'ca.crt'), ca.certPem);
  assert.equal(checkCertificates(d).verdict, 'ok');
  const soon = await generateInChild({ op: 'serving', req: { ca, hosts: ['localhost'], days: 10, commonName: 'soon' } });
  writeFileSync(join(d, 'soon.crt'), soon.certPem);
  assert.equal(checkCertificates(d).verdict, 'warn');
  assert.equal(checkCertificates(d, Date.now() + 20 * 86_400_000).verdict, 'fail', 'the same certificate 20 days on has expired');
  writeFileSync(join(d, 'junk.crt'), 'not a certificate');
  assert.match(checkCertificates(d).detail, /junk\.crt is not a PEM certificate/);
});

async function tlsServer(t: { after(fn: () => void): void }, handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const ca = await generateInChild({ op: 'ca', commonName: 'doctor-ca', years: 1 });
  const leaf = await generateInChild({ op: 'serving', req: { ca, hosts: ['127.0.0.1', 'localhost'], days: 30, commonName: 'api' } });
  const s = https.createServer({ cert: leaf.certPem, key: leaf.keyPem }, handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  t.after(() => s.close());
  return { url: `https://127.0.0.1:${(s.address() as AddressInfo).port}`, caPem: ca.certPem };
}

test('api: nothing listening, an untrusted certificate, and a refused token each fail with their fix', async (t) => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  closed.close();
  const other = await generateInChild({ op: 'ca', commonName: 'other-ca', years: 1 });
  const down = await checkApiReachable({ server: `https://127.0.0.1:${port}`, caPem: other.certPem });
  assert.equal(down.result.verdict, 'fail');
  assert.match(down.result.detail, /nothing listens/);

  const srv = await tlsServer(t, (req, res) => {
    if (req.url === '/readyz') {
      res.writeHead(200, { Date: new Date(Date.now() - 120_000).toUTCString() });
      res.end('ok');
    } else {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end('{"kind":"Status","code":401}');
    }
  });
  const untrusted = await checkApiReachable({ server: srv.url, caPem: other.certPem });
  assert.equal(untrusted.result.verdict, 'fail');
  assert.match(untrusted.result.detail, /certificate the kubeconfig’s CA did not sign/);
  const good = await checkApiReachable({ server: srv.url, caPem: srv.caPem, token: 'x' });
  assert.equal(good.result.verdict, 'ok');
  const skew = checkClockSkew(good.answer);
  assert.equal(skew.verdict, 'fail', 'the server’s clock is two minutes behind');
  assert.match(skew.detail, /ahead of the API server/);
  const cred = await checkCredentials({ server: srv.url, caPem: srv.caPem, token: 'expired' });
  assert.equal(cred.verdict, 'fail');
  assert.match(cred.detail, /refused the credentials \(401\)/);
});

test('api: clock skew within a few seconds passes, 10 s warns', () => {
  const at = (ms: number) => ({ status: 200, body: '', headers: { date: new Date(ms).toUTCString() } });
  const now = Date.now();
  assert.equal(checkClockSkew(at(now), now).verdict, 'ok');
  assert.equal(checkClockSkew(at(now + 10_000), now).verdict, 'warn');
  assert.equal(checkClockSkew(undefined).verdict, 'skip');
});

test('node: a private containerd that does not answer fails; a process-only node passes; missing CNI plugins fail', async (t) => {
  const d = tmp(t);
  assert.equal((await checkContainerd(d, noContainerd, 'linux')).verdict, 'ok');
  mkdirSync(join(d, 'containerd'));
  const r = await checkContainerd(d, noContainerd, 'linux');
  assert.equal(r.verdict, 'fail');
  assert.match(r.detail, /does not answer at unix:\/\/.*containerd\.sock: no socket/);
  assert.equal((await checkContainerd(d, async () => ({ version: '1.6.20' }), 'linux')).verdict, 'ok');
  const cni = checkCni(d, 'linux');
  assert.equal(cni.verdict, 'fail');
  assert.match(cni.fix ?? '', /containernetworking-plugins/);
  for (const p of ['bridge', 'host-local', 'portmap', 'loopback']) writeFileSync(join(d, p), '');
  assert.equal(checkCni(d, 'linux').verdict, 'ok');
});

test('node: a bridge that is down fails, up passes; a missing nftables table fails, a loaded one passes', async (t) => {
  if (!isRoot || spawnSync('ip', ['-V']).status !== 0) return t.skip('needs root and iproute2 (CI has both)');
  const name = `tdmdoc${process.pid % 10000}`;
  execFileSync('ip', ['link', 'add', name, 'type', 'bridge']);
  t.after(() => spawnSync('ip', ['link', 'del', name]));
  assert.equal((await checkBridge(name)).verdict, 'fail');
  execFileSync('ip', ['link', 'set', name, 'up']);
  assert.equal((await checkBridge(name)).verdict, 'ok');
  assert.equal((await checkBridge('tdmnone0')).verdict, 'skip');
  if (spawnSync('nft', ['--version']).status !== 0) return;
  const table = `tandem-doctor-${process.pid}`;
  assert.equal((await checkServiceProxy(table)).verdict, 'fail');
  execFileSync('nft', ['add', 'table', 'ip', table]);
  t.after(() => spawnSync('nft', ['delete', 'table', 'ip', table]));
  assert.equal((await checkServiceProxy(table)).verdict, 'ok');
});

test('node: DNS that is silent or answers without an address fails; an answer passes', async (t) => {
  const sock = createSocket('udp4');
  let answer = true;
  sock.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const reply = dnsPacket.encode({
      type: 'response',
      id: q.id ?? 0,
      flags: answer ? 0 : 3,
      questions: q.questions ?? [],
      answers: answer ? [{ type: 'A', name: q.questions?.[0]?.name ?? '', ttl: 5, data: '10.96.0.1' }] : [],
    });
    sock.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  t.after(() => sock.close());
  const port = sock.address().port;
  const good = await checkDns('127.0.0.1', port);
  assert.equal(good.verdict, 'ok');
  assert.match(good.detail, /10\.96\.0\.1/);
  answer = false;
  assert.equal((await checkDns('127.0.0.1', port)).verdict, 'fail');
  const silent = createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
  t.after(() => silent.close());
  const r = await checkDns('127.0.0.1', silent.address().port, 'cluster.local', 300);
  assert.equal(r.verdict, 'fail');
  assert.match(r.detail, /no answer/);
});

test('node: a port held by another process fails, a free one passes', async (t) => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  t.after(() => s.close());
  const port = (s.address() as AddressInfo).port;
  const r = await checkPortsFree([{ port, what: 'API server' }], '127.0.0.1');
  assert.equal(r.verdict, 'fail');
  assert.match(r.detail, new RegExp(`${port} \\(API server\\)`));
  s.close();
  await new Promise((r2) => setTimeout(r2, 50));
  assert.equal((await checkPortsFree([{ port, what: 'API server' }], '127.0.0.1')).verdict, 'ok');
});

test('an empty data dir is healthy (nothing to check), and the bundle holds the report without credentials', async (t) => {
  const d = tmp(t);
  chmodSync(d, 0o700);
  const r = await runDoctor({ dataDir: d, askContainerd: noContainerd });
  assert.equal(r.healthy, true, renderDoctor(r));
  assert.match(renderDoctor(r), /all checks passed/);
  const ca = await generateInChild({ op: 'ca', commonName: 'b', years: 1 });
  const kc = join(d, 'kubeconfig');
  writeFileSync(
    kc,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n    certificate-authority-data: ${Buffer.from(ca.certPem).toString('base64')}\nusers:\n- name: u\n  user:\n    token: sekrit-token\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n`,
    { mode: 0o600 },
  );
  assert.equal(kubeconfigCredentials(kc).token, 'sekrit-token');
  assert.doesNotMatch(redactKubeconfig(readFileSync(kc, 'utf8')), /sekrit/);
  mkdirSync(join(d, 'agent'));
  writeFileSync(join(d, 'agent', 'agent.log'), 'line 1\n');
  const down = await runDoctor({ dataDir: d, askContainerd: noContainerd });
  assert.equal(down.healthy, false, 'the API is down');
  const file = join(d, 'bundle.tar.gz');
  const names = await writeBundle(file, { report: down, versions: { tandem: 'x' } });
  assert.deepEqual(names.sort(), ['doctor.json', 'kubeconfig.redacted.yaml', 'logs/agent/agent.log', 'versions.json']);
  const tar = gunzipSync(readFileSync(file)).toString('latin1');
  assert.doesNotMatch(tar, /sekrit-token/);
  assert.match(tar, /line 1/);
});
