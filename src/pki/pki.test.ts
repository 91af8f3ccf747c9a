import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, stat, unlink } from 'node:fs/promises';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePki, PkiError, pkiPaths, type PkiMaterial } from './pki.js';

const HOSTS = ['localhost', '127.0.0.1'];
const tempDir = () => mkdtemp(join(tmpdir(), 'tandem-pki-'));
const mode = async (p: string) => (await stat(p)).mode & 0o777;

async function snapshot(dir: string) {
  const p = pkiPaths(dir);
  const files = [p.caCert, p.caKey, p.serverCert, p.serverKey];
  return Promise.all(files.map(async (f) => ({ f, text: await readFile(f, 'utf8'), mtime: (await stat(f)).mtimeMs })));
}

test('first start generates a CA and a serving cert; later starts reuse them unchanged', async (t) => {
  const dir = await tempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const t0 = performance.now();
  const first = await ensurePki(dir, { hosts: HOSTS });
  const genMs = performance.now() - t0;
  assert.deepEqual(first.generated, { ca: true, server: true });
  assert.ok(first.caKeyPem?.startsWith('-----BEGIN PRIVATE KEY-----'));
  assert.ok(first.keyPem.startsWith('-----BEGIN PRIVATE KEY-----'));

  const ca = new X509Certificate(first.caCertPem);
  assert.equal(ca.subject, 'CN=tandem-ca');
  assert.equal(ca.ca, true);
  const years = (Date.parse(ca.validTo) - Date.now()) / (365 * 86400e3);
  assert.ok(years > 9.9 && years < 10.1, `CA lifetime ${years} years`);
  const srv = new X509Certificate(first.certPem);
  assert.equal(srv.ca, false);
  assert.ok(srv.checkIssued(ca) && srv.verify(ca.publicKey));
  assert.deepEqual(srv.keyUsage, ['1.3.6.1.5.5.7.3.1']); // Node reports the EKU here: serverAuth only
  assert.match(srv.subjectAltName ?? '', /DNS:localhost/);
  assert.match(srv.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
  const days = (Date.parse(srv.validTo) - Date.now()) / 86400e3;
  assert.ok(days > 364 && days < 366, `serving cert lifetime ${days} days`);

  const p = pkiPaths(dir);
  assert.equal(await mode(p.dir), 0o700);
  assert.equal(await mode(p.caKey), 0o600);
  assert.equal(await mode(p.serverKey), 0o600);
  assert.equal(await readFile(p.caCert, 'utf8'), first.caCertPem);

  const before = await snapshot(dir);
  const t1 = performance.now();
  const again = await ensurePki(dir, { hosts: ['127.0.0.1', 'LOCALHOST', ' localhost '] });
  const reuseMs = performance.now() - t1;
  t.diagnostic(`first start ${genMs.toFixed(1)} ms, reuse ${reuseMs.toFixed(1)} ms`);
  assert.ok(reuseMs < 1000, `reuse took ${reuseMs} ms`);
  assert.deepEqual(again.generated, { ca: false, server: false });
  assert.deepEqual(await snapshot(dir), before);
  assert.equal(again.certPem, first.certPem);
  assert.equal(again.keyPem, first.keyPem);
  assert.equal(again.caKeyPem, first.caKeyPem);
});

test("the serving cert is reissued (same CA) for new hosts, near expiry, or when it is not the CA's", async (t) => {
  const dir = await tempDir();
  const other = await tempDir();
  t.after(() => Promise.all([rm(dir, { recursive: true, force: true }), rm(other, { recursive: true, force: true })]));
  const first = await ensurePki(dir, { hosts: HOSTS });

  const grown = await ensurePki(dir, { hosts: [...HOSTS, 'api.tandem.example', '10.1.2.3', '::1'] });
  assert.deepEqual(grown.generated, { ca: false, server: true });
  assert.equal(grown.caCertPem, first.caCertPem);
  assert.notEqual(grown.certPem, first.certPem);
  const cert = new X509Certificate(grown.certPem);
  assert.equal(cert.checkHost('api.tandem.example', { subject: 'never' }), 'api.tandem.example');
  assert.equal(cert.checkIP('10.1.2.3'), '10.1.2.3');
  assert.ok(cert.checkIP('::1'));
  assert.equal(await readFile(pkiPaths(dir).serverCert, 'utf8'), grown.certPem);

  // A subset of covered hosts is no reason to reissue.
  const subset = await ensurePki(dir, { hosts: ['api.tandem.example'] });
  assert.equal(subset.generated.server, false);
  assert.equal(subset.certPem, grown.certPem);

  // A cert that expires within 30 days is replaced by a fresh one.
  const short = await ensurePki(dir, { hosts: ['localhost', 'x.example'], serverCertDays: 10 });
  assert.equal(short.generated.server, true);
  const renewed = await ensurePki(dir, { hosts: ['localhost'] });
  assert.equal(renewed.generated.server, true);
  assert.ok(Date.parse(new X509Certificate(renewed.certPem).validTo) - Date.now() > 300 * 86400e3);
  assert.equal(renewed.caCertPem, first.caCertPem);

  // A serving cert from another CA is replaced.
  await ensurePki(other, { hosts: HOSTS });
  const p = pkiPaths(dir);
  const o = pkiPaths(other);
  await copyFile(o.serverCert, p.serverCert);
  await copyFile(o.serverKey, p.serverKey);
  const fixed = await ensurePki(dir, { hosts: HOSTS });
  assert.equal(fixed.generated.server, true);
  assert.ok(new X509Certificate(fixed.certPem).checkIssued(new X509Certificate(first.caCertPem)));
});

test('without the CA key a valid serving cert is still served, but cannot be reissued', async (t) => {
  const dir = await tempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const first = await ensurePki(dir, { hosts: HOSTS });
  await unlink(pkiPaths(dir).caKey);
  const again = await ensurePki(dir, { hosts: HOSTS });
  assert.equal(again.caKeyPem, undefined);
  assert.equal(again.certPem, first.certPem);
  await assert.rejects(ensurePki(dir, { hosts: ['new.example'] }), (e) => e instanceof PkiError && /CA key/.test(e.message));
  await assert.rejects(ensurePki(dir, { hosts: [' '] }), PkiError);
});

function get(port: number, opts: { ca: string; servername?: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/x',
        ca: opts.ca,
        agent: false,
        ...(opts.servername !== undefined ? { servername: opts.servername, headers: { host: opts.servername } } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function withServer(pki: PkiMaterial, fn: (port: number) => Promise<void>) {
  const server = createServer({ cert: pki.certPem, key: pki.keyPem }, (_req, res) => res.end('hello'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn((server.address() as AddressInfo).port);
  } finally {
    await new Promise((r) => server.close(r));
  }
}

test('a Node https server with the output is verified through the CA for 127.0.0.1 and localhost', async (t) => {
  const dir = await tempDir();
  const other = await tempDir();
  t.after(() => Promise.all([rm(dir, { recursive: true, force: true }), rm(other, { recursive: true, force: true })]));
  const pki = await ensurePki(dir, { hosts: HOSTS });
  const foreign = await ensurePki(other, { hosts: HOSTS });
  await withServer(pki, async (port) => {
    assert.equal(await get(port, { ca: pki.caCertPem }), 'hello');
    assert.equal(await get(port, { ca: pki.caCertPem, servername: 'localhost' }), 'hello');
    await assert.rejects(get(port, { ca: pki.caCertPem, servername: 'elsewhere.example' }), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    await assert.rejects(get(port, { ca: foreign.caCertPem }), (e: NodeJS.ErrnoException) =>
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN'].includes(e.code ?? ''),
    );
  });
});
