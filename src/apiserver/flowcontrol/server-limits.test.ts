// The API server's limits end to end in one process: 429 with Retry-After and a Status when a
// priority level's queues are full or a wait times out, the APF response headers, the connection cap
// per address, the first-request deadline, and the header size limit.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import tls from 'node:tls';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allKinds } from '../../api/kinds/index.js';
import { ensurePki } from '../../pki/index.js';
import { createBackend } from '../../storage/index.js';
import { createRequestAuthenticator, createTokenAuthenticator } from '../auth/index.js';
import { createApiServer, type ApiServerOptions } from '../server.js';

const ADMIN = 'tok-admin-0123456789';
const ALICE = 'tok-alice-0123456789';

async function start(t: TestContext, extra: Partial<ApiServerOptions>) {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-limits-'));
  const backend = await createBackend('memory');
  const pki = await ensurePki(dir, { hosts: ['127.0.0.1'] });
  const api = await createApiServer({
    backend,
    kinds: allKinds,
    authenticator: createRequestAuthenticator({
      static: createTokenAuthenticator([
        { token: ADMIN, user: { name: 'admin', uid: 'u', groups: ['system:masters', 'system:authenticated'] } },
        { token: ALICE, user: { name: 'alice', uid: 'a', groups: ['system:authenticated'] } },
      ]),
    }),
    authorizer: { authorize: () => ({ decision: 'allow', reason: '' }) },
    tls: { cert: pki.certPem, key: pki.keyPem, ca: pki.caCertPem },
    advertiseAddress: '127.0.0.1:0',
    ...extra,
  });
  const port = await api.listen('127.0.0.1', 0);
  t.after(async () => {
    await api.close();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { api, port, ca: pki.caCertPem };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request on its own connection; `holdBody` sends headers and part of a body, then waits (the request holds its seat). */
function call(port: number, ca: string, token: string | null, method: string, path: string, holdBody = false) {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  if (holdBody) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
  const req = https.request({ host: '127.0.0.1', port, method, path, headers, ca, agent: false });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
  });
  // an aborted holder's failure is expected
  answer.catch(() => undefined);
  if (holdBody) req.write('{"apiVersion":');
  else req.end();
  return { answer, abort: () => req.destroy() };
}

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('a full queue answers 429 with Retry-After and a TooManyRequests Status; exempt requests still pass', async (t) => {
  // one seat in all: every limited level gets one; global-default keeps one request per queue
  const { port, ca } = await start(t, { flowControl: { totalSeats: 1, queueLengthLimit: 1, waitLimitMs: 10_000 } });
  const path = '/api/v1/namespaces/default/configmaps';
  const holders = [call(port, ca, ALICE, 'POST', path, true)];
  // 1 running + one waiting in each of the 6 queues of alice's hand
  for (let i = 0; i < 6; i++) holders.push(call(port, ca, ALICE, 'POST', path, true));
  t.after(() => holders.forEach((h) => h.abort()));
  await new Promise((r) => setTimeout(r, 300));
  const rejected = await call(port, ca, ALICE, 'GET', path).answer.catch((e: unknown) => {
    throw new Error(`the 8th request: ${String(e)}`);
  });
  assert.equal(rejected.status, 429, rejected.body);
  assert.equal(rejected.headers['retry-after'], '1');
  const status = JSON.parse(rejected.body) as { kind: string; reason: string; code: number; details: { retryAfterSeconds: number } };
  assert.equal(status.kind, 'Status');
  assert.equal(status.reason, 'TooManyRequests');
  assert.equal(status.code, 429);
  assert.equal(status.details.retryAfterSeconds, 1);
  assert.ok(rejected.headers['x-kubernetes-pf-flowschema-uid'], 'the flow schema UID header');
  assert.ok(rejected.headers['x-kubernetes-pf-prioritylevel-uid'], 'the priority level UID header');
  // the admin (system:masters) and health checks are exempt
  const admin = await call(port, ca, ADMIN, 'GET', path).answer;
  assert.equal(admin.status, 200);
  const ready = await call(port, ca, null, 'GET', '/readyz').answer;
  assert.equal(ready.status, 200);
  // the running request finishing lets a queued one run
  holders[0]!.abort();
  await new Promise((r) => setTimeout(r, 200));
});

test('a request waiting longer than the wait limit gets 429', async (t) => {
  const { port, ca } = await start(t, { flowControl: { totalSeats: 1, waitLimitMs: 200 } });
  const holder = call(port, ca, ALICE, 'POST', '/api/v1/namespaces/default/configmaps', true);
  t.after(() => holder.abort());
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  const late = await call(port, ca, ALICE, 'GET', '/api/v1/namespaces/default/configmaps').answer;
  assert.equal(late.status, 429);
  assert.ok(Date.now() - started >= 150);
  assert.match(late.body, /timed out waiting in the global-default priority level/);
});

test('idle unauthenticated connections beyond the per-address cap make room; authenticated ones keep working', async (t) => {
  const { port, ca } = await start(t, { connections: { maxPerAddress: 8, firstRequestMs: 1500 } });
  const idle: tls.TLSSocket[] = [];
  const closed = new Set<tls.TLSSocket>();
  for (let i = 0; i < 20; i++) {
    const s = tls.connect({ host: '127.0.0.1', port, ca });
    s.on('error', () => undefined);
    s.on('close', () => closed.add(s));
    idle.push(s);
  }
  t.after(() => idle.forEach((s) => s.destroy()));
  await until(() => closed.size >= 12);
  assert.equal(idle.length - closed.size, 8, 'the cap holds');
  // an authenticated client on a keep-alive connection: its request evicts an idle one and succeeds
  const agent = new https.Agent({ keepAlive: true, ca, maxSockets: 1 });
  t.after(() => agent.destroy());
  const get = () =>
    new Promise<number>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port, path: '/api/v1/namespaces', agent, headers: { Authorization: `Bearer ${ADMIN}` } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
        .on('error', reject);
    });
  assert.equal(await get(), 200);
  // idle ones that never sent a request are closed at the first-request deadline; the authenticated one stays
  await until(() => closed.size === 20, 5000);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await get(), 200);
});

test('a request line over 1 MiB gets 431 and a Status naming the limit', async (t) => {
  const { port, ca } = await start(t, {});
  const selector = `app in (${Array.from({ length: 120_000 }, (_, i) => `v${i}`).join(',')})`;
  const r = await call(port, ca, ADMIN, 'GET', `/api/v1/configmaps?labelSelector=${encodeURIComponent(selector)}`).answer;
  assert.equal(r.status, 431);
  const s = JSON.parse(r.body) as { reason: string; message: string; code: number };
  assert.equal(s.code, 431);
  assert.match(s.message, /larger than the limit of 1048576 bytes/);
  // a big selector under the limit is served
  const ok = await call(
    port,
    ca,
    ADMIN,
    'GET',
    `/api/v1/configmaps?labelSelector=${encodeURIComponent('app in (' + Array.from({ length: 1500 }, (_, i) => `v${i}`).join(',') + ')')}`,
  ).answer;
  assert.equal(ok.status, 200, ok.body);
});
