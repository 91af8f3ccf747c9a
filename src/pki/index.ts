// The public face of src/pki (layer 1): a CA and serving certificates on disk, generated in a
// short-lived child process. The API server and the node agent both use it.

export { ensurePki, normalizeHosts, pkiPaths, servingCertProblem, PkiError, CA_COMMON_NAME, SERVER_COMMON_NAME } from './pki.js';
export type { PkiMaterial, PkiOptions, PkiPaths } from './pki.js';
