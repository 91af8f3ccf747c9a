// The public face of src/pki (layer 1): a CA and serving certificates on disk, generated in a
// short-lived child process. The API server and the node agent both use it.

export { ensurePki, pkiPaths, PkiError } from './pki.js';
export { ensureClientCert, signCertificateRequest } from './client-cert.js';
