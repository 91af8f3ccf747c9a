// The public face of the API server, for the CLI's wiring.

export { createApiServer, type ApiServer, type ApiServerOptions } from './server.js';
export { expireEventsInStore, startEventTtl } from './registry/event-ttl.js';
export { reconcileKubernetesEndpoints, startKubernetesEndpoints } from './kubernetes-endpoints.js';
export { bootstrapCluster } from './bootstrap.js';
export { reconcileAPIServices } from './apiservices.js';
export { createDefaultIngressClassPlugin, storeIngressClassLister } from './admission/default-ingress-class.js';
export {
  createTokenAuthenticator,
  adminUser,
  nodeUser,
  serviceAccountUser,
  ensureAdminToken,
  createRequestAuthenticator,
  privilegedGroupAuthorizer,
  unionAuthorizer,
  staticTokenAuthenticator,
  unionTokenAuthenticator,
  createX509Authenticator,
  createBootstrapTokenAuthenticator,
  type Authorizer,
} from './auth/index.js';
export { createEscalationPlugin, createRbacAuthorizer, reconcileBootstrapPolicy, startPolicyFeed } from './auth/rbac/index.js';
// ServiceAccount tokens (beside auth/index.ts: their handlers need the handler context, which imports auth)
export { createServiceAccountTokens } from './auth/serviceaccount/index.js';
export { createPodSecurityPlugin, createStoreSource, parseDefaultPolicy, parseExemptions } from './admission/pod-security/index.js';
export { createStorageClassAdmission, createStoreClassSource } from './admission/storage-classes.js';
export { createServiceAccountAdmission, storeServiceAccountLookup } from './admission/service-account.js';
export type { UserInfo } from './auth/index.js';
export { createNodeAuthorization } from './node-authorization.js';
export { createResourceQuotaAdmission } from './admission/resource-quota.js';
export { createLimitRanger } from './admission/limit-ranger.js';
export { createPriorityPlugin, priorityClassesFromBackend } from './admission/priority.js';
