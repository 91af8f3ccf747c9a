// The node lifecycle controller: Lease-based node health, condition taints and taint-based eviction.

export { startNodeLifecycleController } from './node-lifecycle-controller.js';
