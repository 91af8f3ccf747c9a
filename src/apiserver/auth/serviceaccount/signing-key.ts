// The ServiceAccount token signing key: RSA 2048 in DATA/pki/sa.key (0600) with its public half in
// DATA/pki/sa.pub. Made once with node:crypto and never replaced afterwards: replacing it would
// silently invalidate every token in every pod, so a damaged key file is an error for a human to
// look at rather than something to regenerate.

import { createHash, createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createFileOnce, isErrno, tightenMode, writeFileAtomic } from '../../../base/fs-atomic.js';
import { PkiError, pkiPaths } from '../../../pki/index.js';

const KEY_MODE = 0o600;
const PUB_MODE = 0o644;
const RSA_BITS = 2048;

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** upstream's key id: base64url (no padding) of the SHA-256 of the DER (SPKI) public key */
  kid: string;
}

export const signingKeyPaths = (dataDir: string) => {
  const dir = pkiPaths(dataDir).dir;
  return { key: join(dir, 'sa.key'), pub: join(dir, 'sa.pub') };
};

/** The key id upstream derives from a public key, so that tokens from either verify against the same JWKS logic. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

/** A signing key from a private key PEM (tests, and the file on disk). */
export function signingKeyFromPem(pem: string, source = 'the signing key'): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (e) {
    throw new PkiError(`${source} is not a readable private key (${e instanceof Error ? e.message : String(e)})`);
  }
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new PkiError(
      `${source} is a ${privateKey.asymmetricKeyType ?? 'unknown'} key; ServiceAccount tokens are signed with RSA (RS256)`,
    );
  }
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < RSA_BITS) throw new PkiError(`${source} is an RSA key of ${bits} bits; at least ${RSA_BITS} are needed`);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, kid: keyIdOf(publicKey) };
}

/** A new RSA 2048 key as PKCS#8 PEM, generated off the main thread. */
export async function generateSigningKeyPem(): Promise<string> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: RSA_BITS });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return undefined;
    throw e;
  }
}

/**
 * The cluster's signing key: created on the first start, read back on every later one. sa.pub is
 * derived, so it is rewritten whenever it is missing or does not match the key.
 */
export async function ensureSigningKey(dataDir: string): Promise<SigningKey> {
  const paths = signingKeyPaths(dataDir);
  let pem = await readIfExists(paths.key);
  if (pem === undefined) {
    const fresh = await generateSigningKeyPem();
    // Another process may have created it meanwhile: then theirs is the key.
    pem = (await createFileOnce(paths.key, fresh, KEY_MODE)) ? fresh : await readFile(paths.key, 'utf8');
  }
  await tightenMode(paths.key, KEY_MODE);
  const key = signingKeyFromPem(
    pem,
    `${paths.key} (the ServiceAccount token signing key; it is never replaced automatically: restore it from a backup, or remove it to invalidate every ServiceAccount token)`,
  );
  const pubPem = key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  if ((await readIfExists(paths.pub)) !== pubPem) await writeFileAtomic(paths.pub, pubPem, PUB_MODE);
  return key;
}
