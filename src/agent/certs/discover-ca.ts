// Trust on first use, pinned: a joining node has no CA yet, so it opens a TLS connection without
// verifying, takes the CA from the chain the server presents, and trusts it only if its public key
// matches the --ca-cert-hash the administrator got from `tandem token create`, and it did sign the
// server's certificate. Every later connection verifies against that CA.

import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import tls, { type DetailedPeerCertificate } from 'node:tls';
import { caCertHash } from '../../pki/index.js';

/** The certificates the server presented, its own first (DER). */
function presentedChain(url: string, timeoutMs = 10_000): Promise<Buffer[]> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || 443);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }) }, () => {
      const chain: Buffer[] = [];
      let c: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      const seen = new Set<string>();
      while (c?.raw && !seen.has(c.fingerprint256)) {
        seen.add(c.fingerprint256);
        chain.push(c.raw);
        c = c.issuerCertificate;
      }
      socket.end();
      resolve(chain);
    });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no TLS answer from ${u.host} within ${timeoutMs / 1000} s`)));
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'ECONNREFUSED'
          ? 'connection refused: is the server running, and listening on an address this host can reach?'
          : e.message;
      reject(new Error(`cannot reach ${u.host}: ${why}`, { cause: e }));
    });
  });
}

/** Thrown when the presented CA does not match the pin: the message names both hashes. */
export class CaHashMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string[],
    server: string,
  ) {
    super(
      `the server at ${server} presented a CA whose public key hash is ${actual.join(' or ')}, but --ca-cert-hash is ${expected}: ` +
        'refusing to trust it. Check the hash printed by `tandem token create` on the server (and that this is the right server)',
    );
    this.name = 'CaHashMismatchError';
  }
}

/**
 * The PEM of the CA in the server's presented chain whose public key hash is `expectedHash` and that
 * issued the server's certificate (directly or through the chain).
 */
export async function discoverPinnedCa(url: string, expectedHash: string, timeoutMs?: number): Promise<string> {
  const chain = (await presentedChain(url, timeoutMs)).map((d) => new X509Certificate(d));
  const leaf = chain[0];
  if (!leaf) throw new Error(`the server at ${url} presented no certificate`);
  const cas = chain.filter((c) => c.ca);
  if (cas.length === 0) {
    throw new Error(
      `the server at ${url} presented only its own certificate, no CA: it must serve its chain (server certificate and CA) for \`tandem join\``,
    );
  }
  const ca = cas.find((c) => caCertHash(c) === expectedHash);
  if (!ca)
    throw new CaHashMismatchError(
      expectedHash,
      cas.map((c) => caCertHash(c)),
      url,
    );
  // the pinned CA must vouch for the server: each certificate issued by the next, up to the CA
  for (let i = 0; i < chain.length - 1 && chain[i] !== ca; i++) {
    const child = chain[i]!;
    const parent = chain[i + 1]!;
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      throw new Error(`the server at ${url} presented a broken chain: ${child.subject} is not signed by ${parent.subject}`);
    }
  }
  return ca.toString();
}
