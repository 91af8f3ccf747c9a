// The public face of src/controllers: one start function per controller.

export { startGarbageCollector, type GarbageCollector, type GarbageCollectorOptions } from './gc/gc-controller.js';
export { startNamespaceController, type NamespaceController, type NamespaceControllerOptions } from './namespace/namespace-controller.js';
export { startReplicaSetController } from './replicaset/index.js';
export { startDeploymentController } from './deployment/index.js';
export type { ControllerDeps, RunningController } from './shared/controller-deps.js';
