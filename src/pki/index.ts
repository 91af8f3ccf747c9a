// The public face of src/pki (layer 1): a CA and serving certificates on disk, generated in a
// short-lived child process, node keys and certificate requests, and the CA public key pin. The API
// server and the node agent both use it.

export { ensurePki, pkiPaths, PkiError } from './pki.js';
export { generateKeyAndCsr, type CsrRequest } from './csr.js';
export { caCertHash, parseCaCertHash } from './ca-hash.js';
export { ensureClientCert, signCertificateRequest } from './client-cert.js';
export { ensureUiCert } from './ui-cert.js';
