// The runtime seam of the agent: the one Runtime interface, and the router that puts several
// runtimes behind it, picking by a pod's RuntimeClass handler.

export * from './runtime.js';
export { createRuntimeRouter, mergeConditions, type RuntimeRouter, type RuntimeRouterOptions } from './runtime-router.js';
