export { createTokenAuthenticator, ensureAdminToken } from './tokens.js';
export { isPublicPath, unauthorizedStatus } from './public-paths.js';
export { adminUser } from './user.js';
export type { UserInfo } from './user.js';
export { createRequestAuthenticator, staticTokenAuthenticator, unionTokenAuthenticator } from './authenticator.js';
export type { BearerTokenAuthenticator, RequestAuthenticator } from './authenticator.js';
export { alwaysAllowAuthorizer, forbiddenError, forbiddenText, privilegedGroupAuthorizer, unionAuthorizer } from './authorizer.js';
export type { AuthorizationAttributes, Authorizer } from './authorizer.js';
export { selfReviewAuthorizer } from './serviceaccount/self-review-authorizer.js';
