// The CSR approver: node client certificates after an access check, node serving certificates for the node's own addresses.

export { startCsrApprovingController } from './csr-approving-controller.js';
export { defaultNodeClientAccess, type AccessCheck } from './csr-approving-decide.js';
