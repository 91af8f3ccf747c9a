// The root CA publisher: the `kube-root-ca.crt` ConfigMap with the cluster CA in every namespace.

export { startRootCaPublisher } from './root-ca-publisher.js';
