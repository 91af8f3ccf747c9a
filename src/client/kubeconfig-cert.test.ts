import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCa } from '../pki/testing/openssl-ca.js';
import { clientFromKubeconfig, readKubeconfig, writeKubeconfig } from './kubeconfig.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'tandem-kc-cert-'));

test('kubeconfigs with client certificates: files and inline data are written and read back; bad ones are named', async (t) => {
  const ca = createTestCa();
  const dir = await tempDir();
  t.after(() => (ca.dispose(), rm(dir, { recursive: true, force: true })));
  const a = ca.issue('/CN=system:node:a/O=system:nodes');
  await writeKubeconfig(join(dir, 'byfile'), {
    server: 'https://h:1',
    caPem: ca.certPem,
    clientCertificate: { files: { cert: 'c.pem', key: 'k.pem' } },
  });
  await writeFile(join(dir, 'c.pem'), a.cert);
  await writeFile(join(dir, 'k.pem'), a.key);
  const text = await readFile(join(dir, 'byfile'), 'utf8');
  assert.match(text, /client-certificate: c\.pem/);
  assert.doesNotMatch(text, /token/);
  assert.equal((await stat(join(dir, 'byfile'))).mode & 0o777, 0o600);
  // relative paths are relative to the kubeconfig's folder
  const byFile = readKubeconfig(join(dir, 'byfile'));
  assert.deepEqual(byFile.clientCert, a);
  assert.deepEqual(byFile.clientCertFiles, { cert: join(dir, 'c.pem'), key: join(dir, 'k.pem') });
  assert.equal(byFile.token, undefined);

  await writeKubeconfig(join(dir, 'inline'), { server: 'https://h:1', caPem: ca.certPem, clientCertificate: { inline: a } });
  const inline = readKubeconfig(join(dir, 'inline'));
  assert.deepEqual(inline.clientCert, a);
  assert.equal(inline.clientCertFiles, undefined);
  assert.match(await readFile(join(dir, 'inline'), 'utf8'), /client-certificate-data: /);

  const b = ca.issue('/CN=other');
  await writeFile(join(dir, 'k.pem'), b.key);
  assert.throws(() => readKubeconfig(join(dir, 'byfile')), /c\.pem: the client key does not belong to the client certificate/);
  await writeFile(join(dir, 'half'), text.replace(/ *client-key: .*\n/, ''));
  assert.throws(() => readKubeconfig(join(dir, 'half')), /client-certificate and client-key go together/);
  await writeFile(join(dir, 'none'), text.replace(/ *client-key: .*\n/, '').replace(/ *client-certificate: .*\n/, ''));
  assert.throws(() => readKubeconfig(join(dir, 'none')), /the user has no credentials/);
  await writeFile(join(dir, 'k.pem'), 'garbage');
  assert.throws(() => readKubeconfig(join(dir, 'byfile')), /the client key is not a PEM private key/);
  await assert.rejects(
    writeKubeconfig(join(dir, 'both'), { caPem: ca.certPem, token: 't', clientCertificate: { inline: a } }),
    /a token or a client certificate \(one of them\)/,
  );
});

/** An HTTPS server that requires client certificates from `ca` and answers with the presented CN; /watch streams. */
async function echoServer(ca: ReturnType<typeof createTestCa>): Promise<{ server: Server; port: number; handshakes: () => number }> {
  const srv = ca.issue('/CN=server', { ext: 'extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1' });
  let handshakes = 0;
  const server = createServer({ cert: srv.cert, key: srv.key, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const cn = (req.socket as TLSSocket).getPeerCertificate().subject?.CN;
    if (req.url?.startsWith('/watch')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`${JSON.stringify({ type: 'ADDED', object: { cn } })}\n`);
      const iv = setInterval(() => res.write(`${JSON.stringify({ type: 'MODIFIED', object: { cn } })}\n`), 50);
      res.on('close', () => clearInterval(iv));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ cn, auth: req.headers.authorization ?? null }));
  });
  server.on('secureConnection', () => handshakes++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, handshakes: () => handshakes };
}

test('a client certificate by file authenticates, and a renewed file is presented without dropping the open watch', async (t) => {
  const ca = createTestCa();
  const dir = await tempDir();
  const { server, port } = await echoServer(ca);
  t.after(() => (server.closeAllConnections(), server.close(), ca.dispose(), rm(dir, { recursive: true, force: true })));
  const first = ca.issue('/CN=system:node:n1/O=system:nodes');
  const pem = join(dir, 'node.pem');
  await writeFile(pem, `${first.cert}${first.key}`, { mode: 0o600 });
  const kc = join(dir, 'kubeconfig');
  await writeKubeconfig(kc, {
    server: `https://127.0.0.1:${port}`,
    caPem: ca.certPem,
    clientCertificate: { files: { cert: pem, key: pem } },
  });
  const { client } = clientFromKubeconfig(kc, 'test');
  t.after(() => client.close());
  assert.deepEqual(await client.request('GET', '/who'), { cn: 'system:node:n1', auth: null });

  const events: string[] = [];
  const w = client.watch('/watch', (ev) => events.push(String((ev.object as { cn: string }).cn)));
  w.done.catch(() => undefined); // the server closes it at the end
  t.after(() => w.stop());
  while (events.length < 2) await new Promise((r) => setTimeout(r, 20));

  const second = ca.issue('/CN=system:node:n1-renewed/O=system:nodes');
  await writeFile(pem, `${second.cert}${second.key}`);
  // the file is polled (5 s): wait for the new identity on fresh requests
  const end = Date.now() + 15_000;
  let who = '';
  while (Date.now() < end) {
    who = ((await client.request('GET', '/who')) as { cn: string }).cn;
    if (who === 'system:node:n1-renewed') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(who, 'system:node:n1-renewed');
  // the watch opened with the old certificate is still streaming
  const seen = events.length;
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(events.length > seen, 'the watch kept delivering events after the rotation');
  assert.ok(events.every((cn) => cn === 'system:node:n1'));
  // a new watch presents the new certificate
  const again: string[] = [];
  const w2 = client.watch('/watch', (ev) => again.push(String((ev.object as { cn: string }).cn)));
  while (again.length < 1) await new Promise((r) => setTimeout(r, 20));
  w2.stop();
  assert.equal(again[0], 'system:node:n1-renewed');

  // a half-written renewal (a key that does not match) is not taken: the last good pair stays
  await writeFile(pem, `${first.cert}${second.key}`);
  await new Promise((r) => setTimeout(r, 6000));
  assert.equal(((await client.request('GET', '/who')) as { cn: string }).cn, 'system:node:n1-renewed');
});
