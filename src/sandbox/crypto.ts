import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Tokens, codes and keys are looked up by this digest, so the raw values never sit in a query. */
export const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

/** A prefixed, URL-safe random credential (the prefix tells a leaked string's kind at a glance). */
export const randomCredential = (prefix: string, bytes = 32): string =>
  `${prefix}_${randomBytes(bytes).toString('base64url')}`;

export const randomId = (prefix: string): string => `${prefix}_${randomBytes(12).toString('hex')}`;

/** Compares two secrets without leaking where they differ. */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** PKCE S256 (RFC 7636 §4.2): BASE64URL(SHA256(ASCII(code_verifier))). */
export const pkceChallenge = (verifier: string): string =>
  createHash('sha256').update(verifier, 'ascii').digest('base64url');
