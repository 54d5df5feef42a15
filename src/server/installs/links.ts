import { createHash, randomBytes } from 'node:crypto';
import type { InstallUrlResponse } from '../../contract/index.js';
import type { Db } from '../platform/db/sqlite.js';
import { nowIso } from '../platform/db/sqlite.js';
import type { Environment } from '../users/index.js';

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export type LinkState =
  | { ok: true; userId: string; env: Environment; integrationId: string; expiresAt: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' };

interface LinkRow {
  user_id: string;
  env: Environment;
  integration_id: string;
  expires_at: string;
  used_at: string | null;
}

/**
 * Embedded Link tokens: 256 random bits, handed out once in the URL and stored only as a
 * SHA-256 hash, so a database leak does not leak working links. A link is good until it expires
 * or an install made through it succeeds (`redeem`).
 */
export class LinkService {
  constructor(
    private readonly db: Db,
    private readonly publicUrl: () => string,
  ) {}

  create(userId: string, integrationId: string, ttlSeconds: number, now = Date.now()): InstallUrlResponse {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now + ttlSeconds * 1000).toISOString();
    this.db
      .prepare(
        'INSERT INTO link_tokens (token_hash, user_id, integration_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(hashToken(token), userId, integrationId, new Date(now).toISOString(), expiresAt);
    return { url: `${this.publicUrl()}/link/${token}`, expiresAt };
  }

  /** What a link opens, without using it up (the Embedded Link page shows the install). */
  inspect(token: string, now = nowIso()): LinkState {
    const row = this.db
      .prepare(
        `SELECT l.user_id, u.env, l.integration_id, l.expires_at, l.used_at FROM link_tokens l
         JOIN users u ON u.id = l.user_id WHERE l.token_hash = ?`,
      )
      .get(hashToken(token)) as LinkRow | undefined;
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.used_at !== null) return { ok: false, reason: 'used' };
    if (row.expires_at <= now) return { ok: false, reason: 'expired' };
    return {
      ok: true,
      userId: row.user_id,
      env: row.env,
      integrationId: row.integration_id,
      expiresAt: row.expires_at,
    };
  }

  /** Uses the link up, once: a second call (or a concurrent one) gets `used`. */
  redeem(token: string, now = nowIso()): LinkState {
    return this.db.transaction(() => {
      const state = this.inspect(token, now);
      if (!state.ok) return state;
      this.db
        .prepare('UPDATE link_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL')
        .run(now, hashToken(token));
      return state;
    })();
  }
}
