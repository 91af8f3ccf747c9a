// The CSR cleaner: old requests are deleted, as upstream's.

export { startCsrCleanerController } from './csr-cleaner-controller.js';
