import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SubjectAccessReview, TokenReview } from '../../../api/gen/types.js';
import { nullLogger } from '../../../base/log.js';
import { createRestClient, type RestClient } from '../../../client/rest-client.js';
import { generateCa, generateServingCert, type PemPair } from '../../../pki/pki-generate.js';
import { startStreamingServer, type StreamingServer } from '../streaming-server.js';
import { createFakeStreamingRuntime } from '../testing/fake-streaming-runtime.js';
import { generateClientCert } from '../testing/client-cert.js';
import { createAgentAuth } from './index.js';
import { nodeRequestAttributes } from './agent-authz.js';

let dir: string;
let ca: PemPair;
let otherCa: PemPair;
let apiClientCert: PemPair;
let strangerCert: PemPair;
let servingOnlyCert: PemPair;
let fakeApi: Server;
let client: RestClient;
let agent: StreamingServer;
let runtime: Awaited<ReturnType<typeof createFakeStreamingRuntime>>;
const tokenReviews: string[] = [];
const accessReviews: Array<NonNullable<SubjectAccessReview['spec']>> = [];

/** The fake API server: tokens `alice-token` (alice) and `bob-token` (bob); kube-apiserver-kubelet-client may do anything, alice only read stats, bob nothing. */
function answer(path: string, body: string): unknown {
  if (path === '/apis/authentication.k8s.io/v1/tokenreviews') {
    const r = JSON.parse(body) as TokenReview;
    tokenReviews.push(r.spec.token ?? '');
    const users: Record<string, string> = { 'alice-token': 'alice', 'bob-token': 'bob' };
    const name = users[r.spec.token ?? ''];
    return {
      ...r,
      status: name ? { authenticated: true, user: { username: name, groups: ['devs', 'system:authenticated'] } } : { authenticated: false },
    };
  }
  const r = JSON.parse(body) as SubjectAccessReview;
  accessReviews.push(r.spec);
  const a = r.spec.resourceAttributes;
  const allowed =
    r.spec.user === 'kube-apiserver-kubelet-client' ||
    (r.spec.user === 'alice' && a?.subresource === 'stats' && a.verb === 'get' && a.name === 'n1' && a.resource === 'nodes');
  return { ...r, status: { allowed, ...(allowed ? {} : { reason: 'no RBAC policy matched' }) } };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agent-auth-'));
  ca = await generateCa('test-ca', 1);
  otherCa = await generateCa('other-ca', 1);
  const serving = await generateServingCert({ ca, hosts: ['127.0.0.1'], days: 1, commonName: 'n1' });
  apiClientCert = await generateClientCert(ca, 'kube-apiserver-kubelet-client', ['kube-master']);
  strangerCert = await generateClientCert(otherCa, 'kube-apiserver-kubelet-client');
  servingOnlyCert = await generateClientCert(ca, 'kube-apiserver-kubelet-client', [], 'server');
  const socketPath = join(dir, 'api.sock');
  fakeApi = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const out = JSON.stringify(answer(req.url ?? '', body));
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(out);
    });
  });
  await new Promise<void>((r) => fakeApi.listen(socketPath, r));
  client = createRestClient({ server: 'https://api.invalid', caPem: '', token: 'node-token', socketPath });
  runtime = await createFakeStreamingRuntime({
    id: 'sb',
    state: 'ready',
    createdAt: 0,
    ip: '127.0.0.1',
    additionalIps: [],
    name: 'p',
    namespace: 'default',
    uid: 'u',
    attempt: 0,
    labels: {},
    annotations: {},
  });
  agent = await startStreamingServer({
    runtime,
    podLookup: () => undefined,
    listen: { host: '127.0.0.1', port: 0 },
    tls: { cert: serving.certPem, key: serving.keyPem },
    auth: createAgentAuth({ nodeName: 'n1', clientCa: ca.certPem, reviews: client }),
    log: nullLogger,
    nodeName: 'n1',
    stats: { summary: async () => ({ node: { nodeName: 'n1' }, pods: [] }) } as never,
  });
});

after(async () => {
  await agent.stop();
  await runtime.close();
  client.close();
  fakeApi.closeAllConnections();
  await new Promise<void>((r) => fakeApi.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

function get(path: string, o: { cert?: PemPair; token?: string; method?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: agent.port,
        path,
        method: o.method ?? 'GET',
        ca: ca.certPem,
        ...(o.cert ? { cert: o.cert.certPem, key: o.cert.keyPem } : {}),
        headers: o.token ? { Authorization: `Bearer ${o.token}` } : {},
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('the kubelet mapping of paths and methods onto nodes subresources', () => {
  assert.deepEqual(nodeRequestAttributes('GET', '/stats/summary'), { verb: 'get', subresource: 'stats' });
  assert.deepEqual(nodeRequestAttributes('GET', '/metrics/cadvisor'), { verb: 'get', subresource: 'metrics' });
  assert.deepEqual(nodeRequestAttributes('GET', '/logs/syslog'), { verb: 'get', subresource: 'log' });
  assert.deepEqual(nodeRequestAttributes('POST', '/exec/default/p/c'), { verb: 'create', subresource: 'proxy' });
  assert.deepEqual(nodeRequestAttributes('GET', '/containerLogs/default/p/c'), { verb: 'get', subresource: 'proxy' });
  assert.deepEqual(nodeRequestAttributes('GET', '/statsx'), { verb: 'get', subresource: 'proxy' });
  assert.deepEqual(nodeRequestAttributes('GET', '/spec'), { verb: 'get', subresource: 'proxy' });
});

test('without credentials: only /healthz answers, everything else is 401', async () => {
  assert.equal((await get('/healthz')).status, 200);
  for (const p of ['/stats/summary', '/metrics', '/containerLogs/default/p/c', '/pods', '/nothing']) {
    const r = await get(p);
    assert.equal(r.status, 401, p);
    assert.match(r.body, /"reason":"Unauthorized"/);
  }
});

test('a client certificate of the cluster CA is its CN, authorized by a SubjectAccessReview on nodes/<sub>', async () => {
  accessReviews.length = 0;
  const r = await get('/stats/summary', { cert: apiClientCert });
  assert.equal(r.status, 200, r.body);
  assert.equal(JSON.parse(r.body).node.nodeName, 'n1');
  const spec = accessReviews[0];
  assert.equal(spec?.user, 'kube-apiserver-kubelet-client');
  assert.deepEqual(spec?.groups, ['kube-master', 'system:authenticated']);
  assert.deepEqual(spec?.resourceAttributes, {
    verb: 'get',
    group: '',
    version: 'v1',
    resource: 'nodes',
    subresource: 'stats',
    name: 'n1',
  });
  // the allowed answer is cached: a second request asks nobody
  await get('/stats/summary', { cert: apiClientCert });
  assert.equal(accessReviews.length, 1);
});

test('a certificate from another CA, or one without the clientAuth usage, is nobody', async () => {
  assert.equal((await get('/stats/summary', { cert: strangerCert })).status, 401);
  assert.equal((await get('/stats/summary', { cert: servingOnlyCert })).status, 401);
});

test('bearer tokens go through a TokenReview (cached), then a SubjectAccessReview', async () => {
  tokenReviews.length = 0;
  assert.equal((await get('/stats/summary', { token: 'alice-token' })).status, 200);
  assert.equal((await get('/stats/summary', { token: 'alice-token' })).status, 200);
  assert.deepEqual(tokenReviews, ['alice-token'], 'the second request used the cached review');
  const denied = await get('/containerLogs/default/p/c', { token: 'alice-token' });
  assert.equal(denied.status, 403);
  assert.equal(JSON.parse(denied.body).message, 'Forbidden (user=alice, verb=get, resource=nodes, subresource=proxy)');
  assert.equal((await get('/stats/summary', { token: 'bob-token' })).status, 403);
  assert.equal((await get('/stats/summary', { token: 'forged' })).status, 401);
  assert.equal((await get('/stats/summary', { token: 'forged' })).status, 401);
  assert.equal(tokenReviews.filter((t) => t === 'forged').length, 1, 'a refused token is remembered too');
});

test('an upgrade (exec) without credentials is refused before any streaming code runs', async () => {
  const status = await new Promise<string>((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port: agent.port, ca: ca.certPem }, () => {
      s.write(
        'GET /exec/default/p/c?command=sh HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
    });
    let buf = '';
    s.on('data', (c: Buffer) => {
      buf += c.toString();
      if (buf.includes('\r\n')) {
        resolve(buf.slice(0, buf.indexOf('\r\n')));
        s.destroy();
      }
    });
    s.on('error', reject);
  });
  assert.equal(status, 'HTTP/1.1 401 Unauthorized');
  const forbidden = await new Promise<string>((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port: agent.port, ca: ca.certPem }, () => {
      s.write(
        'GET /exec/default/p/c?command=sh HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer bob-token\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
    });
    let buf = '';
    s.on('data', (c: Buffer) => {
      buf += c.toString();
      if (buf.includes('\r\n')) {
        resolve(buf.slice(0, buf.indexOf('\r\n')));
        s.destroy();
      }
    });
    s.on('error', reject);
  });
  assert.equal(forbidden, 'HTTP/1.1 403 Forbidden');
});
