import type { Caller } from './auth.js';
import type { AppContext } from '../context.js';
import type { Conn } from '../platform/db/index.js';
import { DomainError } from '../platform/errors.js';
import type { UserRecord } from '../users/index.js';

/**
 * The user a request is about. With a user token it is the token's user (a `userId` in the
 * request must then name that same user); with an API key the request must name one.
 */
export async function resolveUser(
  ctx: AppContext,
  caller: Caller,
  userId: string | undefined,
  conn: Conn = ctx.database,
): Promise<UserRecord> {
  if (caller.userId !== undefined) {
    const me = await ctx.users.requireTokenUser(caller, conn);
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
  return ctx.users.require(caller.env, userId, conn);
}

/** The user an optional `userId` names (by id or username; 404 when unknown), or undefined. */
export async function optionalUserId(
  ctx: AppContext,
  env: Caller['env'],
  userId: string | undefined,
  conn: Conn = ctx.database,
): Promise<string | undefined> {
  return userId === undefined ? undefined : (await ctx.users.require(env, userId, conn)).userId;
}
