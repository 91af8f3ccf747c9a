// The public face of src/controllers: one start function per controller.

export { startGarbageCollector, type GarbageCollector, type GarbageCollectorOptions } from './gc/gc-controller.js';
export { startNamespaceController, type NamespaceController, type NamespaceControllerOptions } from './namespace/namespace-controller.js';
