// Where a joined node keeps its credentials, under the agent's data dir (DATA/agent): its kubeconfig,
// and each certificate with its private key in ONE file (as upstream's kubelet-*-current.pem), so
// that a renewal replaces both in one atomic rename and a reader never sees a new certificate beside
// an old key. All of them are the owner's alone (0600).

import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno, writeFileAtomic } from '../../base/fs-atomic.js';

export interface NodeCredentialPaths {
  kubeconfig: string;
  /** the client certificate and key the node authenticates with */
  clientPem: string;
  /** the serving certificate and key of the agent's streaming server */
  servingPem: string;
}

export function nodeCredentialPaths(agentDataDir: string): NodeCredentialPaths {
  return {
    kubeconfig: join(agentDataDir, 'kubeconfig'),
    clientPem: join(agentDataDir, 'pki', 'kubelet-client-current.pem'),
    servingPem: join(agentDataDir, 'pki', 'kubelet-server-current.pem'),
  };
}

export interface PemPair {
  cert: string;
  key: string;
}

/** Writes the certificate (and any chain) followed by its key, atomically, mode 0600. */
export async function writePemPair(path: string, pair: PemPair): Promise<void> {
  const text = `${pair.cert.trimEnd()}\n${pair.key.trimEnd()}\n`;
  await writeFileAtomic(path, text, 0o600);
}

const BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----\n?/g;

/** Splits a combined file; undefined when it does not exist. Throws when it holds no certificate or no key. */
export async function readPemPair(path: string): Promise<(PemPair & { x509: X509Certificate }) | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return undefined;
    throw e;
  }
  const blocks = [...text.matchAll(BLOCK)];
  const cert = blocks.filter((b) => b[1] === 'CERTIFICATE').map((b) => b[0].trimEnd() + '\n');
  const key = blocks.find((b) => b[1]?.endsWith('PRIVATE KEY'))?.[0];
  if (cert.length === 0 || !key) throw new Error(`${path} must hold a certificate and its private key (PEM)`);
  const x509 = new X509Certificate(cert[0]!);
  if (!x509.checkPrivateKey(createPrivateKey(key))) throw new Error(`${path}: the private key does not belong to the certificate`);
  return { cert: cert.join(''), key: key.trimEnd() + '\n', x509 };
}
