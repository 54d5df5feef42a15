import type { Caller } from '../http/auth.js';
import type { AppContext } from '../context.js';
import { resolveUser } from '../http/common.js';
import type { Conn } from '../platform/db/index.js';

/** The user id of a user-token caller; a token whose user no longer exists is refused (401). */
export async function currentUser(ctx: AppContext, caller: Caller, conn: Conn = ctx.database): Promise<string> {
  const user = await resolveUser(ctx, caller, undefined, conn);
  return user.userId;
}
