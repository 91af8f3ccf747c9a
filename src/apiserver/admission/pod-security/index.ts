// Pod Security admission (upstream's k8s.io/pod-security-admission): the plugin, the store-backed
// source it reads namespaces and pods from, and the cluster-wide default's parser for the CLI.

export { createPodSecurityPlugin } from './plugin.js';
export { createStoreSource } from './source.js';
export { parseDefaultPolicy, parseExemptions } from './config.js';
