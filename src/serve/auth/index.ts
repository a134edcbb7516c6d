/** Users, tokens and HTTP Basic authentication of `pyindex serve`. */
export { Authenticator, type AuthOutcome, type AuthenticatorOptions, type Principal } from './authenticator.js';
export { CHALLENGE, REALM, parseBasicAuth, type BasicCredentials } from './basic.js';
export { authorizeRead, clientAddress, requirePrincipal, sendUnauthorized } from './http.js';
export { CredentialRateLimiter, type RateLimitOptions } from './rate-limit.js';
export { hashSecret, verifySecret } from './secret.js';
export {
  ROLES,
  TOKEN_USERNAME,
  assertUserName,
  createToken,
  readUsersFile,
  removeUser,
  revokeToken,
  setUser,
  usersFilePath,
  type Role,
  type UsersFile,
} from './users-file.js';
