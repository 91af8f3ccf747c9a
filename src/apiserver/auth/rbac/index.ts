// RBAC: the policy index fed from the store, the authorizer and rule resolver over it, escalation
// prevention, and the default policy reconciled at start.

export { startPolicyFeed } from './policy-feed.js';
export { createRbacAuthorizer } from './rbac-authorizer.js';
export { createEscalationPlugin } from './escalation.js';
export { reconcileBootstrapPolicy } from './bootstrap-reconcile.js';
