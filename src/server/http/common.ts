import type { FastifyRequest } from 'fastify';
import type { Caller } from './auth.js';
import type { AppContext } from '../context.js';
import { DomainError } from '../platform/errors.js';
import type { UserRecord } from '../users/index.js';

/**
 * The user a request is about. With a user token it is the token's user (a `userId` in the
 * request must then name that same user); with an API key the request must name one.
 */
export async function resolveUser(ctx: AppContext, caller: Caller, userId: string | undefined): Promise<UserRecord> {
  if (caller.userId !== undefined) {
    const me = await ctx.users.requireTokenUser(caller);
    if (userId !== undefined && userId !== me.userId && userId !== me.username) {
      throw new DomainError('forbidden', 'A user token can only act for its own user.');
    }
    return me;
  }
  if (userId === undefined) {
    throw new DomainError('validation_failed', 'userId is required with an API key.', [
      { path: ['userId'], message: 'userId is required' },
    ]);
  }
  return ctx.users.require(caller.env, userId);
}

/** The Idempotency-Key header, if sent (validated by runIdempotent). */
export function idempotencyKey(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  return Array.isArray(key) ? key[0] : key;
}
