import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomCredential, secretsEqual, sha256Hex } from './crypto.js';
import { inSandboxTransaction, type SandboxDatabase } from './db.js';
import { readCookie } from './forms.js';
import * as repo from './store-repository.js';

/** The store owner's session cookie (HttpOnly, SameSite=Strict, scoped to the sandbox's path). */
export const OWNER_COOKIE = 'ds_owner';
/** A dashboard session lasts a working day; signing in again is one paste of the owner secret. */
export const OWNER_SESSION_TTL_MS = 12 * 3600_000;
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
 * values (pinned ones must pass the server's pinned-key check: length and estimated randomness),
 * so a fast digest is enough, as for API keys. Wrong secrets are counted per client address.
 * Signing in to a store adds it to the browser's session; sessions are stored as digests too.
 */
export class OwnerService {
  constructor(private readonly database: SandboxDatabase) {}

  /** Replaces a store's owner secret; sessions signed in with the old one end. */
  async setSecret(storeId: string, secret: string): Promise<void> {
    await inSandboxTransaction(this.database, async (trx) => {
      await repo.setOwnerSecretHash(trx, storeId, sha256Hex(secret));
      await repo.deleteOwnerSessionsOfStore(trx, storeId);
    });
  }

  /** Whether `secret` is the owner secret of `storeId` (constant-time on the digests). */
  async verify(storeId: string, secret: string): Promise<boolean> {
    const hash = await repo.ownerSecretHash(this.database, storeId);
    // A store without an owner secret (made before owners existed) cannot be signed in to.
    if (!hash) return false;
    return secretsEqual(hash, sha256Hex(secret));
  }

  /** Adds `storeId` to the session `token` (a new session when there is none); returns the token. */
  async signIn(token: string | undefined, storeId: string): Promise<string> {
    const current = token !== undefined && (await this.session(token)) ? token : randomCredential('dsos');
    await repo.upsertOwnerSession(this.database, {
      token_hash: sha256Hex(current),
      store_id: storeId,
      expires_at: Date.now() + OWNER_SESSION_TTL_MS,
    });
    return current;
  }

  async session(token: string | undefined): Promise<OwnerSession | undefined> {
    if (token === undefined || token.length > 200) return undefined;
    const now = Date.now();
    await repo.deleteExpiredOwnerSessions(this.database, now);
    const storeIds = await repo.ownerSessionStoreIds(this.database, sha256Hex(token), now);
    if (storeIds.length === 0) return undefined;
    return { storeIds, csrfToken: csrfTokenFor(token) };
  }

  async signOut(token: string | undefined): Promise<void> {
    if (token !== undefined) await repo.deleteOwnerSession(this.database, sha256Hex(token));
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
