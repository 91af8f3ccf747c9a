export { createTokenAuthenticator, ensureAdminToken } from './tokens.js';
export type { TokenAuthenticator } from './tokens.js';
export { isPublicPath, unauthorizedStatus } from './public-paths.js';
export { adminUser } from './user.js';
export type { UserInfo } from './user.js';
