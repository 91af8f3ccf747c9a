// The garbage collector: deletes dependents whose owners are gone and carries out Foreground and
// Orphan deletion.

export { startGarbageCollector } from './gc-controller.js';
