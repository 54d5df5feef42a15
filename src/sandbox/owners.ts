import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../server/platform/db/sqlite.js';
import { randomCredential, secretsEqual, sha256Hex } from './crypto.js';
import { readCookie } from './forms.js';

/** The store owner's session cookie (HttpOnly, SameSite=Strict, scoped to the sandbox's path). */
export const OWNER_COOKIE = 'ds_owner';
/** A dashboard session lasts a working day; signing in again is one paste of the owner secret. */
export const OWNER_SESSION_TTL_MS = 12 * 3600_000;
/** Pinned owner secrets (ALLOY_SANDBOX_OWNER_SECRET) must be at least this long: they are stored as plain SHA-256. */
export const MIN_OWNER_SECRET_LENGTH = 24;

export const newOwnerSecret = (): string => randomCredential('dsown', 24);

export interface OwnerSession {
  /** The stores this browser proved it owns (one sign-in per store). */
  storeIds: string[];
  /** Sent back in `x-csrf-token` on every change; derived from the HttpOnly session token. */
  csrfToken: string;
}

/**
 * Store owners: each store has an owner secret (shown once when the store is created, or printed
 * at start-up for the seeded store), stored as a SHA-256 digest. Owner secrets are 192-bit random
 * values (or pinned ones of at least 24 characters), so a fast digest is enough, as for API keys.
 * Signing in to a store adds it to the browser's session; sessions are stored as digests too.
 */
export class OwnerService {
  constructor(private readonly db: Db) {}

  /** Replaces a store's owner secret; sessions signed in with the old one end. */
  setSecret(storeId: string, secret: string): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE sandbox_stores SET owner_secret_hash = ? WHERE id = ?').run(sha256Hex(secret), storeId);
      this.db.prepare('DELETE FROM sandbox_owner_sessions WHERE store_id = ?').run(storeId);
    })();
  }

  /** Whether `secret` is the owner secret of `storeId` (constant-time on the digests). */
  verify(storeId: string, secret: string): boolean {
    const row = this.db.prepare('SELECT owner_secret_hash FROM sandbox_stores WHERE id = ?').get(storeId) as
      { owner_secret_hash: string | null } | undefined;
    // A store without an owner secret (made before owners existed) cannot be signed in to.
    if (!row?.owner_secret_hash) return false;
    return secretsEqual(row.owner_secret_hash, sha256Hex(secret));
  }

  /** Adds `storeId` to the session `token` (a new session when there is none); returns the token. */
  signIn(token: string | undefined, storeId: string): string {
    const current = token !== undefined && this.session(token) ? token : randomCredential('dsos');
    this.db
      .prepare(
        `INSERT INTO sandbox_owner_sessions (token_hash, store_id, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (token_hash, store_id) DO UPDATE SET expires_at = excluded.expires_at`,
      )
      .run(sha256Hex(current), storeId, Date.now() + OWNER_SESSION_TTL_MS);
    return current;
  }

  session(token: string | undefined): OwnerSession | undefined {
    if (token === undefined || token.length > 200) return undefined;
    this.db.prepare('DELETE FROM sandbox_owner_sessions WHERE expires_at <= ?').run(Date.now());
    const rows = this.db
      .prepare('SELECT store_id FROM sandbox_owner_sessions WHERE token_hash = ? ORDER BY rowid')
      .all(sha256Hex(token)) as { store_id: string }[];
    if (rows.length === 0) return undefined;
    return { storeIds: rows.map((r) => r.store_id), csrfToken: csrfTokenFor(token) };
  }

  signOut(token: string | undefined): void {
    if (token !== undefined)
      this.db.prepare('DELETE FROM sandbox_owner_sessions WHERE token_hash = ?').run(sha256Hex(token));
  }
}

/** The CSRF token of a session: only someone who can read the HttpOnly token (the server) can derive it. */
export const csrfTokenFor = (sessionToken: string): string => sha256Hex(`csrf:${sessionToken}`);

export const readOwnerToken = (request: FastifyRequest): string | undefined => readCookie(request, OWNER_COOKIE);

export function setOwnerCookie(
  reply: FastifyReply,
  options: { token: string | undefined; basePath: string; secure: boolean },
): void {
  const attributes = `Path=${options.basePath}; HttpOnly; SameSite=Strict${options.secure ? '; Secure' : ''}`;
  reply.header(
    'set-cookie',
    options.token === undefined
      ? `${OWNER_COOKIE}=; Max-Age=0; ${attributes}`
      : `${OWNER_COOKIE}=${options.token}; Max-Age=${OWNER_SESSION_TTL_MS / 1000}; ${attributes}`,
  );
}
