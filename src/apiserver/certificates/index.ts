// The API server's part of certificates.k8s.io: the approval subresource and the CSR admission plugin.

export { installCsrApproval } from './approval.js';
export { createCsrAdmission } from './csr-admission.js';
