// The control plane's shared secrets in transit, as kubeadm's certificate upload: a set of files
// (the CA, the ServiceAccount signing key, the admin token) sealed with AES-256-GCM under a random
// 32-byte "certificate key" that never reaches the store. Only a holder of both the bootstrap token
// (to read the Secret) and the certificate key (to open it) gets the cluster's identity. GCM's tag
// makes any change to the sealed text, or a wrong key, an error rather than garbage on disk; the
// expiry is sealed with the files so that it cannot be extended by editing the Secret.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Bound into the tag: a blob sealed for something else under the same key does not open here. */
const AAD = Buffer.from('tandem-control-plane-certs/v1', 'utf8');

export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleError';
  }
}

/** The sealed content: file names (in DATA/pki) to their text, and when the bundle stops being usable. */
export interface CertBundle {
  files: Record<string, string>;
  /** ms since the epoch; undefined: no expiry */
  notAfter?: number;
}

/** A new certificate key, as `--certificate-key` takes it: 64 lower-case hex digits. */
export const newCertificateKey = (): string => randomBytes(KEY_BYTES).toString('hex');

/** The 32 bytes of a `--certificate-key`; throws naming what the value must look like. */
export function parseCertificateKey(text: string): Buffer {
  const t = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(t)) {
    throw new BundleError(
      `--certificate-key: must be 64 hex digits (32 bytes), as \`tandem token create --control-plane\` prints it; this one has ${t.length} characters`,
    );
  }
  return Buffer.from(t, 'hex');
}

/** base64 of nonce | ciphertext | tag. */
export function sealBundle(bundle: CertBundle, key: Buffer): string {
  if (key.length !== KEY_BYTES) throw new BundleError(`the certificate key must be ${KEY_BYTES} bytes, not ${key.length}`);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(AAD);
  const plain = Buffer.from(JSON.stringify({ files: bundle.files, notAfter: bundle.notAfter ?? null }), 'utf8');
  return Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]).toString('base64');
}

/** The bundle inside `sealed`; throws BundleError when the key is wrong, the text was altered, or the bundle expired. */
export function openBundle(sealed: string, key: Buffer, now = Date.now()): CertBundle {
  const raw = Buffer.from(sealed, 'base64');
  if (raw.length < NONCE_BYTES + TAG_BYTES + 2) throw new BundleError('the sealed bundle is too short to be one (truncated?)');
  const nonce = raw.subarray(0, NONCE_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  const body = raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(AAD);
    decipher.setAuthTag(tag);
    plain = Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new BundleError(
      'cannot decrypt the control-plane certificates: the certificate key is wrong, or the bundle was replaced by a later ' +
        '`tandem token create --control-plane` (each one uploads them under a new key): use the --certificate-key printed with this token, or create a new token',
    );
  }
  const parsed = JSON.parse(plain.toString('utf8')) as { files?: unknown; notAfter?: unknown };
  if (typeof parsed.files !== 'object' || parsed.files === null) throw new BundleError('the bundle holds no files');
  const files: Record<string, string> = {};
  for (const [name, text] of Object.entries(parsed.files as Record<string, unknown>)) {
    if (typeof text !== 'string') throw new BundleError(`the bundle's ${name} is not text`);
    files[name] = text;
  }
  const notAfter = typeof parsed.notAfter === 'number' ? parsed.notAfter : undefined;
  if (notAfter !== undefined && notAfter <= now) {
    throw new BundleError(
      `the control-plane certificates expired at ${new Date(notAfter).toISOString()}: create a new token with \`tandem token create --control-plane\` on a running server`,
    );
  }
  return { files, ...(notAfter !== undefined ? { notAfter } : {}) };
}
