// The public face of the node's certificates: the join's bootstrap (CA pin, CSR as the bootstrap
// token's user, the node kubeconfig) and the renewals of a joined node's client and serving
// certificates.

export { bootstrapNode, checkBootstrapToken, type BootstrapResult } from './bootstrap.js';
export { startNodeCertificates, type NodeCertificates } from './node-certificates.js';
export { nodeCredentialPaths } from './node-files.js';
export { CaHashMismatchError, discoverPinnedCa } from './discover-ca.js';
