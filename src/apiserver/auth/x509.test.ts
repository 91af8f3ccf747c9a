// The x509 authenticator against real TLS connections: certificates from the cluster CA name the
// user, others (another CA, no certificate, server-only usage) name nobody.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePki, signCertificateRequest } from '../../pki/index.js';
import { makeCsr } from '../../pki/testing/make-csr.js';
import { createX509Authenticator, userFromCertificate } from './x509.js';

test('client certificates from the cluster CA authenticate as CN with O groups', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-x509-'));
  const other = mkdtempSync(join(tmpdir(), 'tandem-x509-other-'));
  t.after(() => [dir, other].forEach((d) => rmSync(d, { recursive: true, force: true })));
  const pki = await ensurePki(dir, { hosts: ['127.0.0.1'] });
  const foreign = await ensurePki(other, { hosts: ['127.0.0.1'] });
  const issue = async (ca: typeof pki, cn: string, o: string[], usages: string[]) => {
    const { csrPem, keyPem } = await makeCsr({ cn, o });
    const cert = await signCertificateRequest({
      ca: { certPem: ca.caCertPem, keyPem: ca.caKeyPem! },
      csrPem,
      usages,
      durationMs: 3600_000,
      backdateMs: 60_000,
    });
    return { cert, key: keyPem };
  };
  const auth = createX509Authenticator();
  const server = https.createServer(
    { cert: pki.certPem, key: pki.keyPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const u = auth.authenticate(req);
      res.end(JSON.stringify(u ?? null));
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const ask = (client?: { cert: string; key: string }) =>
    new Promise<unknown>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port, path: '/', ca: pki.caCertPem, agent: false, ...(client ?? {}) }, (res) => {
          let b = '';
          res.on('data', (c: Buffer) => (b += c.toString()));
          res.on('end', () => resolve(JSON.parse(b)));
        })
        .on('error', reject);
    });

  const node = await issue(pki, 'system:node:n1', ['system:nodes'], ['digital signature', 'client auth']);
  assert.deepEqual(await ask(node), { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] });
  const multi = await issue(pki, 'jane', ['a', 'b'], ['digital signature', 'client auth']);
  assert.deepEqual(await ask(multi), { name: 'jane', groups: ['a', 'b', 'system:authenticated'] });
  assert.equal(await ask(), null);
  assert.equal(await ask(await issue(foreign, 'system:node:n1', ['system:nodes'], ['client auth'])), null);
  // a serving-only certificate from the right CA is no client credential
  const serving = await issue(pki, 'sneaky', ['system:masters'], ['digital signature', 'server auth']);
  assert.equal(await ask(serving).catch(() => null), null);
});

test('validity and usage are checked on the certificate itself', () => {
  const base = { subject: { CN: 'x', O: 'g' }, valid_from: 'Jan  1 00:00:00 2026 GMT', valid_to: 'Jan  1 00:00:00 2027 GMT' };
  const mid = Date.parse('2026-06-01T00:00:00Z');
  assert.deepEqual(userFromCertificate(base as never, mid), { name: 'x', groups: ['g', 'system:authenticated'] });
  assert.equal(userFromCertificate(base as never, Date.parse('2027-06-01T00:00:00Z')), undefined);
  assert.equal(userFromCertificate(base as never, Date.parse('2025-06-01T00:00:00Z')), undefined);
  assert.equal(userFromCertificate({ ...base, ext_key_usage: ['1.3.6.1.5.5.7.3.1'] } as never, mid), undefined);
  assert.equal(userFromCertificate({ ...base, subject: { O: 'g' } } as never, mid), undefined);
});
