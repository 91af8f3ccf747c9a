import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BundleError, newCertificateKey, openBundle, parseCertificateKey, sealBundle } from './bundle-crypto.js';

const files = { 'ca.crt': '-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n', 'admin.token': 'secret\n' };

test('a sealed bundle opens with its key and yields the same files', () => {
  const key = parseCertificateKey(newCertificateKey());
  const sealed = sealBundle({ files, notAfter: Date.now() + 60_000 }, key);
  assert.ok(!sealed.includes('secret') && !Buffer.from(sealed, 'base64').toString('latin1').includes('secret'), 'the text is not readable');
  assert.deepEqual(openBundle(sealed, key).files, files);
  // a fresh nonce each time: the same bundle never seals to the same text
  assert.notEqual(sealBundle({ files }, key), sealBundle({ files }, key));
});

test('a wrong key is refused with the fix', () => {
  const sealed = sealBundle({ files }, parseCertificateKey(newCertificateKey()));
  assert.throws(
    () => openBundle(sealed, parseCertificateKey(newCertificateKey())),
    (e: unknown) => {
      assert.ok(e instanceof BundleError);
      assert.match(e.message, /cannot decrypt.*certificate key is wrong.*--certificate-key/);
      return true;
    },
  );
});

test('any altered byte (nonce, body, tag) is refused', () => {
  const key = parseCertificateKey(newCertificateKey());
  const raw = Buffer.from(sealBundle({ files }, key), 'base64');
  for (const at of [0, 11, 12, Math.floor(raw.length / 2), raw.length - 1]) {
    const bad = Buffer.from(raw);
    bad[at] = bad[at]! ^ 0x01;
    assert.throws(() => openBundle(bad.toString('base64'), key), /cannot decrypt/, `byte ${at}`);
  }
  assert.throws(() => openBundle(raw.subarray(0, 20).toString('base64'), key), /too short/);
});

test('an expired bundle is refused, naming when it expired', () => {
  const key = parseCertificateKey(newCertificateKey());
  const sealed = sealBundle({ files, notAfter: Date.parse('2026-01-01T00:00:00Z') }, key);
  assert.throws(
    () => openBundle(sealed, key, Date.parse('2026-01-02T00:00:00Z')),
    /expired at 2026-01-01T00:00:00.000Z.*token create --control-plane/,
  );
  assert.deepEqual(openBundle(sealed, key, Date.parse('2025-12-31T00:00:00Z')).files, files);
});

test('certificate keys: 64 hex digits', () => {
  assert.equal(parseCertificateKey('AB'.repeat(32)).length, 32);
  assert.throws(() => parseCertificateKey('abc'), /64 hex digits.*3 characters/);
  assert.throws(() => parseCertificateKey('zz'.repeat(32)), /64 hex digits/);
});
