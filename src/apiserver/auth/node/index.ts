// The Node authorizer: its graph of pods bound to nodes, fed from the store, and the authorizer.

export { createNodeAuthorizer } from './node-authorizer.js';
export { startNodeGraphSource } from './graph-source.js';
export { MIRROR_POD_ANNOTATION } from './graph.js';
export { podRefs } from './pod-refs.js';
