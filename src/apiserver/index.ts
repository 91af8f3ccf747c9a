// The public face of the API server, for the CLI's wiring.

export { createApiServer, type ApiServer } from './server.js';
export { startEventTtl } from './registry/event-ttl.js';
export { bootstrapCluster } from './bootstrap.js';
export {
  createTokenAuthenticator,
  adminUser,
  ensureAdminToken,
  createRequestAuthenticator,
  privilegedGroupAuthorizer,
  unionAuthorizer,
  createX509Authenticator,
  createBootstrapTokenAuthenticator,
  type Authorizer,
} from './auth/index.js';
