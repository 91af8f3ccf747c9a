import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CertificateSigningRequest } from '../../api/gen/types.js';
import { ensurePki, signCertificateRequest } from '../../pki/index.js';
import { csrObject, makeCsr } from '../../pki/testing/make-csr.js';
import { decideSigning, DEFAULT_SIGNING_DURATION_MS } from './csr-signing-decide.js';

const approved = { conditions: [{ type: 'Approved', status: 'True' }] };
const csr = (pem: string, signer: string, usages: string[], extra: Record<string, unknown> = {}, status: object | null = approved) =>
  ({ ...csrObject('c', pem, signer, usages, extra), ...(status ? { status } : {}) }) as unknown as CertificateSigningRequest;

test('signing decisions: only approved, unissued requests of our signers; bad ones fail', async () => {
  const { csrPem } = await makeCsr({ cn: 'system:node:n1', o: ['system:nodes'] });
  const usages = ['digital signature', 'client auth'];
  const client = 'kubernetes.io/kube-apiserver-client-kubelet';
  assert.deepEqual(decideSigning(csr(csrPem, client, usages, {}, null)), { action: 'skip', why: 'not approved' });
  assert.deepEqual(decideSigning(csr(csrPem, 'example.com/x', usages)), { action: 'skip', why: 'another signer' });
  assert.deepEqual(decideSigning(csr(csrPem, client, usages, {}, { ...approved, certificate: 'x' })), { action: 'skip', why: 'issued' });
  const d = decideSigning(csr(csrPem, client, usages, { expirationSeconds: 3600 }));
  assert.equal(d.action === 'sign' && d.durationMs, 3600_000);
  const long = decideSigning(csr(csrPem, client, usages, { expirationSeconds: 10 * 365 * 86400 }));
  assert.equal(long.action === 'sign' && long.durationMs, DEFAULT_SIGNING_DURATION_MS);
  // an approved request that breaks its signer's rules (stored before the rule existed, or approved by hand)
  assert.deepEqual(decideSigning(csr(csrPem, 'kubernetes.io/kube-apiserver-client', ['server auth'])), {
    action: 'fail',
    message: 'invalid usage for client certificate: server auth',
  });
});

test('the signed certificate: CA-issued, the request key, subject, SANs, usages, duration', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-sign-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pki = await ensurePki(dir, { hosts: ['127.0.0.1'] });
  const ca = { certPem: pki.caCertPem, keyPem: pki.caKeyPem! };
  const { csrPem, keyPem } = await makeCsr({ cn: 'system:node:n1', o: ['system:nodes'], ips: ['10.0.0.5'], dns: ['n1'], key: 'rsa' });
  const t0 = Date.now();
  const pem = await signCertificateRequest({
    ca,
    csrPem,
    usages: ['digital signature', 'key encipherment', 'server auth'],
    durationMs: 3600_000,
    backdateMs: 300_000,
  });
  const cert = new X509Certificate(pem);
  const caCert = new X509Certificate(pki.caCertPem);
  assert.ok(cert.checkIssued(caCert) && cert.verify(caCert.publicKey));
  assert.ok(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(keyPem)));
  assert.equal(cert.ca, false);
  assert.deepEqual(cert.subject.split('\n').sort(), ['CN=system:node:n1', 'O=system:nodes']);
  assert.match(cert.subjectAltName ?? '', /DNS:n1/);
  assert.match(cert.subjectAltName ?? '', /IP Address:10\.0\.0\.5/);
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  assert.ok(Math.abs(from - (t0 - 300_000)) < 5000, `notBefore ${cert.validFrom}`);
  assert.ok(Math.abs(to - (t0 + 3600_000)) < 5000, `notAfter ${cert.validTo}`);
  // a client certificate: clientAuth only
  const client = await makeCsr({ cn: 'system:node:n1', o: ['system:nodes'] });
  const cpem = await signCertificateRequest({
    ca,
    csrPem: client.csrPem,
    usages: ['digital signature', 'client auth'],
    durationMs: 86400_000,
    backdateMs: 0,
  });
  assert.deepEqual(new X509Certificate(cpem).keyUsage, ['1.3.6.1.5.5.7.3.2']);
});
