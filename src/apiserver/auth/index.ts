export { adminTokenPath, bearerToken, createTokenAuthenticator, ensureAdminToken, generateToken } from './tokens.js';
export type { TokenAuthenticator, TokenEntry } from './tokens.js';
export { isPublicPath, unauthorizedStatus } from './public-paths.js';
export {
  adminUser, anonymousUser, nodeUser, nodeNameOf, ADMIN_USER_NAME, NODE_USER_PREFIX,
  GROUP_AUTHENTICATED, GROUP_MASTERS, GROUP_NODES, GROUP_UNAUTHENTICATED,
} from './user.js';
export type { UserInfo } from './user.js';
