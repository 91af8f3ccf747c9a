import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { generateCa } from '../pki/pki-generate.js';
import { Registry } from '../base/metrics.js';
import type { RestClient } from '../client/rest-client.js';
import { parseListen, startComponentMetricsServer } from './component-metrics.js';

/** A client answering reviews from tables (the API server's part is tested end to end elsewhere). */
function reviewingClient(users: Record<string, { name: string; allowed: boolean }>) {
  const calls: { path: string; body: Record<string, unknown> }[] = [];
  const client = {
    request(method: string, path: string, body: Record<string, { token?: string; user?: string }>) {
      calls.push({ path, body: body as Record<string, unknown> });
      if (path.endsWith('/tokenreviews')) {
        const u = users[body['spec']?.token ?? ''];
        return Promise.resolve({
          status: u ? { authenticated: true, user: { username: u.name, groups: ['g'] } } : { authenticated: false },
        });
      }
      const u = Object.values(users).find((x) => x.name === body['spec']?.user);
      return Promise.resolve({ status: { allowed: u?.allowed ?? false } });
    },
  } as unknown as RestClient;
  return { client, calls };
}

function get(port: number, path: string, token?: string): Promise<{ status: number; text: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, path, rejectUnauthorized: false, headers: token ? { Authorization: `Bearer ${token}` } : {} },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, type: String(res.headers['content-type']) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('/metrics needs a token the API server accepts and allows GET /metrics; answers are kept 10 s', async () => {
  const ca = await generateCa('metrics-test', 1);
  const registry = new Registry();
  registry.counter({ name: 'demo_total', help: 'demo' }).labels().inc(4);
  const { client, calls } = reviewingClient({ good: { name: 'prom', allowed: true }, weak: { name: 'someone', allowed: false } });
  let now = 1_000;
  const s = await startComponentMetricsServer({
    listen: '127.0.0.1:0',
    tls: { cert: ca.certPem, key: ca.keyPem },
    client,
    registry,
    now: () => now,
  });
  try {
    assert.equal((await get(s.port, '/healthz')).status, 200, 'health needs no token');
    assert.equal((await get(s.port, '/metrics')).status, 401);
    assert.equal((await get(s.port, '/metrics', 'unknown')).status, 401);
    assert.equal((await get(s.port, '/metrics', 'weak')).status, 403);
    const ok = await get(s.port, '/metrics', 'good');
    assert.equal(ok.status, 200);
    assert.match(ok.type, /^text\/plain; version=0\.0\.4/);
    assert.match(ok.text, /^demo_total 4$/m);
    // the SubjectAccessReview asked exactly upstream's question
    const sar = calls.find((c) => c.path.endsWith('/subjectaccessreviews') && (c.body['spec'] as { user: string }).user === 'prom');
    assert.deepEqual((sar?.body['spec'] as Record<string, unknown>)['nonResourceAttributes'], { path: '/metrics', verb: 'get' });

    const before = calls.length;
    await get(s.port, '/metrics', 'good');
    await get(s.port, '/metrics', 'weak');
    assert.equal(calls.length, before, 'answers within 10 s come from the cache');
    now += 10_001;
    await get(s.port, '/metrics', 'good');
    assert.equal(calls.length, before + 2, 'after 10 s the token is reviewed again');
    assert.equal((await get(s.port, '/other')).status, 404);
  } finally {
    await s.close();
  }
});

test('listen addresses are host:port; anything else is refused with the address named', () => {
  assert.deepEqual(parseListen('127.0.0.1:10257'), { host: '127.0.0.1', port: 10257 });
  assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
  assert.deepEqual(parseListen(':9100'), { host: '0.0.0.0', port: 9100 });
  assert.throws(() => parseListen('10257'), /"10257" is not host:port/);
  assert.throws(() => parseListen('h:70000'), /"h:70000"/);
});
