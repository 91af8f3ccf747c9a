// The REST client's retry rules against real sockets: servers that refuse, never finish the TLS
// handshake, reset a request they read, or answer 5xx without a Status; and one good server after
// them. Which requests reach the good server, and how often each server saw each request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { ensurePki } from '../pki/index.js';
import { StatusError } from '../base/errors.js';
import { createRestClient } from './rest-client.js';
import { TransportError } from './http-attempt.js';

let dir = '';
let ca = '';
const servers: Array<net.Server> = [];
const seen = new Map<string, string[]>(); // server name -> "METHOD path" it read
const url: Record<string, string> = {};

const note = (name: string, what: string) => seen.set(name, [...(seen.get(name) ?? []), what]);
const listen = async (name: string, s: net.Server) => {
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  url[name] = `https://127.0.0.1:${(s.address() as net.AddressInfo).port}`;
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-failover-rules-'));
  const pki = await ensurePki(dir, { hosts: ['127.0.0.1'] });
  ca = pki.caCertPem;
  const cert = { cert: pki.certPem, key: pki.keyPem };
  const answering = (name: string, status: number, body: string) =>
    https.createServer(cert, (req: http.IncomingMessage, res: http.ServerResponse) => {
      note(name, `${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => res.writeHead(status, { 'Content-Type': 'application/json' }).end(body));
    });
  await listen('good', answering('good', 200, '{"ok":true}'));
  await listen('badGateway', answering('badGateway', 502, 'Bad Gateway'));
  await listen(
    'status503',
    answering('status503', 503, JSON.stringify({ kind: 'Status', code: 503, reason: 'ServiceUnavailable', message: 'meant' })),
  );
  // reads the request head, then drops the connection: the request did arrive
  await listen(
    'resetter',
    tls.createServer(cert, (sock) => {
      sock.once('data', (d: Buffer) => {
        note('resetter', d.toString('utf8').split('\r\n')[0] ?? '');
        sock.destroy();
      });
    }),
  );
  // accepts TCP and says nothing: the TLS handshake never completes
  await listen(
    'blackhole',
    net.createServer((sock) => {
      note('blackhole', 'connection');
      sock.on('error', () => undefined);
    }),
  );
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  url['refused'] = `https://127.0.0.1:${(closed.address() as net.AddressInfo).port}`;
  await new Promise<void>((r) => closed.close(() => r()));
});

after(async () => {
  for (const s of servers) {
    (s as http.Server).closeAllConnections?.();
    await new Promise<void>((r) => s.close(() => r()));
  }
  rmSync(dir, { recursive: true, force: true });
});

const clientOf = (...names: string[]) =>
  createRestClient({
    server: url[names[0] as string] as string,
    servers: names.slice(1).map((n) => url[n] as string),
    caPem: ca,
    token: 't',
    connectTimeoutMs: 300,
  });
const count = (name: string) => seen.get(name)?.length ?? 0;

test('a refused connection: even a write goes to the next server, once', async () => {
  seen.clear();
  const c = clientOf('refused', 'good');
  assert.deepEqual(await c.request('POST', '/api/v1/namespaces/a/configmaps', { a: 1 }), { ok: true });
  assert.deepEqual(seen.get('good'), ['POST /api/v1/namespaces/a/configmaps']);
  assert.equal(c.pool.current(), url['good'], 'the next server is current now');
  await c.request('GET', '/x');
  assert.deepEqual(seen.get('good'), ['POST /api/v1/namespaces/a/configmaps', 'GET /x'], 'no new try of the refused server');
  c.close();
});

test('a TLS handshake that never completes: the connect timeout sends a write elsewhere', async () => {
  seen.clear();
  const c = clientOf('blackhole', 'good');
  const t0 = Date.now();
  await c.request('PUT', '/p', { a: 1 });
  assert.ok(Date.now() - t0 >= 250, 'waited for the connect timeout');
  assert.equal(count('blackhole'), 1);
  assert.deepEqual(seen.get('good'), ['PUT /p']);
  c.close();
});

test('a connection that breaks after the request went out: reads retry elsewhere, writes fail and are sent once', async () => {
  seen.clear();
  const w = clientOf('resetter', 'good');
  await assert.rejects(w.request('POST', '/w', { a: 1 }), (e: unknown) => e instanceof TransportError && e.kind === 'broken');
  assert.deepEqual(seen.get('resetter'), ['POST /w HTTP/1.1']);
  assert.equal(count('good'), 0, 'the write was not sent a second time');
  assert.equal(w.pool.current(), url['good'], 'the next request goes to the other server');
  w.close();
  seen.clear();
  const r = clientOf('resetter', 'good');
  assert.deepEqual(await r.request('GET', '/r'), { ok: true });
  assert.deepEqual(seen.get('resetter'), ['GET /r HTTP/1.1']);
  assert.deepEqual(seen.get('good'), ['GET /r']);
  r.close();
});

test('a 5xx without a Status: reads go elsewhere, writes answer the error; a 5xx Status is the answer', async () => {
  seen.clear();
  const c = clientOf('badGateway', 'good');
  await assert.rejects(c.request('DELETE', '/d'), (e: unknown) => e instanceof StatusError && e.code === 502);
  assert.equal(count('good'), 0);
  c.close();
  const r = clientOf('badGateway', 'good');
  assert.deepEqual(await r.request('GET', '/g'), { ok: true });
  assert.deepEqual(seen.get('good'), ['GET /g']);
  r.close();
  seen.clear();
  const s = clientOf('status503', 'good');
  await assert.rejects(s.request('GET', '/s'), (e: unknown) => e instanceof StatusError && e.code === 503 && e.message === 'meant');
  assert.equal(count('good'), 0, 'a Status the server meant is not a reason to ask another server');
  assert.equal(s.pool.current(), url['status503']);
  s.close();
});

test('every server down: the last error goes up with its code', async () => {
  const c = clientOf('refused', 'refused');
  await assert.rejects(
    c.request('GET', '/x'),
    (e: unknown) => e instanceof TransportError && e.code === 'ECONNREFUSED' && e.kind === 'unsent',
  );
  c.close();
});
