// Key and certificate request generation for node credentials (join and renewals), in a child
// process like every other use of @peculiar/x509 (see pki-child.ts).

import type { CsrPair, CsrRequest } from './pki-csr.js';
import { generateInChild } from './pki-child.js';

export type { CsrPair, CsrRequest };

/** A new ECDSA P-256 private key (PKCS#8 PEM, for the caller to write 0600) and a CSR for it. */
export function generateKeyAndCsr(req: CsrRequest): Promise<CsrPair> {
  return generateInChild({ op: 'csr', req });
}
