/**
 * Issue 17: user tokens are signed with node:crypto's HMAC rather than jose's SignJWT (which
 * imported the secret through WebCrypto on every token). The tokens must be the very bytes jose
 * made, and jose must still verify them.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignJWT, jwtVerify } from 'jose';
import {
  INTEGRATION_CLAIM,
  USER_TOKEN_ISSUER,
  USER_TOKEN_TTL_SECONDS,
  issueUserToken,
  userTokenAudience,
  verifyUserToken,
} from '../../src/server/users/user-token.js';

/** How tokens were made before: jose's SignJWT with the same claims. */
async function joseToken(
  secret: Uint8Array,
  claims: { userId: string; env: 'development' | 'production'; integrationId?: string },
  now: number,
): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT(claims.integrationId === undefined ? {} : { [INTEGRATION_CLAIM]: claims.integrationId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuer(USER_TOKEN_ISSUER)
    .setAudience(userTokenAudience(claims.env))
    .setIssuedAt(iat)
    .setExpirationTime(iat + USER_TOKEN_TTL_SECONDS)
    .sign(secret);
}

describe('user tokens', () => {
  const secret = randomBytes(32);
  const now = Date.UTC(2026, 11, 6, 3, 0, 0, 123);

  for (const claims of [
    { userId: 'usr_1', env: 'development' as const },
    { userId: 'usr_é"\\2', env: 'production' as const },
    { userId: 'usr_3', env: 'development' as const, integrationId: 'int_9' },
  ]) {
    test(`are the bytes jose signs (${JSON.stringify(claims)})`, async () => {
      assert.equal(await issueUserToken(secret, claims, now), await joseToken(secret, claims, now));
    });
  }

  test('verify with jose and with verifyUserToken, for their environment only', async () => {
    const token = await issueUserToken(secret, { userId: 'usr_1', env: 'production', integrationId: 'int_2' });
    const { payload, protectedHeader } = await jwtVerify(token, secret, {
      algorithms: ['HS256'],
      audience: userTokenAudience('production'),
      issuer: USER_TOKEN_ISSUER,
    });
    assert.deepEqual(protectedHeader, { alg: 'HS256', typ: 'JWT' });
    assert.equal(payload.sub, 'usr_1');
    assert.equal(payload.exp! - payload.iat!, USER_TOKEN_TTL_SECONDS);
    assert.deepEqual(await verifyUserToken(secret, token), {
      ok: true,
      userId: 'usr_1',
      env: 'production',
      integrationId: 'int_2',
    });
  });

  test('another secret, a changed payload or an expired token is refused', async () => {
    const token = await issueUserToken(secret, { userId: 'usr_1', env: 'development' });
    assert.equal((await verifyUserToken(randomBytes(32), token)).ok, false);
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ sub: 'usr_2', iss: USER_TOKEN_ISSUER, aud: userTokenAudience('development'), iat: 1, exp: 2 }),
    ).toString('base64url');
    assert.deepEqual(await verifyUserToken(secret, `${header}.${forged}.${signature}`), {
      ok: false,
      code: 'token_invalid',
      message: 'The user token is not valid.',
    });
    const old = await issueUserToken(secret, { userId: 'usr_1', env: 'development' }, Date.now() - 2 * 3600_000);
    assert.deepEqual(await verifyUserToken(secret, old), {
      ok: false,
      code: 'token_expired',
      message: 'The user token has expired; request a new one.',
    });
  });
});
