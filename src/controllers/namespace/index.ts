// The namespace controller: clears the content of a Namespace being deleted, then finalizes it.

export { startNamespaceController } from './namespace-controller.js';
