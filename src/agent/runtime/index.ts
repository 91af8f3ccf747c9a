// The runtime seam of the agent: the one Runtime interface, and the router that puts several
// runtimes behind it, picking by a pod's RuntimeClass handler.

export type { Runtime } from './runtime.js';
export { createRuntimeRouter } from './runtime-router.js';
