/**
 * A cheap, dependency-free shape check shared by the CDN loader and the token store, so a wrong
 * argument to `setToken` fails at once even before the runtime has loaded.
 */
export const MAX_TOKEN_LENGTH = 8 * 1024;
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

export const looksLikeJwt = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= MAX_TOKEN_LENGTH && JWT_SHAPE.test(value);

/** Deliberately never quotes the value: tokens must not reach error messages or the console. */
export const describeNonToken = (value: unknown): string =>
  typeof value !== 'string'
    ? `got ${value === null ? 'null' : typeof value}`
    : value.length === 0
      ? 'got an empty string'
      : value.length > MAX_TOKEN_LENGTH
        ? `got ${value.length} characters (a user token is far shorter)`
        : 'got a string that is not three base64url segments separated by dots';
