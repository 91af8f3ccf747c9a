// The CA public key pin of `tandem join --ca-cert-hash`, in kubeadm's format: `sha256:` and the
// lower-case hex SHA-256 of the CA certificate's DER SubjectPublicKeyInfo. A pin on the key (not the
// whole certificate) survives the CA being re-issued with the same key, as kubeadm's does.

import { createHash, X509Certificate } from 'node:crypto';

const PREFIX = 'sha256:';

/** `sha256:<hex>` of the certificate's public key (PEM text, or a parsed certificate). */
export function caCertHash(cert: string | X509Certificate): string {
  const x = typeof cert === 'string' ? new X509Certificate(cert) : cert;
  const spki = x.publicKey.export({ type: 'spki', format: 'der' });
  return `${PREFIX}${createHash('sha256').update(spki).digest('hex')}`;
}

/** A `--ca-cert-hash` value, normalised (lower-case hex); throws an Error saying what the value must look like. */
export function parseCaCertHash(text: string): string {
  const t = text.trim();
  const colon = t.indexOf(':');
  if (colon < 0)
    throw new Error(`--ca-cert-hash ${JSON.stringify(text)}: must be sha256:<64 hex digits> (the format \`tandem token create\` prints)`);
  const type = t.slice(0, colon).toLowerCase();
  const hex = t.slice(colon + 1);
  if (type !== 'sha256')
    throw new Error(`--ca-cert-hash ${JSON.stringify(text)}: the hash type ${JSON.stringify(type)} is not supported (only sha256)`);
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new Error(`--ca-cert-hash ${JSON.stringify(text)}: a sha256 hash is 64 hex digits, this one has ${hex.length} characters`);
  }
  return `${PREFIX}${hex.toLowerCase()}`;
}
