import { createHash, randomBytes } from 'node:crypto';
import type { ConsoleLink, InstallUrlResponse } from '../../contract/index.js';
import { inTransaction, nowIso, type Conn, type Database } from '../platform/db/index.js';
import type { Environment } from '../users/index.js';
import * as repo from './repository.js';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** How many links `list` answers at most. */
export const LINK_LIST_LIMIT = 50;

export type LinkState =
  | { ok: true; userId: string; env: Environment; integrationId: string; expiresAt: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' };

/**
 * Embedded Link tokens: 256 random bits, handed out once in the URL and stored only as a
 * SHA-256 hash, so a database leak does not leak working links. A link is good until it expires
 * or an install made through it succeeds (`redeem`).
 */
export class LinkService {
  constructor(
    private readonly database: Database,
    private readonly publicUrl: () => string,
  ) {}

  async create(
    userId: string,
    integrationId: string,
    ttlSeconds: number,
    now = Date.now(),
  ): Promise<InstallUrlResponse> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now + ttlSeconds * 1000).toISOString();
    await repo.insertLinkToken(this.database, {
      tokenHash: hashToken(token),
      userId,
      integrationId,
      createdAt: new Date(now).toISOString(),
      expiresAt,
    });
    return { url: `${this.publicUrl()}/link/${token}`, expiresAt };
  }

  /** What a link opens, without using it up (the Embedded Link page shows the install). */
  async inspect(token: string, now = nowIso(), conn: Conn = this.database): Promise<LinkState> {
    const row = await repo.findLinkToken(conn, hashToken(token));
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.usedAt !== null) return { ok: false, reason: 'used' };
    if (row.expiresAt <= now) return { ok: false, reason: 'expired' };
    return { ok: true, userId: row.userId, env: row.env, integrationId: row.integrationId, expiresAt: row.expiresAt };
  }

  /**
   * Uses the link up, once. The use is one conditional UPDATE whose affected-row count decides:
   * of two calls at once exactly one gets the link, the other `used`.
   */
  async redeem(token: string, now = nowIso()): Promise<LinkState> {
    return inTransaction(this.database, async (trx) => {
      const state = await this.inspect(token, now, trx);
      if (!state.ok) return state;
      const taken = await repo.useLinkToken(trx, hashToken(token), now);
      return taken ? state : { ok: false, reason: 'used' };
    });
  }

  /**
   * The links made for the environment's users (optionally one user's, one integration's), newest
   * first, at most LINK_LIST_LIMIT, with their status at `now`. Never the token or its hash.
   */
  async list(
    env: Environment,
    filter: { userId?: string | undefined; integrationId?: string | undefined },
    now = nowIso(),
  ): Promise<ConsoleLink[]> {
    const rows = await repo.listLinkTokens(this.database, env, filter, LINK_LIST_LIMIT);
    return rows.map((row) => ({
      userId: row.userId,
      integrationId: row.integrationId,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      ...(row.usedAt !== null
        ? { status: 'used' as const, usedAt: row.usedAt }
        : { status: row.expiresAt <= now ? ('expired' as const) : ('unused' as const) }),
    }));
  }

  /** Retention: deletes at most `limit` links that expired before `cutoff`, in one statement; how many. */
  pruneExpiredLinks(cutoff: string, limit: number, conn: Conn = this.database): Promise<number> {
    return repo.pruneLinkTokens(conn, cutoff, limit);
  }

  /** Retention: deletes at most `limit` Embedded Link page sessions expired before `cutoff`; how many. */
  pruneExpiredPageSessions(cutoff: string, limit: number, conn: Conn = this.database): Promise<number> {
    return repo.pruneLinkSessions(conn, cutoff, limit);
  }
}
