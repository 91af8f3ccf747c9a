// The garbage collector: deletes dependents whose owners are gone and carries out Foreground and
// Orphan deletion.

export { startGarbageCollector, type GarbageCollectorOptions } from './gc-controller.js';
export { decideDependent, decideForeground, decideOrphan, ownerStateOf, type OwnerState } from './gc-decide.js';
