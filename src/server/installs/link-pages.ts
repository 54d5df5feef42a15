import { randomBytes } from 'node:crypto';
import { inTransaction, nowIso, type Conn, type Database } from '../platform/db/index.js';
import type { Environment } from '../users/index.js';
import { hashToken as sha256, type LinkService } from './links.js';
import * as repo from './repository.js';

/** A page session lives an hour at most, and never beyond its link. */
export const LINK_PAGE_SESSION_TTL_MS = 60 * 60 * 1000;
/**
 * Page sessions kept per link while it is unclaimed. Every open of the link makes one, and whoever
 * holds the link can open it in a loop, so beyond this the oldest end (audit issue 13 item 17c).
 */
export const MAX_LINK_PAGE_SESSIONS_PER_LINK = 10;

export type LinkPageState =
  | { ok: true; userId: string; env: Environment; integrationId: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' };

/**
 * The Embedded Link page's sessions. Opening a link swaps its token for a random session id (in
 * an HttpOnly cookie; only its hash is stored), so the token leaves the address bar at once. The
 * link is used up when the user installs its integration.
 */
export class LinkPageSessions {
  constructor(
    private readonly database: Database,
    private readonly links: LinkService,
  ) {}

  /** A session for a valid link, or why there is none. */
  async open(
    token: string,
    now = Date.now(),
  ): Promise<
    { ok: true; sessionId: string; expiresAt: string } | { ok: false; reason: 'unknown' | 'expired' | 'used' }
  > {
    const tokenHash = sha256(token);
    return inTransaction(this.database, async (trx) => {
      const state = await this.links.inspect(token, new Date(now).toISOString(), trx);
      if (!state.ok) return state;
      // Redeemed by another page: opening it again (or elsewhere) must not replace that page's cookie.
      const link = await repo.findLinkToken(trx, tokenHash);
      if (link?.claimedSessionHash) return { ok: false, reason: 'used' as const };
      const sessionId = randomBytes(32).toString('base64url');
      const expiresAt = new Date(Math.min(now + LINK_PAGE_SESSION_TTL_MS, Date.parse(state.expiresAt))).toISOString();
      await repo.addLinkSession(
        trx,
        { idHash: sha256(sessionId), tokenHash, createdAt: new Date(now).toISOString(), expiresAt },
        MAX_LINK_PAGE_SESSIONS_PER_LINK,
      );
      return { ok: true as const, sessionId, expiresAt };
    });
  }

  /** Who the session is for, while both it and its link are good. */
  async find(sessionId: string, now = nowIso(), conn: Conn = this.database): Promise<LinkPageState> {
    const row = await repo.findLinkSession(conn, sha256(sessionId));
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.usedAt !== null) return { ok: false, reason: 'used' };
    if (row.claimedSessionHash !== null && row.claimedSessionHash !== sha256(sessionId)) {
      return { ok: false, reason: 'used' };
    }
    if (row.expiresAt <= now || row.sessionExpiresAt <= now) return { ok: false, reason: 'expired' };
    return { ok: true, userId: row.userId, env: row.env, integrationId: row.integrationId };
  }

  /**
   * Redeems the link for this page session: the first session to ask takes it (one conditional
   * UPDATE whose affected-row count decides, so of any number of parallel pages exactly one wins);
   * the same session may ask again (reload, token refresh); every other one gets `used`. Opening
   * alone takes nothing, so a mail scanner fetching the link (it runs no script) cannot use it up.
   */
  async redeem(sessionId: string, now = nowIso()): Promise<LinkPageState> {
    return inTransaction(this.database, async (trx): Promise<LinkPageState> => {
      const state = await this.find(sessionId, now, trx);
      if (!state.ok) return state;
      const taken = await repo.claimLinkForSession(trx, sha256(sessionId));
      return taken ? state : { ok: false, reason: 'used' };
    });
  }

  /**
   * After an install of `integrationId` by `userId` (inside its transaction): every link to it
   * that was opened (has a page session) is used up, and its sessions end. Returns how many links
   * were used up.
   */
  consume(userId: string, integrationId: string, now = nowIso(), conn: Conn = this.database): Promise<number> {
    return repo.consumeOpenedLinks(conn, { userId, integrationId, now });
  }
}
