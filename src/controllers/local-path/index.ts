// The built-in local-path provisioner: hostPath volumes under a node's volume root.

export { startLocalPathProvisioner } from './local-path-controller.js';
