// The web view's server in process, against a small HTTPS stand-in for the API server that counts
// what reaches it: the "not built" page, login by token and by code, nothing forwarded without a
// session or with a foreign Origin, the API's answers passed on, Secrets stripped.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ensurePki } from '../pki/index.js';
import { nullLogger } from '../base/log.js';
import { startUiServer, type UiServer } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'tandem-webui-'));
let api: Server;
let ui: UiServer;
let ca = '';
const seen: string[] = [];

before(async () => {
  const pki = await ensurePki(dir, { hosts: ['localhost', '127.0.0.1'] });
  ca = pki.caCertPem;
  api = createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    const good = req.headers.authorization === 'Bearer good-token';
    if (!good) {
      res.writeHead(401, { 'content-type': 'application/json' });
      return void res.end('{"kind":"Status","code":401,"message":"Unauthorized"}');
    }
    if (req.url?.startsWith('/apis/authentication.k8s.io/v1/selfsubjectreviews')) {
      res.writeHead(201, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ status: { userInfo: { username: 'alice', groups: ['devs'] } } }));
    }
    if (req.url?.startsWith('/api/v1/namespaces/default/secrets')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ kind: 'SecretList', items: [{ metadata: { name: 's' }, data: { p: 'c2VjcmV0' } }] }));
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"kind":"Status","code":404,"reason":"NotFound","message":"nope"}');
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
  ui = await startUiServer({
    host: '127.0.0.1',
    port: 0,
    tls: { cert: pki.certPem, key: pki.keyPem },
    api: { url: `https://127.0.0.1:${(api.address() as AddressInfo).port}`, caPem: ca },
    log: nullLogger,
    dir: join(dir, 'no-ui-here'),
  });
});
after(async () => {
  await ui.close();
  api.close();
  rmSync(dir, { recursive: true, force: true });
});

function call(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((res, rej) => {
    const req = request(`${ui.url}${path}`, { method, ca, headers }, (r) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (text += c));
      r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers, body: text }));
    });
    req.on('error', rej);
    req.end(body);
  });
}

test('without dist/ui the page says to run npm run build', async () => {
  const r = await call('GET', '/ui/');
  assert.equal(r.status, 500);
  assert.match(r.body, /npm run build/);
});

test('no session: 401 and nothing reaches the API; a wrong token makes no session', async () => {
  seen.length = 0;
  const r = await call('GET', '/ui/k8s/api/v1/namespaces/default/secrets', { 'x-tandem-ui': '1', cookie: 'tandem_ui_session=forged' });
  assert.equal(r.status, 401);
  assert.deepEqual(seen, []);
  const bad = await call('POST', '/ui/session', { 'x-tandem-ui': '1', origin: ui.url }, JSON.stringify({ token: 'bad' }));
  assert.equal(bad.status, 401);
  assert.equal(bad.headers['set-cookie'], undefined);
  assert.deepEqual(seen.length, 1, 'only the token check');
});

test('a code logs in once; the session forwards with its token; Secrets stripped; foreign Origin refused', async () => {
  const link = await call('POST', '/ui/api/login-links', { authorization: 'Bearer good-token' });
  assert.equal(link.status, 201);
  const { url } = JSON.parse(link.body) as { url: string };
  const path = new URL(url).pathname + new URL(url).search;
  const first = await call('GET', path);
  assert.equal(first.status, 303);
  const cookie = /tandem_ui_session=[^;]+/.exec(String(first.headers['set-cookie']))![0];
  assert.equal((await call('GET', path)).status, 401);
  assert.deepEqual(JSON.parse((await call('GET', '/ui/whoami', { cookie })).body), { username: 'alice', groups: ['devs'] });
  seen.length = 0;
  const list = await call('GET', '/ui/k8s/api/v1/namespaces/default/secrets', { 'x-tandem-ui': '1', cookie });
  assert.equal(list.status, 200);
  assert.deepEqual(JSON.parse(list.body), { kind: 'SecretList', items: [{ metadata: { name: 's' } }] });
  assert.deepEqual(seen, ['GET /api/v1/namespaces/default/secrets Bearer good-token']);
  const shown = await call('GET', '/ui/k8s/api/v1/namespaces/default/secrets?reveal=1', { 'x-tandem-ui': '1', cookie });
  assert.match(shown.body, /c2VjcmV0/);
  const missing = await call('GET', '/ui/k8s/api/v1/namespaces/default/pods/x', { 'x-tandem-ui': '1', cookie });
  assert.equal(missing.status, 404);
  assert.equal(JSON.parse(missing.body).reason, 'NotFound');
  seen.length = 0;
  const foreign = await call('DELETE', '/ui/k8s/api/v1/namespaces/default/pods/x', {
    'x-tandem-ui': '1',
    cookie,
    origin: 'https://evil.example',
  });
  assert.equal(foreign.status, 403);
  assert.deepEqual(seen, []);
});
