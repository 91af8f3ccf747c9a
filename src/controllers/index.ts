// The public face of src/controllers: one start function per controller.

export { startGarbageCollector, type GarbageCollector, type GarbageCollectorOptions } from './gc/gc-controller.js';
export { startNamespaceController, type NamespaceController, type NamespaceControllerOptions } from './namespace/namespace-controller.js';
export { startReplicaSetController } from './replicaset/index.js';
export { startDeploymentController } from './deployment/index.js';
export type { ControllerDeps, RunningController } from './shared/controller-deps.js';
export { startDaemonSetController } from './daemonset/index.js';
export { startJobController } from './job/index.js';
export { startEndpointsController } from './endpoints/index.js';
export { startServiceAccountController } from './serviceaccount/index.js';
export { startNodeLifecycleController } from './node-lifecycle/index.js';
