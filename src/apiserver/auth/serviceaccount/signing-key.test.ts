import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSigningKey, keyIdOf, signingKeyPaths } from './signing-key.js';

test('the key is made once (0600, RSA 2048) and read back unchanged', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sa-key-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = await ensureSigningKey(dir);
  const paths = signingKeyPaths(dir);
  assert.equal(a.privateKey.asymmetricKeyDetails?.modulusLength, 2048);
  if (process.platform !== 'win32') assert.equal(statSync(paths.key).mode & 0o777, 0o600);
  const pem = readFileSync(paths.key, 'utf8');
  const b = await ensureSigningKey(dir);
  assert.equal(b.kid, a.kid);
  assert.equal(readFileSync(paths.key, 'utf8'), pem);
  // sa.pub is derived: rewritten when lost or wrong
  writeFileSync(paths.pub, 'junk');
  await ensureSigningKey(dir);
  assert.equal(keyIdOf(createPublicKey(readFileSync(paths.pub, 'utf8'))), a.kid);
});

test("the key id is upstream's: base64url SHA-256 of the DER public key", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sa-key-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const k = await ensureSigningKey(dir);
  const der = k.publicKey.export({ type: 'spki', format: 'der' });
  const expected = createHash('sha256').update(der).digest('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  assert.equal(k.kid, expected);
  assert.equal(k.kid.length, 43);
});

test('a damaged key is refused, never replaced', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sa-key-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await ensureSigningKey(dir);
  const paths = signingKeyPaths(dir);
  writeFileSync(paths.key, '-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n');
  await assert.rejects(ensureSigningKey(dir), /sa\.key \(the ServiceAccount token signing key; it is never replaced automatically/);
  assert.match(readFileSync(paths.key, 'utf8'), /broken/);
});
