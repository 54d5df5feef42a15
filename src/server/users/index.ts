/** The users module: end users, their tokens, the environments, and the server's own secrets (API keys, JWT secret). */
export { ENVIRONMENTS, type Environment } from './environment.js';
export { UserService, type UserListRow, type UserPage, type UserRecord } from './users.js';
export { userRoutes } from './routes.js';
export {
  INTEGRATION_CLAIM,
  USER_TOKEN_ALGORITHM,
  USER_TOKEN_ISSUER,
  USER_TOKEN_TTL_SECONDS,
  issueUserToken,
  userTokenAudience,
  verifyUserToken,
  type UserTokenClaims,
  type VerifyResult,
} from './user-token.js';
export {
  DIGEST_REREAD_MS,
  environmentForApiKey,
  loadSecrets,
  rotateApiKey,
  type LoadedSecrets,
  type ServerSecrets,
} from './secrets.js';
