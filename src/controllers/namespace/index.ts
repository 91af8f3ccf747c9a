// The namespace controller: clears the content of a Namespace being deleted, then finalizes it.

export { startNamespaceController, type NamespaceControllerOptions } from './namespace-controller.js';
export { needsCleanup, contentResources, deletionConditions } from './namespace-decide.js';
