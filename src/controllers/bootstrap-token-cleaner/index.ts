// The bootstrap token cleaner: expired bootstrap-token Secrets are deleted.

export { startBootstrapTokenCleaner } from './bootstrap-token-cleaner-controller.js';
