import { inTransaction, nowIso, type Database } from '../platform/db/index.js';
import { sha256Hex, randomToken, timingSafeEqualText } from '../platform/crypto.js';
import { DomainError } from '../platform/errors.js';
import {
  CONSOLE_PASSWORD_MAX,
  CONSOLE_PASSWORD_MIN,
  CONSOLE_USERNAME,
  DEFAULT_CONSOLE_USERNAME,
} from '../platform/config.js';
import { ENVIRONMENTS, rotateApiKey, type Environment, type ServerSecrets } from '../users/index.js';
import { hashPassword, SCRYPT_COST, verifyPassword, type ScryptCost } from './passwords.js';
import {
  anyAdmin,
  consumeSetupToken,
  deleteExpiredSessions,
  deleteSession,
  deleteSetupTokens,
  findAdmin,
  findSession,
  insertFirstAdmin,
  insertSession,
  listApiKeyRecords,
  recordSeenApiKey,
  replaceSetupToken,
  upsertApiKeyRecord,
} from './repository.js';

/** A session lasts this long from sign-in, whatever is done with it (absolute, not sliding). */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
/** The one-time setup token works this long after the start that printed it. */
export const SETUP_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
/** Expired sessions deleted per sign-in (each sign-in tidies up a little). */
const PRUNE_BATCH = 100;

export const WRONG_CREDENTIALS = 'Wrong username or password.';
const SETUP_REFUSED = 'The setup link is not valid: it was used already, has expired, or an admin exists.';

export interface SignedIn {
  state: 'signed-in';
  username: string;
  csrfToken: string;
  /** ISO 8601. */
  expiresAt: string;
}
export type SessionState = { state: 'setup-required' } | { state: 'signed-out' } | SignedIn;

/** A sign-in's answer and the cookie value that carries the session (seen only here). */
export interface NewSession {
  cookieValue: string;
  answer: SignedIn;
}

export interface ConsoleKey {
  env: Environment;
  active: boolean;
  /** The key's last four characters, when the console made or saw it. */
  hint?: string;
  createdAt?: string;
}

export interface CreatedKey {
  env: Environment;
  apiKey: string;
  hint: string;
  createdAt: string;
}

export interface ConsoleOptions {
  /**
   * scrypt's cost for new hashes (and the unknown-user decoy); SCRYPT_COST when absent. Only a
   * test passes a lower one, through createServer's options: nothing in the environment can.
   */
  scryptCost?: ScryptCost;
}

const isoIn = (ms: number): string => new Date(Date.now() + ms).toISOString();
const hint = (key: string): string => key.slice(-4);

/**
 * The ISV console's own identity: one admin (created from ALLOY_CONSOLE_PASSWORD or through the
 * one-time setup token), cookie sessions with their CSRF token, and the API keys as the console
 * shows and changes them. Sessions and tokens are stored only as SHA-256 digests.
 */
export class ConsoleService {
  private readonly cost: ScryptCost;
  /** A hash to compare against when the username is unknown: the same work, so the same timing. */
  private decoy: Promise<string> | undefined;

  constructor(
    private readonly database: Database,
    private readonly secrets: ServerSecrets,
    options: ConsoleOptions = {},
  ) {
    this.cost = options.scryptCost ?? SCRYPT_COST;
  }

  /**
   * At start: with no admin, makes one from the configured password, or else a setup token (its
   * digest replaces any earlier one) and returns it to be printed once. Also notes the hint of
   * each API key this process knows in plaintext (pinned or generated at this start).
   */
  async prepare(first: { username?: string | undefined; password?: string | undefined }): Promise<{
    setupToken: string | undefined;
  }> {
    await this.recordKnownKeys();
    if (await anyAdmin(this.database)) {
      await deleteSetupTokens(this.database);
      return { setupToken: undefined };
    }
    if (first.password !== undefined) {
      const username = first.username ?? DEFAULT_CONSOLE_USERNAME;
      const problem = credentialsProblem(username, first.password);
      if (problem)
        throw new Error(`The console's first admin (ALLOY_CONSOLE_USERNAME, ALLOY_CONSOLE_PASSWORD): ${problem}`);
      const passwordHash = await hashPassword(first.password, this.cost);
      await inTransaction(this.database, async (trx) => {
        await insertFirstAdmin(trx, { username, passwordHash, createdAt: nowIso() });
        await deleteSetupTokens(trx);
      });
      return { setupToken: undefined };
    }
    const token = randomToken(32);
    await inTransaction(this.database, (trx) =>
      replaceSetupToken(trx, {
        tokenHash: sha256Hex(token),
        createdAt: nowIso(),
        expiresAt: isoIn(SETUP_TOKEN_TTL_MS),
      }),
    );
    return { setupToken: token };
  }

  /** What `GET /console/api/session` answers for this cookie. */
  async state(cookieValue: string | undefined): Promise<SessionState> {
    const session = await this.session(cookieValue);
    if (session) return session;
    return (await anyAdmin(this.database)) ? { state: 'signed-out' } : { state: 'setup-required' };
  }

  /** The unexpired session this cookie value names. */
  async session(cookieValue: string | undefined): Promise<SignedIn | undefined> {
    if (!cookieValue) return undefined;
    const row = await findSession(this.database, sha256Hex(cookieValue), nowIso());
    return row && { state: 'signed-in', username: row.username, csrfToken: row.csrfToken, expiresAt: row.expiresAt };
  }

  /** Whether the CSRF token sent matches the session's (constant time). */
  csrfMatches(session: SignedIn, sent: string | undefined): boolean {
    return sent !== undefined && sent !== '' && timingSafeEqualText(session.csrfToken, sent);
  }

  /** Signs in, or throws `unauthorized` with one message whether the username or the password is wrong. */
  async signIn(username: string, password: string, replacing?: string): Promise<NewSession> {
    // The decoy is made once per process, before the username is looked up, so the first sign-in
    // pays for it whoever signs in (known and unknown names take the same time) and a server that
    // never sees a sign-in never spends the 32 MiB and ~100 ms of CPU on it.
    const decoy = await this.decoyHash();
    const admin = await findAdmin(this.database, username);
    const ok = admin
      ? await verifyPassword(password, admin.passwordHash)
      : (await verifyPassword(password, decoy), false);
    if (!admin || !ok) throw new DomainError('unauthorized', WRONG_CREDENTIALS);
    if (replacing) await this.signOut(replacing);
    return this.newSession(admin.username);
  }

  /** Creates the first admin with the setup token and signs them in; `forbidden` for any token that cannot. */
  async setUp(token: string, username: string, password: string): Promise<NewSession> {
    const problem = credentialsProblem(username, password);
    if (problem) throw new DomainError('validation_failed', `Invalid request body. ${problem}`);
    const tokenHash = sha256Hex(token);
    // Cheap checks first: a wrong token costs no scrypt work.
    if (await anyAdmin(this.database)) throw new DomainError('forbidden', SETUP_REFUSED);
    const passwordHash = await hashPassword(password, this.cost);
    await inTransaction(this.database, async (trx) => {
      const now = nowIso();
      if (!(await consumeSetupToken(trx, tokenHash, now))) throw new DomainError('forbidden', SETUP_REFUSED);
      if (!(await insertFirstAdmin(trx, { username, passwordHash, createdAt: now }))) {
        throw new DomainError('forbidden', SETUP_REFUSED);
      }
    });
    return this.newSession(username);
  }

  /** Ends the session this cookie value names (nothing when there is none). */
  async signOut(cookieValue: string | undefined): Promise<void> {
    if (cookieValue) await deleteSession(this.database, sha256Hex(cookieValue));
  }

  /** Both environments' keys as the console shows them (never a key itself). */
  async listKeys(): Promise<ConsoleKey[]> {
    const digests = await this.secrets.apiKeyDigests();
    const records = new Map((await listApiKeyRecords(this.database)).map((r) => [r.env, r]));
    return ENVIRONMENTS.map((env) => {
      const record = records.get(env);
      // A key changed elsewhere (pinned at start, `npm run rotate-api-key`) is active, its hint unknown.
      if (!record || record.keySha256 !== digests[env].toString('hex')) return { env, active: true };
      if (!record.active) return { env, active: false };
      return { env, active: true, ...(record.hint ? { hint: record.hint } : {}), createdAt: record.createdAt };
    });
  }

  /** Creates or rotates `env`'s API key: the new key is returned only here, the old one is refused from now on. */
  async createKey(env: Environment): Promise<CreatedKey> {
    const apiKey = await rotateApiKey(this.database, env);
    const createdAt = nowIso();
    await upsertApiKeyRecord(this.database, {
      env,
      keySha256: sha256Hex(apiKey),
      hint: hint(apiKey),
      active: true,
      createdAt,
    });
    return { env, apiKey, hint: hint(apiKey), createdAt };
  }

  /**
   * Revokes `env`'s API key: it is replaced by a random key nobody is told, so the environment
   * refuses every key until one is created here (or pinned at a restart).
   */
  async revokeKey(env: Environment): Promise<void> {
    const unknowable = await rotateApiKey(this.database, env);
    await upsertApiKeyRecord(this.database, {
      env,
      keySha256: sha256Hex(unknowable),
      hint: null,
      active: false,
      createdAt: nowIso(),
    });
  }

  /** Deletes up to `limit` sessions that expired before `cutoff`. */
  pruneExpiredSessions(cutoff: string, limit: number): Promise<number> {
    return deleteExpiredSessions(this.database, cutoff, limit);
  }

  private async newSession(username: string): Promise<NewSession> {
    const cookieValue = randomToken(32);
    const csrfToken = randomToken(32);
    const createdAt = nowIso();
    const expiresAt = isoIn(SESSION_TTL_MS);
    await insertSession(this.database, { idHash: sha256Hex(cookieValue), username, csrfToken, createdAt, expiresAt });
    await this.pruneExpiredSessions(createdAt, PRUNE_BATCH);
    return { cookieValue, answer: { state: 'signed-in', username, csrfToken, expiresAt } };
  }

  private decoyHash(): Promise<string> {
    this.decoy ??= hashPassword(randomToken(16), this.cost);
    return this.decoy;
  }

  private async recordKnownKeys(): Promise<void> {
    for (const env of ENVIRONMENTS) {
      const key = this.secrets.knownApiKey(env);
      if (key === undefined) continue;
      await recordSeenApiKey(this.database, {
        env,
        keySha256: sha256Hex(key),
        hint: hint(key),
        active: true,
        createdAt: nowIso(),
      });
    }
  }
}

/** What is wrong with a username and password for the console's admin ("username must …"), if anything. */
function credentialsProblem(username: string, password: string): string | undefined {
  if (!CONSOLE_USERNAME.test(username)) {
    return 'username must be 1-100 characters without spaces or control characters';
  }
  if (password.length < CONSOLE_PASSWORD_MIN || password.length > CONSOLE_PASSWORD_MAX) {
    return `password must be ${CONSOLE_PASSWORD_MIN}-${CONSOLE_PASSWORD_MAX} characters`;
  }
  return undefined;
}
