import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../platform/db/sqlite.js';
import { nowIso } from '../platform/db/sqlite.js';
import type { Environment } from '../users/index.js';
import type { LinkService } from './links.js';

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

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
    private readonly db: Db,
    private readonly links: LinkService,
  ) {}

  /** A session for a valid link, or why there is none. */
  open(
    token: string,
    now = Date.now(),
  ): { ok: true; sessionId: string; expiresAt: string } | { ok: false; reason: 'unknown' | 'expired' | 'used' } {
    const state = this.links.inspect(token, new Date(now).toISOString());
    if (!state.ok) return state;
    // Redeemed by another page: opening it again (or elsewhere) must not replace that page's cookie.
    const claimed = this.db
      .prepare('SELECT claimed_session_hash FROM link_tokens WHERE token_hash = ?')
      .get(sha256(token)) as { claimed_session_hash: string | null } | undefined;
    if (claimed?.claimed_session_hash) return { ok: false, reason: 'used' };
    const sessionId = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Math.min(now + LINK_PAGE_SESSION_TTL_MS, Date.parse(state.expiresAt))).toISOString();
    const tokenHash = sha256(token);
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO link_sessions (id_hash, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)')
        .run(sha256(sessionId), tokenHash, new Date(now).toISOString(), expiresAt);
      this.db
        .prepare(
          `DELETE FROM link_sessions WHERE token_hash = ? AND (expires_at <= ? OR id_hash NOT IN
             (SELECT id_hash FROM link_sessions WHERE token_hash = ? ORDER BY created_at DESC, rowid DESC LIMIT ?))`,
        )
        .run(tokenHash, new Date(now).toISOString(), tokenHash, MAX_LINK_PAGE_SESSIONS_PER_LINK);
    })();
    return { ok: true, sessionId, expiresAt };
  }

  /** Who the session is for, while both it and its link are good. */
  find(sessionId: string, now = nowIso()): LinkPageState {
    const row = this.db
      .prepare(
        `SELECT s.expires_at AS session_expires, l.user_id, u.env, l.integration_id, l.expires_at, l.used_at,
           l.claimed_session_hash
         FROM link_sessions s JOIN link_tokens l ON l.token_hash = s.token_hash JOIN users u ON u.id = l.user_id
         WHERE s.id_hash = ?`,
      )
      .get(sha256(sessionId)) as
      | {
          session_expires: string;
          user_id: string;
          env: Environment;
          integration_id: string;
          expires_at: string;
          used_at: string | null;
          claimed_session_hash: string | null;
        }
      | undefined;
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.used_at !== null) return { ok: false, reason: 'used' };
    if (row.claimed_session_hash !== null && row.claimed_session_hash !== sha256(sessionId)) {
      return { ok: false, reason: 'used' };
    }
    if (row.expires_at <= now || row.session_expires <= now) return { ok: false, reason: 'expired' };
    return { ok: true, userId: row.user_id, env: row.env, integrationId: row.integration_id };
  }

  /**
   * Redeems the link for this page session: the first session to ask takes it (one statement, so
   * of any number of parallel pages exactly one wins); the same session may ask again (reload,
   * token refresh); every other one gets `used`. Opening alone takes nothing, so a mail scanner
   * fetching the link (it runs no script) cannot use it up.
   */
  redeem(sessionId: string, now = nowIso()): LinkPageState {
    return this.db.transaction((): LinkPageState => {
      const state = this.find(sessionId, now);
      if (!state.ok) return state;
      const own = sha256(sessionId);
      const taken = this.db
        .prepare(
          `UPDATE link_tokens SET claimed_session_hash = ?
           WHERE token_hash = (SELECT token_hash FROM link_sessions WHERE id_hash = ?)
             AND (claimed_session_hash IS NULL OR claimed_session_hash = ?)`,
        )
        .run(own, own, own).changes;
      return taken === 1 ? state : { ok: false, reason: 'used' };
    })();
  }

  /**
   * After an install of `integrationId` by `userId`: every link to it that was opened (has a page
   * session) is used up, and its sessions end. Returns how many links were used up.
   */
  consume(userId: string, integrationId: string, now = nowIso()): number {
    return this.db.transaction(() => {
      const opened = this.db
        .prepare(
          `SELECT DISTINCT l.token_hash FROM link_tokens l JOIN link_sessions s ON s.token_hash = l.token_hash
           WHERE l.user_id = ? AND l.integration_id = ? AND l.used_at IS NULL AND l.expires_at > ?`,
        )
        .all(userId, integrationId, now) as { token_hash: string }[];
      const use = this.db.prepare('UPDATE link_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL');
      const end = this.db.prepare('DELETE FROM link_sessions WHERE token_hash = ?');
      for (const { token_hash } of opened) {
        use.run(now, token_hash);
        end.run(token_hash);
      }
      return opened.length;
    })();
  }
}
