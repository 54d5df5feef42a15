import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Small hashing helpers shared by the server's modules (and, once adopted, the sandbox): tokens,
 * codes and browser bindings are stored as this digest, so raw values never sit in a row or a query.
 */
export const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

/** Compares two strings in constant time (whatever their lengths: both are hashed to 32 bytes first). */
export function timingSafeEqualText(a: string, b: string): boolean {
  return timingSafeEqual(
    createHash('sha256').update(a, 'utf8').digest(),
    createHash('sha256').update(b, 'utf8').digest(),
  );
}

/** PKCE S256 (RFC 7636 §4.2): BASE64URL(SHA256(ASCII(code_verifier))). */
export const pkceChallenge = (verifier: string): string =>
  createHash('sha256').update(verifier, 'ascii').digest('base64url');

/** A URL-safe random secret of `bytes` random bytes (state, verifiers, browser proofs). */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');
