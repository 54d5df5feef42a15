import { createHmac, createSecretKey, webcrypto, type KeyObject } from 'node:crypto';
import { errors, jwtVerify } from 'jose';
import type { Environment } from './environment.js';

export const USER_TOKEN_ISSUER = 'alloy-embedded';
export const USER_TOKEN_ALGORITHM = 'HS256';
export const USER_TOKEN_TTL_SECONDS = 60 * 60;
/** Tokens from one environment must not work in the other, so the audience names it. */
export const userTokenAudience = (env: Environment): string => `alloy-embedded-widget:${env}`;

/** Seconds of clock skew tolerated on `exp` and on an `iat` in the future. */
const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * The private claim naming the one integration an Embedded Link's token may touch. A token with it
 * is refused on every other integration and its workflows (ISV-issued tokens have none).
 */
export const INTEGRATION_CLAIM = 'alloy_integration';

export interface UserTokenClaims {
  userId: string;
  env: Environment;
  /** Scopes the token to one integration (Embedded Link sessions). */
  integrationId?: string;
}

/** The protected header of every user token, encoded once. */
const ENCODED_HEADER = Buffer.from(JSON.stringify({ alg: USER_TOKEN_ALGORITHM, typ: 'JWT' })).toString('base64url');

/**
 * Signs a user token (compact JWS, HS256) with node:crypto's HMAC: synchronous, and no key import
 * per token (jose's SignJWT imported the secret through WebCrypto on every call, a fifth of the
 * time token issuance took). The bytes are jose's: same header, same claims in the same order
 * (test/server/user-token.test.ts compares them).
 */
export async function issueUserToken(secret: Uint8Array, claims: UserTokenClaims, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  const payload = {
    ...(claims.integrationId === undefined ? {} : { [INTEGRATION_CLAIM]: claims.integrationId }),
    sub: claims.userId,
    iss: USER_TOKEN_ISSUER,
    aud: userTokenAudience(claims.env),
    iat,
    exp: iat + USER_TOKEN_TTL_SECONDS,
  };
  const signingInput = `${ENCODED_HEADER}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${signingInput}.${createHmac('sha256', signingKey(secret)).update(signingInput).digest('base64url')}`;
}

/** The secret as a KeyObject, made once per secret rather than on every token. */
const signingKeys = new WeakMap<Uint8Array, KeyObject>();

function signingKey(secret: Uint8Array): KeyObject {
  let key = signingKeys.get(secret);
  if (!key) {
    key = createSecretKey(secret);
    signingKeys.set(secret, key);
  }
  return key;
}

/** The secret imported once for jose's verification (per secret: tests run several servers). */
const verifyKeys = new WeakMap<Uint8Array, Promise<webcrypto.CryptoKey>>();

function verifyKey(secret: Uint8Array): Promise<webcrypto.CryptoKey> {
  let key = verifyKeys.get(secret);
  if (!key) {
    key = webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    verifyKeys.set(secret, key);
  }
  return key;
}

export type VerifyResult =
  | { ok: true; userId: string; env: Environment; integrationId?: string }
  | { ok: false; code: 'token_expired' | 'token_invalid'; message: string };

/**
 * Verifies a user token: algorithm pinned, exp/iat/sub/aud/iss required, `iat` not in the future.
 * Only an otherwise valid but expired token yields `token_expired`, so clients refresh only then.
 */
export async function verifyUserToken(secret: Uint8Array, token: string): Promise<VerifyResult> {
  const key = await verifyKey(secret);
  for (const env of ['development', 'production'] as const) {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: [USER_TOKEN_ALGORITHM],
        issuer: USER_TOKEN_ISSUER,
        audience: userTokenAudience(env),
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      const nowSeconds = Math.floor(Date.now() / 1000);
      if (typeof payload.iat !== 'number' || payload.iat > nowSeconds + CLOCK_TOLERANCE_SECONDS) {
        return { ok: false, code: 'token_invalid', message: 'The user token was issued in the future.' };
      }
      const scope = payload[INTEGRATION_CLAIM];
      if (scope !== undefined && typeof scope !== 'string') {
        return { ok: false, code: 'token_invalid', message: 'The user token is not valid.' };
      }
      return { ok: true, userId: payload.sub!, env, ...(scope === undefined ? {} : { integrationId: scope }) };
    } catch (error) {
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud') continue;
      if (error instanceof errors.JWTExpired) {
        return { ok: false, code: 'token_expired', message: 'The user token has expired; request a new one.' };
      }
      return { ok: false, code: 'token_invalid', message: 'The user token is not valid.' };
    }
  }
  return { ok: false, code: 'token_invalid', message: 'The user token is not valid.' };
}
