// No shared secret travels to nodes (issue 13, item 8). A Node object points at a TLS server this
// test controls. With a certificate not from the cluster CA, `kubectl logs|exec|top` of a pod on it
// are refused with an error naming the node and the certificate problem, and the fake agent gets no
// request at all. With a certificate from the cluster CA (issued here from DATA/pki/ca.key) the
// requests arrive, carrying the API server's client certificate (CN kube-apiserver-kubelet-client)
// and no Authorization header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { ensurePki, signCertificateRequest } from '../../src/pki/index.js';
import { makeCsr } from '../../src/pki/testing/make-csr.js';
import { kubectlAvailable, startTandem, type TandemProcess } from './harness.js';
import { collect, SKIP_MESSAGE } from './kubectl-support.js';
import { createRawClient } from './raw-client.js';

interface Seen {
  kind: 'request' | 'upgrade';
  path: string;
  authorization: string | undefined;
  clientCN: string | undefined;
}

async function fakeAgent(tls: { cert: string; key: string }) {
  const seen: Seen[] = [];
  const record = (kind: Seen['kind'], req: IncomingMessage) => {
    const cn = (req.socket as TLSSocket).getPeerCertificate?.()?.subject?.CN;
    seen.push({
      kind,
      path: req.url ?? '',
      authorization: req.headers['authorization'],
      clientCN: typeof cn === 'string' ? cn : undefined,
    });
  };
  const server = https.createServer({ ...tls, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    record('request', req);
    if (req.url?.startsWith('/containerLogs/')) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('a line from the fake agent\n');
      return;
    }
    if (req.url === '/stats/summary') {
      const usage = { time: new Date().toISOString(), usageNanoCores: 5_000_000, workingSetBytes: 10 * 1024 * 1024 };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          node: { nodeName: 'n', cpu: usage, memory: usage },
          pods: ['p', 'q'].map((name) => ({
            podRef: { name, namespace: 'default' },
            containers: [{ name: 'c', cpu: usage, memory: usage }],
          })),
        }),
      );
      return;
    }
    res.writeHead(404).end();
  });
  server.on('upgrade', (req, socket: Duplex) => {
    record('upgrade', req);
    socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { seen, port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** kubectl without blocking this process (the fake agents run in it and must answer handshakes meanwhile). */
async function kubectl(srv: TandemProcess, args: string[], timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = srv.kubectlAsync(args);
  const c = collect(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number>((r) => child.once('close', (n) => r(n ?? -1)));
  clearTimeout(timer);
  return { code, stdout: c.out(), stderr: c.err() };
}

async function nodeWithPod(srv: TandemProcess, node: string, pod: string, port: number) {
  const raw = createRawClient({ url: srv.url, caPem: srv.caPem(), token: srv.token() });
  const send = async (method: string, path: string, body: unknown) => {
    const r = await raw.request(method, path, { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${r.text}`);
    return JSON.parse(r.text) as Record<string, unknown>;
  };
  const n = await send('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: node } });
  n['status'] = { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } };
  await send('PUT', `/api/v1/nodes/${node}/status`, n);
  const p = await send('POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod },
    spec: { nodeName: node, containers: [{ name: 'c', image: 'example.com/x:1' }] },
  });
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  p['status'] = {
    phase: 'Running',
    containerStatuses: [
      { name: 'c', image: 'example.com/x:1', imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: now } } },
    ],
  };
  await send('PUT', `/api/v1/namespaces/default/pods/${pod}/status`, p);
  raw.close();
}

test(
  'a Node pointing at an untrusted agent gets no credential and no request',
  { skip: !kubectlAvailable() && SKIP_MESSAGE, timeout: 90_000 },
  async (t) => {
    const srv = await startTandem({ args: ['--controllers', 'none'] });
    const other = mkdtempSync(join(tmpdir(), 'tandem-foreign-ca-'));
    t.after(async () => {
      await srv.stop();
      rmSync(other, { recursive: true, force: true });
    });
    // an agent certificate from some other CA, valid for 127.0.0.1
    const foreign = await ensurePki(other, { hosts: ['127.0.0.1'] });
    const untrusted = await fakeAgent({ cert: foreign.certPem, key: foreign.keyPem });
    // and one the cluster CA issued (the test reads DATA/pki/ca.key, as only the server may)
    const ca = { certPem: srv.caPem(), keyPem: readFileSync(join(srv.dataDir, 'pki', 'ca.key'), 'utf8') };
    const req = await makeCsr({ cn: 'system:node:good', o: ['system:nodes'], ips: ['127.0.0.1'] });
    const cert = await signCertificateRequest({
      ca,
      csrPem: req.csrPem,
      usages: ['digital signature', 'server auth'],
      durationMs: 3600_000,
      backdateMs: 60_000,
    });
    const trusted = await fakeAgent({ cert, key: req.keyPem });
    // a certificate from the cluster CA, but for another node's address
    const elsewhere = await makeCsr({ cn: 'system:node:other', o: ['system:nodes'], ips: ['10.9.9.9'] });
    const elsewhereCert = await signCertificateRequest({
      ca,
      csrPem: elsewhere.csrPem,
      usages: ['digital signature', 'server auth'],
      durationMs: 3600_000,
      backdateMs: 60_000,
    });
    const misplaced = await fakeAgent({ cert: elsewhereCert, key: elsewhere.keyPem });
    t.after(() => Promise.all([untrusted.close(), trusted.close(), misplaced.close()]));
    await nodeWithPod(srv, 'stolen', 's', misplaced.port);
    await nodeWithPod(srv, 'evil', 'p', untrusted.port);
    await nodeWithPod(srv, 'good', 'q', trusted.port);

    // refused: a clear error naming the node and the certificate problem; the fake sees nothing
    let r = await kubectl(srv, ['logs', 'p']);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /refusing the agent of node "evil" at 127\.0\.0\.1:\d+: its serving certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE/,
    );
    r = await kubectl(srv, ['exec', 'p', '--', 'cat', '/etc/hostname']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /refusing the agent of node "evil" at 127\.0\.0\.1:\d+: its serving certificate is not trusted/);
    r = await kubectl(srv, ['top', 'pod', 'p']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /refusing the agent of node "evil".*serving certificate is not trusted/);
    assert.deepEqual(untrusted.seen, [], 'the untrusted agent received requests');
    r = await kubectl(srv, ['logs', 's']);
    assert.match(r.stderr, /refusing the agent of node "stolen".*not trusted \(ERR_TLS_CERT_ALTNAME_INVALID/);
    assert.deepEqual(misplaced.seen, [], 'the agent with another address received requests');

    // trusted: the requests arrive with the API server's client certificate and no token
    r = await kubectl(srv, ['logs', 'q']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'a line from the fake agent\n');
    r = await kubectl(srv, ['top', 'pod', 'q']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /q\s+5m\s+10Mi/);
    await kubectl(srv, ['exec', 'q', '--', 'true']);
    const kinds = new Set(trusted.seen.map((s) => `${s.kind} ${s.path.split('?')[0]!.split('/')[1]!}`));
    assert.ok(kinds.has('request containerLogs') && kinds.has('request stats') && kinds.has('upgrade exec'), [...kinds].join(', '));
    for (const s of trusted.seen) {
      assert.equal(s.authorization, undefined, `${s.kind} ${s.path} carried Authorization`);
      assert.equal(s.clientCN, 'kube-apiserver-kubelet-client', `${s.kind} ${s.path} without the client certificate`);
    }
  },
);
