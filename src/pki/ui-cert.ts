// The web view's serving certificate, DATA/pki/ui.crt and ui.key, signed by the cluster CA: a
// separate port and identity from the API server (a browser that trusts the CA for the page does
// not thereby talk to the API with it). Made on the first start with the UI on, reused while it is
// the CA's, covers the hosts and is more than 30 days from expiry; reissued otherwise.

import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { tightenMode, writeFileAtomic } from '../base/fs-atomic.js';
import { generateInChild } from './pki-child.js';
import { PkiError, readOptional, servingCertProblem } from './pki.js';

export async function ensureUiCert(
  dataDir: string,
  o: { hosts: readonly string[]; ca: { certPem: string; keyPem?: string | undefined } },
): Promise<{ certPem: string; keyPem: string }> {
  const hosts = [...new Set(o.hosts.map((h) => h.trim()).filter((h) => h !== ''))];
  const certPath = join(dataDir, 'pki', 'ui.crt');
  const keyPath = join(dataDir, 'pki', 'ui.key');
  const [certPem, keyPem] = await Promise.all([readOptional(certPath), readOptional(keyPath)]);
  const ca = new X509Certificate(o.ca.certPem);
  const why = certPem !== undefined && keyPem !== undefined ? servingCertProblem(ca, certPem, keyPem, hosts, 30) : 'missing';
  if (why === undefined && certPem !== undefined && keyPem !== undefined) {
    await tightenMode(keyPath, 0o600);
    return { certPem, keyPem };
  }
  if (!o.ca.keyPem) throw new PkiError(`the web view's certificate ${certPath} must be (re)issued (${why}) but the CA key is missing`);
  const pair = await generateInChild({
    op: 'serving',
    req: { ca: { certPem: o.ca.certPem, keyPem: o.ca.keyPem }, hosts, days: 365, commonName: 'tandem-ui' },
  });
  await writeFileAtomic(keyPath, pair.keyPem, 0o600);
  await writeFileAtomic(certPath, pair.certPem, 0o644);
  return pair;
}
