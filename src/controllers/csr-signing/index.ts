// The CSR signer of the built-in kubelet and API-server-client signers, with the cluster CA.

export { startCsrSigningController } from './csr-signing-controller.js';
