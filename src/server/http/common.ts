import type { Caller } from './auth.js';
import type { AppContext } from '../context.js';
import { DomainError } from '../platform/errors.js';
import type { UserRecord } from '../users/users.js';

/**
 * The user a request is about. With a user token it is the token's user (a `userId` in the
 * request must then name that same user); with an API key the request must name one.
 */
export function resolveUser(ctx: AppContext, caller: Caller, userId: string | undefined): UserRecord {
  if (caller.userId !== undefined) {
    const me = ctx.users.find(caller.env, caller.userId);
    if (!me) throw new DomainError('token_invalid', 'The user of this token no longer exists.');
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
