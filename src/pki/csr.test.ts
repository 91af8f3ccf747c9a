import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caCertHash, ensurePki, generateKeyAndCsr, parseCaCertHash } from './index.js';

const openssl = (args: string[], input: string): string => execFileSync('openssl', args, { input, encoding: 'utf8' });

test('a client CSR parses back: subject CN and O, ECDSA P-256 key matching the private key, valid self-signature', async () => {
  const { csrPem, keyPem } = await generateKeyAndCsr({ commonName: 'system:node:worker-1', organizations: ['system:nodes'] });
  assert.match(csrPem, /^-----BEGIN CERTIFICATE REQUEST-----/);
  assert.match(keyPem, /^-----BEGIN PRIVATE KEY-----/);
  const key = createPrivateKey(keyPem);
  assert.equal(key.asymmetricKeyType, 'ec');
  assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');

  const text = openssl(['req', '-noout', '-text', '-verify'], csrPem);
  assert.match(text, /Subject: CN\s*=\s*system:node:worker-1, O\s*=\s*system:nodes/);
  assert.match(text, /ASN1 OID: prime256v1/);
  assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
  assert.doesNotMatch(text, /Subject Alternative Name/);
  // the CSR carries the public half of exactly this key
  const csrPub = openssl(['req', '-noout', '-pubkey'], csrPem);
  assert.equal(
    createPublicKey(csrPub).export({ type: 'spki', format: 'der' }).toString('hex'),
    createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('hex'),
  );
});

test('a serving CSR requests DNS and IP subject alternative names; each call makes a new key', async () => {
  const a = await generateKeyAndCsr({
    commonName: 'system:node:w',
    organizations: ['system:nodes'],
    hosts: ['w.example', '10.0.0.7', '::1'],
  });
  const text = openssl(['req', '-noout', '-text'], a.csrPem);
  assert.match(text, /Requested Extensions:/);
  assert.match(text, /DNS:w\.example, IP Address:10\.0\.0\.7, IP Address:0:0:0:0:0:0:0:1/);
  const b = await generateKeyAndCsr({ commonName: 'system:node:w', organizations: [] });
  assert.notEqual(a.keyPem, b.keyPem);
  assert.match(openssl(['req', '-noout', '-subject'], b.csrPem), /subject=CN\s*=\s*system:node:w\s*$/);
});

test("the CA hash is sha256 of the DER SubjectPublicKeyInfo, the same as openssl's kubeadm recipe", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-cahash-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { caCertPem } = await ensurePki(dir, { hosts: ['localhost'] });
  const pub = openssl(['x509', '-pubkey', '-noout'], caCertPem);
  const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: pub });
  const digest = execFileSync('openssl', ['dgst', '-sha256', '-hex'], { input: der, encoding: 'utf8' });
  const hex = /([0-9a-f]{64})\s*$/.exec(digest)?.[1];
  assert.ok(hex, digest);
  assert.equal(caCertHash(caCertPem), `sha256:${hex}`);
  assert.equal(parseCaCertHash(`SHA256:${hex.toUpperCase()}`), `sha256:${hex}`);
});

test('bad --ca-cert-hash values get errors saying what the value must be', () => {
  assert.throws(() => parseCaCertHash('abc'), /must be sha256:<64 hex digits>/);
  assert.throws(() => parseCaCertHash('md5:00'), /hash type "md5" is not supported/);
  assert.throws(() => parseCaCertHash('sha256:1234'), /64 hex digits, this one has 4 characters/);
  assert.throws(() => parseCaCertHash(`sha256:${'z'.repeat(64)}`), /64 hex digits/);
});
